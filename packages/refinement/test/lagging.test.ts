import { explore, range, renderAscii, type Scheme } from "@adore/adore-core";
import type { MutationName } from "@adore/raft-net";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme, schemeNames } from "@adore/schemes";
import { sraftSpec } from "@adore/sraft";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCluster } from "../src/refine/driver.js";
import {
  lagCheckSeed,
  lagGap,
  lagHunt,
  lagReason,
  type RunSpec,
  showLagOutcome,
} from "../src/refine/search.js";
import { LaggingRefiner, M4 } from "../src/refine/lagging.js";
import { productSpec } from "../src/refine/product.js";
import { reduce, replaySRaft } from "../src/refine/reduce.js";
import { applyRound } from "@adore/sraft";

function spec(name: string, n: number, extra: Partial<RunSpec<unknown>> = {}): RunSpec<unknown> {
  const reg = getScheme(name);
  return {
    scheme: reg.scheme as Scheme<unknown>,
    initial: reg.initial(n),
    universe: range(n),
    steps: 200,
    weights: HUNT_WEIGHTS,
    ...extra,
  };
}
const SOAK = {}; // raft-net's default weights

describe("Raft → ADORE with lagging times (M4), the real protocol", () => {
  it("every safe scheme, 3 and 5 nodes, hunt and soak weights: every run refines ADORE", () => {
    let steps = 0;
    let ms = 0;
    for (const name of schemeNames())
      for (const n of [3, 5])
        for (const w of [HUNT_WEIGHTS, SOAK]) {
          const s = spec(name, n, { weights: w });
          const h = lagHunt(s, "M4", 1, 12);
          steps += h.raftSteps;
          ms += h.ms;
          if (h.shortest)
            throw new Error(`${name}/${n}: refinement failure\n${showLagOutcome(s, h.shortest)}`);
          expect(h.failures).toBe(0);
        }
    console.log(
      `M4 on the real protocol: ${steps} Raft steps checked, ${Math.round(steps / (ms / 1000))} steps/s, no failure`,
    );
  });

  it("why raft-net hands leadership over before leaving: the etcd-style removal (commit, then step down) is not an ADORE push", () => {
    const s = spec("raft-single", 3, {
      weights: SOAK,
      steps: 120,
      options: { leaderRemoval: "step-down-after-commit" },
    });
    const h = lagHunt(s, "M4", 1, 120, (f) => lagGap(f) === "self-removal");
    expect(h.shortest, "self-removal").toBeDefined();
    console.log(
      `--- leader commits its own removal (seed ${h.shortest!.seed}):\n${showLagOutcome(s, h.shortest!)}`,
    );
  });
});

describe("mutants are caught (a refinement failure or ADORE safety violation), shortest trace and ADORE tree", () => {
  const MUTANTS: ReadonlyArray<[MutationName, string]> = [
    ["skipUpToDateCheck", "static"],
    ["doubleVote", "static"],
    ["commitOldTermByCounting", "static"],
    ["dropR2", "raft-single"],
    ["dropR3", "raft-single"],
    ["configAtCommit", "raft-single"],
    ["staleAppend", "static"],
  ];
  for (const [m, scheme] of MUTANTS)
    it(m, () => {
      const s = spec(scheme, 3, {
        weights: HUNT_WEIGHTS,
        mutations: { [m]: true },
        refinementOnly: true,
      });
      const t0 = performance.now();
      const h = lagHunt(s, "M4", 1, 200, (f) => lagGap(f) === undefined);
      const ms = Math.round(performance.now() - t0);
      expect(h.shortest, `${m} not caught on seeds 1..200`).toBeDefined();
      const out = h.shortest!;
      expect(lagGap(out.failure)).toBeUndefined();
      expect(out.failure!.kind).not.toBe("raft");
      console.log(
        `${m}: caught in ${ms} ms (200 seeds), shortest seed ${out.seed} at step ${out.failure!.at}: ${lagReason(out.failure)}\n` +
          `${showLagOutcome(s, out, false)}\n${renderAscii(s.scheme, out.refiner.st, { title: "ADORE tree at the failure:" })}`,
      );
    });
});

