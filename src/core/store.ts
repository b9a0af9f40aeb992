// Merges repeats of the same denial and lets front ends subscribe. Memory is bounded: at most
// `maxDistinct` distinct violations (default 10,000), each target capped at MAX_TARGET_CHARS. Past
// the bound, new distinct violations are counted in `overflow` (distinct keys and events), never
// silently dropped; repeats of violations already held keep exact counts forever.

import { errnoInfo } from './protocol/errno';
import { openWrites } from './protocol/syscalls';
import type { Category, Cause, Violation, ViolationInput } from './model';

export const DEFAULT_MAX_DISTINCT = 10_000;
/** Longer targets are cut and marked truncated: a hostile name must not cost unbounded memory. */
export const MAX_TARGET_CHARS = 4096;
/** Distinct overflowed keys are remembered up to this many, then counted approximately. */
const MAX_OVERFLOW_KEYS = 100_000;
/**
 * Violations sharing one target are compared field by field up to this many; past it (a sandbox
 * renaming itself to hit one path under thousands of comms) the composite key is cheaper again.
 */
const MAX_SCAN = 8;

export type StoreChange =
  | { readonly kind: 'added'; readonly violation: Violation }
  | { readonly kind: 'updated'; readonly violation: Violation }
  | { readonly kind: 'cleared' };

export interface Disposable {
  dispose(): void;
}

export function violationKey(v: Pick<ViolationInput, 'category' | 'operation' | 'target' | 'targetBytes' | 'errno' | 'process' | 'openFlags'>): string {
  return keyOf(v.category, v.operation, identity(v), v.errno, v.process?.comm ?? '', intentOf(v.openFlags));
}

/**
 * An open's intent, when its flags are known: a read and a write of one path are two denials, each
 * with its own rule (allowRead of the file, allowWrite of the directory), not one.
 */
function intentOf(openFlags: number | undefined): string {
  const writes = openWrites(openFlags);
  return writes === undefined ? '' : writes ? 'w' : 'r';
}

/**
 * What names the target: its exact bytes when it is not UTF-8 (two such names can share one lossy
 * text), marked so that no text target can spell the same.
 */
function identity(v: Pick<ViolationInput, 'target' | 'targetBytes'>): string {
  return v.targetBytes === undefined ? v.target : `\u0001${v.targetBytes}`;
}

function keyOf(category: Category, operation: string, target: string, errno: number | null, comm: string, intent: string): string {
  return `${category}\u0000${operation}\u0000${target}\u0000${errno ?? ''}\u0000${comm}\u0000${intent}`;
}

function capped(target: string): string {
  return target.length <= MAX_TARGET_CHARS ? target : target.slice(0, MAX_TARGET_CHARS);
}

function capTarget(input: ViolationInput): ViolationInput {
  if (input.target.length <= MAX_TARGET_CHARS && (input.relatedPath?.length ?? 0) <= MAX_TARGET_CHARS) return input;
  return {
    ...input,
    target: capped(input.target),
    relatedPath: input.relatedPath?.slice(0, MAX_TARGET_CHARS),
    truncated: true,
  };
}

interface RecordEntry {
  readonly input: ViolationInput;
  readonly key: string;
  /** Repeats counted so far: the kernel reports running totals. */
  repeats: number;
}

export class ViolationStore {
  private readonly byKey = new Map<string, Violation>();
  /** The same violations by target: a repeat is found by comparing a few fields, not by hashing a composite key. */
  private readonly byTarget = new Map<string, Violation[]>();
  /**
   * The denial each kernel record id stands for. The monitor prints a denial once, under an id, and
   * later only counts its repeats under that id; the id outlives clear(), so repeats that come after
   * a clear bring the denial back instead of being counted as past the bound. At most the program's
   * record budget of entries per run.
   */
  private readonly byRecordId = new Map<string, RecordEntry>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly overflowKeys = new Set<string>();
  private overflowDistinct = 0;
  private overflowEvents = 0;

  private classify: ((input: ViolationInput) => Cause) | undefined;

  constructor(readonly maxDistinct: number = DEFAULT_MAX_DISTINCT) {}

  /**
   * Decides each new distinct violation's cause (the sandbox, or the host's own permissions) as it
   * is added, before anyone is told of it; a run sets src/sandbox/hostCause.ts. Without one: the
   * input's own cause, else 'sandbox'.
   */
  setClassifier(classify: ((input: ViolationInput) => Cause) | undefined): void {
    this.classify = classify;
  }

  /**
   * Records `count` occurrences of a denial seen at `at`; returns the merged violation, or undefined
   * on overflow. `recordId`: the kernel's id for this denial, under which repeatsSoFar() counts more.
   */
  add(raw: ViolationInput, at: Date, count = 1, recordId?: string): Violation | undefined {
    const input = capTarget(raw);
    if (recordId === undefined) return this.addCapped(input, at, count);
    const key = violationKey(input);
    this.byRecordId.set(recordId, { input, key, repeats: 0 });
    return this.addCapped(input, at, count, key);
  }

