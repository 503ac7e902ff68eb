import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AdoreBounds,
  type AdoreOptions,
  adoreModel,
  adoreSpec,
  explore,
  finalState,
  type NodeSet,
  randomWalk,
  renderAscii,
  replay,
  safetyWitness,
  stateKey,
  traceArbitrary,
} from "../src/index.js";
import { majority, N } from "./helpers.js";

const spec = (conf0: NodeSet, opts: Partial<AdoreOptions> = {}) =>
  adoreSpec(adoreModel(majority, conf0, opts));
const B3: AdoreBounds<NodeSet> = { nodes: 3, maxTime: 2, maxMethods: 2, maxReconfigs: 0 };

describe("the generic explorer on ADORE", () => {
  it("fingerprints and exact keys explore the same number of states", () => {
    const s = spec(N(1, 2, 3));
    const a = explore(s, { bounds: B3, maxDepth: 5 });
    const b = explore(s, { bounds: B3, maxDepth: 5, exact: true });
    expect(a.status).toBe("depth-bound");
    expect(a.states).toBe(b.states);
    expect(a.transitions).toBe(b.transitions);
  });

  it("explores a small bound to completion and reports it", () => {
    const s = spec(N(1, 2, 3));
    const r = explore(s, { bounds: { nodes: 3, maxTime: 1, maxMethods: 1, maxReconfigs: 0 }, maxDepth: 50 });
    expect(r.status).toBe("complete");
    expect(r.violation).toBeUndefined();
    expect(r.depth).toBeLessThan(50);
  });

  it("symmetry reduction merges renamed states without losing depth", () => {
    const s = spec(N(1, 2, 3));
    const plain = explore(s, { bounds: B3, maxDepth: 4 });
    const sym = explore(s, { bounds: B3, maxDepth: 4, symmetry: true });
    expect(sym.states).toBeLessThan(plain.states / 3);
    expect(sym.depth).toBe(plain.depth);
  });

  it("stops at state and time bounds with the matching status", () => {
    const s = spec(N(1, 2, 3));
    expect(explore(s, { bounds: B3, maxDepth: 20, maxStates: 500 }).status).toBe("state-bound");
    expect(explore(s, { bounds: { ...B3, maxTime: 9 }, maxDepth: 40, maxSeconds: 0 }).status).toBe(
      "time-bound",
    );
  });

  it("rejects unknown invariant names", () => {
    expect(() => explore(spec(N(1, 2, 3)), { bounds: B3, maxDepth: 1, invariants: ["Nope"] })).toThrow(
      /unknown invariant/,
    );
  });

  it("decode(encode(s)) encodes to the same words (the packed frontier is faithful)", () => {
    const s = spec(N(1, 2, 3, 4), { r3: false });
    fc.assert(
      fc.property(
        traceArbitrary(s, { nodes: 4, maxTime: 4, maxMethods: 3, maxReconfigs: 2 }, { maxLength: 14 }),
        (t) => {
          const st = finalState(t);
          const words = stateKey(s, st).split(",").map(Number);
          const back = s.decode!(Int32Array.from(words), 0, words.length);
          expect(stateKey(s, back)).toBe(stateKey(s, st));
          expect(s.enabled(back, { nodes: 4, maxTime: 4, maxMethods: 3, maxReconfigs: 2 }).length).toBe(
            s.enabled(st, { nodes: 4, maxTime: 4, maxMethods: 3, maxReconfigs: 2 }).length,
          );
        },
      ),
    );
  });
});

/** Shortest counterexamples for the ablations that break safety within a few steps (shapes pinned). */
describe("mutants: the explorer finds each breaking ablation without being told the trace", () => {
  const shortest = (
    conf0: NodeSet,
    opts: Partial<AdoreOptions>,
    bounds: AdoreBounds<NodeSet>,
    depth: number,
  ) => {
    const s = spec(conf0, opts);
    const r = explore(s, { bounds, maxDepth: depth, symmetry: true, invariants: ["ReplicatedStateSafety"] });
    expect(r.status).toBe("violation");
    const v = r.violation!;
    const last = finalState(v.trace);
    // the trace replays and the drawn tree marks the two CCaches on different branches
    expect(
      replay(
        s,
        v.trace.initial,
        v.trace.steps.map((x) => x.step),
      ).steps.length,
    ).toBe(v.trace.steps.length);
    const w = safetyWitness(last);
    expect(w).not.toBeNull();
    const drawn = renderAscii(majority, last, { highlight: w! });
    expect(drawn.match(/◀/g)?.length).toBe(2);
    return { trace: v.trace.steps.map((x) => s.showStep(x.step)), states: r.states, drawn };
  };

  it("times ≤ t: two leaders share time 1 and commit on two branches (6 steps)", () => {
    const r = shortest(N(1, 2, 3), { strictTime: false }, B3, 8);
    expect(r.trace).toHaveLength(6);
    expect(r.trace.filter((x) => x.startsWith("pull")).every((x) => x.endsWith("t=1)"))).toBe(true);
  });

  it("Q_ok dropped: single-node 'quorums' elect two leaders (6 steps)", () => {
    const r = shortest(N(1, 2, 3), { qok: false }, B3, 8);
    expect(r.trace).toHaveLength(6);
  });

  it("raft-log pull with R3 dropped: the Fig. 12 bug, found from scratch (8 steps)", () => {
    const r = shortest(
      N(1, 2, 3, 4),
      { recency: "raft-log", r3: false },
      { nodes: 4, maxTime: 3, maxMethods: 1, maxReconfigs: 2 },
      8,
    );
    expect(r.trace).toHaveLength(8);
    expect(r.trace.filter((x) => x.startsWith("reconfig"))).toHaveLength(2);
  }, 120_000);
});

describe("random walker and fast-check arbitraries", () => {
  it("the seeded walker is deterministic and finds the times ≤ t bug", () => {
    const s = spec(N(1, 2, 3), { strictTime: false });
    const opts = { bounds: B3, seed: 7, walks: 2000, depth: 12, invariants: ["ReplicatedStateSafety"] };
    const a = randomWalk(s, opts);
    const b = randomWalk(s, opts);
    expect(a.violation).toBeDefined();
    expect(b.steps).toBe(a.steps);
    expect(b.violation!.trace.steps.map((x) => s.showStep(x.step))).toEqual(
      a.violation!.trace.steps.map((x) => s.showStep(x.step)),
    );
  });

  it("fast-check shrinks a failing run of a broken model to a short trace", () => {
    const s = spec(N(1, 2, 3), { qok: false });
    const result = fc.check(
      fc.property(traceArbitrary(s, B3, { maxLength: 30 }), (t) => safetyWitness(finalState(t)) === null),
      { numRuns: 2000, seed: 1 },
    );
    expect(result.failed).toBe(true);
    const t = result.counterexample![0];
    expect(t.steps.length).toBeLessThanOrEqual(8);
    expect(safetyWitness(finalState(t))).not.toBeNull();
  });
});
