import { range, renderAscii, type Scheme } from "@adore/adore-core";
import type { MutationName } from "@adore/raft-net";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { runCluster } from "../src/refine/driver.js";
import {
  checkRun,
  checkSeed,
  hunt,
  isKnownGap,
  type LiteralRunSpec,
  reasonOf,
  showOutcome,
} from "./evidence/literal-mapping.js";

function spec(
  name: "raft-single" | "raft-joint",
  n: number,
  extra: Partial<LiteralRunSpec<unknown>> = {},
): LiteralRunSpec<unknown> {
  const reg = getScheme(name);
  return {
    scheme: reg.scheme as Scheme<unknown>,
    initial: reg.initial(n),
    universe: range(n),
    steps: 200,
    weights: HUNT_WEIGHTS,
    recency: "raft-log",
    commits: "on-quorum",
    ...extra,
  };
}

describe("Raft → ADORE mapping (checkRun)", () => {
  it("replays a recorded trace with every ADORE step accepted and R holding", () => {
    const s = spec("raft-single", 3, { weights: {}, steps: 120 });
    const { trace } = runCluster(
      { scheme: s.scheme, initial: s.initial, universe: s.universe, seed: 7, steps: 120 },
      undefined,
      true,
    );
    const r = checkRun(trace, { recency: "raft-log", commits: "on-quorum" });
    expect(r.failure).toBeUndefined();
    expect(r.raftSteps).toBe(120);
    // elections, appends and commits were all mapped
    const ops = new Set(r.mapped.map((m) => m.step.split("(")[0]));
    expect([...ops].sort()).toEqual(["invoke", "pull", "push"]);
    expect(r.ghost.size).toBeGreaterThan(0);
  });

  it("online and recorded checking agree", () => {
    const s = spec("raft-joint", 3);
    const online = checkSeed(s, 11, true);
    const { trace } = runCluster(
      {
        scheme: s.scheme,
        initial: s.initial,
        universe: s.universe,
        seed: 11,
        steps: 200,
        weights: HUNT_WEIGHTS,
      },
      undefined,
      true,
    );
    const offline = checkRun(trace, { recency: "raft-log", commits: "on-quorum" });
    expect(reasonOf(offline)).toBe(reasonOf(online.result));
    expect(offline.adoreSteps).toBe(online.result.adoreSteps);
  });
});

describe("the real protocol against the checker", () => {
  const SEEDS = 120;
  for (const name of ["raft-single", "raft-joint"] as const)
    for (const n of [3, 5])
      it(`${name}, ${n} nodes: ${SEEDS} seeds, no failure beyond the documented mapping gaps`, () => {
        const s = spec(name, n);
        const h = hunt(s, 1, SEEDS, (r) => !isKnownGap(r));
        const rate = Math.round(h.raftSteps / (h.ms / 1000));
        console.log(
          `${name}/${n}: ${SEEDS - h.failures}/${SEEDS} runs pass outright, ${h.raftSteps} Raft steps, ` +
            `${h.adoreSteps} ADORE steps, ${rate} Raft steps/s; gaps: ${[...h.byReason].map(([k, v]) => `${k}×${v}`).join(", ") || "none"}`,
        );
        if (h.shortest) console.log(showOutcome(s, h.shortest));
        expect(h.shortest).toBeUndefined();
        expect(h.failures).toBeLessThan(SEEDS / 5);
      });
});

describe("the election hazard (docs/elections.md)", () => {
  it("with the paper's pull, becameLeader = pull is rejected because votes count as observations", () => {
    const s = spec("raft-single", 3, { recency: "adore", steps: 60 });
    const h = hunt(s, 1, 400, (r) => r.failure?.cause === "ecache");
    expect(h.byReason.get("rejected/VALIDPULLORACLE/mostRecent/ecache") ?? 0).toBeGreaterThan(0);
    const out = h.shortest!;
    console.log(`shortest ECache-caused pull rejection (seed ${out.seed}):\n${showOutcome(s, out)}`);
    expect(out.result.failure?.rejection?.premise).toBe("mostRecent");
  });

  it("with recency raft-log no rejection is caused by an ECache, but pulls are still rejected (leader ahead of ADORE)", () => {
    const s = spec("raft-single", 3, { steps: 300 });
    const h = hunt(s, 1, 400, (r) => r.failure?.cause === "ahead");
    expect([...h.byReason.keys()].some((k) => k.endsWith("/ecache"))).toBe(false);
    expect(h.byReason.get("rejected/VALIDPULLORACLE/mostRecent/ahead") ?? 0).toBeGreaterThan(0);
    console.log(
      `shortest raft-log pull rejection (seed ${h.shortest!.seed}):\n${showOutcome(s, h.shortest!)}`,
    );
  });
});

describe("mutants are caught (a failure the real protocol never shows)", () => {
  const MUTANTS: readonly MutationName[] = [
    "skipUpToDateCheck",
    "commitOldTermByCounting",
    "dropR3",
    "dropR2",
    "doubleVote",
    "staleAppend",
  ];
  const found: Record<string, string> = {};
  for (const m of MUTANTS)
    it(`${m}`, () => {
      const s = spec("raft-single", 3, { mutations: { [m]: true } });
      const t0 = performance.now();
      const h = hunt(s, 1, 200, (r) => !isKnownGap(r));
      const ms = Math.round(performance.now() - t0);
      expect(h.shortest, `${m} not caught on seeds 1..200`).toBeDefined();
      const f = h.shortest!.result.failure!;
      found[m] =
        `seed ${h.shortest!.seed}, step ${f.at}, ${reasonOf(h.shortest!.result)} (${ms} ms for 200 seeds)`;
      console.log(`${m}: ${found[m]}: ${f.message}`);
      expect(isKnownGap(h.shortest!.result)).toBe(false);
      if (m === "dropR3") {
        console.log(showOutcome(s, h.shortest!, false));
        console.log(renderAscii(s.scheme, h.shortest!.result.state, { title: "ADORE tree at the failure:" }));
      }
    });
});
