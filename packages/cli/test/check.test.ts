import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CheckArgs, checkCommand, progressLine } from "../src/check.js";
import type { Output } from "../src/explore.js";

const root = new URL("../../..", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "adore-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `adore check …` as a subprocess, from the sources, as `pnpm adore` does. */
function cli(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--conditions=@adore/source", "--import", "tsx", "packages/cli/src/main.ts", "check", ...args],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `adore explore …` the same way. */
function exploreCli(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--conditions=@adore/source", "--import", "tsx", "packages/cli/src/main.ts", "explore", ...args],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The README's user-defined scheme, exactly as printed there. */
function readmeExample(): string {
  const md = readFileSync(join(root, "packages", "schemes", "README.md"), "utf8");
  const m = /<!-- example: unanimous\.mjs -->\s*```js\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error("packages/schemes/README.md lacks the unanimous.mjs example");
  return m[1]!;
}

const SMALL = [
  "--nodes",
  "3",
  "--depth",
  "8",
  "--max-time",
  "2",
  "--methods",
  "2",
  "--reconfigs",
  "1",
  "--symmetry",
];

describe("adore check as a subprocess", () => {
  it("a safe scheme: overlap holds, no violation within the bounds, exit 0", () => {
    const r = cli("--scheme", "raft-joint", ...SMALL);
    // stderr carries only progress lines (a slow machine prints some), never an error
    expect(r.stderr).not.toMatch(/error|Error|at .*:\d+:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("REFLEXIVE and OVERLAP hold: raft-joint over {1,2,3}");
    expect(r.stdout).toMatch(
      /verdict: no violation within the bounds — overlap holds; exploration: no violation, depth-bound \([\d,]+ states, depth 8 reached, [\d.]+ s\)/,
    );
  });

  it("an unsafe scheme: the overlap witness, then the shortest trace drawn as ASCII and SVG, exit 1", () => {
    const svg = join(tmp, "any-change.svg");
    const r = cli(
      "--scheme",
      "unsafe-any-change",
      ...SMALL,
      "--invariant",
      "ReplicatedStateSafety",
      "--svg",
      svg,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "OVERLAP fails: R1⁺({1}, {2}) holds, Q = {1} is a quorum of {1}, Q' = {2} is a quorum of {2}, and Q ∩ Q' = ∅",
    );
    expect(r.stdout).toContain("VIOLATION of ReplicatedStateSafety");
    expect(r.stdout).toContain("shortest trace (8 steps):");
    expect(r.stdout).toMatch(/reconfig\(S\d, \{\d\}\)\s+RECONFIGOK/);
    expect(r.stdout).toMatch(/└─ #\d+ C S\d \(t=\d,v=\d\) supp=\{[\d,]+\} {2}◀/);
    expect(r.stdout).toContain(
      "verdict: VIOLATION — overlap FAILS (OVERLAP); exploration: VIOLATION of ReplicatedStateSafety",
    );
    expect(existsSync(svg)).toBe(true);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg /);
  });

  it("an ablation that breaks safety (no R1⁺ under raft-single): the overlap holds but exploration fails, exit 1", () => {
    const r = cli("--scheme", "raft-single", ...SMALL, "--no-r1", "--invariant", "ReplicatedStateSafety");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("REFLEXIVE and OVERLAP hold");
    expect(r.stdout).toContain("(pull: ADORE recency, no R1⁺)");
    expect(r.stdout).toContain("VIOLATION of ReplicatedStateSafety");
    expect(r.stdout).toContain("#0 root (t=0,v=0) conf={1,2,3}");
  });

  it("the README's user-defined scheme passes; with R1⁺ ≡ true it fails with a witness", () => {
    const ok = join(tmp, "unanimous.mjs");
    writeFileSync(ok, readmeExample());
    const r = cli("--scheme-file", ok, ...SMALL);
    // stderr carries only progress lines (a slow machine prints some), never an error
    expect(r.stderr).not.toMatch(/error|Error|at .*:\d+:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("REFLEXIVE and OVERLAP hold: unanimous over {1,2,3}");
    const broken = join(tmp, "any-change.mjs");
    writeFileSync(broken, readmeExample().replace("R1plus: (c, d) => (c & d) !== 0,", "R1plus: () => true,"));
    const b = cli("--scheme-file", broken, ...SMALL);
    expect(b.code).toBe(1);
    expect(b.stdout).toContain("OVERLAP fails: R1⁺({1}, {2}) holds");
  });

  it("bad arguments: one clear line, exit 2, no stack trace", () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["--scheme", "paxos"],
        /^adore check: --scheme: unknown scheme "paxos"; valid: raft-single, raft-joint, primary-backup, dynamic-quorum, primaries-backups, static, weighted-majority/,
      ],
      [
        ["--nodes", "4", "--conf0", "{1,2,9}"],
        /^adore check: --conf0: \{1,2,9\} names \{9\}, not among the nodes 1\.\.4/,
      ],
      [["--recency", "newest"], /argument 'newest' is invalid\. Allowed choices are adore, raft-log/],
    ];
    for (const [args, want] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
  });
});

describe("adore check in-process", () => {
  const run = async (args: CheckArgs) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Output = { out: (l) => out.push(l), progress: () => {} };
    const code = await checkCommand(args, io, (l) => err.push(l));
    return { code, out: out.join("\n"), err };
  };

  it.each<[CheckArgs, RegExp]>([
    [{ nodes: "0" }, /--nodes: "0" is not an integer in 1\.\.8/],
    [{ nodes: "four" }, /--nodes: "four" is not an integer in 1\.\.8/],
    [{ depth: "0" }, /--depth: "0" is not an integer in 1\.\.1000/],
    [{ maxTime: "1001" }, /--max-time: "1001" is not an integer in 1\.\.1000/],
    [{ methods: "1.5" }, /--methods: "1\.5" is not an integer in 0\.\.100/],
    [{ overlapNodes: "9" }, /--overlap-nodes: "9" is not an integer in 1\.\.8/],
    [{ recency: "latest" }, /--recency: "latest" is not one of adore, raft-log/],
    [
      { scheme: "dynamic-quorum", conf0: "(q=2,{1..4})" },
      /--conf0: .*q=2 must exceed \|C\|\/2=2 .*\(syntax: \(q=3,\{1\.\.5\}\)\)/,
    ],
    [
      { scheme: "primary-backup", conf0: "(P=5,{1,2})" },
      /--conf0: \(P=5,\{1,2\}\) names \{5\}, not among the nodes 1\.\.4/,
    ],
    [
      { scheme: "raft-joint", conf0: "({1,2},{3,4,5,6})", nodes: "5" },
      /names \{6\}, not among the nodes 1\.\.5/,
    ],
    [
      { invariant: ["Safety"] },
      /--invariant: unknown invariant "Safety"; valid: ReplicatedStateSafety, UniqueTimestamps/,
    ],
    [{ scheme: "static", schemeFile: "x.mjs" }, /give either --scheme or --scheme-file, not both/],
    [{ schemeFile: "/does/not/exist.mjs" }, /--scheme-file: cannot load "\/does\/not\/exist\.mjs"/],
  ])("%o → exit 2", async (args, want) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(want);
    expect(r.out).toBe("");
  });

  it("rejects a module whose scheme lacks functions, and --symmetry without rename", async () => {
    const lacking = join(tmp, "lacking.mjs");
    writeFileSync(lacking, `export const scheme = { name: "half", mbrs: (c) => c };\n`);
    const r = await run({ schemeFile: lacking });
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/lacks the function\(s\) isQuorum, R1plus, equals, hash, print, validConfigs/);
    const norename = join(tmp, "norename.mjs");
    writeFileSync(norename, readmeExample().replace(/ {2}rename:.*\n/, ""));
    const s = await run({ schemeFile: norename, symmetry: true });
    expect(s.code).toBe(2);
    expect(s.err[0]).toMatch(/--symmetry: unanimous has no rename function/);
    expect((await run({ schemeFile: norename, nodes: "3", depth: "4" })).code).toBe(0);
  });

  it("a scheme function that throws ends the check with one line, exit 2", async () => {
    const throwing = join(tmp, "throwing.mjs");
    writeFileSync(
      throwing,
      readmeExample().replace(
        "isQuorum: (q, c) => (q & c) === c,",
        'isQuorum: () => { throw new Error("no quorums today"); },',
      ),
    );
    const r = await run({ schemeFile: throwing, nodes: "3" });
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(
      /could not complete the check: unanimous\.isQuorum\(\{\}, \{1\}\) threw: no quorums today/,
    );
  });

  it("REFLEXIVE failure of the paper's joint-consensus formula is a violation (exit 1), though runs stay safe", async () => {
    const r = await run({
      scheme: "raft-joint-as-printed",
      nodes: "3",
      depth: "6",
      maxTime: "2",
      symmetry: true,
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("REFLEXIVE fails: R1⁺(cf, cf) is false for cf = ({1},{1})");
    expect(r.out).toContain("verdict: VIOLATION — overlap FAILS (REFLEXIVE); exploration: no violation");
  });

  it("draws a progress bar on a terminal and plain lines elsewhere", () => {
    const p = {
      states: 12_345,
      transitions: 40_000,
      depth: 6,
      frontier: 5_000,
      elapsedMs: 1000,
      statesPerSec: 12_345,
    };
    expect(progressLine(p, 10, false)).toBe(
      "  depth 6/10 · 12,345 states · 12,345 states/s · frontier 5,000",
    );
    expect(progressLine(p, 10, true)).toBe(
      "  [████████████░░░░░░░░░░░░] depth 6/10 · 12,345 states · 12,345 states/s · frontier 5,000",
    );
  });
});

describe("adore explore checks its arguments as a whole before exploring", () => {
  it("an initial configuration naming nodes outside --nodes, or an unknown invariant, is refused: one line naming the option, exit 2, nothing explored", () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["--nodes", "4", "--conf0", "{1,2,9}"],
        /^adore explore: --conf0: \{1,2,9\} names \{9\}, outside the nodes 1\.\.4/,
      ],
      [
        ["--nodes", "3", "--invariant", "Foo"],
        /^adore explore: --invariant: unknown invariant\(s\) Foo of ADORE\[raft-single\]; valid: /,
      ],
    ];
    for (const [args, want] of cases) {
      const r = exploreCli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });
});
