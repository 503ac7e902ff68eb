#!/usr/bin/env node
import { buildProgram } from "./program.js";

// `--config node.json` (node start) is read by the service library, loaded only when it is given
const argv = async (): Promise<string[]> =>
  process.argv.some((a) => a === "--config" || a.startsWith("--config="))
    ? (await import("@adore/runtime-node")).expandConfigFile(process.argv)
    : process.argv;

Promise.resolve()
  .then(async () => buildProgram().parseAsync(await argv()))
  .catch((e: unknown) => {
    process.stderr.write(`adore: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
