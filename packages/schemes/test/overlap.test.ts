import { range, type Scheme, size } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import {
  checkOverlap,
  checkSchemeLaws,
  describeReport,
  fixtureNames,
  getScheme,
  OverlapInputError,
  type OverlapReport,
  raftSingle,
  SchemeCallError,
  schemeNames,
  weightedMajorityScheme,
} from "../src/index.js";

/** A witness must really be one: the checker's answer is itself checked against the scheme. */
function expectGenuineWitness<C>(scheme: Scheme<C>, r: OverlapReport<C>): void {
  if (r.verdict !== "fails") throw new Error(`expected a witness, got ${r.verdict}`);
  const w = r.witness;
  switch (w.rule) {
    case "REFLEXIVE":
      expect(scheme.R1plus(w.cf, w.cf)).toBe(false);
      break;
    case "OVERLAP":
      expect(scheme.R1plus(w.cf, w.next)).toBe(true);
      expect(scheme.isQuorum(w.Q, w.cf)).toBe(true);
      expect(scheme.isQuorum(w.Q2, w.next)).toBe(true);
      expect(w.Q & w.Q2).toBe(0);
      break;
    default: {
      const never: never = w;
      throw new Error(String(never));
    }
  }
}

describe("REFLEXIVE and OVERLAP (Fig. 7), exhaustively", () => {
  it.each(schemeNames())("%s holds on every universe of 1 to 5 nodes", (name) => {
    const { scheme } = getScheme(name);
    for (let n = 1; n <= 5; n++) {
      const r = checkOverlap(scheme, range(n));
      expect(r.verdict, describeReport(scheme, r)).toBe("holds");
      expect(r.configs).toBe(scheme.validConfigs(range(n)).length);
      expect(r.pairs).toBe(r.configs * r.configs);
      expect(r.relatedPairs).toBeGreaterThanOrEqual(r.configs);
    }
  });

  it.each(schemeNames())("%s holds on 6 nodes", (name) => {
    const { scheme } = getScheme(name);
    const r = checkOverlap(scheme, range(6));
    expect(r.verdict, describeReport(scheme, r)).toBe("holds");
    expect(r.elapsedMs).toBeLessThan(10_000);
  });

  it("weighted majority with weights up to 3 holds on 5 nodes", () => {
    const scheme = weightedMajorityScheme(3);
    const r = checkOverlap(scheme, range(5));
    expect(r.verdict, describeReport(scheme, r)).toBe("holds");
    expect(r.configs).toBe(4 ** 5 - 1);
  });

  it("does not need the universe to start at node 1", () => {
    const r = checkOverlap(getScheme("raft-joint").scheme, 0b101010100);
    expect(r.verdict).toBe("holds");
    expect(r.candidates).toBe(16);
  });
});

