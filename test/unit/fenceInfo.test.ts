import assert from 'node:assert/strict';
import { chainFiles, featuresFrom } from '../../src/sandbox/fenceInfo';

// Excerpts recorded from the two fence binaries on these machines (2026-12-01).
const HELP_0_1_5 = `Configure allowed domains in
~/.fence.json or pass a settings file with --settings.

Usage:
  fence [flags] -- [command...]

Flags:
  -c, --c string           Run command string directly (like sh -c)
  -m, --monitor            Monitor and log sandbox violations (macOS: log stream, all: proxy denials)
  -p, --port stringArray   Expose port for inbound connections (can be used multiple times)
  -s, --settings string    Path to settings file (default: ~/.fence.json)`;
const LINUX_0_1_5 = `Linux Sandbox Features:
  Kernel: 6.18
  Bubblewrap (bwrap): true
  Network namespace (--unshare-net): false
  Seccomp: true (log level: 2)`;
const HELP_0_1_66 = `By default, all network access is blocked. Fence first looks for a
fence.jsonc (preferred) or fence.json file in the current directory or any
  fence config show                       # Inspect the active config chain and merged JSON
Available Commands:
  completion  Generate shell completion scripts
  config      Manage fence configuration
Flags:
      --expose-host-path-rw stringArray   Expose a host file/directory at the same path inside the sandbox (read-write). Can be used multiple times.
      --fence-log-file string             Write Fence monitor/debug logs to this file while keeping command output on its normal streams
  -t, --template string                   Use built-in template (e.g., ai-coding-agents, npm-install)`;
const LINUX_0_1_66 = `  Capability                 Required For                  Status  Details
  Socat                      proxy bridges                 ok      /usr/bin/socat
  Network namespace          direct network isolation      ok      bwrap --unshare-net works
  Seccomp filter             syscall hardening             ok      Fence BPF filter installs`;

describe('the Fence feature table (featuresFrom)', () => {
  it('v0.1.5 (prints version "dev"): joins argv unquoted, no log file, JSONC, templates, config show or namespace', () => {
    assert.deepEqual(featuresFrom(HELP_0_1_5, 'fence - lightweight\n  Version: dev\n', LINUX_0_1_5), {
      version: 'dev', quotesArgv: false, logFile: false, exposeHostPath: false, discovery: false, template: false, configShow: false, networkNamespace: false,
    });
  });
  it('v0.1.66: everything', () => {
    assert.deepEqual(featuresFrom(HELP_0_1_66, '  Version: v0.1.66\n', LINUX_0_1_66), {
      version: 'v0.1.66', quotesArgv: true, logFile: true, exposeHostPath: true, discovery: true, template: true, configShow: true, networkNamespace: true,
    });
  });
  it('quotes argv from v0.1.19 on, by version or by a flag that came later', () => {
    assert.equal(featuresFrom(HELP_0_1_5, 'Version: v0.1.18', '').quotesArgv, false);
    assert.equal(featuresFrom(HELP_0_1_5, 'Version: v0.1.19', '').quotesArgv, true);
    assert.equal(featuresFrom(HELP_0_1_5, 'Version: v0.2.0', '').quotesArgv, true);
    assert.equal(featuresFrom(HELP_0_1_66, 'Version: dev', '').quotesArgv, true);
    assert.equal(featuresFrom(HELP_0_1_5, 'Version: v0.1.30', 'Network namespace (--unshare-net): true').networkNamespace, true);
  });
  it('reads the files out of `fence config show`\'s chain, not the templates', () => {
    const chain = 'Active config chain:\nproject config: /tmp/p/fence.jsonc\n└── builtin template: code\n├── file: /etc/base.json\n';
    assert.deepEqual(chainFiles(chain), ['/tmp/p/fence.jsonc', '/etc/base.json']);
  });
});
