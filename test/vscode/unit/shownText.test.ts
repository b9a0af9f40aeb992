// What the editor shows of a sandbox-chosen name: every title, label, message and Markdown builder
// escapes it through core's `printable` exactly once, and Markdown cannot be made to render it as
// anything else. The name carries a right-to-left override, a zero-width space, an ESC and a newline.

import * as assert from 'node:assert/strict';
import type { Violation } from '../../../src/core/model';
import type { AllowChoice } from '../../../src/core/fence/allowChoices';
import { addedMessage, changeSummary, choiceItem, codeSpan, diffTitle, fixTitle, markdownText, noIcons, ruleText } from '../../../src/vscode/shownText';
import { detailText } from '../../../src/vscode/explorer/detail';
import { groupByTarget, runTooltipMarkdown, targetDescription, targetRow, targetTooltipMarkdown } from '../../../src/vscode/explorer/explorerItems';
import type { Run } from '../../../src/vscode/runs/runs';

const NAME = 'gnp.\u202eexe\u200bx\x1b[31mred\nline';
const SHOWN = 'gnp.\\u{202e}exe\\u{200b}x\\x1b[31mred\\nline';
/** Anything that would reach the screen raw: controls, bidi controls and marks, zero-width characters. */
const RAW = /[\p{Cc}\p{Cf}]/u;

function choice(value: string, extra: Partial<AllowChoice> = {}): AllowChoice {
  return { suggestion: { setting: 'filesystem.allowWrite', value, description: `Allow writing in ${value}` }, ...extra };
}

function violation(target: string, message = 'Read-only file system'): Violation {
  const at = new Date(0);
  return {
    category: 'filesystem', operation: 'openat', target, errno: 30, source: 'ebpf', process: { comm: `t\u202eouch`, pid: 7 },
    key: target, errnoName: 'EROFS', message, count: 1, firstSeen: at, lastSeen: at,
  };
}

