import { describe, it } from "vitest";
import { runTableBlocks } from "../src/testing/interaction/script.js";
import { QUORUM_COMMANDS } from "./datadriven/quorum.js";
import { describeGoldens, expectScriptError } from "./goldens.js";

// core/quorum.ts against testdata/quorum/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("quorum testdata", new URL("../testdata/quorum/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, QUORUM_COMMANDS, {}),
);

describe("a bad quorum script is a typed error naming the line", () => {
  const bad = (text: string, line: number, re: RegExp) =>
    expectScriptError(() => runTableBlocks(text, "q.txt", QUORUM_COMMANDS, {}), "q.txt", line, re);
  it("unknown command, listing the file's commands", () =>
    bad(
      "vote voters=(1)\n----\npending\n\ncommitted\n----\n",
      5,
      /unknown command \(known: committed-index, commit-quorum, vote\)/,
    ));
  it("both granted and refused", () =>
    bad("vote voters=(1 2) granted=(1) refused=(1)\n----\n", 1, /\{1\} both granted and refused/));
  it("a bad match entry", () => bad("committed-index voters=(1) match=(1-5)\n----\n", 1, /is not id:number/));
  it("a bad configuration", () => bad("vote config={1,x}\n----\n", 1, /cannot parse/));
});
