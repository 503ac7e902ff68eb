// Prints the shortest failing run (by failure step) whose reason contains WANT:
//   tsx bench/lag-one.ts SCHEME NODES hunt|soak MAPPING WANT [STEPS] [SEEDS]   (env NOCOMPACT=1)
import { range, type Scheme } from "@adore/adore-core";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme } from "@adore/schemes";
import { lagCheckSeed, lagReason, type RunSpec, showLagOutcome } from "../src/refine/search.js";
import type { MappingName } from "../src/refine/lagging.js";

const [name, n, prof, map, want, stepsS, maxSeed] = process.argv.slice(2);
const reg = getScheme(name!);
const base = prof === "hunt" ? HUNT_WEIGHTS : {};
const spec: RunSpec<unknown> = {
  scheme: reg.scheme as Scheme<unknown>,
  initial: reg.initial(Number(n)),
  universe: range(Number(n)),
  steps: Number(stepsS ?? 300),
  weights: process.env.NOCOMPACT === "1" ? { ...base, compact: 0 } : base,
};
let best: { seed: number; at: number } | undefined;
for (let seed = 1; seed <= Number(maxSeed ?? 200); seed++) {
  const r = lagCheckSeed(spec, map as MappingName, seed);
  const why = `${lagReason(r.failure)} ${r.failure?.message ?? ""}`;
  if (r.failure && why.includes(want!) && (!best || r.failure.at < best.at))
    best = { seed, at: r.failure.at };
}
if (best)
  console.log(
    `seed ${best.seed}\n${showLagOutcome(spec, lagCheckSeed(spec, map as MappingName, best.seed, true))}`,
  );
