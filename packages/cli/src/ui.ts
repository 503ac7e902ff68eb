// `adore ui`: registered here with commander only; the explorer package loads when the command runs.

import { type Command, InvalidArgumentError } from "commander";

/** Registers `adore ui` on the program (see program.ts). */
export function addUiCommand(program: Command): void {
  program
    .command("ui")
    .description(
      "serve the browser explorer (adore-core's explorer in a Web Worker, counterexamples stepped through with the cache tree) and print its URL",
    )
    .option(
      "--port <n>",
      "port to listen on (0: any free port)",
      (v) => {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535)
          throw new InvalidArgumentError(`--port must be 0..65535, got ${v}`);
        return n;
      },
      4173,
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--run <adore-view.json>",
      "open this recorded run's ADORE view (adore validate --json, the experiment's adore-view.json)",
    )
    .action(async (o: { port: number; host: string; run?: string }) => {
      const { runUi, uiFailure } = await import("./ui-run.js");
      try {
        await runUi({ port: o.port, host: o.host, ...(o.run !== undefined ? { run: o.run } : {}) });
      } catch (e) {
        const why = uiFailure(e, o);
        if (why === undefined) throw e;
        process.stderr.write(`adore ui: ${why}\n`);
        process.exitCode = 2;
      }
    });
}
