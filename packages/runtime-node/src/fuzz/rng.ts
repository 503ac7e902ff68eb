// A small seeded PRNG for the fuzzers (fast-check is too slow for a million inputs a run, and the
// fuzzers need reproducible streams: every failure names its seed and input number).

export class FuzzRng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: 32 random bits. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  /** A new independent stream. */
  fork(): FuzzRng {
    return new FuzzRng(this.u32());
  }
}

/** Outcome counts of a fuzz run, by label. */
export class Outcomes {
  readonly counts = new Map<string, number>();
  inputs = 0;
  add(label: string, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
  merge(o: Outcomes, prefix = ""): void {
    this.inputs += o.inputs;
    for (const [k, v] of o.counts) this.add(prefix + k, v);
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
}

/** A property the fuzzer found broken: the seed and input number reproduce it. */
export interface FuzzFailure {
  readonly what: string;
  readonly seed: number;
  readonly input: number;
  readonly detail: string;
}
