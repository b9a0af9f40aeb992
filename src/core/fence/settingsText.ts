// Fence settings text: reading, checking and editing one JSONC file. Fence settings are JSONC
// (comments, trailing commas) in newer Fence; v0.1.5 accepts only strict JSON and fails with
// "invalid character '/'", so a check gives the strict-JSON equivalent and the run uses the policy
// the user wrote instead of failing. Edits are computed with jsonc-parser so the user's comments
// and formatting survive; applying them is the front end's job (the editor previews them first).
// The ESM build is imported on purpose: the UMD main requires its parts dynamically, which esbuild
// cannot follow, so the bundle would fail at load time with "Cannot find module './impl/format'".

import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parse,
  parseTree,
  printParseErrorCode,
  type FormattingOptions,
  type Node,
  type ParseError,
} from 'jsonc-parser/lib/esm/main.js';
import type { RuleSuggestion } from '../model';

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

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

/** Settings that are switches in Fence's schema; everything else is a list of values. */
const BOOLEAN_SETTINGS = new Set(['network.allowLocalBinding', 'network.allowLocalOutbound', 'network.allowAllUnixSockets']);

/** Replace `length` characters at `offset` with `content` (offsets into the text the edit was computed on). */
export interface TextEdit {
  readonly offset: number;
  readonly length: number;
  readonly content: string;
}

export type SettingsEdit =
  | { readonly changed: true; readonly edits: readonly TextEdit[]; readonly text: string }
  | { readonly changed: false; readonly reason: string };

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let node: unknown = root;
  for (const k of keys) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

/** What the settings `text` holds at a dotted setting, e.g. `filesystem.allowWrite`. */
export function settingValue(text: string, setting: string): unknown {
  return valueAt(parse(text, [], { allowTrailingComma: true }), setting.split('.'));
}

/**
 * The edits that add `s` to the settings `text` (an empty text is an empty object), or why none are
 * needed: the value is listed already, or the switch is already on.
 */
export function settingsEditFor(text: string, s: RuleSuggestion): SettingsEdit {
  const empty = text.trim() === '';
  const source = empty ? '{}\n' : text;
  const keyPath = s.setting.split('.');
  const current = settingValue(source, s.setting);
  let edits;
  if (BOOLEAN_SETTINGS.has(s.setting)) {
    if (current === true) return { changed: false, reason: `${s.setting} is already true` };
    edits = modify(source, keyPath, true, { formattingOptions: FORMAT });
  } else if (Array.isArray(current)) {
    if (current.includes(s.value)) return { changed: false, reason: `${s.setting} already contains ${s.value}` };
    edits = modify(source, [...keyPath, -1], s.value, { formattingOptions: FORMAT, isArrayInsertion: true });
  } else {
    edits = modify(source, keyPath, [s.value], { formattingOptions: FORMAT });
  }
  const newText = applyEdits(source, edits);
  // An empty file is replaced whole: the edits were computed on `{}`, not on what is there.
  const out: TextEdit[] = empty ? [{ offset: 0, length: text.length, content: newText }] : edits.map((e) => ({ offset: e.offset, length: e.length, content: e.content }));
  return { changed: true, edits: out, text: newText };
}

/** A span of the settings text: where a problem about a setting is shown. */
export interface TextSpan {
  readonly offset: number;
  readonly length: number;
}

/**
 * Where `setting` is written in the settings text: its key (`"allowWrite"`), else the key of the
 * nearest section that exists (`"filesystem"`), else the opening brace of the top-level object.
 * Undefined for a text that is not an object.
 */
export function settingSpan(text: string, setting: string): TextSpan | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true });
  if (!root || root.type !== 'object') return undefined;
  const keys = setting.split('.');
  for (let n = keys.length; n > 0; n--) {
    const value: Node | undefined = findNodeAtLocation(root, keys.slice(0, n));
    const key = value?.parent?.type === 'property' ? value.parent.children?.[0] : undefined;
    if (key) return { offset: key.offset, length: key.length };
  }
  return { offset: root.offset, length: 1 };
}
