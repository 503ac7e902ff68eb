import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adoreModel, adoreSpec, checkInvariants, renderAscii, traceArbitrary } from "../src/index.js";
import { majority, N } from "./helpers.js";

describe("ADORE with R1⁺, R2 and R3 (the paper's rules)", () => {
  it.each([
    ["3 nodes", N(1, 2, 3), 3],
    ["4 nodes", N(1, 2, 3, 4), 4],
    ["5 nodes, starting from {1,2,3}", N(1, 2, 3), 5],
  ] as const)(
    "every state reached by random valid steps satisfies every invariant (%s)",
    (_, conf0, nodes) => {
      const s = adoreSpec(adoreModel(majority, conf0));
      const bounds = { nodes, maxTime: 8, maxMethods: 6, maxReconfigs: 4 };
      const seen = { runs: 0, committedReconfig: 0, steps: 0 };
      fc.assert(
        fc.property(traceArbitrary(s, bounds, { minLength: 10, maxLength: 40 }), (t) => {
          seen.runs++;
          seen.steps += t.steps.length;
          const last = t.steps[t.steps.length - 1]?.state;
          if (
            last?.caches.some(
              (c, i) =>
                c.kind === "RCache" &&
                last.caches.some((d, j) => d.kind === "CCache" && last.parent[j] === i),
            )
          )
            seen.committedReconfig++;
          for (const x of t.steps) {
            const bad = checkInvariants(s.invariants, x.state);
            if (bad) expect.fail(`${bad.invariant}: ${bad.message}\n${renderAscii(majority, x.state)}`);
          }
        }),
      );
      // the generated runs do exercise committed reconfigurations
      expect(seen.steps / seen.runs).toBeGreaterThan(10);
      expect(seen.committedReconfig).toBeGreaterThan(0);
    },
  );
});
