import { runTableBlocks } from "../src/testing/interaction/script.js";
import { newProgressState, PROGRESS_COMMANDS } from "./datadriven/progress.js";
import { describeGoldens } from "./goldens.js";

// core/progress.ts against testdata/progress/*.txt (REWRITE=1 regenerates the expected outputs).
describeGoldens("progress testdata", new URL("../testdata/progress/", import.meta.url), (text, file) =>
  runTableBlocks(text, file, PROGRESS_COMMANDS, newProgressState()),
);
