// The three history formats behind one entry point: parse a file's text, check it with the
// model its format calls for, render the verdict.

import { type CheckOptions, type CheckResult, check, type Verdict } from "./checker.js";
import { type KvInput, type KvOutput, kvModel } from "./kv.js";
import { type KvOperation, parseEdnKv } from "./parse-edn-kv.js";
import { type HistoryFormat, HistoryParseError } from "./parse-error.js";
import { parseJepsenRegister, type RegisterOperation } from "./parse-jepsen.js";
import { type KvServiceOperation, parseNdjson } from "./parse-ndjson.js";
import { type RegisterInput, type RegisterOutput, registerModel } from "./register.js";
import { renderResult, type TimeUnit } from "./render.js";

export type ParsedHistory =
  | { readonly format: "jepsen-register"; readonly operations: readonly RegisterOperation[] }
  | { readonly format: "edn-kv"; readonly operations: readonly KvOperation[] }
  | { readonly format: "ndjson"; readonly operations: readonly KvServiceOperation[] };

/** The kv model of the EDN histories (an absent key reads as "") and of our service (null). */
export const ednKvModel = kvModel({ absent: "" });
export const serviceKvModel = kvModel();

export function parseHistory(format: HistoryFormat, text: string): ParsedHistory | HistoryParseError {
  switch (format) {
    case "jepsen-register": {
      const ops = parseJepsenRegister(text);
      return ops instanceof HistoryParseError ? ops : { format, operations: ops };
    }
    case "edn-kv": {
      const ops = parseEdnKv(text);
      return ops instanceof HistoryParseError ? ops : { format, operations: ops };
    }
    case "ndjson": {
      const ops = parseNdjson(text);
      return ops instanceof HistoryParseError ? ops : { format, operations: ops };
    }
  }
}

export const timeUnitOf = (format: HistoryFormat): TimeUnit => (format === "ndjson" ? "ns" : "line");

export type HistoryCheck =
  | { readonly format: "jepsen-register"; readonly result: CheckResult<RegisterInput, RegisterOutput> }
  | { readonly format: "edn-kv" | "ndjson"; readonly result: CheckResult<KvInput, KvOutput> };

export interface HistoryReport {
  readonly verdict: Verdict;
  readonly check: HistoryCheck;
  /** `linearizable`, `not linearizable` (with the fragment) or `unknown`, then details. */
  readonly lines: readonly string[];
}

/** Check a parsed history with its format's model and render the verdict. */
export function checkParsedHistory(parsed: ParsedHistory, options: CheckOptions = {}): HistoryReport {
  const render = { time: timeUnitOf(parsed.format) };
  switch (parsed.format) {
    case "jepsen-register": {
      const result = check(registerModel, parsed.operations, options);
      return {
        verdict: result.verdict,
        check: { format: parsed.format, result },
        lines: renderResult(registerModel, result, render),
      };
    }
    case "edn-kv":
    case "ndjson": {
      const model = parsed.format === "edn-kv" ? ednKvModel : serviceKvModel;
      const result = check(model, parsed.operations, options);
      return {
        verdict: result.verdict,
        check: { format: parsed.format, result },
        lines: renderResult(model, result, render),
      };
    }
  }
}
