// Structured logs (pino): to a file or stderr; silent unless asked for.
import { dirname } from "node:path";
import { type DestinationStream, type Logger, pino } from "pino";
import { makeDirs } from "../storage/fsutil.js";

export type { Logger } from "pino";

export interface LogOptions {
  /** pino level: "silent" (default), "error", "warn", "info", "debug", "trace". */
  readonly level?: string;
  /** Append to this file instead of stderr. */
  readonly file?: string;
}

export function makeLogger(opts: LogOptions = {}, bindings: Record<string, unknown> = {}): Logger {
  const level = opts.level ?? "silent";
  if (opts.file)
    try {
      // not pino's own `mkdir`: Node's recursive mkdir spins on a parent that refuses children
      makeDirs(dirname(opts.file));
    } catch (e) {
      throw new Error(`log file ${opts.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  const dest: DestinationStream = opts.file
    ? pino.destination({ dest: opts.file, sync: false })
    : pino.destination(2);
  return pino({ level, base: { pid: process.pid, ...bindings } }, dest);
}
