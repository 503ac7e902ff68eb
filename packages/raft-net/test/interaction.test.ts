import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareScript, parseScript, runBlocks, runScript, ScriptError } from "../src/testing/interaction.js";
import { describeGoldens } from "./goldens.js";

/**
 * Golden interaction tests (etcd-raft's datadriven testdata/*.txt): every block of every file in
 * testdata/ is run and its output compared with the expected one. `REWRITE=1` rewrites the files
 * with the actual outputs (then read the diff!). The core's own testdata (testdata/quorum/,
 * confchange/, progress/) has its own tests.
 */
const TESTDATA = new URL("../testdata/", import.meta.url);
const DIR = fileURLToPath(TESTDATA);

describeGoldens("interaction goldens", TESTDATA, (text, file) => runBlocks(text, { file }));

describe("the golden runner", () => {
  const basic = readFileSync(join(DIR, "basic.txt"), "utf8");

  it("compares expected output: one altered line is reported at its block", () => {
    expect(compareScript(basic, { file: "basic.txt" })).toEqual([]);
    const blocks = parseScript(basic);
    // alter the first line of the output of the first block that has any
    const target = blocks.find((b) => b.expected !== "")!;
    const lines = basic.split("\n");
    const outLine = target.line + 1; // 0-based index of the first output line (after "----")
    lines[outLine] = `${lines[outLine]} ALTERED`;
    const mismatches = compareScript(lines.join("\n"), { file: "basic.txt" });
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]!.line).toBe(target.line);
    expect(mismatches[0]!.command).toBe(target.command);
    expect(mismatches[0]!.expected).toContain("ALTERED");
    expect(mismatches[0]!.actual).not.toContain("ALTERED");
  });

  it("a missing output line is a mismatch too", () => {
    const text = "add-nodes 3\n----\n\ncampaign 1\n----\n1: becameCandidate t1\n";
    const m = compareScript(text);
    expect(m.map((x) => x.line)).toEqual([1, 4]);
  });

  it("rewriting reproduces a file whose outputs are right", () => {
    expect(runScript(basic, { file: "basic.txt" })).toBe(basic);
  });

  it("keeps comments and prints blocks canonically", () => {
    const out = runScript("# a comment\nadd-nodes 3\n----\nstale output\n\n# two\nraft-state\n----\n");
    expect(out).toBe(
      "# a comment\nadd-nodes 3\n----\nraft-single: nodes 1,2,3, config {1,2,3}\n\n# two\nraft-state\n----\n" +
        "1: follower term=0 vote=none leader=none commit=0 applied=0 last=0 config={1,2,3}@0 up\n" +
        "2: follower term=0 vote=none leader=none commit=0 applied=0 last=0 config={1,2,3}@0 up\n" +
        "3: follower term=0 vote=none leader=none commit=0 applied=0 last=0 config={1,2,3}@0 up\n",
    );
  });
});

describe("bad scripts are typed errors naming the line", () => {
  const bad = (text: string, line: number, re: RegExp) => {
    let err: unknown;
    try {
      runScript(text, { file: "x.txt" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptError);
    const e = err as ScriptError;
    expect(e.line).toBe(line);
    expect(e.message).toMatch(re);
    expect(e.message).toContain(`x.txt:${line}:`);
  };
  it("unknown command", () =>
    bad("add-nodes 3\n----\n\nfrobnicate 1\n----\n", 4, /frobnicate: unknown command/));
  it("no ----", () => bad("add-nodes 3\nraft-state\n", 1, /expected "----"/));
  it("command before add-nodes", () => bad("campaign 1\n----\n", 1, /no cluster yet/));
  it("bad node id", () =>
    bad("add-nodes 3\n----\n\ncampaign x\n----\n", 4, /campaign: node: "x" is not a node id/));
  it("unknown node", () => bad("add-nodes 3\n----\n\ncampaign 7\n----\n", 4, /no node 7/));
  it("unknown option", () => bad("add-nodes 3 colour=red\n----\n", 1, /unknown option colour=/));
  it("unknown scheme", () => bad("add-nodes 3 scheme=nope\n----\n", 1, /unknown scheme "nope"/));
  it("unknown mutation", () => bad("add-nodes 3 mutations=(dropR9)\n----\n", 1, /unknown mutation dropR9/));
  it("bad configuration", () =>
    bad(
      "add-nodes 3\n----\n\npropose-conf-change 1 {1,x}\n----\n",
      4,
      /propose-conf-change: .*cannot parse/,
    ));
  it("bad option value", () =>
    bad("add-nodes 3 pre-vote=maybe\n----\n", 1, /pre-vote=maybe: expected true or false/));
  it("bad raft option", () => bad("add-nodes 3 election-tick=1\n----\n", 1, /heartbeatTick/));
  it("extra argument", () => bad("add-nodes 3\n----\n\nheal now\n----\n", 4, /unexpected argument "now"/));
});
