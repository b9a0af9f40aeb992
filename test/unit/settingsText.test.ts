import assert from 'node:assert/strict';
import { checkSettingsText, settingSpan, settingValue, settingsEditFor, type TextEdit } from '../../src/core/fence/settingsText';
import { allowChoices, homeRelative } from '../../src/core/fence/allowChoices';

describe('checkSettingsText', () => {
  it('accepts strict JSON as is', () => {
    const r = checkSettingsText('{"filesystem":{"allowWrite":["."]}}');
    assert.ok(r.ok && r.wasStrict);
  });
  it('turns JSONC (comments, trailing commas) into the same settings in plain JSON', () => {
    const r = checkSettingsText('{\n  // writable\n  "filesystem": { "allowWrite": [".",], },\n}');
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.wasStrict, false);
      assert.deepEqual(JSON.parse(r.strictJson), { filesystem: { allowWrite: ['.'] } });
    }
  });
  it('says where a broken file is broken', () => {
    assert.deepEqual(checkSettingsText('{\n  "filesystem": { "allowWrite": [ \n'), { ok: false, problem: 'CloseBracketExpected at line 3, column 1' });
    assert.deepEqual(checkSettingsText('[1]'), { ok: false, problem: 'the settings must be a JSON object' });
  });
});

describe('settingsEditFor (Fence settings edits)', () => {
  const allowWrite = (value: string) => ({ setting: 'filesystem.allowWrite', value, description: '' });
  const apply = (text: string, edits: readonly TextEdit[]) =>
    [...edits].sort((a, b) => b.offset - a.offset).reduce((t, e) => t.slice(0, e.offset) + e.content + t.slice(e.offset + e.length), text);

  it('appends to an existing list and keeps comments and the rest of the file; its edits give its text', () => {
    const text = '{\n  // mine\n  "filesystem": { "allowWrite": ["/a"] },\n  "network": { "allowedDomains": [] }\n}\n';
    const r = settingsEditFor(text, allowWrite('/b'));
    assert.ok(r.changed);
    assert.ok(r.text.includes('// mine'));
    assert.ok(r.text.includes('"network": { "allowedDomains": [] }'));
    assert.match(r.text, /"allowWrite": \[\s*"\/a",\s*"\/b"\s*\]/);
    assert.equal(apply(text, r.edits), r.text);
  });

  it('creates the section and list in an empty file, replacing the blank text whole', () => {
    const r = settingsEditFor('  \n', { setting: 'network.allowedDomains', value: 'example.com', description: '' });
    assert.ok(r.changed);
    assert.deepEqual(JSON.parse(r.text), { network: { allowedDomains: ['example.com'] } });
    assert.deepEqual(r.edits, [{ offset: 0, length: 3, content: r.text }]);
  });

  it('does not add a value twice', () => {
    assert.deepEqual(settingsEditFor('{"filesystem":{"allowWrite":["/a"]}}', allowWrite('/a')), { changed: false, reason: 'filesystem.allowWrite already contains /a' });
  });

  it('sets switches to true instead of listing "true"', () => {
    const r = settingsEditFor('{}', { setting: 'network.allowLocalOutbound', value: 'true', description: '' });
    assert.ok(r.changed);
    assert.deepEqual(JSON.parse(r.text), { network: { allowLocalOutbound: true } });
    assert.deepEqual(settingsEditFor(r.text, { setting: 'network.allowLocalOutbound', value: 'true', description: '' }), {
      changed: false,
      reason: 'network.allowLocalOutbound is already true',
    });
  });

  it('reads a setting from JSONC text', () => {
    assert.deepEqual(settingValue('{ // c\n "filesystem": { "allowWrite": ["~/.npm",], },\n}', 'filesystem.allowWrite'), ['~/.npm']);
    assert.equal(settingValue('{}', 'network.allowedDomains'), undefined);
  });
});

describe('settingSpan (where a problem about a setting is shown)', () => {
  const text = '{\n  "filesystem": {\n    "allowWrite": ["."]\n  }\n}\n';
  const at = (setting: string, t = text) => {
    const span = settingSpan(t, setting);
    return span && t.slice(span.offset, span.offset + span.length);
  };

  it('is the key of the setting', () => {
    assert.equal(at('filesystem.allowWrite'), '"allowWrite"');
  });
  it('is the key of the nearest section when the setting is absent', () => {
    assert.equal(at('filesystem.allowRead'), '"filesystem"');
  });
  it('is the top-level brace when the section is absent too', () => {
    assert.equal(at('network.allowedDomains'), '{');
  });
  it('is nothing for a text that is not an object', () => {
    assert.equal(settingSpan('[1]', 'network.allowedDomains'), undefined);
  });
});

describe('allowChoices (the rules offered for a denial)', () => {
  const home = '/home/me';
  const write = (value: string) => ({ setting: 'filesystem.allowWrite', value, description: `Allow writing in ${value}` });

  it('writes paths under the home directory as ~/...', () => {
    assert.equal(homeRelative('/home/me/.cache/x', home), '~/.cache/x');
    assert.equal(homeRelative('/home/me', home), '/home/me');
    assert.equal(homeRelative('/home/meme/x', home), '/home/meme/x');
    assert.deepEqual(allowChoices(write('/home/me/.cache/tool'), { operation: 'openat', target: '/home/me/.cache/tool/a' }, home), [
      { suggestion: { setting: 'filesystem.allowWrite', value: '~/.cache/tool', description: 'Allow writing in ~/.cache/tool' } },
    ]);
  });

  it('offers a denied mkdir in the home directory first (created, then allowed), the home directory second with a warning', () => {
    const choices = allowChoices(write(home), { operation: 'mkdir', target: '/home/me/.npm' }, home);
    assert.deepEqual(
      choices.map((c) => [c.suggestion.value, c.suggestion.description, c.createDirectory, c.warning]),
      [
        ['~/.npm', 'Create ~/.npm and allow writing in it', '/home/me/.npm', undefined],
        ['/home/me', 'Allow writing in /home/me', undefined, 'allows writing anywhere in ~ (the home directory), not only what was denied'],
      ],
    );
  });

  it('never offers /, the home directory or a system folder without a warning', () => {
    for (const dir of ['/', home, '/usr/local/share', '/etc', '/usr', '/var/lib']) {
      const choices = allowChoices(write(dir), { operation: 'openat', target: `${dir === '/' ? '' : dir}/f` }, home);
      assert.equal(choices.length, 1, dir);
      assert.ok(choices[0].warning, dir);
    }
    assert.equal(allowChoices(write('/usr/local/share/app'), { operation: 'openat', target: '/usr/local/share/app/f' }, home)[0].warning, undefined);
  });

  it('leaves other settings alone', () => {
    const s = { setting: 'network.allowedDomains', value: 'example.com', description: 'Allow connections to example.com' };
    assert.deepEqual(allowChoices(s, { operation: 'connect', target: 'example.com:443' }, home), [{ suggestion: s }]);
  });
});
