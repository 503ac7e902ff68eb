import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import {
  adoreViewJson,
  AppNotBuiltError,
  parseAdoreViewJson,
  serveApp,
  ViewFormatError,
} from "@adore/explorer-web";
import type { AdoreView } from "@adore/refinement";
import { type Command, InvalidArgumentError } from "commander";

/** Writes a recorded run's ADORE view as the JSON the browser explorer opens (`adore ui --run`). */
export function writeAdoreViewJson(file: string, view: AdoreView<unknown>, title: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(adoreViewJson(view, title))}\n`);
}

/** The URL path under which `adore ui --run` serves the view file. */
const RUN_PATH = "/run/adore-view.json";

export interface UiOptions {
  readonly port: number;
  readonly host: string;
  readonly run?: string;
  readonly out?: (line: string) => void;
}

/** `adore ui`: serves the built browser explorer and prints its address (with `--run`, opened on that run's view). */
export async function runUi(o: UiOptions): Promise<{ url: string; close(): Promise<void> }> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const files: Record<string, string> = {};
  if (o.run !== undefined) {
    // checked as a whole before serving: a bad file is one clear line, not a broken page
    parseAdoreViewJson(readFileSync(o.run, "utf8"));
    files[RUN_PATH] = resolve(o.run);
  }
  const app = await serveApp({ port: o.port, host: o.host, files });
  const url = o.run !== undefined ? `${app.url}#view=run&run=${encodeURIComponent(`.${RUN_PATH}`)}` : app.url;
  out(`ADORE explorer: ${url}`);
  if (o.run !== undefined)
    out(`  showing ${basename(o.run)}; the explorer itself runs in the page (Ctrl-C to stop)`);
  else out("  the explorer runs in the page; the server only serves files (Ctrl-C to stop)");
  return { url, close: app.close };
}

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
      try {
        await runUi({ port: o.port, host: o.host, ...(o.run !== undefined ? { run: o.run } : {}) });
      } catch (e) {
        const code = (e as { code?: string }).code;
        const why =
          code === "EADDRINUSE"
            ? `port ${o.port} is in use (--port 0 picks a free one)`
            : code === "ENOENT"
              ? `cannot read ${o.run}`
              : e instanceof AppNotBuiltError || e instanceof ViewFormatError || e instanceof SyntaxError
                ? e.message
                : undefined;
        if (why === undefined) throw e;
        process.stderr.write(`adore ui: ${why}\n`);
        process.exitCode = 2;
      }
    });
}
