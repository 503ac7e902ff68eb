import { explore, range, replay, type Scheme } from "@adore/adore-core";
import { raftSingle } from "./majority.js";
import { describe, expect, it } from "vitest";
import { type SRaftBounds, showSRaftStep, sraftSpec } from "../src/index.js";

const single: Scheme<number> = raftSingle;
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("SRaft rounds", () => {
  const spec = sraftSpec({ scheme: single });
  const b: SRaftBounds<number> = {
    nodes: ids(3),
    initial: range(3),
    maxTerm: 3,
    maxLog: 3,
    maxInvokes: 1,
    maxReconfigs: 0,
    maxCrashes: 0,
  };

  it("an election round elects, a commit round commits, atomically", () => {
    const t = replay(spec, spec.init(b), [
      { kind: "elect", nid: 1, voters: 1 << 2 },
      { kind: "invoke", nid: 1 },
      { kind: "commit", nid: 1, to: (1 << 2) | (1 << 3) },
    ]);
    const s = t.steps[2]!.state.cluster;
    expect(s.nodes.get(1)!.server.role).toBe("leader");
    for (const id of [1, 2, 3]) expect(s.nodes.get(id)!.server.log.lastIndex).toBe(2);
    expect(s.nodes.get(1)!.server.commit).toBe(2);
    expect(s.network).toHaveLength(0);
  });

  it("never delivers a message its recipient would ignore", () => {
    const s0 = replay(spec, spec.init(b), [
      { kind: "elect", nid: 1, voters: 1 << 2 },
      { kind: "elect", nid: 3, voters: 1 << 2 }, // term 1: S2 already voted for S1
      { kind: "elect", nid: 3, voters: 1 << 2 }, // term 2: S3 wins with S2
    ]);
    const st = s0.steps[2]!.state;
    expect(st.cluster.nodes.get(3)!.server.role).toBe("leader");
    // S1 (term 1) cannot reach S2 or S3 (term 2): no commit round of S1 is enabled
    const en = spec.enabled(st, b).map((a) => showSRaftStep(a));
    expect(en.some((x) => x.startsWith("commit S1"))).toBe(false);
    expect(spec.step(st, { kind: "commit", nid: 1, to: 1 << 2 }).ok).toBe(false);
    // after winning with one vote, an election round that also asks a third voter is not valid
    expect(spec.enabled(spec.init(b), b).map((a) => showSRaftStep(a))).not.toContain("elect S1 voters {2,3}");
  });
});

describe("bounded exploration (raft-net's invariants on every state)", () => {
  it("3 nodes, raft-single, no reconfiguration", () => {
    const spec = sraftSpec({ scheme: single });
    const r = explore(spec, {
      bounds: {
        nodes: ids(3),
        initial: range(3),
        maxTerm: 3,
        maxLog: 3,
        maxInvokes: 1,
        maxReconfigs: 0,
        maxCrashes: 1,
      },
      maxDepth: 9,
      maxSeconds: 4,
    });
    console.log(
      `sraft 3 nodes: ${r.status}, ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${Math.round(r.statesPerSec)} states/s`,
    );
    expect(r.violation).toBeUndefined();
    expect(r.states).toBeGreaterThan(1000);
  });

  it("4 nodes, raft-single, one reconfiguration", () => {
    const spec = sraftSpec({ scheme: single, configs: [range(3), range(4)] });
    const r = explore(spec, {
      bounds: {
        nodes: ids(4),
        initial: range(4),
        maxTerm: 3,
        maxLog: 3,
        maxInvokes: 0,
        maxReconfigs: 1,
        maxCrashes: 0,
      },
      maxDepth: 7,
      maxSeconds: 4,
    });
    console.log(
      `sraft 4 nodes + reconfig: ${r.status}, ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${Math.round(r.statesPerSec)} states/s`,
    );
    expect(r.violation).toBeUndefined();
    expect(r.states).toBeGreaterThan(1000);
  });
});
