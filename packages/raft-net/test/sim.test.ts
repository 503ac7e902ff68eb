import { range } from "@adore/adore-core";
import { getScheme, schemeNames } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { HUNT_WEIGHTS, simulate } from "../src/testing/index.js";

// Every registered scheme that is safe (the unsafe fixtures are checked elsewhere to fail).
const SCHEMES = [
  "raft-single",
  "raft-joint",
  "primary-backup",
  "dynamic-quorum",
  "primaries-backups",
  "static",
  "weighted-majority",
];

describe("seeded simulation: every invariant after every step", () => {
  it("covers every safe registered scheme", () => {
    for (const s of SCHEMES) expect(schemeNames()).toContain(s);
  });

  for (const name of SCHEMES)
    it(`${name}: 2 × 10,000 soak steps and 150 × 400 hunting steps hold, with commits, elections and reconfigurations`, () => {
      const reg = getScheme(name);
      let steps = 0;
      let committed = 0;
      let elections = 0;
      let reconfigs = 0;
      for (const seed of [1, 2]) {
        const r = simulate({
          scheme: reg.scheme,
          initial: reg.initial(3),
          universe: range(5),
          seed,
          steps: 10_000,
        });
        expect(r.violation, `seed ${seed}`).toBeUndefined();
        steps += r.steps;
        committed += r.stats.committed;
        elections += r.stats.elections;
        reconfigs += r.stats.reconfigs - r.stats.reconfigsRefused;
      }
      for (let seed = 1; seed <= 150; seed++) {
        const r = simulate({
          scheme: reg.scheme,
          initial: reg.initial(seed % 2 ? 3 : 4),
          universe: range(seed % 2 ? 3 : 5),
          seed,
          steps: 400,
          weights: HUNT_WEIGHTS,
        });
        expect(r.violation, `hunting seed ${seed}`).toBeUndefined();
        steps += r.steps;
      }
      expect(steps).toBeGreaterThanOrEqual(20_000);
      // the runs are not vacuous: the cluster makes progress and changes configuration
      expect(committed).toBeGreaterThan(20);
      expect(elections).toBeGreaterThan(5);
      if (name !== "static") expect(reconfigs).toBeGreaterThan(0);
    });

  it("a seed replays identically", () => {
    const reg = getScheme("raft-joint");
    const o = {
      scheme: reg.scheme,
      initial: reg.initial(3),
      universe: range(5),
      seed: 42,
      steps: 2000,
      transcript: true,
    };
    const a = simulate(o);
    const b = simulate(o);
    expect(a.transcript).toEqual(b.transcript);
    expect(a.transcript.length).toBeGreaterThan(1000);
  });
});
