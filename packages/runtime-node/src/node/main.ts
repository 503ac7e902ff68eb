#!/usr/bin/env node
// One replica of the key-value service as a process:
//   node --import tsx packages/runtime-node/src/node/main.ts --id 1 --data d1 \
//     --peers 1=127.0.0.1:7001/127.0.0.1:8001,2=…,3=…
// (run from the sources with --conditions=@adore/source so workspace packages resolve to src).
import { nodeCommand } from "./args.js";
import { expandConfigFile } from "./config-file.js";

Promise.resolve()
  .then(() => nodeCommand("adore-node").parseAsync(expandConfigFile(process.argv)))
  .catch((e: unknown) => {
    process.stderr.write(`adore-node: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
