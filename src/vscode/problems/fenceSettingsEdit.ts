// Applies a rule suggestion to a Fence settings file with jsonc-parser, so the user's comments and
// formatting survive. Only ever called from an explicit user action (quick fix, tree action).
// The ESM build is imported on purpose: the UMD main requires its parts dynamically, which esbuild
// cannot follow, so the bundle would fail at load time with "Cannot find module './impl/format'".

import * as fs from 'node:fs';
import { applyEdits, modify, parse, type FormattingOptions } from 'jsonc-parser/lib/esm/main.js';
import type { RuleSuggestion } from '../../core/model';

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

/** Settings that are switches in Fence's schema; everything else is a list of values. */
const BOOLEAN_SETTINGS = new Set(['network.allowLocalBinding', 'network.allowLocalOutbound', 'network.allowAllUnixSockets']);

export type EditResult = { readonly changed: true; readonly text: string } | { readonly changed: false; readonly reason: string };

/** The new file text with the suggestion applied, or why nothing changed. */
export function applySuggestion(text: string, s: RuleSuggestion): EditResult {
  const source = text.trim() === '' ? '{}\n' : text;
  const keyPath = s.setting.split('.');
  if (BOOLEAN_SETTINGS.has(s.setting)) {
    if (getPath(parse(source), keyPath) === true) return { changed: false, reason: `${s.setting} is already true` };
    return { changed: true, text: applyEdits(source, modify(source, keyPath, true, { formattingOptions: FORMAT })) };
  }
  const current = getPath(parse(source), keyPath);
  if (Array.isArray(current)) {
    if (current.includes(s.value)) return { changed: false, reason: `${s.setting} already contains ${s.value}` };
    return { changed: true, text: applyEdits(source, modify(source, [...keyPath, -1], s.value, { formattingOptions: FORMAT, isArrayInsertion: true })) };
  }
  return { changed: true, text: applyEdits(source, modify(source, keyPath, [s.value], { formattingOptions: FORMAT })) };
}

function getPath(root: unknown, keys: readonly string[]): unknown {
  let node: unknown = root;
  for (const k of keys) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

export function applySuggestionToFile(file: string, s: RuleSuggestion): EditResult {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const result = applySuggestion(text, s);
  if (result.changed) fs.writeFileSync(file, result.text);
  return result;
}
