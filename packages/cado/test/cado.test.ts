import {
  type AdoreState,
  explore,
  initialState,
  nodeSet,
  range,
  renderAscii,
  replay,
} from "@adore/adore-core";
import {
  dynamicQuorum,
  halfQuorumStatic,
  primaryBackup,
  type QuorumSizeConfig,
  raftSingle,
  staticMajority,
} from "@adore/schemes";
import { describe, expect, it } from "vitest";
import {
  CadoInputError,
  type CadoStep,
  cadoModel,
  cadoSpec,
  cadoStep,
  fixedConfiguration,
} from "../src/index.js";

const N = (...ids: number[]) => nodeSet(ids);

describe("CADO's steps (Figs. 10–11 without the boxed parts)", () => {
  const m = cadoModel(staticMajority, range(3));
  const spec = cadoSpec(m);
  const s0 = spec.init({ nodes: 3, maxTime: 3, maxMethods: 1 });

  it("elect, invoke, commit: PULLOK, INVOKEOK, PUSHOK", () => {
    const steps: CadoStep[] = [
      { op: "pull", nid: 1, Q: N(1, 2), t: 1 },
      { op: "invoke", nid: 1, method: "put a 1" },
      { op: "push", nid: 1, Q: N(1, 3), cm: 2 },
    ];
    const tr = replay(spec, s0, steps);
    expect(tr.steps.map((s) => s.rule)).toEqual(["PULLOK", "INVOKEOK", "PUSHOK"]);
    const last = tr.steps.at(-1)!.state;
    expect(last.caches.map((c) => c.kind)).toEqual(["CCache", "ECache", "MCache", "CCache"]);
    expect(last.caches.every((c) => c.conf === range(3))).toBe(true);
    expect(renderAscii(staticMajority, last)).toContain("#3 C S1 (t=1,v=1) supp={1,3}");
  });

  it("names the failing premise of a rejected step", () => {
    const r = cadoStep(m, s0, { op: "invoke", nid: 2, method: "x" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.message).toMatch(/activeCache: node 2 has no cache/);
    const p = cadoStep(m, s0, { op: "pull", nid: 1, Q: N(1, 4), t: 1 });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason.message).toMatch(/validSupp/);
  });

  it("has no reconfiguration: an untyped reconfig step is rejected, not run", () => {
    const st = replay(spec, s0, [
      { op: "pull", nid: 1, Q: N(1, 2), t: 1 },
      { op: "invoke", nid: 1, method: "m" },
      { op: "push", nid: 1, Q: N(1, 2), cm: 2 },
    ]).steps.at(-1)!.state;
    const r = cadoStep(m, st, { op: "reconfig", nid: 1, ncf: N(1, 2) } as unknown as CadoStep);
    expect(r).toEqual({
      ok: false,
      reason: {
        rule: "CADO",
        premise: "op",
        message: 'op: CADO has no operation "reconfig" (section 3: reconfiguration is removed)',
      },
    });
    const f = cadoStep(m, st, { op: "fail", nid: 1, of: "reconfig" } as unknown as CadoStep);
    expect(f.ok).toBe(false);
  });

  it("never enumerates a reconfiguration, and its NOOP steps leave the state unchanged", () => {
    const b = { nodes: 3, maxTime: 2, maxMethods: 1, failSteps: true };
    const en = spec.enabled(s0, b);
    expect(en.some((a) => (a.op as string) === "reconfig")).toBe(false);
    const f = en.find((a) => a.op === "fail")!;
    const r = spec.step(s0, f);
    expect(r.ok && r.next).toBe(s0);
  });

  it("checks its bounds and its configuration against the nodes", () => {
    expect(() => spec.init({ nodes: 0, maxTime: 1, maxMethods: 1 })).toThrow(CadoInputError);
    expect(() => spec.init({ nodes: 2, maxTime: 1, maxMethods: 1 })).toThrow(
      /conf: \{1,2,3\} has members \{3\} outside the nodes 1\.\.2/,
    );
    expect(() => spec.init({ nodes: 3, maxTime: -1, maxMethods: 1 })).toThrow(
      /maxTime: -1 is not an integer/,
    );
  });

  it("FixedConfiguration rejects a tree with an RCache or a foreign configuration", () => {
    const st: AdoreState<number> = {
      ...initialState(range(3), 3),
      caches: [
        initialState(range(3), 3).caches[0]!,
        { kind: "RCache", caller: 1, time: 1, versn: 1, conf: N(1, 2) },
      ],
      parent: [-1, 0],
    };
    expect(fixedConfiguration(m, st)).toBe("#1 is an RCache: CADO has no reconfiguration");
  });
});

describe("CADO safety on the explorer", () => {
  it("majority quorums over 3 nodes: the whole state space within time ≤ 3, ≤ 2 methods", () => {
    const r = explore(cadoSpec(cadoModel(staticMajority, range(3))), {
      bounds: { nodes: 3, maxTime: 3, maxMethods: 2 },
      maxDepth: 12,
      symmetry: true,
    });
    expect(r.violation?.message).toBeUndefined();
    expect(r.status).toBe("complete");
    expect(r.states).toBe(32_832);
  });

  it("majority quorums over 4 nodes, depth 7", () => {
    const r = explore(cadoSpec(cadoModel(raftSingle, range(4))), {
      bounds: { nodes: 4, maxTime: 3, maxMethods: 2 },
      maxDepth: 7,
      symmetry: true,
    });
    expect(r.violation).toBeUndefined();
    expect(r.depth).toBe(7);
  });

  it("other quorum systems: 3 of 4 members, and a primary with backups", () => {
    const q: QuorumSizeConfig = { q: 3, C: range(4) };
    const r1 = explore(cadoSpec(cadoModel(dynamicQuorum, q)), {
      bounds: { nodes: 4, maxTime: 2, maxMethods: 2 },
      maxDepth: 7,
      symmetry: true,
    });
    expect(r1.violation).toBeUndefined();
    const r2 = explore(cadoSpec(cadoModel(primaryBackup, { P: 1, backups: N(2, 3) })), {
      bounds: { nodes: 3, maxTime: 3, maxMethods: 2 },
      maxDepth: 10,
      symmetry: true,
    });
    expect(r2.violation).toBeUndefined();
  });

  it("finds the fork when quorums of one configuration need not intersect", () => {
    const spec = cadoSpec(cadoModel(halfQuorumStatic, range(4)));
    const r = explore(spec, {
      bounds: { nodes: 4, maxTime: 2, maxMethods: 2 },
      maxDepth: 8,
      symmetry: true,
      invariants: ["ReplicatedStateSafety"],
    });
    expect(r.status).toBe("violation");
    expect(r.violation!.trace.steps.length).toBe(6);
    expect(r.violation!.message).toMatch(/are on different branches/);
  });
});
