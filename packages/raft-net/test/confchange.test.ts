import { describe, expect, it } from "vitest";
import { runTableBlocks } from "../src/testing/interaction/script.js";
import * as api from "../src/index.js";
import { CONFCHANGE_COMMANDS, GUARDS } from "./datadriven/confchange.js";
import { describeGoldens, expectScriptError } from "./goldens.js";

// core/confchange.ts against testdata/confchange/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("confchange testdata", new URL("../testdata/confchange/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, CONFCHANGE_COMMANDS, {}),
);

describe("a bad confchange script is a typed error naming the line", () => {
  const bad = (text: string, line: number, re: RegExp) =>
    expectScriptError(() => runTableBlocks(text, "c.txt", CONFCHANGE_COMMANDS, {}), "c.txt", line, re);
  it("a guard before the view", () => bad("guard violatesR2\n----\n", 1, /no leader view yet/));
  it("an unknown guard lists the exported ones", () =>
    bad(
      "view config={1,2,3}\n----\n\nguard violatesR4\n----\n",
      4,
      /unknown guard violatesR4 \(known: notLeader, .*removesLeader\)/,
    ));
  it("an unknown mutation", () =>
    bad(
      "view config={1,2,3}\n----\n\npropose {1,2} mutations=(dropR9)\n----\n",
      4,
      /unknown mutation dropR9/,
    ));
});

describe("the guards are the package's", () => {
  it("every guard the testdata runs is exported from @adore/raft-net under that name", () => {
    const exported = api as unknown as Record<string, unknown>;
    for (const name of [...Object.keys(GUARDS), "refuseReconfig", "acceptedStep"])
      expect(typeof exported[name], name).toBe("function");
  });
});
