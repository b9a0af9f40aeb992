// The editor-free parts of the extension, in plain Node (no VS Code): settings-file edits, path
// resolution and the explorer's labels.

import * as assert from 'node:assert/strict';
import { applySuggestion } from '../../../src/vscode/problems/fenceSettingsEdit';

describe('applySuggestion (Fence settings edits)', () => {
  it('appends to an existing list and keeps comments and the rest of the file', () => {
    const text = '{\n  // mine\n  "filesystem": { "allowWrite": ["/a"] },\n  "network": { "allowedDomains": [] }\n}\n';
    const r = applySuggestion(text, { setting: 'filesystem.allowWrite', value: '/b', description: '' });
    assert.equal(r.changed, true);
    assert.ok(r.changed && r.text.includes('// mine'));
    assert.ok(r.changed && r.text.includes('"network": { "allowedDomains": [] }'));
    assert.ok(r.changed && /"allowWrite": \[\s*"\/a",\s*"\/b"\s*\]/.test(r.text), r.changed ? r.text : '');
  });

  it('creates the section and list in an empty file', () => {
    const r = applySuggestion('', { setting: 'network.allowedDomains', value: 'example.com', description: '' });
    assert.ok(r.changed);
    assert.deepEqual(JSON.parse(r.text), { network: { allowedDomains: ['example.com'] } });
  });

  it('does not add a value twice', () => {
    const r = applySuggestion('{"filesystem":{"allowWrite":["/a"]}}', { setting: 'filesystem.allowWrite', value: '/a', description: '' });
    assert.deepEqual(r, { changed: false, reason: 'filesystem.allowWrite already contains /a' });
  });

  it('sets switches to true instead of listing "true"', () => {
    const r = applySuggestion('{}', { setting: 'network.allowLocalOutbound', value: 'true', description: '' });
    assert.ok(r.changed);
    assert.deepEqual(JSON.parse(r.text), { network: { allowLocalOutbound: true } });
    const again = applySuggestion(r.text, { setting: 'network.allowLocalOutbound', value: 'true', description: '' });
    assert.deepEqual(again, { changed: false, reason: 'network.allowLocalOutbound is already true' });
  });
});
