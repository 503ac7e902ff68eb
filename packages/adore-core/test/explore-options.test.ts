import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { adoreModel, adoreSpec, explore } from "../src/index.js";
import { majority, N } from "./helpers.js";

/** The typed error the explorer throws for bad options, looked up at run time (it is new). */
function optionError(f: () => unknown): { name: string; field: string; rule: string; message: string } {
  try {
    f();
  } catch (e) {
    const x = e as { name: string; field: string; rule: string; message: string };
    return { name: x.name, field: x.field, rule: x.rule, message: x.message };
  }
  throw new Error("no error thrown");
}

const spec = adoreSpec(adoreModel(majority, N(1, 2, 3)));
const B3 = { nodes: 3, maxTime: 2, maxMethods: 1, maxReconfigs: 0 };

describe("explore validates its options and the spec's bounds as a whole before exploring", () => {
  it("bounds missing maxTime/maxMethods/maxReconfigs are refused, not reported as `complete, 1 state`", () => {
    const e = optionError(() => explore(spec, { bounds: { nodes: 3 } as never, maxDepth: 8 }));
    expect(e.name).toBe("ExploreOptionError");
    expect(e.field).toBe("bounds.maxTime");
    expect(e.rule).toMatch(/integer/);
    expect(e.message).toMatch(/^bounds\.maxTime: /);
    expect(core).toHaveProperty("ExploreOptionError");
  });

  it("bounds.nodes that is not an integer in 1..30 (a list, 0, 31) is refused naming bounds.nodes", () => {
    for (const nodes of [[1, 2, 3], 0, 31, 2.5, "3"])
      expect(optionError(() => explore(spec, { bounds: { ...B3, nodes } as never, maxDepth: 4 })).field).toBe(
        "bounds.nodes",
      );
  });

  it("an initial configuration naming nodes outside bounds.nodes is refused naming conf0", () => {
    const s = adoreSpec(adoreModel(majority, N(1, 2, 5)));
    const e = optionError(() => explore(s, { bounds: B3, maxDepth: 4 }));
    expect(e.field).toBe("conf0");
    expect(e.rule).toMatch(/\{5\}.*1\.\.3/);
  });

  it("candidate configurations outside bounds.nodes are refused naming bounds.configs[i]", () => {
    const e = optionError(() =>
      explore(spec, { bounds: { ...B3, configs: [N(1, 2), N(2, 4)] }, maxDepth: 4 }),
    );
    expect(e.field).toBe("bounds.configs[1]");
  });

  it("explorer options: maxDepth, maxStates, maxSeconds, invariants, symmetry are checked with their field", () => {
    const f = (o: object) =>
      optionError(() => explore(spec, { bounds: B3, maxDepth: 4, ...o } as never)).field;
    expect(f({ maxDepth: -1 })).toBe("maxDepth");
    expect(f({ maxDepth: "8" })).toBe("maxDepth");
    expect(f({ maxStates: 0 })).toBe("maxStates");
    expect(f({ maxSeconds: Number.NaN })).toBe("maxSeconds");
    expect(f({ invariants: ["NoSuchInvariant"] })).toBe("invariants");
    expect(f({ invariants: "ReplicatedStateSafety" })).toBe("invariants");
    expect(f({ bounds: undefined })).toBe("bounds");
  });

  it("valid options still explore as before (backwards compatible)", () => {
    const r = explore(spec, { bounds: B3, maxDepth: 3 });
    expect(r.states).toBeGreaterThan(1);
  });
});
