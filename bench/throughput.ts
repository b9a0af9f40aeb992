// Decoder throughput: framed monitor records parsed by MonitorDecoder and merged into a
// ViolationStore, against plain line splitting of the same bytes in the same process. The stream
// is what the kernel sends once its dedup map is full: every event printed (uid 0), cycling over a
// few thousand distinct paths, cut into 64 KiB chunks as a pipe delivers them.
//
// What it exercises: every record is an F with uid 0 and an absolute path, the shape the decoder
// reads in place (recordSpan), and the paths repeat in the same order every cycle, so the
// decoder's guess "the violation that followed the previous one last time" holds for every repeat
// after the first cycle; in random order it never does and each repeat goes through the store's
// lookup instead, hashing the path (measured on the shared 2-CPU VM: ~0.9 us of CPU per record in
// cycle order, 10-40% more in random order).
// Why the fraction stays far below 1: the baseline touches each line with one indexOf and one
// slice (~100 ns there); finding a record's line and checking the secret token at both of its ends
// (two native comparisons of 33 characters) already takes ~170 ns, before any field is read or
// any violation looked up.

import { MonitorDecoder } from '../src/core/protocol/monitorDecoder';
import { ViolationStore } from '../src/core/store';
import { median } from './stats';

const TOKEN = '0123456789abcdef0123456789abcdef';
const CHUNK = 64 * 1024;

export interface ThroughputResult {
  readonly recordsPerS: number;
  readonly baselineLinesPerS: number;
  readonly fractionOfBaseline: number;
  readonly records: number;
  readonly megabytes: number;
  readonly rounds: number;
}

export function framedStream(records: number, distinct: number): string[] {
  const parts: string[] = [];
  const t0 = 1_000_000_000_000;
  for (let i = 0; i < records; i++) {
    const pid = 4000 + (i % 7);
    const path = `/home/user/project/node_modules/.cache/pkg-${i % distinct}/index.js`;
    parts.push(`${TOKEN}|F|257|${pid}|${pid}|-30|${t0 + i * 1000}|0|${TOKEN}|node|${TOKEN}|${path}|${TOKEN}\n`);
  }
  const text = parts.join('');
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += CHUNK) chunks.push(text.slice(at, at + CHUNK));
  return chunks;
}

/** The baseline: what any line-oriented reader must do with the same bytes. */
function splitLines(chunks: readonly string[]): number {
  let partial = '';
  let lines = 0;
  for (const chunk of chunks) {
    const text = partial + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (text.slice(start, nl).length > 0) lines++;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    partial = text.slice(start);
  }
  return lines;
}

function decode(chunks: readonly string[]): { records: number; events: number } {
  const store = new ViolationStore();
  const decoder = new MonitorDecoder(TOKEN, store, () => undefined);
  for (const chunk of chunks) decoder.feed(chunk);
  decoder.end();
  const events = store.list().reduce((n, v) => n + v.count, 0);
  return { records: decoder.stats.records, events };
}

export function throughput(records: number, rounds: number, log: (line: string) => void): ThroughputResult {
  const chunks = framedStream(records, 5000);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  splitLines(chunks); // warm-up: let the JIT see both paths before timing
  decode(chunks);
  const base: number[] = [];
  const dec: number[] = [];
  const fractions: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const lines = splitLines(chunks);
    const t1 = process.hrtime.bigint();
    const got = decode(chunks);
    const t2 = process.hrtime.bigint();
    if (lines !== records || got.records !== records || got.events !== records) {
      throw new Error(`throughput: expected ${records}, got ${lines} lines, ${got.records} records, ${got.events} events`);
    }
    const b = Number(t1 - t0) / 1e9;
    const d = Number(t2 - t1) / 1e9;
    base.push(b);
    dec.push(d);
    fractions.push(b / d);
    log(`  round ${r + 1}/${rounds}: split ${(records / b / 1e6).toFixed(2)} M lines/s, decode+store ${(records / d / 1e6).toFixed(2)} M records/s`);
  }
  return {
    recordsPerS: records / median(dec),
    baselineLinesPerS: records / median(base),
    fractionOfBaseline: median(fractions),
    records,
    megabytes: bytes / 1e6,
    rounds,
  };
}
