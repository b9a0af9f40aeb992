// Decoder throughput on the stream the monitor program really prints, at the most it can ever print
// (monitorProgram.ts): a storm whose new denials outrun the program's token bucket (BURST records per
// 50 ms, BURST_CAPACITY at once) until every record budget is spent (RECORD_BUDGET first records of
// file and seccomp denials, each under its record id; NET_BUDGET network records; PAIR_BUDGET
// two-path pairs), the rest counted per (syscall, errno) in @over; every itemised file and seccomp
// denial keeps repeating, so each second's COUNTS block lists one @cnt running total per record id.
// Cut into 64 KiB chunks as a pipe delivers them, decoded by MonitorDecoder into a ViolationStore.
//
// Reported: decoder CPU per framed record and per COUNTS line (the same stream decoded without its
// COUNTS blocks gives the records' share), the itemised records per second that CPU sustains next to
// the program's own ceiling (BURST per 50 ms), and the share of one core the decoder needs in the
// worst second a run can have (a second of records at the ceiling plus a full COUNTS block).
// Plain line splitting of the same bytes is the baseline. The run fails, rather than reports, if
// the store does not end up holding every event the stream carries.

import { MonitorDecoder } from '../src/core/protocol/monitorDecoder';
import { BURST, BURST_CAPACITY, NET_BUDGET, PAIR_BUDGET, PROGRAM_VERSION, RECORD_BUDGET } from '../src/core/protocol/monitorProgram';
import { ViolationStore } from '../src/core/store';
import type { Row } from './results';
import { median } from './stats';

const TOKEN = '0123456789abcdef0123456789abcdef';
const CHUNK = 64 * 1024;
const TICK_NS = 50_000_000;
const TICKS_PER_S = 20;
/** New distinct denials the storm makes per 50 ms: twice what the bucket refills, so the rate binds. */
const DEMAND_PER_TICK = 2 * BURST;
/** Kinds of the storm's denials, in turn: mostly file denials, some network, renames and seccomp. */
const MIX = ['F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'N', 'N', 'N', 'P', 'P', 'S'] as const;
/** Distinct seccomp denials (syscall, comm): a handful, the rest of that kind are repeats. */
const SECCOMP_KEYS = 8;
const NR = { openat: 257, connect: 42, renameat2: 316, ptrace: 101 } as const;

export interface RunStream {
  /** The whole stream, and the same without its COUNTS blocks. */
  readonly chunks: readonly string[];
  readonly itemsOnly: readonly string[];
  /** Framed records (F, S, N, F2, P2 and lifecycle) and COUNTS lines (@cnt, @over). */
  readonly records: number;
  readonly countLines: number;
  /** Denials printed with their details (a pair is one), as the program's tokens count them. */
  readonly itemised: number;
  /** Every denial the stream accounts for, itemised, repeated or counted in @over. */
  readonly events: number;
  readonly megabytes: number;
  readonly seconds: number;
  /** @cnt lines in the last COUNTS block: one per record id. */
  readonly maxCountLines: number;
}

function chunked(text: string): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += CHUNK) chunks.push(text.slice(at, at + CHUNK));
  return chunks;
}

