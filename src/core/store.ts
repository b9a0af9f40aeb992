// Merges repeats of the same denial and lets front ends subscribe. Memory is bounded: at most
// `maxDistinct` distinct violations (default 10,000), each target capped at MAX_TARGET_CHARS. Past
// the bound, new distinct violations are counted in `overflow` (distinct keys and events), never
// silently dropped; repeats of violations already held keep exact counts forever.

import { errnoInfo } from './protocol/errno';
import type { Category, Violation, ViolationInput } from './model';

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

export function violationKey(v: Pick<ViolationInput, 'category' | 'operation' | 'target' | 'errno' | 'process'>): string {
  return keyOf(v.category, v.operation, v.target, v.errno, v.process.comm);
}

function keyOf(category: Category, operation: string, target: string, errno: number | null, comm: string): string {
  return `${category}\u0000${operation}\u0000${target}\u0000${errno ?? ''}\u0000${comm}`;
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

export class ViolationStore {
  private readonly byKey = new Map<string, Violation>();
  /** The same violations by target: a repeat is found by comparing a few fields, not by hashing a composite key. */
  private readonly byTarget = new Map<string, Violation[]>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly overflowKeys = new Set<string>();
  private overflowDistinct = 0;
  private overflowEvents = 0;
  private cleared = 0;

  constructor(readonly maxDistinct: number = DEFAULT_MAX_DISTINCT) {}

  /** Records `count` occurrences of a denial seen at `at`; returns the merged violation, or undefined on overflow. */
  add(raw: ViolationInput, at: Date, count = 1): Violation | undefined {
    const input = capTarget(raw);
    const held = this.find(input.category, input.operation, input.target, input.errno, input.process.comm);
    if (held) {
      this.merge(held, count, at);
      return held;
    }
    const key = violationKey(input);
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
    // Object.assign, not an object spread: the same fields in the same order, but V8 gives a spread
    // clone a layout on which every later read and `count +=` was ~40x slower (measured: 560 vs 14 ns
    // per increment over 5,000 violations), and this object is updated on every repeat.
    const violation: Violation = Object.assign({}, input, {
      key,
      errnoName: info?.name ?? null,
      message: info?.message ?? defaultMessage(input),
      count,
      firstSeen: at,
      lastSeen: at,
    });
    this.byKey.set(key, violation);
    const sameTarget = this.byTarget.get(violation.target);
    if (sameTarget) sameTarget.push(violation);
    else this.byTarget.set(violation.target, [violation]);
    this.emit({ kind: 'added', violation });
    return violation;
  }

  /**
   * Counts `count` more occurrences of a violation already held, given its key fields; returns it, or
   * undefined (nothing counted) when none is held: the caller then builds the input for add(). Lets a
   * storm of repeats skip building an input object and a composite key per event.
   */
  repeat(category: Category, operation: string, target: string, errno: number | null, comm: string, at: Date, count = 1): Violation | undefined {
    const held = this.find(category, operation, capped(target), errno, comm);
    if (held) this.merge(held, count, at);
    return held;
  }

  /**
   * Counts `count` more occurrences of `v`, a violation this store returned while `generation` had
   * its current value (it holds every such one). For callers that remember violations themselves.
   */
  addTo(v: Violation, at: Date, count = 1): void {
    this.merge(v, count, at);
  }

  /** Changes whenever violations are dropped (clear()): one returned since it last changed is still held. */
  get generation(): number {
    return this.cleared;
  }

  /** The violation held under these fields' key, found through the target index. */
  private find(category: Category, operation: string, target: string, errno: number | null, comm: string): Violation | undefined {
    const sameTarget = this.byTarget.get(target);
    if (sameTarget === undefined) return undefined;
    if (sameTarget.length > MAX_SCAN) return this.byKey.get(keyOf(category, operation, target, errno, comm));
    for (const v of sameTarget) {
      // Equal fields make an equal key, so a match here is exactly the byKey entry for that key.
      if (v.errno === errno && v.operation === operation && v.process.comm === comm && v.category === category) return v;
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

  /** Adds `extra` occurrences to a violation already held (kernel-side repeat counts). */
  addCount(key: string, extra: number, at: Date): void {
    if (extra <= 0) return;
    const v = this.byKey.get(key);
    if (!v) {
      this.overflowEvents += extra;
      return;
    }
    v.count += extra;
    if (at.getTime() > v.lastSeen.getTime()) v.lastSeen = at;
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
    this.cleared++;
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
