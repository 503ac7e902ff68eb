import { describe, it } from "vitest";
import { runTableBlocks } from "../src/testing/interaction/script.js";
import { newProgressState, PROGRESS_COMMANDS } from "./datadriven/progress.js";
import { describeGoldens, expectScriptError } from "./goldens.js";

// core/progress.ts against testdata/progress/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("progress testdata", new URL("../testdata/progress/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, PROGRESS_COMMANDS, newProgressState()),
);

describe("a bad progress script is a typed error naming the line", () => {
  const bad = (text: string, line: number, re: RegExp) =>
    expectScriptError(
      () => runTableBlocks(text, "p.txt", PROGRESS_COMMANDS, newProgressState()),
      "p.txt",
      line,
      re,
    );
  it("a transition before the progress", () => bad("accept 3\n----\n", 1, /no progress yet/));
  it("a bad state", () =>
    bad("progress next=1 state=paused\n----\n", 1, /expected one of probe, replicate, snapshot/));
  it("a snapshot beyond the log", () =>
    bad("log terms=(1 1) snapshot=3\n----\n", 1, /beyond the last index 2/));
});
