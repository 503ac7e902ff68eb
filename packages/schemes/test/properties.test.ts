import { type NodeSet, range, type Scheme, size, subsets } from "@adore/adore-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeWitness,
  dynamicQuorum,
  getScheme,
  type JointConfig,
  margin,
  overlapWitness,
  type PrimariesConfig,
  type PrimaryBackupConfig,
  primariesBackups,
  primaryBackup,
  type QuorumSizeConfig,
  raftJoint,
  raftSingle,
  schemeNames,
  staticMajority,
  totalWeight,
  type Weights,
  weightedMajority,
  weightOf,
  weights,
} from "../src/index.js";

// Beyond the exhaustive bound: universes of 7 to 12 nodes, pairs of configurations related by R1⁺
// drawn at random, and every pair of candidate quorums of the two checked (2^n subsets each).

const universeSize = fc.integer({ min: 7, max: 12 });
/** A subset of 1..n (non-empty if asked). */
const setIn = (n: number, nonEmpty = true) =>
  fc.integer({ min: nonEmpty ? 1 : 0, max: 2 ** n - 1 }).map((bits) => bits * 2);
const nodeIn = (n: number) => fc.integer({ min: 1, max: n });

interface Related<C> {
  readonly n: number;
  readonly cf: C;
  readonly next: C;
}

function expectOverlap<C>(scheme: Scheme<C>, { n, cf, next }: Related<C>): void {
  expect(scheme.R1plus(cf, next)).toBe(true);
  const w = overlapWitness(scheme, cf, next, range(n));
  expect(w && describeWitness(scheme, w)).toBeUndefined();
}

const raftSinglePairs: fc.Arbitrary<Related<NodeSet>> = universeSize.chain((n) =>
  fc.record({ n: fc.constant(n), cf: setIn(n), s: nodeIn(n) }).map(({ cf, s }) => {
    const d = cf ^ (1 << s);
    return { n, cf, next: d === 0 ? cf : d };
  }),
);

const raftJointPairs: fc.Arbitrary<Related<JointConfig>> = universeSize.chain((n) =>
  fc
    .record({ old: setIn(n), nu: setIn(n), kind: fc.integer({ min: 0, max: 3 }) })
    .map(({ old, nu, kind }) => {
      const plain = { old, next: null };
      const joint = { old, next: nu };
      const steps: Array<[JointConfig, JointConfig]> = [
        [plain, plain],
        [plain, joint],
        [joint, { old: nu, next: null }],
        [joint, joint],
      ];
      const [cf, next] = steps[kind]!;
      return { n, cf, next };
    }),
);

const primaryBackupPairs: fc.Arbitrary<Related<PrimaryBackupConfig>> = universeSize.chain((n) =>
  fc.record({ P: nodeIn(n), b1: setIn(n, false), b2: setIn(n, false) }).map(({ P, b1, b2 }) => ({
    n,
    cf: { P, backups: b1 & ~(1 << P) },
    next: { P, backups: b2 & ~(1 << P) },
  })),
);

const quorumSizePairs: fc.Arbitrary<Related<QuorumSizeConfig>> = universeSize.chain((n) =>
  fc
    .record({
      C: setIn(n),
      A: setIn(n, false),
      grow: fc.boolean(),
      f: fc.double({ min: 0, max: 1 }),
      g: fc.double({ min: 0, max: 1 }),
    })
    .map(({ C, A, grow, f, g }) => {
      const D = grow ? C | A : C & ~A || C;
      const pick = (lo: number, hi: number, x: number) => Math.min(hi, lo + Math.floor(x * (hi - lo + 1)));
      const q = pick(Math.floor(size(C) / 2) + 1, size(C), f);
      const big = Math.max(size(C), size(D));
      const lo = Math.max(Math.floor(size(D) / 2) + 1, big - q + 1);
      return { n, cf: { q, C }, next: { q: pick(lo, size(D), g), C: D } };
    })
    .filter(({ cf, next }) => next.q <= size(next.C) && dynamicQuorum.R1plus(cf, next)),
);

const primariesPairs: fc.Arbitrary<Related<PrimariesConfig>> = universeSize.chain((n) =>
  fc
    .record({ P: setIn(n), s: nodeIn(n), b1: setIn(n, false), b2: setIn(n, false) })
    .map(({ P, s, b1, b2 }) => {
      const P2 = P ^ (1 << s) || P;
      return { n, cf: { P, backups: b1 & ~P }, next: { P: P2, backups: b2 & ~P2 } };
    }),
);

const weightsIn = (n: number, max: number) =>
  fc
    .array(fc.integer({ min: 0, max }), { minLength: n, maxLength: n })
    .filter((ws) => ws.some((x) => x > 0))
    .map((ws) => weights(ws.map((x, i) => [i + 1, x] as const)));

