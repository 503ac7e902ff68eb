import { describe, expect, it } from "vitest";
import {
  type AdoreModel,
  type AdoreState,
  type AdoreStep,
  activeCache,
  adoreModel,
  canCommit,
  initialState,
  lastCommit,
  mostRecent,
  type NodeSet,
  R2,
  R3,
  rdist,
  rdistTree,
  step,
  committedLog,
  ALL_NODES,
  cacheGt,
} from "../src/index.js";
import { majority, N } from "./helpers.js";

const M4: AdoreModel<NodeSet> = adoreModel(majority, N(1, 2, 3, 4));

function run(
  m: AdoreModel<NodeSet>,
  steps: AdoreStep<NodeSet>[],
  st: AdoreState<NodeSet> = initialState(m.conf0, 4),
) {
  for (const a of steps) {
    const r = step(m, st, a);
    if (!r.ok) throw new Error(`rejected ${JSON.stringify(a)}: ${r.reason.message}`);
    st = r.next;
  }
  return st;
}

function rejection(m: AdoreModel<NodeSet>, st: AdoreState<NodeSet>, a: AdoreStep<NodeSet>) {
  const r = step(m, st, a);
  if (r.ok) throw new Error(`expected ${JSON.stringify(a)} to be rejected, got ${r.rule}`);
  return r.reason;
}

describe("state (Fig. 6) and the settled root", () => {
  it("the root is cid 0, time 0, versn 0, conf0, committed and supported by every node", () => {
    const st = initialState(N(1, 2, 3), 3);
    expect(st.caches[0]).toEqual({
      kind: "CCache",
      caller: 0,
      time: 0,
      versn: 0,
      supporters: ALL_NODES,
      conf: N(1, 2, 3),
    });
    expect(st.parent).toEqual([-1]);
    expect(st.times).toEqual([0, 0, 0, 0]);
    expect(mostRecent(st, N(2))).toBe(0);
    expect(lastCommit(st, 3)).toBe(0);
    expect(activeCache(st, 1)).toBeUndefined();
  });
});

describe("Fig. 9: the order >", () => {
  const base = { caller: 1, conf: 0 } as const;
  it("is lexicographic on (time, versn) with a CCache winning a tie", () => {
    const e = { ...base, kind: "ECache", time: 2, versn: 0, supporters: 0 } as const;
    const m = { ...base, kind: "MCache", time: 2, versn: 1, method: "x" } as const;
    const c = { ...base, kind: "CCache", time: 2, versn: 1, supporters: 0 } as const;
    const old = { ...base, kind: "MCache", time: 1, versn: 9, method: "y" } as const;
    expect(cacheGt(m, e)).toBe(true);
    expect(cacheGt(e, old)).toBe(true);
    expect(cacheGt(c, m)).toBe(true);
    expect(cacheGt(m, c)).toBe(false);
  });
});

describe("Fig. 10 PULLOK with Fig. 11 VALIDPULLORACLE", () => {
  it("PULLOK with a quorum adds ECache(nid, t, 0, Q, conf(C_max)) under mostRecent and sets times", () => {
    const r = step(M4, initialState(M4.conf0, 4), { op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 });
    expect(r.ok && r.rule).toBe("PULLOK");
    if (!r.ok) return;
    expect(r.next.caches[1]).toEqual({
      kind: "ECache",
      caller: 1,
      time: 1,
      versn: 0,
      supporters: N(1, 2, 3),
      conf: N(1, 2, 3, 4),
    });
    expect(r.next.parent[1]).toBe(0);
    expect(r.next.times).toEqual([0, 1, 1, 1, 0]);
  });
  it("PULLOK with a non-quorum Q changes only times (explicit NOOP outcome)", () => {
    const st = initialState(M4.conf0, 4);
    const r = step(M4, st, { op: "pull", nid: 1, Q: N(1, 2), t: 5 });
    expect(r.ok && r.rule).toBe("PULLOK/¬Qok");
    if (!r.ok) return;
    expect(r.next.caches).toBe(st.caches);
    expect(r.next.times).toEqual([0, 5, 5, 0, 0]);
  });
  it("rejects an oracle whose Q does not contain the caller (validSupp)", () => {
    const reason = rejection(M4, initialState(M4.conf0, 4), { op: "pull", nid: 1, Q: N(2, 3, 4), t: 1 });
    expect(reason).toMatchObject({ rule: "VALIDPULLORACLE", premise: "validSupp" });
    expect(reason.message).toBe("validSupp: 1 ∉ Q = {2,3,4}");
  });
  it("rejects Q ⊄ mbrs(conf(C_max)) naming the outsider (validSupp)", () => {
    const m = adoreModel(majority, N(1, 2, 3));
    const reason = rejection(m, initialState(m.conf0, 4), { op: "pull", nid: 1, Q: N(1, 4), t: 1 });
    expect(reason.message).toBe("validSupp: 4 ∉ mbrs(conf(C_max)) = {1,2,3}");
  });
  it("rejects t not greater than a supporter's time (times < t)", () => {
    const st = run(M4, [{ op: "pull", nid: 1, Q: N(1, 2, 3), t: 2 }]);
    const reason = rejection(M4, st, { op: "pull", nid: 4, Q: N(2, 3, 4), t: 2 });
    expect(reason).toMatchObject({ premise: "times<t", message: "times<t: times[2] = 2 ≮ t = 2" });
  });
  it("checks an explicit C_max and Q_ok against mostRecent and isQuorum", () => {
    const st = run(M4, [{ op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 }]);
    expect(rejection(M4, st, { op: "pull", nid: 4, Q: N(2, 3, 4), t: 2, cmax: 0 }).premise).toBe(
      "mostRecent",
    );
    expect(rejection(M4, st, { op: "pull", nid: 4, Q: N(2, 3, 4), t: 2, qok: false }).premise).toBe("Qok");
    expect(step(M4, st, { op: "pull", nid: 4, Q: N(2, 3, 4), t: 2, cmax: 1, qok: true }).ok).toBe(true);
  });
  it("mostRecent counts ECaches (ADORE) but not under the raft-log variant", () => {
    const st = run(M4, [{ op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 }]);
    expect(mostRecent(st, N(2), "adore")).toBe(1);
    expect(mostRecent(st, N(2), "raft-log")).toBe(0);
  });
  it("rejects a node id outside 1..n", () => {
    expect(
      rejection(M4, initialState(M4.conf0, 4), { op: "pull", nid: 7, Q: N(1, 2, 3), t: 1 }).premise,
    ).toBe("nid");
  });
});

