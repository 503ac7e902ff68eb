import { readFileSync } from "node:fs";
import {
  type CheckOptions,
  checkParsedHistory,
  HISTORY_FORMATS,
  type HistoryFormat,
  HistoryParseError,
  parseHistory,
} from "@adore/lincheck";
import type { Command } from "commander";
import { consoleOutput, type Output } from "./explore.js";

/** The options as commander hands them over (numbers still as text). */
export interface LincheckArgs {
  readonly format?: string;
  readonly timeout?: string;
  readonly shrinkTimeout?: string;
  readonly shrink?: boolean;
}

/** Exit codes: 0 linearizable, 1 not, 2 unreadable/unparsable file or bad arguments, 3 undecided in --timeout. */
export type LincheckExit = 0 | 1 | 2 | 3;

const milliseconds = (option: string, v: string | undefined): number | undefined | string => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0
    ? n
    : `${option}: expected a positive number of milliseconds, got ${JSON.stringify(v)}`;
};

/**
 * `adore lincheck <file> --format …`: parse the history, check it, print `linearizable` or
 * `not linearizable` with a minimal fragment (or `unknown` when --timeout ran out).
 */
export function lincheckCommand(
  file: string,
  args: LincheckArgs,
  io: Output = consoleOutput,
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): LincheckExit {
  const format = args.format;
  if (format === undefined || !(HISTORY_FORMATS as readonly string[]).includes(format)) {
    err(
      `adore lincheck: --format: expected one of ${HISTORY_FORMATS.join(", ")}, got ${JSON.stringify(format)}`,
    );
    return 2;
  }
  const timeout = milliseconds("--timeout", args.timeout);
  const shrinkTimeout = milliseconds("--shrink-timeout", args.shrinkTimeout);
  for (const bad of [timeout, shrinkTimeout])
    if (typeof bad === "string") {
      err(`adore lincheck: ${bad}`);
      return 2;
    }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    err(`adore lincheck: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const parsed = parseHistory(format as HistoryFormat, text);
  if (parsed instanceof HistoryParseError) {
    err(`adore lincheck: ${file}: ${parsed.format} ${parsed.name}: ${parsed.message}`);
    return 2;
  }
  const options: CheckOptions = {
    ...(typeof timeout === "number" ? { timeoutMs: timeout } : {}),
    ...(typeof shrinkTimeout === "number" ? { shrinkTimeoutMs: shrinkTimeout } : {}),
    ...(args.shrink === false ? { shrink: false } : {}),
  };
  let report: ReturnType<typeof checkParsedHistory>;
  try {
    report = checkParsedHistory(parsed, options);
  } catch (e) {
    // an operation that returns before its call (NDJSON is checked for it, the others cannot have it)
    err(`adore lincheck: ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  for (const line of report.lines) io.out(line);
  return report.verdict === "linearizable" ? 0 : report.verdict === "not-linearizable" ? 1 : 3;
}

/** Registers `adore lincheck` on the program (see program.ts). */
export function addLincheckCommand(program: Command): void {
  program
    .command("lincheck")
    .description(
      "check a client history for linearizability; print the verdict and a minimal non-linearizable fragment; " +
        "exit 0 = linearizable, 1 = not, 2 = unreadable or unparsable file, 3 = undecided within --timeout",
    )
    .argument("<file>", "the history")
    .option("--format <format>", `history format: ${HISTORY_FORMATS.join(" | ")}`)
    .option("--timeout <ms>", "give up with verdict unknown (exit 3) after this many milliseconds")
    .option("--shrink-timeout <ms>", "time for shrinking a violation to a minimal fragment (default 2000)")
    .option("--no-shrink", "report the whole failing partition instead of shrinking it")
    .showHelpAfterError(false)
    .exitOverride((e) => {
      if (e.exitCode !== 0) process.exit(2);
    })
    .action((file: string, o: LincheckArgs) => {
      process.exitCode = lincheckCommand(file, o);
    });
}