describe("negative fixtures fail with a witness", () => {
  const expected: Record<string, string> = {
    "unsafe-any-change":
      "OVERLAP fails: R1⁺({1}, {2}) holds, Q = {1} is a quorum of {1}, Q' = {2} is a quorum of {2}, and Q ∩ Q' = ∅",
    "unsafe-dynamic-quorum-leq":
      "OVERLAP fails: R1⁺((q=1,{1}), (q=2,{1,2,3})) holds, Q = {1} is a quorum of (q=1,{1}), Q' = {2,3} is a quorum of (q=2,{1,2,3}), and Q ∩ Q' = ∅",
    "unsafe-weighted-leq":
      "OVERLAP fails: R1⁺({1}, {2}) holds, Q = {1} is a quorum of {1}, Q' = {2} is a quorum of {2}, and Q ∩ Q' = ∅",
    "unsafe-half-quorum":
      "OVERLAP fails: R1⁺({1,2}, {1,2}) holds, Q = {1} is a quorum of {1,2}, Q' = {2} is a quorum of {1,2}, and Q ∩ Q' = ∅",
    "raft-joint-as-printed": "REFLEXIVE fails: R1⁺(cf, cf) is false for cf = ({1},{1})",
  };

  it("covers every fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(fixtureNames().sort());
  });

  it.each(fixtureNames())("%s", (name) => {
    const { scheme } = getScheme(name);
    for (let n = 3; n <= 5; n++) {
      const r = checkOverlap(scheme, range(n));
      expectGenuineWitness(scheme, r);
      expect(describeReport(scheme, r)).toContain(expected[name]);
    }
  });

  it("the paper's joint-consensus R1⁺ breaks only REFLEXIVE, on exactly the joint configurations", () => {
    const { scheme } = getScheme("raft-joint-as-printed");
    const r = checkOverlap(scheme, range(5));
    expect(r.reflexiveFailures).toBe(31 * 31);
    expect(r.overlapFailures).toBe(0);
  });

  it("the `≤` variants are unsafe already where a single change is at the bound", () => {
    // weighted: {1,2,3} → {1,2,4} moves 2 = margin + margin'
    const leq = getScheme("unsafe-weighted-leq").scheme as Scheme<readonly number[]>;
    expect(leq.R1plus([0, 1, 1, 1], [0, 1, 1, 0, 1])).toBe(true);
    const r = checkOverlap(leq, range(4));
    expect(r.overlapFailures).toBeGreaterThan(0);
  });

  it("stops at the first witness when asked", () => {
    const { scheme } = getScheme("unsafe-any-change");
    const r = checkOverlap(scheme, range(5), { stopAtFirst: true });
    expect(r.overlapFailures).toBe(1);
    expectGenuineWitness(scheme, r);
  });
});

describe("scheme laws (hash/equals/print/rename: what the explorer relies on)", () => {
  it.each([...schemeNames(), ...fixtureNames()])("%s obeys them on 4 nodes", (name) => {
    const { scheme } = getScheme(name);
    const r = checkSchemeLaws(scheme, range(4));
    expect(r.violations).toEqual([]);
    expect(r.renamings).toBe(6);
  });

  it("catches a rename that does not commute with isQuorum, and a hash that is not canonical", () => {
    const lopsided = {
      ...raftSingle,
      name: "lopsided",
      // node 1 counts double: not symmetric, so renaming (symmetry reduction) is unsound
      isQuorum: (s: number, c: number) => size(c) + (c & 2 ? 1 : 0) < 2 * (size(s & c) + (s & c & 2 ? 1 : 0)),
      hash: (c: number) => String(c % 5),
    };
    const r = checkSchemeLaws(lopsided, range(3));
    expect(r.violations.map((v) => v.law).sort()).toEqual(["equals/hash", "rename"]);
  });
});

describe("bad input gives typed errors, never a crash", () => {
  it("rejects universes that are empty, contain 0, or are too large", () => {
    expect(() => checkOverlap(raftSingle, 0)).toThrow(OverlapInputError);
    expect(() => checkOverlap(raftSingle, 1)).toThrow(/universe: 1 is not a non-empty set/);
    expect(() => checkOverlap(raftSingle, range(9))).toThrow(/at most 8/);
  });

  it("reports which scheme function threw, on what", () => {
    const throwing: Scheme<number> = {
      ...raftSingle,
      name: "throwing",
      R1plus: (a, b) => {
        if (size(a) === 3 && size(b) === 2) throw new Error("boom");
        return a === b;
      },
    };
    expect(() => checkOverlap(throwing, range(3))).toThrow(SchemeCallError);
    expect(() => checkOverlap(throwing, range(3))).toThrow(
      /throwing\.R1plus\(\{1,2,3\}, \{1,2\}\) threw: boom/,
    );
  });

  it("stops at a time limit with an inconclusive verdict", () => {
    const slow: Scheme<number> = {
      ...raftSingle,
      name: "slow",
      R1plus: (a, b) => {
        const t = performance.now();
        while (performance.now() - t < 0.2);
        return a === b;
      },
    };
    const r = checkOverlap(slow, range(6), { maxSeconds: 0.1 });
    expect(r.verdict).toBe("time-bound");
    expect(r.pairs).toBeLessThan(63 * 63);
  });
});