/** A weighted configuration and a perturbation of it that R1⁺ allows. */
const weightedPairs: fc.Arbitrary<Related<Weights>> = fc.integer({ min: 4, max: 10 }).chain((n) =>
  fc
    .record({
      cf: weightsIn(n, 12),
      moves: fc.array(fc.tuple(nodeIn(n), fc.integer({ min: -6, max: 6 })), { minLength: 1, maxLength: 3 }),
    })
    .map(({ cf, moves }) => {
      const w = Array.from({ length: n + 1 }, (_, i) => cf[i] ?? 0);
      for (const [i, d] of moves) w[i] = Math.max(0, w[i]! + d);
      return { n, cf, next: weights(w.map((x, i) => [i, x] as const)) };
    })
    .filter(({ cf, next }) => totalWeight(next) > 0 && weightedMajority.R1plus(cf, next)),
);

describe("OVERLAP beyond the exhaustive bound (fast-check, 7–12 nodes)", () => {
  it("raft-single", () => fc.assert(fc.property(raftSinglePairs, (p) => expectOverlap(raftSingle, p))));
  it("raft-joint", () => fc.assert(fc.property(raftJointPairs, (p) => expectOverlap(raftJoint, p))));
  it("primary-backup", () =>
    fc.assert(fc.property(primaryBackupPairs, (p) => expectOverlap(primaryBackup, p))));
  it("dynamic-quorum", () => fc.assert(fc.property(quorumSizePairs, (p) => expectOverlap(dynamicQuorum, p))));
  it("primaries-backups", () =>
    fc.assert(fc.property(primariesPairs, (p) => expectOverlap(primariesBackups, p))));
  it("static", () =>
    fc.assert(
      fc.property(
        universeSize.chain((n) => setIn(n).map((cf) => ({ n, cf, next: cf }))),
        (p) => expectOverlap(staticMajority, p),
      ),
    ));
  it("weighted-majority (weights up to 12, 4–10 nodes)", () =>
    fc.assert(fc.property(weightedPairs, (p) => expectOverlap(weightedMajority, p))));

  it("weighted-majority: any two weightings, whenever R1⁺ relates them", () =>
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 8 })
          .chain((n) => fc.tuple(fc.constant(n), weightsIn(n, 5), weightsIn(n, 5))),
        ([n, a, b]) => {
          fc.pre(weightedMajority.R1plus(a, b));
          expectOverlap(weightedMajority, { n, cf: a, next: b });
        },
      ),
    ));

  it("REFLEXIVE for random configurations of 7–12 nodes", () =>
    fc.assert(
      fc.property(raftJointPairs, primariesPairs, weightedPairs, (j, p, w) => {
        expect(raftJoint.R1plus(j.next, j.next)).toBe(true);
        expect(primariesBackups.R1plus(p.next, p.next)).toBe(true);
        expect(weightedMajority.R1plus(w.next, w.next)).toBe(true);
      }),
    ));
});

describe("weighted majority's margin", () => {
  it("is the least 2·w(Q) − W over the quorums Q (subset sum agrees with enumeration)", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => weightsIn(n, 9)),
        (w) => {
          const W = totalWeight(w);
          let best = Infinity;
          for (const q of subsets(range(w.length - 1)))
            if (2 * weightOf(q, w) > W) best = Math.min(best, 2 * weightOf(q, w) - W);
          expect(margin(w)).toBe(best);
        },
      ),
    ));
});

describe("configuration syntax beyond 5 nodes", () => {
  const arbitraryConfig: Record<string, fc.Arbitrary<unknown>> = {
    "raft-single": setIn(30),
    "raft-joint": raftJointPairs.map((p) => p.next),
    "primary-backup": primaryBackupPairs.map((p) => p.next),
    "dynamic-quorum": quorumSizePairs.map((p) => p.next),
    "primaries-backups": primariesPairs.map((p) => p.next),
    static: setIn(30),
    "weighted-majority": fc.integer({ min: 1, max: 30 }).chain((n) => weightsIn(n, 1000)),
  };
  it.each(schemeNames())("%s parses what it prints", (name) => {
    const { scheme, parse } = getScheme(name) as { scheme: Scheme<unknown>; parse: (t: string) => unknown };
    fc.assert(
      fc.property(arbitraryConfig[name]!, (cf) => {
        const back = parse(scheme.print(cf));
        expect(scheme.equals(back, cf)).toBe(true);
        expect(scheme.hash(back)).toBe(scheme.hash(cf));
      }),
    );
  });
});
