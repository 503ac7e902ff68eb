import { range } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import type { MutationName } from "../src/index.js";
import { findFailingSeed, HUNT_WEIGHTS } from "../src/testing/index.js";

/**
 * A check that cannot fail proves nothing: each known Raft bug, switched on as an option of the
 * very same core, must make the simulator fail on a seed it finds by itself. The shapes are the
 * smallest that expose each bug (Fig. 8 of the Raft paper needs 3 voters; Fig. 4 of ADORE needs 4
 * voters and a spare).
 */
const CASES: readonly { mutation: MutationName; voters: number; universe: number }[] = [
  { mutation: "skipUpToDateCheck", voters: 3, universe: 3 },
  { mutation: "commitOldTermByCounting", voters: 3, universe: 3 },
  { mutation: "dropR3", voters: 4, universe: 5 },
  { mutation: "dropR2", voters: 3, universe: 3 },
  { mutation: "doubleVote", voters: 3, universe: 3 },
  { mutation: "staleAppend", voters: 3, universe: 3 },
];

describe("mutants are caught by the simulator", () => {
  for (const c of CASES)
    it(`${c.mutation}: a failing seed is found and replays into a readable transcript`, () => {
      const reg = getScheme("raft-single");
      const r = findFailingSeed(
        {
          scheme: reg.scheme,
          initial: reg.initial(c.voters),
          universe: range(c.universe),
          steps: 400,
          mutations: { [c.mutation]: true },
          weights: HUNT_WEIGHTS,
        },
        1,
        3000,
      );
      expect(r, `no seed in 1..3000 exposes ${c.mutation}`).toBeDefined();
      expect(r!.violation).toMatch(/election safety|log matching|leader completeness|state machine safety/);
      expect(r!.transcript.at(-1)).toContain(r!.violation!);
      console.log(`${c.mutation}: seed ${r!.seed}, step ${r!.failedAt}: ${r!.violation}`);
      // the same seed without the mutation is safe
      const clean = findFailingSeed(
        {
          scheme: reg.scheme,
          initial: reg.initial(c.voters),
          universe: range(c.universe),
          steps: 400,
          weights: HUNT_WEIGHTS,
        },
        r!.seed,
        1,
      );
      expect(clean).toBeUndefined();
    });
});
