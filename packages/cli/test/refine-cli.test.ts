import { describe, expect, it } from "vitest";
import { MUTANTS, runRefine } from "../src/refine.js";

const base = { scheme: "raft-single", nodes: 3, depth: 8, maxSeconds: 3, seeds: 10, steps: 150 };

describe("adore refine", () => {
  it("the real protocol: exit 0 on both layers within small bounds", () => {
    const lines: string[] = [];
    expect(runRefine({ ...base, layer: "sraft", out: (l) => lines.push(l) })).toBe(0);
    expect(runRefine({ ...base, layer: "raft", out: (l) => lines.push(l) })).toBe(0);
    expect(lines.join("\n")).toMatch(/hold within the bounds/);
  });

  it("no-r3 (4 nodes, exhaustive SRaft) and old-term-commit (seeded Raft runs): exit 1 with the counterexample", () => {
    const lines: string[] = [];
    expect(
      runRefine({
        ...base,
        layer: "sraft",
        nodes: 4,
        maxSeconds: 30,
        mutant: "no-r3",
        out: (l) => lines.push(l),
      }),
    ).toBe(1);
    expect(lines.join("\n")).toMatch(/counterexample \(\d+ SRaft steps\)/);
    const more: string[] = [];
    expect(
      runRefine({
        ...base,
        layer: "raft",
        seeds: 200,
        steps: 300,
        mutant: "old-term-commit",
        out: (l) => more.push(l),
      }),
    ).toBe(1);
    expect(more.join("\n")).toMatch(/shortest counterexample: seed \d+/);
  });

  it("knows every mutant name of the issue", () => {
    expect(Object.keys(MUTANTS).sort()).toEqual(
      [
        "config-at-commit",
        "double-vote",
        "no-r2",
        "no-r3",
        "no-uptodate-check",
        "old-term-commit",
        "stale-append",
      ].sort(),
    );
  });
});