describe("Fig. 10 INVOKEOK", () => {
  it("adds MCache(nid, time(C_A), versn(C_A)+1, M, conf(C_A)) under the active cache", () => {
    const st = run(M4, [
      { op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 },
      { op: "invoke", nid: 1, method: "a" },
      { op: "invoke", nid: 1, method: "b" },
    ]);
    expect(st.caches[3]).toEqual({
      kind: "MCache",
      caller: 1,
      time: 1,
      versn: 2,
      method: "b",
      conf: N(1, 2, 3, 4),
    });
    expect(st.parent[3]).toBe(2);
    expect(activeCache(st, 1)).toBe(3);
  });
  it("rejects a node that was never elected (activeCache)", () => {
    expect(rejection(M4, initialState(M4.conf0, 4), { op: "invoke", nid: 2, method: "x" })).toMatchObject({
      rule: "INVOKEOK",
      premise: "activeCache",
    });
  });
  it("rejects a preempted leader (isLeader)", () => {
    const st = run(M4, [
      { op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 },
      { op: "pull", nid: 2, Q: N(1, 2), t: 2 }, // non-quorum, but raises times[1]
    ]);
    expect(rejection(M4, st, { op: "invoke", nid: 1, method: "x" }).message).toBe(
      "isLeader: times[1] = 2 ≠ time(C_A) = 1 (preempted)",
    );
  });
});

describe("Fig. 10 RECONFIGOK and Fig. 7 canReconf", () => {
  const elected = run(M4, [{ op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 }]);
  it("rejects a reconfiguration before anything of the current time is committed (R3)", () => {
    expect(rejection(M4, elected, { op: "reconfig", nid: 1, ncf: N(1, 2, 3) })).toMatchObject({
      rule: "RECONFIGOK",
      premise: "R3",
      message: "R3: no CCache with time 1 on the active branch",
    });
  });
  const committed = run(
    M4,
    [
      { op: "invoke", nid: 1, method: "a" },
      { op: "push", nid: 1, Q: N(1, 2, 3), cm: 2 },
    ],
    elected,
  );
  it("adds RCache(nid, time, versn+1, ncf) once R1⁺, R2 and R3 hold", () => {
    expect(R3(committed, activeCache(committed, 1)!)).toBe(true);
    const r = step(M4, committed, { op: "reconfig", nid: 1, ncf: N(1, 2, 3) });
    expect(r.ok && r.rule).toBe("RECONFIGOK");
    if (!r.ok) return;
    expect(r.next.caches[4]).toEqual({ kind: "RCache", caller: 1, time: 1, versn: 2, conf: N(1, 2, 3) });
  });
  it("rejects a change R1⁺ forbids", () => {
    expect(rejection(M4, committed, { op: "reconfig", nid: 1, ncf: N(1, 2) })).toMatchObject({
      premise: "R1plus",
    });
  });
  it("rejects a second change while an RCache is uncommitted (R2), naming it", () => {
    const st = run(M4, [{ op: "reconfig", nid: 1, ncf: N(1, 2, 3) }], committed);
    expect(R2(st, activeCache(st, 1)!)).toBe(false);
    expect(rejection(M4, st, { op: "reconfig", nid: 1, ncf: N(1, 2) })).toMatchObject({
      premise: "R2",
      message: "R2: RCache #4 on the active branch is not committed",
    });
  });
  it("ablations drop the premises", () => {
    const noR3 = adoreModel(majority, N(1, 2, 3, 4), { r3: false });
    expect(step(noR3, elected, { op: "reconfig", nid: 1, ncf: N(1, 2, 3) }).ok).toBe(true);
    const noR1 = adoreModel(majority, N(1, 2, 3, 4), { r1plus: false });
    expect(step(noR1, committed, { op: "reconfig", nid: 1, ncf: N(1) }).ok).toBe(true);
  });
});

