// Fence settings are JSONC (comments, trailing commas) in newer Fence; v0.1.5 accepts only strict
// JSON and fails with "invalid character '/'". This checks a settings text and, when needed, gives
// the strict-JSON equivalent so the run uses the policy the user wrote instead of failing.

import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';

export type SettingsCheck =
  | { readonly ok: true; readonly strictJson: string; readonly wasStrict: boolean }
  | { readonly ok: false; readonly problem: string };

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export function checkSettingsText(text: string): SettingsCheck {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    return { ok: false, problem: `${printParseErrorCode(e.error)} at ${lineCol(text, e.offset)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: 'the settings must be a JSON object' };
  }
  let wasStrict = true;
  try {
    JSON.parse(text);
  } catch {
    wasStrict = false;
  }
  return { ok: true, strictJson: JSON.stringify(value, null, 2), wasStrict };
}