/** What the program prints for a storm of `seconds`, following its budgets, bucket and COUNTS cadence. */
export function runStream(seconds: number): RunStream {
  const T = TOKEN;
  const all: string[] = [];
  const items: string[] = [];
  const both = (line: string): void => {
    all.push(line);
    items.push(line);
  };
  let records = 0;
  let countLines = 0;
  let itemised = 0;
  let events = 0;
  const t0 = 1_000_000_000_000;
  both(`${T}|BEGIN|${PROGRAM_VERSION}|4000|3999|${t0}|${T}\n`);
  both(`${T}|READY|4001|${T}\n`);
  records += 2;
  /** Running repeat totals per record id (the kernel's @cnt), and per (nr, ret) past a budget (@over). */
  const repeats = new Map<number, number>();
  const over = new Map<string, number>();
  const seccompIds: number[] = [];
  let tokens = BURST_CAPACITY;
  let printed = 0;
  let net = 0;
  let pairs = 0;
  let demanded = 0;
  const countOver = (nr: number, ret: number): void => {
    const k = `${nr}, ${ret}`;
    over.set(k, (over.get(k) ?? 0) + 1);
    events++;
  };
  const countsBlock = (): void => {
    all.push(`${T}|COUNTS|${T}\n`);
    for (const [id, n] of repeats) all.push(`@cnt[${id}]: ${n}\n`);
    for (const [k, n] of over) all.push(`@over[${k}]: ${n}\n`);
    all.push(`${T}|COUNTS_END|${T}\n`);
    records += 2;
    countLines += repeats.size + over.size;
  };
  /** Spends a token on one denial printed as `lines` (a pair is two records, one token). */
  const itemise = (...lines: string[]): void => {
    tokens--;
    itemised++;
    events++;
    for (const l of lines) both(l);
    records += lines.length;
  };
  for (let tick = 0; tick < seconds * TICKS_PER_S; tick++) {
    for (let j = 0; j < DEMAND_PER_TICK; j++, demanded++) {
      const t = t0 + tick * TICK_NS + j;
      const pid = 4100 + (demanded % 7);
      const comm = `node${demanded % 4}`;
      const kind = MIX[demanded % MIX.length];
      const head = (nr: number, ret: number, id: number | string): string => `${T}|${kind === 'P' ? 'F2' : kind}|${nr}|${pid}|${pid}|${ret}|${t}|${id}`;
      if (kind === 'S' && seccompIds.length >= SECCOMP_KEYS) {
        const id = seccompIds[demanded % SECCOMP_KEYS];
        repeats.set(id, (repeats.get(id) ?? 0) + 1);
        events++;
      } else if (kind === 'S' || kind === 'F') {
        const nr = kind === 'S' ? NR.ptrace : NR.openat;
        const ret = kind === 'S' ? -1 : -30;
        if (printed >= RECORD_BUDGET || tokens <= 0) {
          countOver(nr, ret);
          continue;
        }
        printed++;
        if (kind === 'S') {
          seccompIds.push(t);
          itemise(`${head(nr, ret, t)}|${T}|gdb${seccompIds.length}|${T}||${T}\n`);
        } else {
          repeats.set(t, 0);
          itemise(`${head(nr, ret, t)}|${T}|${comm}|${T}|/home/user/project/node_modules/.cache/pkg-${demanded}/index.js|${T}\n`);
        }
      } else if (kind === 'N') {
        if (net >= NET_BUDGET || tokens <= 0) {
          countOver(NR.connect, -111);
          continue;
        }
        net++;
        const addr = `10.${(demanded >> 16) & 255}.${(demanded >> 8) & 255}.${demanded & 255}`;
        itemise(`${head(NR.connect, -111, 0)}|2|${1024 + (demanded % 50_000)}|${T}|${comm}|${T}|${addr}|${T}\n`);
      } else {
        if (pairs >= PAIR_BUDGET || tokens <= 0) {
          countOver(NR.renameat2, -30);
          continue;
        }
        pairs++;
        const first = head(NR.renameat2, -30, 0);
        itemise(`${first}|${T}|mv|${T}|/etc/moved-${demanded}|${T}\n`, `${first.replace('|F2|', '|P2|')}|${T}|mv|${T}|/etc/moved-${demanded}.new|${T}\n`);
      }
    }
    // Every itemised file denial keeps repeating (the kernel counts, prints nothing).
    for (const [id, n] of repeats) {
      if (!seccompIds.includes(id)) repeats.set(id, n + 1);
    }
    events += repeats.size - seccompIds.filter((id) => repeats.has(id)).length;
    tokens = Math.min(BURST_CAPACITY, tokens + BURST);
    if ((tick + 1) % TICKS_PER_S === 0) countsBlock();
  }
  const maxCountLines = repeats.size;
  countsBlock(); // END's block
  both(`${T}|EXIT|root|4000|${t0 + seconds * 1e9}|${T}\n`);
  both(`${T}|END|${t0 + seconds * 1e9}|${T}\n`);
  records += 2;
  const text = all.join('');
  return { chunks: chunked(text), itemsOnly: chunked(items.join('')), records, countLines, itemised, events, megabytes: text.length / 1e6, seconds, maxCountLines };
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

function decode(chunks: readonly string[]): { records: number; malformed: number; events: number } {
  const store = new ViolationStore();
  const decoder = new MonitorDecoder({ token: TOKEN, store, onLifecycle: () => undefined });
  for (const chunk of chunks) decoder.feed(chunk);
  decoder.end();
  const events = store.list().reduce((n, v) => n + v.count, 0) + store.overflow.events;
  return { records: decoder.stats.records, malformed: decoder.stats.malformed, events };
}

/** CPU seconds (user + system) of `f`: the decoder is synchronous, so this is its own. */
function cpuSeconds<T>(f: () => T): { result: T; s: number } {
  const c0 = process.cpuUsage();
  const result = f();
  const c = process.cpuUsage(c0);
  return { result, s: (c.user + c.system) / 1e6 };
}

export interface ThroughputResult {
  readonly seconds: number;
  readonly records: number;
  readonly countLines: number;
  readonly itemised: number;
  readonly events: number;
  readonly megabytes: number;
  readonly rounds: number;
  readonly usPerRecord: number;
  readonly usPerCountLine: number;
  /** Itemised denials per second of decoder CPU, next to the program's ceiling. */
  readonly itemisedPerS: number;
  readonly programMaxPerS: number;
  /** Every line the decoder reads (records and COUNTS lines) per second of its CPU. */
  readonly linesPerS: number;
  readonly baselineLinesPerS: number;
  readonly fractionOfBaseline: number;
  /** Share of one core for a second at the ceiling plus a full COUNTS block. */
  readonly worstSecondCpu: number;
}

export function throughput(seconds: number, rounds: number, log: (line: string) => void): ThroughputResult {
  const s = runStream(seconds);
  const lines = s.records + s.countLines;
  const check = (what: string, got: { records: number; malformed: number; events: number }, records: number, events: number): void => {
    if (got.records !== records || got.malformed !== 0 || got.events !== events) {
      throw new Error(`throughput: ${what}: expected ${records} records and ${events} events, got ${got.records} records (${got.malformed} malformed) and ${got.events} events`);
    }
  };
  splitLines(s.chunks); // warm-up: let the JIT see every path before timing
  decode(s.chunks);
  decode(s.itemsOnly);
  const base: number[] = [];
  const full: number[] = [];
  const items: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const b = cpuSeconds(() => splitLines(s.chunks));
    const f = cpuSeconds(() => decode(s.chunks));
    const i = cpuSeconds(() => decode(s.itemsOnly));
    if (b.result !== lines) throw new Error(`throughput: expected ${lines} lines, split ${b.result}`);
    check('whole stream', f.result, s.records, s.events);
    if (i.result.records !== s.records - (s.seconds + 1) * 2 || i.result.malformed !== 0) throw new Error(`throughput: records only: ${i.result.records} records, ${i.result.malformed} malformed`);
    base.push(b.s);
    full.push(f.s);
    items.push(i.s);
    log(`  round ${r + 1}/${rounds}: split ${(b.s * 1e3).toFixed(0)} ms, decode ${(f.s * 1e3).toFixed(0)} ms, records only ${(i.s * 1e3).toFixed(0)} ms (CPU)`);
  }
  const itemsS = median(items);
  const fullS = median(full);
  const baseS = median(base);
  const itemRecords = s.records - (s.seconds + 1) * 2;
  const usPerRecord = (itemsS / itemRecords) * 1e6;
  const usPerCountLine = (Math.max(0, fullS - itemsS) / s.countLines) * 1e6;
  const programMaxPerS = BURST * TICKS_PER_S;
  return {
    seconds,
    records: s.records,
    countLines: s.countLines,
    itemised: s.itemised,
    events: s.events,
    megabytes: s.megabytes,
    rounds,
    usPerRecord,
    usPerCountLine,
    itemisedPerS: s.itemised / itemsS,
    programMaxPerS,
    linesPerS: lines / fullS,
    baselineLinesPerS: lines / baseS,
    fractionOfBaseline: baseS / fullS,
    worstSecondCpu: (programMaxPerS * usPerRecord + s.maxCountLines * usPerCountLine) / 1e6,
  };
}

