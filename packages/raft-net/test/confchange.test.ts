import { runTableBlocks } from "../src/testing/interaction/script.js";
import { CONFCHANGE_COMMANDS } from "./datadriven/confchange.js";
import { describeGoldens } from "./goldens.js";

// core/confchange.ts against testdata/confchange/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("confchange testdata", new URL("../testdata/confchange/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, CONFCHANGE_COMMANDS, {}),
);