describe('shown text of sandbox-chosen names', () => {
  it('quick-fix title, diff title and notifications escape the name and the settings file', () => {
    const c = choice(`/w/${NAME}`, { warning: `allows writing anywhere in /w/${NAME}` });
    const title = fixTitle(c, `/w/${NAME}.json`);
    assert.equal(title, `Fence: Allow writing in /w/${SHOWN} (filesystem.allowWrite in ${SHOWN}.json)… (wide: allows writing anywhere in /w/${SHOWN})`);
    assert.equal(changeSummary(c), `Add /w/${SHOWN} to filesystem.allowWrite`);
    assert.equal(changeSummary(choice(`/w/${NAME}`, { createDirectory: `/w/${NAME}/d` })), `Create /w/${SHOWN}/d and add /w/${SHOWN} to filesystem.allowWrite`);
    assert.equal(addedMessage(c.suggestion, '/w/fence.json'), `Added /w/${SHOWN} to filesystem.allowWrite in fence.json.`);
    assert.equal(diffTitle(`/w/${NAME}`, changeSummary(c)), `${SHOWN}: Add /w/${SHOWN} to filesystem.allowWrite (preview)`);
    for (const s of [title, changeSummary(c), addedMessage(c.suggestion, NAME), diffTitle(NAME, 'x')]) assert.doesNotMatch(s, RAW);
  });

  it('the quick pick shows no raw character and no icon a name spells out', () => {
    const item = choiceItem(choice(`/w/$(unlock)${NAME}`, { warning: `wide ${NAME}` }));
    assert.equal(item.label, `Allow writing in /w/\\$(unlock)${SHOWN}`);
    assert.equal(item.detail, `$(warning) wide ${SHOWN}`);
    assert.doesNotMatch(`${item.label}${item.detail ?? ''}`, RAW);
    assert.equal(noIcons('$(a) $(b)'), '\\$(a) \\$(b)');
  });

  it("a rule's value is shown escaped in quotes (JSON.stringify leaves bidi and zero-width raw)", () => {
    assert.equal(ruleText(choice(`/w/${NAME}"q\\`).suggestion), `filesystem.allowWrite += "/w/${SHOWN}\\"q\\\\"`);
    assert.doesNotMatch(ruleText(choice(NAME).suggestion), RAW);
  });

  it('Markdown text cannot open a link, an emphasis, an entity or an icon', () => {
    assert.equal(markdownText('&#x202e;[a](command:x) *b* $(unlock)'), '\\&\\#x202e\\;\\[a\\]\\(command\\:x\\) \\*b\\* \\$\\(unlock\\)');
    assert.equal(codeSpan('a`b'), "`a'b`");
  });

  it('tree rows show the name escaped once, and the message and process escaped', () => {
    const [g] = groupByTarget([violation(`/w/${NAME}`, `no\u200bpe`)], 'filesystem');
    const row = targetRow(g, '/home/u');
    assert.equal(row.label, SHOWN);
    assert.equal(row.description, '/w · EROFS · ×1 · openat · t\\u{202e}ouch:7');
    assert.equal(targetDescription(g), '×1 · openat · EROFS no\\u{200b}pe · t\\u{202e}ouch:7');
  });

  it('the details document (read as source) escapes the name once', () => {
    const [g] = groupByTarget([violation(`/w/*${NAME}`)], 'filesystem');
    const run = { commandLine: `cat ${NAME}`, request: { cwd: '/w' } } as unknown as Run;
    const text = detailText({ kind: 'target', run, group: g });
    const lines = text.split('\n');
    assert.equal(lines[0], `# /w/*${SHOWN}`, 'not escaped twice by printable');
    assert.ok(text.includes(`\`[fence:ebpf] `) && text.includes(`✗ openat: /w/*${SHOWN} (`), 'the violation line shows the name escaped once');
    assert.ok(text.includes(`**Rule that would allow it:** \`filesystem.allowWrite += "/w"\``));
    assert.ok(text.includes(`Run: \`cat ${SHOWN}\` in \`/w\``));
    assert.doesNotMatch(text.replace(/\n/g, ''), RAW);
  });

  it('tooltips escape the name as Markdown; only their own links are links', () => {
    const name = `${NAME}[x](command:fenceLens.allow)&#x202e;$(unlock)`;
    const [g] = groupByTarget([violation(`/w/${name}`)], 'filesystem');
    const tip = targetTooltipMarkdown(g, { run: 1, category: 'filesystem', target: g.target });
    const head = tip.split('\n')[0];
    assert.equal(head, `**${markdownText(`/w/${SHOWN}[x](command:fenceLens.allow)&#x202e;$(unlock)`)}**`);
    assert.ok(head.includes('\\[x\\]\\(command\\:') && head.includes('\\&\\#x202e\\;') && head.includes('\\$\\(unlock\\)'));
    assert.equal(tip.replace(/`[^`]*`/g, "").match(/\]\(command:/g)?.length, 4, 'Allow, Open, Settings and Copy, and no link from the name (a code span shows it as code)');
    assert.ok(tip.includes('**Rule:** `filesystem.allowWrite += "/w"`'));
    assert.doesNotMatch(tip.replace(/\n/g, ''), RAW);
    const run = { commandLine: `cat ${NAME}`, request: { cwd: `/w/${NAME}` }, settingsFile: undefined, monitor: { state: 'active', detail: `d*${NAME}` } } as unknown as Run;
    const runTip = runTooltipMarkdown(run);
    assert.ok(runTip.startsWith(`**${markdownText(`cat ${SHOWN}`)}**`));
    assert.ok(runTip.includes(`- cwd: \`/w/${SHOWN}\``));
    assert.ok(runTip.includes(`(${markdownText(`d*${SHOWN}`)})`));
    assert.doesNotMatch(runTip.replace(/\n/g, ''), RAW);
  });
});