  /**
   * Takes the kernel's running total of repeats of the denial added under `recordId` and counts the
   * ones not counted yet; undefined when that id is unknown, nothing is new, or on overflow.
   */
  repeatsSoFar(recordId: string, total: number, at: Date): Violation | undefined {
    const record = this.byRecordId.get(recordId);
    if (record === undefined || total <= record.repeats) return undefined;
    const count = total - record.repeats;
    record.repeats = total;
    return this.addCapped(record.input, at, count, record.key);
  }

  /**
   * `known`: violationKey(input), when the caller has it already (a record id's entry): the key then
   * finds the violation directly, and the target index, which spares building a key, is not needed.
   */
  private addCapped(input: ViolationInput, at: Date, count: number, known?: string): Violation | undefined {
    const held = known === undefined ? this.find(input.category, input.operation, input.target, input.targetBytes, input.errno, input.process?.comm ?? '', intentOf(input.openFlags)) : undefined;
    if (held) {
      this.merge(held, count, at);
      return held;
    }
    const key = known ?? violationKey(input);
    // The key decides, not the index: fields containing NUL can make two inputs share one key.
    const existing = this.byKey.get(key);
    if (existing) {
      this.merge(existing, count, at);
      return existing;
    }
    if (this.byKey.size >= this.maxDistinct) {
      this.overflowEvents += count;
      if (this.overflowKeys.size < MAX_OVERFLOW_KEYS) {
        if (!this.overflowKeys.has(key)) {
          this.overflowKeys.add(key);
          this.overflowDistinct++;
        }
      } else {
        this.overflowDistinct++; // past the remembered set, every overflowed event may be a new key
      }
      return undefined;
    }
    const info = input.errno === null ? null : errnoInfo(input.errno);
    // Object.assign, not an object spread: V8 gives a spread clone a layout on which every later
    // read and `count +=` is much slower (docs/bench-findings.md), and this object is updated on every repeat.
    const violation: Violation = Object.assign({}, input, {
      key,
      errnoName: info?.name ?? null,
      message: info?.message ?? defaultMessage(input),
      count,
      firstSeen: at,
      lastSeen: at,
      cause: input.cause ?? this.classify?.(input) ?? 'sandbox',
    });
    this.byKey.set(key, violation);
    const sameTarget = this.byTarget.get(violation.target);
    if (sameTarget) sameTarget.push(violation);
    else this.byTarget.set(violation.target, [violation]);
    this.emit({ kind: 'added', violation });
    return violation;
  }

  /** The violation held under these fields' key, found through the target index. */
  private find(category: Category, operation: string, target: string, targetBytes: string | undefined, errno: number | null, comm: string, intent: string): Violation | undefined {
    const sameTarget = this.byTarget.get(target);
    if (sameTarget === undefined) return undefined;
    if (sameTarget.length > MAX_SCAN) return this.byKey.get(keyOf(category, operation, identity({ target, targetBytes }), errno, comm, intent));
    for (const v of sameTarget) {
      // Equal fields make an equal key, so a match here is exactly the byKey entry for that key.
      if (v.errno === errno && v.operation === operation && v.targetBytes === targetBytes && (v.process?.comm ?? '') === comm && v.category === category && intentOf(v.openFlags) === intent) return v;
    }
    return undefined;
  }

  private merge(v: Violation, count: number, at: Date): void {
    v.count += count;
    if (at !== v.lastSeen) {
      const t = at.getTime();
      if (t > v.lastSeen.getTime()) v.lastSeen = at;
      if (t < v.firstSeen.getTime()) v.firstSeen = at;
    }
    if (this.listeners.size > 0) this.emit({ kind: 'updated', violation: v });
  }

  get(key: string): Violation | undefined {
    return this.byKey.get(key);
  }

  list(): Violation[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }

  get overflow(): { distinct: number; events: number } {
    return { distinct: this.overflowDistinct, events: this.overflowEvents };
  }

  clear(): void {
    this.byKey.clear();
    this.byTarget.clear();
    this.overflowKeys.clear();
    this.overflowDistinct = 0;
    this.overflowEvents = 0;
    this.emit({ kind: 'cleared' });
  }

  onChange(listener: (change: StoreChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}

function defaultMessage(input: ViolationInput): string {
  switch (input.source) {
    case 'fence-http':
    case 'fence-socks':
      return 'Blocked by the network allowlist';
    case 'fence-policy':
      return 'Blocked by the command policy';
    default:
      return 'Denied';
  }
}
