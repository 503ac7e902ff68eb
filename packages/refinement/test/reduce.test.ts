import { range, type Scheme } from "@adore/adore-core";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import { getScheme, schemeNames } from "@adore/schemes";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCluster } from "../src/refine/driver.js";
import { diffClusters, reduce, replaySRaft } from "../src/refine/reduce.js";

describe("Raft → SRaft reduction (drop ignored, commute, merge rounds)", () => {
  it("replays in SRaft to the same servers and disks (fast-check over simulated runs)", () => {
    const totals = { events: 0, dropped: 0, rounds: 0, merged: 0, deliveries: 0, complete: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...schemeNames()),
        fc.integer({ min: 3, max: 5 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        (name, n, seed, hunt) => {
          const reg = getScheme(name);
          const { trace } = runCluster(
            {
              scheme: reg.scheme as Scheme<unknown>,
              initial: reg.initial(n),
              universe: range(n),
              seed,
              steps: 250,
              ...(hunt ? { weights: HUNT_WEIGHTS } : {}),
            },
            undefined,
            true,
          );
          const red = reduce(trace);
          const out = replaySRaft(trace, red.steps);
          if ("error" in out) throw new Error(`step ${out.at}: ${out.error}`);
          const diff = diffClusters(trace.steps[trace.steps.length - 1]!.cluster, out.cluster);
          expect(diff).toEqual([]);
          totals.events += red.stats.events;
          totals.dropped += red.stats.dropped;
          totals.rounds += red.stats.rounds;
          totals.merged += red.stats.merged;
          totals.deliveries += red.stats.deliveries;
          totals.complete += red.stats.completeRounds;
        },
      ),
      { numRuns: 150 },
    );
    console.log(
      `reduction: ${totals.events} server inputs, ${totals.dropped} ignored deliveries dropped, ` +
        `${totals.deliveries} deliveries in ${totals.rounds} rounds (${totals.merged} in multi-message rounds, ` +
        `${totals.complete} rounds hold their whole request)`,
    );
    expect(totals.dropped).toBeGreaterThan(0);
    expect(totals.merged).toBeGreaterThan(0);
  });
});
