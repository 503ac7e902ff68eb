// The fault harness's seeded generator: raft-net's `Rng`, seeded its own way so that the nemesis
// schedule and the workload's choices stay the same function of the seed.
import { Rng } from "@adore/adore-core";

export class FaultRng extends Rng {
  constructor(seed: number) {
    super(seed);
    this.s = (seed >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) this.next();
  }
  /** A child generator (independent stream) derived from this one. */
  fork(): FaultRng {
    return new FaultRng(this.u32());
  }
}
