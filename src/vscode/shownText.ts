// The text of notifications, quick-fix titles, quick picks, diff titles and Markdown that carries a
// sandbox-chosen string (a path, a host, a rule's value). Pure and editor-free, so tests assert the
// exact text. Every such string goes through core's `printable` once; what is written to the
// settings file is the exact value, never this form.

import * as path from 'node:path';
import type { AllowChoice } from '../core/fence/allowChoices';
import type { RuleSuggestion } from '../core/model';
import { printable } from '../core/report/format';

/**
 * Markdown that reads as the text itself: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows it for all of them), so a name cannot open a link, an emphasis, an HTML
 * entity (`&#x202e;` would render the override itself) or a theme icon (`$(unlock)`).
 * `shown` must already be printable (no controls or newlines left to break a line).
 */
export function markdownText(shown: string): string {
  return shown.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** A Markdown code span of a printable text; a backtick cannot close it early. */
export function codeSpan(shown: string): string {
  return `\`${shown.replace(/`/g, "'")}\``;
}

/**
 * Quick-pick labels, descriptions and details render `$(name)` as an icon: a name spelling one out
 * shows it escaped instead.
 */
export function noIcons(shown: string): string {
  return shown.replace(/\$\(/g, '\\$(');
}

/** A rule's value as shown, in JSON's quotes; `printable`, not JSON.stringify, which leaves bidi and zero-width characters raw. */
export function shownValue(value: string): string {
  return `"${printable(value).replace(/"/g, '\\"')}"`;
}

/** `filesystem.allowWrite += "~/.cache"`. */
export function ruleText(s: RuleSuggestion): string {
  return `${s.setting} += ${shownValue(s.value)}`;
}

/** The quick fix on a Problems entry: `Fence: Allow writing in ~/.cache (filesystem.allowWrite in fence.json)…`. */
export function fixTitle(c: AllowChoice, settingsFile: string): string {
  const warn = c.warning ? ` (wide: ${printable(c.warning)})` : '';
  return `Fence: ${printable(c.suggestion.description)} (${c.suggestion.setting} in ${printable(path.basename(settingsFile))})…${warn}`;
}

/** One row of the "Allow in Fence settings" pick. */
export function choiceItem(c: AllowChoice): { readonly label: string; readonly description: string; readonly detail: string | undefined } {
  return {
    label: noIcons(printable(c.suggestion.description)),
    description: c.suggestion.setting,
    detail: c.warning ? `$(warning) ${noIcons(printable(c.warning))}` : undefined,
  };
}

/** What the diff title and the Apply notification say is proposed. */
export function changeSummary(c: AllowChoice): string {
  const s = c.suggestion;
  const add = `add ${printable(s.value)} to ${s.setting}`;
  return c.createDirectory ? `Create ${printable(c.createDirectory)} and ${add}` : `${add[0].toUpperCase()}${add.slice(1)}`;
}

/** The notification once the rule is written. */
export function addedMessage(s: RuleSuggestion, settingsFile: string): string {
  return `Added ${printable(s.value)} to ${s.setting} in ${printable(path.basename(settingsFile))}.`;
}

/** The preview's diff title. */
export function diffTitle(settingsFile: string, summary: string): string {
  return `${printable(path.basename(settingsFile))}: ${summary} (preview)`;
}
