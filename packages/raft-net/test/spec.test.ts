import { explore, range } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { describeNetStep, type NetBounds, netSpec } from "../src/testing/index.js";

const reg = getScheme("raft-single");
const scheme = reg.scheme as unknown as import("@adore/adore-core").Scheme<number>;
const bounds: NetBounds<number> = {
  nodes: [1, 2, 3],
  initial: range(3),
  maxTerm: 3,
  maxLog: 3,
  maxMessages: 4,
  maxInvokes: 1,
  maxReconfigs: 0,
  maxCrashes: 0,
  drop: true,
  duplicate: false,
};

describe("the network-based model of Fig. 13, explored by adore-core's explorer", () => {
  it("the real protocol: no invariant fails in the states reached within the budget", () => {
    const spec = netSpec({ scheme });
    const r = explore(spec, { bounds, maxDepth: 40, maxStates: 120_000 });
    console.log(
      `raft-net spec, 3 nodes: ${r.states} states, depth ${r.depth}, ${r.status}, ${Math.round(r.elapsedMs)} ms`,
    );
    expect(r.status).not.toBe("violation");
    expect(r.depth).toBeGreaterThanOrEqual(8);
  });

  it("a reconfiguration bound: raft-single with one change among {1,2}, {1,2,3,4} on 4 nodes holds", () => {
    const spec = netSpec({ scheme, configs: [0b110, 0b11110] });
    const r = explore(spec, {
      bounds: { ...bounds, nodes: [1, 2, 3, 4], maxInvokes: 0, maxReconfigs: 1, maxLog: 3 },
      maxDepth: 40,
      maxStates: 60_000,
    });
    expect(r.status).not.toBe("violation");
  });

  it("partitions: a split {1} | {2,3} and its healing keep every invariant", () => {
    const spec = netSpec({ scheme });
    const r = explore(spec, {
      bounds: { ...bounds, maxInvokes: 1, partitions: [[0b10, 0b1100]] },
      maxDepth: 40,
      maxStates: 40_000,
    });
    expect(r.status).not.toBe("violation");
  });

  it("skipping the up-to-date vote check: the shortest counterexample is found and printed", () => {
    const spec = netSpec({ scheme, mutations: { skipUpToDateCheck: true } });
    const r = explore(spec, { bounds, maxDepth: 40, maxStates: 400_000 });
    expect(r.status).toBe("violation");
    const v = r.violation!;
    let s = v.trace.initial;
    const lines: string[] = [];
    for (const st of v.trace.steps) {
      lines.push(describeNetStep(scheme, s, st.step));
      s = st.state;
    }
    console.log(`${v.invariant}: ${v.message}\n  ${lines.join("\n  ")}`);
    expect(v.message).toMatch(/leader completeness|state machine safety/);
    expect(v.trace.steps.length).toBeLessThanOrEqual(10);
  });
});
