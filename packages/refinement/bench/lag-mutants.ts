// Which mutants the lagging mapping (M4) catches, how fast, and the shortest trace of each.
import { range, type Scheme } from "@adore/adore-core";
import type { MutationName } from "@adore/raft-net";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme } from "@adore/schemes";
import { lagGap, lagHunt, lagReason, type RunSpec, showLagOutcome } from "../src/refine/search.js";

const muts = (
  process.env.MUTS ??
  "skipUpToDateCheck,doubleVote,commitOldTermByCounting,dropR2,dropR3,configAtCommit,staleAppend"
).split(",") as MutationName[];
const scheme = process.env.SCHEME ?? "raft-single";
const n = Number(process.env.N ?? 3);
const seeds = Number(process.env.SEEDS ?? 200);
for (const m of muts) {
  const reg = getScheme(scheme);
  const spec: RunSpec<unknown> = {
    scheme: reg.scheme as Scheme<unknown>,
    initial: reg.initial(n),
    universe: range(n),
    steps: Number(process.env.STEPS ?? 200),
    weights: { ...HUNT_WEIGHTS, compact: 0 },
    mutations: { [m]: true },
  };
  const t0 = performance.now();
  const h = lagHunt(spec, "M4", 1, seeds, (f) => lagGap(f) === undefined);
  const ms = Math.round(performance.now() - t0);
  const s = h.shortest;
  const caught = s && lagGap(s.failure) === undefined;
  console.log(
    `${m}: ${caught ? "CAUGHT" : "missed"} in ${ms} ms; ${[...h.byReason].map(([k, v]) => `${k}×${v}`).join(", ")}`,
  );
  if (s && process.env.SHOW === "1") console.log(showLagOutcome(spec, s));
  else if (s)
    console.log(`   seed ${s.seed} step ${s.failure!.at}: ${lagReason(s.failure)}: ${s.failure!.message}`);
}