export function throughputRows(tp: ThroughputResult): Row[] {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const stream = `the stream the monitor program prints for a ${tp.seconds} s storm at its ceiling (${n(tp.itemised)} denials itemised within RECORD_BUDGET ${n(RECORD_BUDGET)}, NET_BUDGET ${n(NET_BUDGET)}, PAIR_BUDGET ${n(PAIR_BUDGET)} at BURST ${BURST} per 50 ms; ${n(tp.countLines)} COUNTS lines; ${n(tp.events)} events; ${tp.megabytes.toFixed(1)} MB in 64 KiB chunks)`;
  return [
    { key: 'throughput.records_per_s', value: tp.linesPerS, kind: 'min', target: 1_000_000, unit: '/s', meaning: `lines (framed records and COUNTS lines) per second of decoder CPU through MonitorDecoder into a ViolationStore, over ${stream}` },
    { key: 'throughput.fraction_of_baseline', value: tp.fractionOfBaseline, kind: 'min', target: 0.5, unit: '', meaning: `plain line splitting's CPU / the decoder's on the same bytes (${(tp.baselineLinesPerS / 1e6).toFixed(1)} M lines/s) in the same process` },
    { key: 'throughput.itemised_per_s', value: tp.itemisedPerS, kind: 'report', unit: '/s', meaning: `itemised denials per second of decoder CPU (${tp.usPerRecord.toFixed(2)} us per framed record); the program prints at most ${n(tp.programMaxPerS)}/s` },
    { key: 'throughput.us_per_count_line', value: tp.usPerCountLine, kind: 'report', unit: 'us', meaning: 'decoder CPU per @cnt/@over line of a COUNTS block (the whole stream minus the same stream without its COUNTS blocks)' },
    { key: 'throughput.worst_second_cpu', value: tp.worstSecondCpu, kind: 'report', unit: '', meaning: `share of one core the decoder needs in the busiest second a run can have: ${n(tp.programMaxPerS)} records plus a COUNTS block of one @cnt line per record id` },
  ];
}
