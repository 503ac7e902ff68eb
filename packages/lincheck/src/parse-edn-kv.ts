// Multi-key histories as one EDN map a line (`edn-kv`):
//
//   {:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}
//   {:process 0, :type :ok, :f :append, :key "4", :value "x 0 1 y"}
//
// :process is a client number (a keyword process, such as :nemesis, carries no operation and its
// line is skipped); :type is :invoke, :ok, :fail (no effect: dropped) or :info (outcome unknown:
// pending); :f is :get, :put or :append; :key is a string; :value is nil on a get's invocation,
// the string read on its completion (an absent key reads as "", nil is taken as ""), and the
// string written on both lines of a put or append. Other keys of the map (:time, :index, …) are
// ignored. Blank lines and ;-comments are skipped. Times are line numbers. Checked with
// `kvModel({ absent: "" })`.

import { type Edn, EdnSyntaxError, readEdn, showEdn } from "./edn.js";
import type { KvInput, KvOutput } from "./kv.js";
import { excerpt, HistoryParseError } from "./parse-error.js";
import type { Operation } from "./types.js";

export type KvOperation = Operation<KvInput, KvOutput>;

const TYPES = ["invoke", "ok", "fail", "info"] as const;
const FS = ["get", "put", "append"] as const;

interface Open {
  readonly line: number;
  readonly input: Extract<KvInput, { f: "get" | "put" | "append" }>;
}

/** Parse an EDN kv history; a malformed line gives a HistoryParseError. */
export function parseEdnKv(text: string): KvOperation[] | HistoryParseError {
  const ops: KvOperation[] = [];
  const open = new Map<number, Open>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const src = lines[i]!;
    if (/^\s*(;.*)?$/.test(src)) continue;
    const err = (field: string | undefined, expected: string, got?: string) =>
      new HistoryParseError("edn-kv", line, field, expected, got);
    const edn = readEdn(src);
    if (edn instanceof EdnSyntaxError) return err(`column ${edn.column}`, edn.expected, edn.got);
    if (edn.t !== "map") return err(undefined, "one EDN map {…} per line", excerpt(showEdn(edn)));
    const fields = new Map<string, Edn>();
    for (const [k, v] of edn.v) {
      if (k.t !== "keyword") continue;
      if (fields.has(k.v)) return err(`:${k.v}`, "each key once in the map", "a second occurrence");
      fields.set(k.v, v);
    }
    const get = (name: string): Edn | HistoryParseError =>
      fields.get(name) ?? err(`:${name}`, "the key to be present", "nothing");

    const proc = get("process");
    if (proc instanceof HistoryParseError) return proc;
    if (proc.t === "keyword") continue;
    if (proc.t !== "number" || !Number.isSafeInteger(proc.v) || proc.v < 0)
      return err(":process", "a non-negative integer (or a keyword such as :nemesis)", showEdn(proc));
    const process = proc.v;
    const type = get("type");
    if (type instanceof HistoryParseError) return type;
    if (type.t !== "keyword" || !(TYPES as readonly string[]).includes(type.v))
      return err(":type", TYPES.map((t) => `:${t}`).join(", "), showEdn(type));
    const f = get("f");
    if (f instanceof HistoryParseError) return f;
    if (f.t !== "keyword" || !(FS as readonly string[]).includes(f.v))
      return err(":f", FS.map((t) => `:${t}`).join(", "), showEdn(f));
    const key = get("key");
    if (key instanceof HistoryParseError) return key;
    if (key.t !== "string") return err(":key", "a string", showEdn(key));
    const value = fields.get("value") ?? { t: "nil" };
    const fname = f.v as (typeof FS)[number];

    if (type.v === "invoke") {
      const prev = open.get(process);
      if (prev)
        return err(
          ":type",
          `a completion of process ${process}'s operation invoked on line ${prev.line} before it invokes again`,
          ":invoke",
        );
      let input: Open["input"];
      if (fname === "get") {
        if (value.t !== "nil") return err(":value", "nil on a :get invocation", showEdn(value));
        input = { f: "get", key: key.v };
      } else {
        if (value.t !== "string") return err(":value", `a string to ${fname}`, showEdn(value));
        input = { f: fname, key: key.v, value: value.v };
      }
      open.set(process, { line, input });
      continue;
    }

    const inv = open.get(process);
    if (inv === undefined)
      return err(":type", `an :invoke by process ${process} before its :${type.v}`, `:${type.v}`);
    if (inv.input.f !== fname)
      return err(":f", `:${inv.input.f}, as invoked on line ${inv.line}`, `:${fname}`);
    if (inv.input.key !== key.v)
      return err(":key", `${JSON.stringify(inv.input.key)}, as invoked on line ${inv.line}`, showEdn(key));
    open.delete(process);
    const call = inv.line;
    switch (type.v as (typeof TYPES)[number]) {
      case "invoke":
        break; // handled above
      case "fail":
        break; // no effect: dropped
      case "info":
        ops.push({ client: process, call, ret: undefined, input: inv.input, output: undefined });
        break;
      case "ok":
        if (inv.input.f === "get") {
          if (value.t !== "string" && value.t !== "nil")
            return err(":value", "the string read (or nil)", showEdn(value));
          const read = value.t === "string" ? value.v : "";
          ops.push({ client: process, call, ret: line, input: inv.input, output: { f: "get", value: read } });
        } else {
          if (value.t !== "string" || value.v !== inv.input.value)
            return err(
              ":value",
              `${JSON.stringify(inv.input.value)}, as invoked on line ${inv.line}`,
              showEdn(value),
            );
          ops.push({ client: process, call, ret: line, input: inv.input, output: { f: inv.input.f } });
        }
        break;
    }
  }
  for (const [process, inv] of open)
    ops.push({ client: process, call: inv.line, ret: undefined, input: inv.input, output: undefined });
  return ops.sort((a, b) => a.call - b.call);
}
