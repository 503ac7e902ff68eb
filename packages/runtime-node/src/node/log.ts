// Structured logs (pino): to a file or stderr; silent unless asked for.
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

export interface LogOptions {
  /** pino level: "silent" (default), "error", "warn", "info", "debug", "trace". */
  readonly level?: string;
  /** Append to this file instead of stderr. */
  readonly file?: string;
}

export function makeLogger(opts: LogOptions = {}, bindings: Record<string, unknown> = {}): Logger {
  const level = opts.level ?? "silent";
  const dest: DestinationStream = opts.file
    ? pino.destination({ dest: opts.file, sync: false, mkdir: true })
    : pino.destination(2);
  return pino({ level, base: { pid: process.pid, ...bindings } }, dest);
}
