import { adoreModel, adoreSpec, explore, nodeSet, safetyWitness } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import { fixtureNames, getScheme, schemeNames } from "../src/index.js";

// ADORE under each scheme, with the paper's rules (R1⁺, R2, R3 on), explored exhaustively
// within small bounds. The same bounds find the unsafe fixtures' safety violations, so they
// are deep enough to matter: a reconfiguration committed on one branch and a commit on another.
const BOUNDS = { nodes: 3, maxTime: 2, maxMethods: 2, maxReconfigs: 1 };
const DEPTH = 8;

function run(name: string, conf0?: string, invariants?: readonly string[]) {
  const e = getScheme(name);
  const spec = adoreSpec(
    adoreModel(e.scheme, conf0 === undefined ? e.initial(BOUNDS.nodes) : e.parse(conf0)),
  );
  return explore(spec, {
    bounds: BOUNDS,
    maxDepth: DEPTH,
    symmetry: true,
    ...(invariants ? { invariants } : {}),
  });
}

describe("ADORE under each safe scheme: no violation within 3 nodes, depth 8, time ≤ 2, ≤ 2 methods, ≤ 1 reconfig", () => {
  it.each(schemeNames())("%s", (name) => {
    const r = run(name);
    expect(r.violation?.message).toBeUndefined();
    expect(["depth-bound", "complete"]).toContain(r.status);
    expect(r.states).toBeGreaterThan(5_000);
  });
});

describe("ADORE under the unsafe fixtures breaks Replicated State Safety within the same bounds", () => {
  const unsafe = fixtureNames().filter((n) => n.startsWith("unsafe-") && n !== "unsafe-half-quorum");
  it.each(unsafe)("%s", (name) => {
    const r = run(name, undefined, ["ReplicatedStateSafety"]);
    expect(r.status).toBe("violation");
    const last = r.violation!.trace.steps.at(-1)!.state;
    expect(safetyWitness(last)).not.toBeNull();
    // a reconfiguration was committed on one branch
    expect(last.caches.some((c) => c.kind === "RCache")).toBe(true);
    expect(r.violation!.trace.steps.length).toBeLessThanOrEqual(DEPTH);
  });

  it("unsafe-half-quorum breaks it without any reconfiguration, from {1,2}", () => {
    const r = run("unsafe-half-quorum", "{1,2}", ["ReplicatedStateSafety"]);
    expect(r.status).toBe("violation");
    expect(r.violation!.trace.steps.some((s) => s.step.op === "reconfig")).toBe(false);
  });

  it("raft-joint-as-printed breaks only REFLEXIVE: its runs stay safe", () => {
    const r = run("raft-joint-as-printed");
    expect(r.violation).toBeUndefined();
  });

  it("a joint configuration can be the initial one", () => {
    const e = getScheme("raft-joint");
    const conf0 = e.parse("({1,2},{2,3})");
    expect(e.scheme.mbrs(conf0)).toBe(nodeSet([1, 2, 3]));
    expect(run("raft-joint", "({1,2},{2,3})").violation).toBeUndefined();
  });
});
