import assert from 'node:assert/strict';
import { checkSettingsText } from '../../src/core/fence/settingsText';

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
