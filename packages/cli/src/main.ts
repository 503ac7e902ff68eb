#!/usr/bin/env node
import { expandConfigFile } from "@adore/runtime-node";
import { buildProgram } from "./program.js";

Promise.resolve()
  .then(() => buildProgram().parseAsync(expandConfigFile(process.argv)))
  .catch((e: unknown) => {
    process.stderr.write(`adore: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
