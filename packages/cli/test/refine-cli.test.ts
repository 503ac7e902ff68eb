import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "../src/refine.js";
import { runRefine } from "../src/refine-run.js";

const root = new URL("../../..", import.meta.url).pathname;

/** Runs `adore refine …` as a subprocess, from the sources, as `pnpm adore` does. */
function cli(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--conditions=@adore/source", "--import", "tsx", "packages/cli/src/main.ts", "refine", ...args],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The numbered step lines of a printed trace. */
const stepNumbers = (text: string) => [...text.matchAll(/^ {0,2}(\d+)\. /gm)].map((m) => Number(m[1]));

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

  it("a Raft-layer canCommit refusal prints push's Q as a node set, never as a bitmask (Q=6)", () => {
    const lines: string[] = [];
    expect(
      runRefine({
        ...base,
        layer: "raft",
        seeds: 200,
        steps: 300,
        mutant: "old-term-commit",
        out: (l) => lines.push(l),
      }),
    ).toBe(1);
    const text = lines.join("\n");
    expect(text).toMatch(/push\(S\d, Q=\{[\d,]+\}, C_M=#\d+\) for S\d's commit/);
    expect(text).not.toMatch(/Q=\d/);
  });

  it("the Raft-layer counterexample numbers its steps densely (no gaps where a step did nothing)", () => {
    const lines: string[] = [];
    expect(
      runRefine({
        ...base,
        layer: "raft",
        seeds: 50,
        steps: 300,
        mutant: "no-r3",
        out: (l) => lines.push(l),
      }),
    ).toBe(1);
    const text = lines.join("\n");
    const ns = stepNumbers(text);
    expect(ns.length).toBeGreaterThan(3);
    expect(ns).toEqual(ns.map((_, i) => i + 1));
    // the failure names a printed step, and says how many idle steps were left out
    const at = Number(/^!! step (\d+): /m.exec(text)?.[1]);
    expect(at).toBe(ns.length);
    expect(text).toMatch(/idle steps? .*not shown/);
  });

  it("the SRaft counterexample names the SRaft step the failing ADORE step came from, with its ADORE steps", () => {
    const lines: string[] = [];
    expect(
      runRefine({
        ...base,
        layer: "sraft",
        maxSeconds: 30,
        mutant: "config-at-commit",
        out: (l) => lines.push(l),
      }),
    ).toBe(1);
    const text = lines.join("\n");
    const steps = [...text.matchAll(/^ {2}(\d+)\. (.*)$/gm)];
    expect(steps.length).toBeGreaterThan(0);
    const m = /^!! SRaft step (\d+) \((.*?)\): (.*)$/m.exec(text);
    expect(m, text).not.toBeNull();
    const k = Number(m![1]);
    expect(steps[k - 1]![2]).toBe(m![2]);
    expect(text).toMatch(/^ {6}ADORE \S+\(S\d/m);
    // the failure is a refused push: the line names that ADORE step, printed under its SRaft step
    expect(m![3]).toMatch(/^rejected: the failing ADORE step push\(S\d, Q=\{[\d,]+\}, C_M=#\d+\) /);
    expect(text).not.toMatch(/Q=\d/);
  });

  it("refine rejects options that do not apply to the chosen layer, naming the ones that do (exit 2)", () => {
    const raft = cli("--layer", "raft", "--depth", "8");
    expect(raft.code).toBe(2);
    expect(raft.stdout).toBe("");
    expect(raft.stderr.trim().split("\n")).toHaveLength(1);
    expect(raft.stderr).toMatch(
      /^adore: --depth: does not apply to --layer raft; it takes --scheme, --nodes, --mutant, --seeds, --steps/,
    );
    const sraft = cli("--seeds", "5", "--max-seconds", "2");
    expect(sraft.code).toBe(2);
    expect(sraft.stderr).toMatch(
      /^adore: --seeds: does not apply to --layer sraft; it takes --scheme, --nodes, --mutant, --depth, --max-seconds/,
    );
    expect(sraft.stderr).not.toMatch(/\n\s+at /);
  });
});
