// Our own history format (`ndjson`), written by the fault harness: one JSON object a line, one
// line per operation (written once the operation has completed or been given up on), any order.
//
//   {"client":3,"op":"put","key":"k1","value":"v7","call":1200,"return":3400,"outcome":"ok"}
//   {"client":1,"op":"get","key":"k1","call":1300,"return":2900,"outcome":"ok","result":"v7"}
//   {"client":2,"op":"cas","key":"k1","expected":"v7","value":"v8","call":4000,"return":5100,"outcome":"ok","result":false}
//   {"client":4,"op":"range","prefix":"k","call":4200,"return":4800,"outcome":"ok","result":[["k1","v7"]]}
//   {"client":5,"op":"delete","key":"k1","call":5000,"outcome":"unknown","error":"timeout"}
//
// The fields (NDJSON_FIELDS documents each); no other field is allowed:
// - client: a non-negative integer naming the client (a session);
// - op: get | put | delete | cas | range;
// - key (get, put, delete, cas) or prefix (range): a string;
// - value (put, cas: the new value): a string; expected (cas): a string, or null for "absent";
// - call, return: nanoseconds on one monotonic clock shared by all clients, non-negative safe
//   integers, return ≥ call (a call and a return at the same instant count as concurrent);
// - outcome: "ok" (completed: it took effect and `result` is its answer), "fail" (the service
//   answered that it was not performed: no effect, the operation is dropped) or "unknown" (no
//   answer — a time-out, a lost connection: it may have taken effect at any time after `call`, or
//   never; `return`, if given, is when the client gave up and is ignored);
// - result (outcome ok only): get → the value, or null if the key is absent; cas → true if it
//   swapped, false if the key did not hold `expected` (nothing changed); range → [key, value]
//   pairs for every present key starting with the prefix, any order; put and delete → no result;
// - error (outcome fail or unknown only, optional): a free-text reason, for readers.

import type { KvEntry, KvInput, KvOutput } from "./kv.js";
import { excerpt, HistoryParseError } from "./parse-error.js";
import type { Operation } from "./types.js";

/** The service's operations: the kv model's without append. */
export type KvServiceInput = Exclude<KvInput, { readonly f: "append" }>;
export type KvServiceOperation = Operation<KvServiceInput, KvOutput>;

export type NdjsonOp = "get" | "put" | "delete" | "cas" | "range";
export type NdjsonOutcome = "ok" | "fail" | "unknown";

/** The shape of one NDJSON line, as TypeScript (what the fault harness writes). */
export interface NdjsonRecord {
  readonly client: number;
  readonly op: NdjsonOp;
  readonly key?: string;
  readonly prefix?: string;
  readonly value?: string;
  readonly expected?: string | null;
  readonly call: number;
  readonly return?: number | null;
  readonly outcome: NdjsonOutcome;
  readonly result?: string | null | boolean | readonly KvEntry[];
  readonly error?: string;
}

/** Every field and when it is allowed, for documentation and error messages. */
export const NDJSON_FIELDS: Readonly<Record<keyof NdjsonRecord, string>> = {
  client: "non-negative integer: the client (session) that issued the operation",
  op: '"get" | "put" | "delete" | "cas" | "range"',
  key: "string: the key (get, put, delete, cas)",
  prefix: "string: the key prefix (range)",
  value: "string: the value written (put) or swapped in (cas)",
  expected: "string, or null for an absent key: what cas compares with",
  call: "non-negative integer: nanoseconds when the client sent the request",
  return: "integer ≥ call: nanoseconds when the answer arrived (ok, fail); for unknown optional and ignored",
  outcome: '"ok" | "fail" | "unknown"',
  result:
    "outcome ok only: get → string or null (absent); cas → boolean (swapped?); range → [[key, value], …]",
  error: "optional string, outcome fail or unknown only: why",
};

const OPS: readonly NdjsonOp[] = ["get", "put", "delete", "cas", "range"];
const OUTCOMES: readonly NdjsonOutcome[] = ["ok", "fail", "unknown"];

/** Which fields each op takes besides client, op, call, return, outcome, result and error. */
const OP_FIELDS: Readonly<Record<NdjsonOp, readonly (keyof NdjsonRecord)[]>> = {
  get: ["key"],
  put: ["key", "value"],
  delete: ["key"],
  cas: ["key", "expected", "value"],
  range: ["prefix"],
};
const COMMON = new Set<string>(["client", "op", "call", "return", "outcome", "result", "error"]);

