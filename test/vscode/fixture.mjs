// The workspace the extension-host suite asserts against (its paths appear exactly in assertions).
// Shared by the offline launcher (run-host.mjs) and the @vscode/test-electron one.
import fs from 'node:fs';
import path from 'node:path';

/** @param {string} ws the folder to fill */
export function makeWorkspace(ws) {
  fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'existing.txt'), 'existing\n');
  fs.writeFileSync(path.join(ws, 'src', 'main.txt'), 'main\n');
  fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ name: 'fixture', private: true, scripts: { build: 'echo built', fail: 'exit 3' } }, null, 2));
  // Plain JSON: the Fence this project drives (v0.1.5) rejects comments in its settings file.
  fs.writeFileSync(path.join(ws, 'fence.json'), '{\n  "filesystem": { "allowWrite": [] },\n  "network": { "allowedDomains": ["example.invalid"] }\n}\n');
  // A hostile workspace tries to choose the programs and turn the monitor off: both must be ignored.
  fs.writeFileSync(path.join(ws, 'evil-fence'), `#!/bin/sh\ntouch ${path.join(ws, 'EVIL-FENCE-RAN')}\nexit 0\n`, { mode: 0o755 });
  fs.writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    JSON.stringify({ 'fenceLens.paths.fence': path.join(ws, 'evil-fence'), 'fenceLens.paths.pkexec': path.join(ws, 'evil-fence'), 'fenceLens.monitor.mode': 'off' }, null, 2),
  );
  fs.writeFileSync(
    path.join(ws, '.vscode', 'tasks.json'),
    JSON.stringify(
      {
        version: '2.0.0',
        tasks: [
          { type: 'fence', label: 'write to /etc in fence', command: 'touch /etc/fence-lens-task-probe' },
          { type: 'fence', label: 'true in fence', command: 'true' },
          { type: 'shell', label: 'say hello', command: 'echo hello' },
        ],
      },
      null,
      2,
    ),
  );
}
