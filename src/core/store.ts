// Merges repeats of the same denial and lets front ends subscribe. Memory is bounded: at most
// `maxDistinct` distinct violations (default 10,000), each target capped at MAX_TARGET_CHARS. Past
// the bound, new distinct violations are counted in `overflow` (distinct keys and events), never
// silently dropped; repeats of violations already held keep exact counts forever.

import { errnoInfo } from './errno';
import type { Violation, ViolationInput } from './model';

export const DEFAULT_MAX_DISTINCT = 10_000;
/** Longer targets are cut and marked truncated: a hostile name must not cost unbounded memory. */
export const MAX_TARGET_CHARS = 4096;
/** Distinct overflowed keys are remembered up to this many, then counted approximately. */
const MAX_OVERFLOW_KEYS = 100_000;

export type StoreChange =
  | { readonly kind: 'added'; readonly violation: Violation }
  | { readonly kind: 'updated'; readonly violation: Violation }
  | { readonly kind: 'cleared' };

export interface Disposable {
  dispose(): void;
}

export function violationKey(v: Pick<ViolationInput, 'category' | 'operation' | 'target' | 'errno' | 'process'>): string {
  return `${v.category}\u0000${v.operation}\u0000${v.target}\u0000${v.errno ?? ''}\u0000${v.process.comm}`;
}

function capTarget(input: ViolationInput): ViolationInput {
  if (input.target.length <= MAX_TARGET_CHARS && (input.relatedPath?.length ?? 0) <= MAX_TARGET_CHARS) return input;
  return {
    ...input,
    target: input.target.slice(0, MAX_TARGET_CHARS),
    relatedPath: input.relatedPath?.slice(0, MAX_TARGET_CHARS),
    truncated: true,
  };
}

export class ViolationStore {
  private readonly byKey = new Map<string, Violation>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly overflowKeys = new Set<string>();
  private overflowDistinct = 0;
  private overflowEvents = 0;

  constructor(readonly maxDistinct: number = DEFAULT_MAX_DISTINCT) {}

  /** Records `count` occurrences of a denial seen at `at`; returns the merged violation, or undefined on overflow. */
  add(raw: ViolationInput, at: Date, count = 1): Violation | undefined {
    const input = capTarget(raw);
    const key = violationKey(input);
    const existing = this.byKey.get(key);
    if (existing) {
      existing.count += count;
      if (at !== existing.lastSeen) {
        const t = at.getTime();
        if (t > existing.lastSeen.getTime()) existing.lastSeen = at;
        if (t < existing.firstSeen.getTime()) existing.firstSeen = at;
      }
      if (this.listeners.size > 0) this.emit({ kind: 'updated', violation: existing });
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
    const violation: Violation = {
      ...input,
      key,
      errnoName: info?.name ?? null,
      message: info?.message ?? defaultMessage(input),
      count,
      firstSeen: at,
      lastSeen: at,
    };
    this.byKey.set(key, violation);
    this.emit({ kind: 'added', violation });
    return violation;
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