describe("Fig. 10 PUSHOK with Fig. 11 VALIDPUSHORACLE", () => {
  const st = run(M4, [
    { op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 },
    { op: "invoke", nid: 1, method: "a" },
    { op: "invoke", nid: 1, method: "b" },
  ]);
  it("inserts CCache(nid, time, versn, Q, conf) between C_M and its children", () => {
    const r = step(M4, st, { op: "push", nid: 1, Q: N(1, 3, 4), cm: 2 });
    expect(r.ok && r.rule).toBe("PUSHOK");
    if (!r.ok) return;
    expect(r.next.caches[4]).toEqual({
      kind: "CCache",
      caller: 1,
      time: 1,
      versn: 1,
      supporters: N(1, 3, 4),
      conf: N(1, 2, 3, 4),
    });
    expect(r.next.parent[4]).toBe(2); // C_new under C_M
    expect(r.next.parent[3]).toBe(4); // C_M's former child now under C_new
    expect(r.next.times).toEqual([0, 1, 1, 1, 1]);
    expect(committedLog(r.next).map((e) => e.entry)).toEqual([{ method: "a" }]);
  });
  it("a non-quorum Q changes only times", () => {
    const r = step(M4, st, { op: "push", nid: 1, Q: N(1, 4), cm: 3 });
    expect(r.ok && r.rule).toBe("PUSHOK/¬Qok");
    if (!r.ok) return;
    expect(r.next.caches).toBe(st.caches);
    expect(r.next.times[4]).toBe(1);
  });
  it("rejects a C_M that is not an M/RCache, not the caller's, or not newer than lastCommit (canCommit)", () => {
    expect(rejection(M4, st, { op: "push", nid: 1, Q: N(1, 2, 3), cm: 1 }).message).toMatch(
      /canCommit: #1 is an ECache/,
    );
    expect(rejection(M4, st, { op: "push", nid: 2, Q: N(1, 2, 3), cm: 2 }).message).toMatch(
      /caller\(#2\) = 1 ≠ 2/,
    );
    const after = run(M4, [{ op: "push", nid: 1, Q: N(1, 2, 3), cm: 3 }], st);
    expect(canCommit(after, 2, 1)).toBe(false);
    expect(rejection(M4, after, { op: "push", nid: 1, Q: N(1, 2, 3), cm: 2 }).message).toMatch(
      /≯ lastCommit/,
    );
  });
  it("rejects supporters that have seen a larger time (times ≤ time(C_M))", () => {
    const later = run(M4, [{ op: "pull", nid: 4, Q: N(4, 3), t: 3 }], st);
    expect(rejection(M4, later, { op: "push", nid: 1, Q: N(1, 2, 3), cm: 3 }).message).toBe(
      "times≤t: times[3] = 3 > time(C_M) = 1",
    );
    const st2 = run(M4, [{ op: "pull", nid: 4, Q: N(4), t: 3 }], st);
    expect(rejection(M4, st2, { op: "push", nid: 1, Q: N(1, 4), cm: 3 })).toMatchObject({
      premise: "times≤t",
      message: "times≤t: times[4] = 3 > time(C_M) = 1",
    });
  });
  it("rejects an unknown cid", () => {
    expect(rejection(M4, st, { op: "push", nid: 1, Q: N(1, 2, 3), cm: 99 }).premise).toBe("cid");
  });
});

describe("NOOP rules (oracle Fail)", () => {
  it.each(["pull", "invoke", "reconfig", "push"] as const)("%s may fail with the state unchanged", (of) => {
    const st = initialState(M4.conf0, 4);
    const r = step(M4, st, { op: "fail", nid: 2, of });
    expect(r.ok && r.next).toBe(st);
    expect(r.ok && r.rule).toBe(`${of.toUpperCase()}NOOP`);
  });
});

describe("Definition 4.2: rdist", () => {
  it("counts RCaches strictly between two caches through their common ancestor", () => {
    const noR3 = adoreModel(majority, N(1, 2, 3, 4), { r3: false });
    const st = run(noR3, [
      { op: "pull", nid: 1, Q: N(1, 2, 3), t: 1 },
      { op: "reconfig", nid: 1, ncf: N(1, 2, 3) }, // #2
      { op: "invoke", nid: 1, method: "a" }, // #3
      { op: "pull", nid: 2, Q: N(2, 3, 4), t: 2 }, // #4 under root (raft-log not needed: S2's Q saw #1 only via 2,3)
    ]);
    expect(rdist(st, 3, 4)).toBe(1);
    expect(rdist(st, 2, 3)).toBe(0);
    expect(rdistTree(st)).toBe(1);
  });
});
