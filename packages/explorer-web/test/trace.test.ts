import {
  type AdoreState,
  explore,
  FIG12_PAPER,
  FIG12_WITH_R3,
  nodeSet,
  safetyWitness,
} from "@adore/adore-core";
import { getScheme, schemeNames } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { EXAMPLES, fixtureWalk } from "../src/lib/examples.js";
import { buildModel, FIG12_CONFIG } from "../src/lib/model.js";
import { parseStep, StepSyntaxError } from "../src/lib/steps.js";
import { extend, frameAt, keyStep, replaySteps, replayTexts } from "../src/lib/trace.js";
import { fig12Model } from "./helpers.js";

describe("trace stepping", () => {
  it("Fig. 12 without R3: each frame's step, oracle choices, rule and added cache; the two branches at the end", () => {
    const m = fig12Model(false);
    const w = fixtureWalk(m, FIG12_PAPER);
    expect(w.attempts).toHaveLength(8);
    expect(w.attempts.every((a) => a.outcome.ok)).toBe(true);
    const f0 = frameAt(m, w, 0);
    expect(f0.attempt).toBeUndefined();
    expect(f0.added).toBeUndefined();
    expect(f0.violation).toBeUndefined();
    const f1 = frameAt(m, w, 1);
    expect(f1.attempt?.text).toBe("pull(S1, Q={1,2,3}, t=1)");
    expect(f1.attempt?.outcome).toEqual({ ok: true, rule: "PULLOK" });
    expect(f1.oracle).toEqual([
      "Q = {1,2,3}",
      "t = 1",
      "C_max = mostRecent(tree, Q) = #0 (conf {1,2,3,4}, raft-log recency)",
      "Q_ok = isQuorum(Q, conf(C_max)) = true",
    ]);
    expect(f1.added).toBe(1);
    // S2's push inserts its CCache between the RCache and (no) children: the new cid is the added one
    const f5 = frameAt(m, w, 5);
    expect(f5.attempt?.text).toBe("push(S2, Q={2,4}, C_M=#4)");
    expect(f5.state.caches[f5.added!]?.kind).toBe("CCache");
    const last = frameAt(m, w, 8);
    expect(last.violation?.invariant).toBe("ReplicatedStateSafety");
    const c = last.conflict!;
    expect([c.a, c.b]).toEqual(safetyWitness(last.state));
    expect(c.fork).toBe(0);
    // each branch runs from below the fork down to its CCache, and they share nothing
    expect(c.branchA[c.branchA.length - 1]).toBe(c.a);
    expect(c.branchB[c.branchB.length - 1]).toBe(c.b);
    expect(c.branchA.filter((x) => c.branchB.includes(x))).toEqual([]);
    expect(frameAt(m, w, 7).conflict).toBeUndefined();
    // positions are clamped
    expect(frameAt(m, w, 99).index).toBe(8);
    expect(frameAt(m, w, -3).index).toBe(0);
  });

  it("Fig. 12 with R3: the rejected steps stay on the stepper with their premise, the state unchanged", () => {
    const ex = EXAMPLES.find((e) => e.id === "fig12-r3")!;
    const m = buildModel(ex.config);
    const w = fixtureWalk(m, FIG12_WITH_R3);
    const outcomes = w.attempts.map((a) => (a.outcome.ok ? a.outcome.rule : `✗ ${a.outcome.reason.premise}`));
    expect(outcomes.slice(9)).toEqual(["PULLOK/¬Qok", "✗ isLeader", "✗ canCommit"]);
    const f = frameAt(m, w, 11);
    expect(f.attempt?.after).toBe(f.attempt?.before);
    expect(f.added).toBeUndefined();
    expect(frameAt(m, w, 12).violation).toBeUndefined();
    // the paper's own trace under R3: both reconfigurations are refused by R3
    const paper = fixtureWalk(m, FIG12_PAPER);
    const r3 = paper.attempts.filter((a) => !a.outcome.ok && a.outcome.reason.premise === "R3");
    expect(r3.map((a) => a.text)).toEqual(["reconfig(S1, {1,2,3})", "reconfig(S2, {1,2,4})"]);
  });

  it("a shared trace (step texts) replays to the explorer's own counterexample, state for state", () => {
    const m = buildModel({
      ...FIG12_CONFIG,
      nodes: 3,
      depth: 8,
      maxTime: 2,
      methods: 2,
      reconfigs: 1,
      scheme: "unsafe-any-change",
    });
    const res = explore(m.spec, m.explore);
    expect(res.status).toBe("violation");
    const steps = res.violation!.trace.steps;
    const w = replayTexts(
      m,
      steps.map((s) => m.spec.showStep(s.step)),
    );
    expect(w.attempts.map((a) => a.after)).toEqual(steps.map((s) => s.state));
    expect(w.attempts.map((a) => (a.outcome.ok ? a.outcome.rule : "")).join()).toBe(
      steps.map((s) => s.rule).join(),
    );
    expect(frameAt(m, w, w.attempts.length).violation?.invariant).toBe("ReplicatedStateSafety");
  });

  it("manual mode: taking a step from the middle drops the rest; a typed step is rejected with the premise", () => {
    const m = fig12Model(false);
    const w = fixtureWalk(m, FIG12_PAPER);
    const w2 = extend(m, w, 2, { op: "pull", nid: 3, Q: nodeSet([3, 4]), t: 3 });
    expect(w2.attempts).toHaveLength(3);
    expect(w2.attempts[2]!.outcome).toEqual({ ok: true, rule: "PULLOK/¬Qok" });
    const st = frameAt(m, w, 1).state;
    const a = parseStep(m.entry, "pull(S2, Q={1,2}, t=1)");
    const r = replaySteps(m, [FIG12_PAPER[0]!.build(m.spec.init(m.bounds) as AdoreState<number>), a])
      .attempts[1]!;
    expect(r.outcome.ok).toBe(false);
    expect(!r.outcome.ok && r.outcome.reason.message).toBe("times<t: times[1] = 1 ≮ t = 1");
    expect(st.times).toEqual([0, 1, 1, 1, 0]);
  });

  it("every enabled step of every scheme reads back from its text (the syntax of showStep)", () => {
    for (const name of schemeNames()) {
      const entry = getScheme(name);
      const m = buildModel({ ...FIG12_CONFIG, scheme: name, nodes: 3, nonQuorum: true, symmetry: false });
      let st = m.spec.init(m.bounds);
      // walk a few levels deep so that invokes, reconfigs and pushes are enabled
      for (let d = 0; d < 4; d++) {
        const en = m.spec.enabled(st, m.bounds);
        for (const a of en)
          expect(parseStep(entry, m.spec.showStep(a)), `${name}: ${m.spec.showStep(a)}`).toEqual(a);
        const next = en.find((a) => a.op !== "pull") ?? en[0];
        if (!next) break;
        const r = m.spec.step(st, next);
        if (r.ok) st = r.next;
      }
    }
  });

  it("a step text that does not read names the part", () => {
    const m = fig12Model(false);
    const why = (t: string) => {
      try {
        parseStep(m.entry, t);
      } catch (e) {
        expect(e).toBeInstanceOf(StepSyntaxError);
        return (e as StepSyntaxError).why;
      }
      return "read";
    };
    expect(why("elect(S1)")).toMatch(/expected one of/);
    expect(why("pull(S1, Q={1,2,x}, t=1)")).toMatch(/Q: "x" is not a node id/);
    expect(why("pull(S1, Q={1,2})")).toMatch(/pull: expected/);
    expect(why("push(S1, Q={1,2}, C_M=#a)")).toMatch(/C_M: "a" is not a number/);
    expect(why("reconfig(S1, {1,2,)")).toMatch(/reconfig: .*syntax/);
    expect(why("pull(X1, Q={1}, t=1)")).toMatch(/node: "X1"/);
    expect(parseStep(m.entry, "pull(1,{1,2,3},2)")).toEqual({
      op: "pull",
      nid: 1,
      Q: nodeSet([1, 2, 3]),
      t: 2,
    });
    expect(parseStep(m.entry, "push(S3) fails")).toEqual({ op: "fail", nid: 3, of: "push" });
  });

  it("the keyboard: arrows, j/k, Home and End, clamped to the trace", () => {
    expect(keyStep(0, 8, "ArrowRight")).toBe(1);
    expect(keyStep(8, 8, "ArrowRight")).toBe(8);
    expect(keyStep(3, 8, "ArrowLeft")).toBe(2);
    expect(keyStep(0, 8, "k")).toBe(0);
    expect(keyStep(3, 8, "j")).toBe(4);
    expect(keyStep(3, 8, "End")).toBe(8);
    expect(keyStep(3, 8, "Home")).toBe(0);
    expect(keyStep(3, 8, "x")).toBe(3);
  });
});
