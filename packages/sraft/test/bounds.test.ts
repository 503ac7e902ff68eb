import { explore, range } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import { type SRaftBounds, sraftSpec } from "../src/index.js";
import { raftSingle } from "./majority.js";

const spec = sraftSpec({ scheme: raftSingle });
const b: SRaftBounds<number> = {
  nodes: [1, 2, 3],
  initial: range(3),
  maxTerm: 2,
  maxLog: 2,
  maxInvokes: 1,
  maxReconfigs: 0,
  maxCrashes: 0,
};

function refusal(bounds: unknown): { name: string; field: string; rule: string } {
  try {
    explore(spec, { bounds: bounds as SRaftBounds<number>, maxDepth: 4 });
  } catch (e) {
    const x = e as { name: string; field: string; rule: string };
    return { name: x.name, field: x.field, rule: x.rule };
  }
  throw new Error("explore accepted the bounds");
}

describe("SRaft bounds are validated before exploring", () => {
  it("bounds.nodes given as a number where a list is expected is refused, not `complete, 1 state`", () => {
    const e = refusal({ ...b, nodes: 3 });
    expect(e.name).toBe("ExploreOptionError");
    expect(e.field).toBe("bounds.nodes");
    expect(e.rule).toMatch(/list of node ids/);
  });

  it("an initial configuration naming nodes outside bounds.nodes is refused naming bounds.initial", () => {
    const e = refusal({ ...b, initial: range(4) });
    expect(e.field).toBe("bounds.initial");
    expect(e.rule).toMatch(/\{4\}/);
  });

  it("duplicate or out-of-range node ids, and a missing bound, name their field", () => {
    expect(refusal({ ...b, nodes: [1, 2, 2] }).field).toBe("bounds.nodes");
    expect(refusal({ ...b, nodes: [0, 1] }).field).toBe("bounds.nodes");
    const { maxCrashes: _, ...noCrashes } = b;
    expect(refusal(noCrashes).field).toBe("bounds.maxCrashes");
  });

  it("valid bounds explore as before", () => {
    expect(explore(spec, { bounds: b, maxDepth: 3 }).states).toBeGreaterThan(1);
  });
});