const show = (v: unknown): string => (v === undefined ? "nothing" : excerpt(JSON.stringify(v)));
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Parse one line's JSON value into an operation (undefined for outcome fail), or an error. */
function parseRecord(
  rec: Record<string, unknown>,
  err: (field: string, expected: string, got: unknown) => HistoryParseError,
): KvServiceOperation | undefined | HistoryParseError {
  const op = rec.op;
  if (typeof op !== "string" || !(OPS as readonly string[]).includes(op))
    return err("op", OPS.map((o) => JSON.stringify(o)).join(" | "), op);
  const opFields = OP_FIELDS[op as NdjsonOp];
  for (const k of Object.keys(rec))
    if (!COMMON.has(k) && !(opFields as readonly string[]).includes(k))
      return err(k, `no field "${k}" on a ${op} (allowed: ${[...COMMON, ...opFields].join(", ")})`, rec[k]);

  const client = rec.client;
  if (typeof client !== "number" || !Number.isSafeInteger(client) || client < 0)
    return err("client", "a non-negative integer", client);
  const call = rec.call;
  if (!isTime(call)) return err("call", "a non-negative integer (nanoseconds) below 2^53", call);
  const outcome = rec.outcome;
  if (typeof outcome !== "string" || !(OUTCOMES as readonly string[]).includes(outcome))
    return err("outcome", OUTCOMES.map((o) => JSON.stringify(o)).join(" | "), outcome);
  const ret = rec.return;
  const unknown = outcome === "unknown";
  if (!(unknown && (ret === undefined || ret === null)) && !(isTime(ret) && ret >= call))
    return err(
      "return",
      `an integer (nanoseconds) ≥ call (${call})${unknown ? ", or null" : ""} for outcome ${outcome}`,
      ret,
    );
  if (rec.error !== undefined && (outcome === "ok" || typeof rec.error !== "string"))
    return err("error", outcome === "ok" ? "no error on outcome ok" : "a string", rec.error);

  const str = (field: "key" | "prefix" | "value"): string | HistoryParseError => {
    const v = rec[field];
    return typeof v === "string" ? v : err(field, `a string (required on a ${op})`, v);
  };
  let input: KvServiceInput;
  switch (op as NdjsonOp) {
    case "get":
    case "delete": {
      const key = str("key");
      if (key instanceof HistoryParseError) return key;
      input = { f: op as "get" | "delete", key };
      break;
    }
    case "put": {
      const key = str("key");
      if (key instanceof HistoryParseError) return key;
      const value = str("value");
      if (value instanceof HistoryParseError) return value;
      input = { f: "put", key, value };
      break;
    }
    case "cas": {
      const key = str("key");
      if (key instanceof HistoryParseError) return key;
      const value = str("value");
      if (value instanceof HistoryParseError) return value;
      const expected = rec.expected;
      if (expected !== null && typeof expected !== "string")
        return err("expected", "a string, or null for an absent key (required on a cas)", expected);
      input = { f: "cas", key, expected, value };
      break;
    }
    case "range": {
      const prefix = str("prefix");
      if (prefix instanceof HistoryParseError) return prefix;
      input = { f: "range", prefix };
      break;
    }
  }

  const result = rec.result;
  if (outcome !== "ok") {
    if (result !== undefined) return err("result", `no result on outcome ${outcome}`, result);
    return unknown ? { client, call, ret: undefined, input, output: undefined } : undefined;
  }
  let output: KvOutput;
  switch (input.f) {
    case "get":
      if (result !== null && typeof result !== "string")
        return err("result", "the value read: a string, or null for an absent key", result);
      output = { f: "get", value: result };
      break;
    case "put":
    case "delete":
      if (result !== undefined) return err("result", `no result on a ${op}`, result);
      output = { f: input.f };
      break;
    case "cas":
      if (typeof result !== "boolean")
        return err("result", "true (swapped) or false (the key did not hold expected)", result);
      output = { f: "cas", ok: result };
      break;
    case "range": {
      if (!Array.isArray(result)) return err("result", "an array of [key, value] string pairs", result);
      const entries: KvEntry[] = [];
      const seen = new Set<string>();
      for (const [j, e] of result.entries()) {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string" || typeof e[1] !== "string")
          return err(`result[${j}]`, "a [key, value] pair of strings", e);
        if (!e[0].startsWith(input.prefix))
          return err(`result[${j}]`, `a key starting with ${JSON.stringify(input.prefix)}`, e[0]);
        if (seen.has(e[0])) return err(`result[${j}]`, "each key once", e[0]);
        seen.add(e[0]);
        entries.push([e[0], e[1]]);
      }
      output = { f: "range", entries };
      break;
    }
  }
  return { client, call, ret: ret as number, input, output };
}

/** Parse an NDJSON history strictly; the first malformed line gives a HistoryParseError. */
export function parseNdjson(text: string): KvServiceOperation[] | HistoryParseError {
  const ops: KvServiceOperation[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const src = lines[i]!;
    if (src.trim() === "") continue;
    let rec: unknown;
    try {
      rec = JSON.parse(src);
    } catch (e) {
      return new HistoryParseError(
        "ndjson",
        line,
        undefined,
        "one JSON object",
        `invalid JSON (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (typeof rec !== "object" || rec === null || Array.isArray(rec))
      return new HistoryParseError("ndjson", line, undefined, "one JSON object", show(rec));
    const r = parseRecord(rec as Record<string, unknown>, (field, expected, got) => {
      return new HistoryParseError("ndjson", line, field, expected, show(got));
    });
    if (r instanceof HistoryParseError) return r;
    if (r !== undefined) ops.push(r);
  }
  return ops.sort((a, b) => a.call - b.call);
}

/** Serialise operations in the NDJSON format (what the fault harness writes; parses back). */
export function formatNdjson(ops: readonly KvServiceOperation[]): string {
  const lines = ops.map((op): string => {
    const inp = op.input;
    const fields: Record<string, unknown> = { client: op.client };
    switch (inp.f) {
      case "get":
      case "delete":
        Object.assign(fields, { op: inp.f, key: inp.key });
        break;
      case "put":
        Object.assign(fields, { op: "put", key: inp.key, value: inp.value });
        break;
      case "cas":
        Object.assign(fields, { op: "cas", key: inp.key, expected: inp.expected, value: inp.value });
        break;
      case "range":
        Object.assign(fields, { op: "range", prefix: inp.prefix });
        break;
    }
    fields.call = op.call;
    if (op.ret === undefined) fields.outcome = "unknown";
    else {
      fields.return = op.ret;
      fields.outcome = "ok";
      const out = op.output;
      switch (out.f) {
        case "get":
          fields.result = out.value;
          break;
        case "cas":
          fields.result = out.ok;
          break;
        case "range":
          fields.result = out.entries;
          break;
        case "put":
        case "append":
        case "delete":
          break;
      }
    }
    return JSON.stringify(fields);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
