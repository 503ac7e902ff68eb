// `adore ui` and `adore validate --json` at work: loaded only when one of them runs (see ui.ts).
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

/** Why `adore ui` could not start, as one line for the user; undefined for a failure that is a bug. */
export function uiFailure(
  e: unknown,
  o: { readonly port: number; readonly run?: string },
): string | undefined {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE") return `port ${o.port} is in use (--port 0 picks a free one)`;
  if (code === "ENOENT") return `cannot read ${o.run}`;
  if (e instanceof AppNotBuiltError || e instanceof ViewFormatError || e instanceof SyntaxError)
    return e.message;
  return undefined;
}