describe("relation failures name their clause", () => {
  // R1..R5 read as the paper's R1⁺/R2/R3 (the reconfiguration rules adore-core's rejections name)
  const relation = (m: MutationName, scheme: string, seed: number) => {
    const s = spec(scheme, 3, { mutations: { [m]: true }, refinementOnly: true });
    return lagCheckSeed(s, "M4", seed).failure!;
  };
  it("a commit of a leader that can never be pulled is Rel-commit, not R2", () => {
    const f = relation("skipUpToDateCheck", "static", 175);
    expect(f.kind).toBe("relation");
    expect(f.message).toMatch(/^Rel-commit: S1's commit index 1 is a pending entry/);
    expect(lagReason(f)).toBe("relation/Rel-commit");
  });
  it("two leaders of one term is Rel-leader", () => {
    const f = relation("doubleVote", "static", 128);
    expect(f.message).toBe("Rel-leader: two leaders of term 1: S2 and S1");
    expect(lagReason(f)).toBe("relation/Rel-leader");
  });
});

describe("exhaustive small-scope SRaft × mapping (every transition mapped and checked)", () => {
  const single = getScheme("raft-single").scheme as Scheme<number>;
  it("3 nodes, no reconfiguration, one crash", () => {
    const sr = sraftSpec({ scheme: single });
    const r = explore(productSpec(sr, { scheme: single, conf0: range(3), nodes: 3, ...M4 }), {
      bounds: {
        nodes: [1, 2, 3],
        initial: range(3),
        maxTerm: 3,
        maxLog: 3,
        maxInvokes: 1,
        maxReconfigs: 0,
        maxCrashes: 1,
      },
      maxDepth: 8,
      maxSeconds: 4,
    });
    console.log(
      `product 3 nodes: ${r.status}, ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${Math.round(r.statesPerSec)} states/s`,
    );
    if (r.violation) console.log(r.violation.message);
    expect(r.violation).toBeUndefined();
  });

  it("4 nodes, one reconfiguration (remove a follower)", () => {
    const sr = sraftSpec({ scheme: single, configs: [range(4) & ~(1 << 4)] });
    const r = explore(productSpec(sr, { scheme: single, conf0: range(4), nodes: 4, ...M4 }), {
      bounds: {
        nodes: [1, 2, 3, 4],
        initial: range(4),
        maxTerm: 3,
        maxLog: 3,
        maxInvokes: 0,
        maxReconfigs: 1,
        maxCrashes: 0,
      },
      maxDepth: 7,
      maxSeconds: 4,
    });
    console.log(
      `product 4 nodes + reconfig: ${r.status}, ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${Math.round(r.statesPerSec)} states/s`,
    );
    if (r.violation) console.log(r.violation.message);
    expect(r.violation).toBeUndefined();
  });
});

describe("cross-layer: Raft run → reduction → SRaft replay → ADORE (M4)", () => {
  it("fast-check runs, every safe scheme: the SRaft trace maps to ADORE with R and Def. 4.1 (gaps aside)", () => {
    let gaps = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...schemeNames()),
        fc.integer({ min: 3, max: 5 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (name, n, seed) => {
          const reg = getScheme(name);
          const o = {
            scheme: reg.scheme as Scheme<unknown>,
            initial: reg.initial(n),
            universe: range(n),
            seed,
            steps: 200,
            weights: HUNT_WEIGHTS,
          };
          const { trace } = runCluster(o, undefined, true);
          const red = reduce(trace);
          const ref = new LaggingRefiner({ scheme: o.scheme, conf0: o.initial, nodes: n, ...M4 });
          const p = trace.params;
          const show = (c: unknown) => o.scheme.print(c);
          let cl = trace.initial;
          let k = 0;
          // replay step by step, feeding the mapping what each SRaft step did
          for (const a of red.steps) {
            k++;
            if (a.kind === "round") {
              const r = applyRound(cl, a.round as never, p, show);
              if (typeof r === "string") throw new Error(r);
              cl = r.cluster;
              if (!ref.feed({ n: k, effects: r.effects, cluster: cl })) break;
            } else {
              const one = replaySRaft({ ...trace, initial: cl }, [a]);
              if ("error" in one) throw new Error(one.error);
              const before = cl;
              cl = one.cluster;
              const id = a.kind === "local" || a.kind === "restart" || a.kind === "crash" ? a.nid : 0;
              const eff = effectOf(before, cl, id, a.kind === "local" ? a.input : undefined, p, show);
              if (!ref.feed({ n: k, effects: eff, cluster: cl })) break;
            }
          }
          if (ref.failure) {
            if (lagGap(ref.failure) === undefined)
              throw new Error(`${name}/${n} seed ${seed}: ${ref.failure.message}`);
            gaps++;
          }
        },
      ),
      { numRuns: 100 },
    );
    console.log(`cross-layer: 100 runs, ${gaps} ended in a documented gap`);
  });
});

import { drive, type ClusterState, type Effect, type Input, type RaftParams } from "@adore/raft-net";
/** The effect of a local step, recomputed (the replay helper returns only the cluster). */
function effectOf(
  before: ClusterState<unknown>,
  _after: ClusterState<unknown>,
  id: number,
  input: Input<unknown> | undefined,
  p: RaftParams<unknown>,
  show: (c: unknown) => string,
): Effect<unknown>[] {
  if (!input || !before.nodes.get(id)?.up) return [];
  return [drive(before, id, input, p, show).effect];
}
