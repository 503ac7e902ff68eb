// A small seeded PRNG for the fuzzers (fast-check is too slow for a million inputs a run, and the
// fuzzers need reproducible streams: every failure names its seed and input number): raft-net's
// `Rng`, seeded its own way.
import { Rng } from "@adore/adore-core";

export class FuzzRng extends Rng {
  constructor(seed: number) {
    super(seed);
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** An integer in [0, n); 0, drawing nothing, when n <= 0. */
  override int(n: number): number {
    return n <= 0 ? 0 : super.int(n);
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
