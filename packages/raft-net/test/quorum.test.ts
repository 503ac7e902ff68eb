import { runTableBlocks } from "../src/testing/interaction/script.js";
import { QUORUM_COMMANDS } from "./datadriven/quorum.js";
import { describeGoldens } from "./goldens.js";

// core/quorum.ts against testdata/quorum/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("quorum testdata", new URL("../testdata/quorum/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, QUORUM_COMMANDS, {}),
);
