// Jepsen register logs (`jepsen-register`), as written by Jepsen's etcd test:
//
//   INFO  jepsen.util - <process>\t<type>\t<f>\t<value>
//
// Fields are separated by any run of whitespace (tabs or spaces: both occur in real logs). What
// precedes the `jepsen.util` logger name (a level, a timestamp such as `2017-03-02
// 12:34:56,789{GMT}`, a thread such as `[jepsen worker 3]`) is ignored, as is the separator after
// it (` - `, `: ` or none); so is anything after the value (Jepsen prints an operation's error
// there). A line of just `<process> <type> <f> <value>` is read too.
//
// <type> is :invoke, :ok, :fail or :info; <f> is :read, :write or :cas; <value> is nil, an
// integer, [A B] (a cas from A to B) or a keyword such as :timed-out. Times are line numbers.
// - `:invoke` starts an operation of that process (a process has at most one at a time);
// - `:ok` completes it (a read's value is what it read, nil = absent; a write or cas repeats its
//   invocation's value);
// - `:fail :cas [A B]` completes a cas whose compare failed (the register did not hold A);
//   any other `:fail` (a read or write that timed out or was refused) had no effect: dropped;
// - `:info` leaves the outcome unknown: pending until the end (a read is then dropped);
// - an invocation still open at the end of the file is pending too.
// Lines of any other shape (Jepsen's start-up, the nemesis's `:nemesis` process, …) carry no
// operation and are skipped; a line with a numeric process must be a well-formed operation.

import { excerpt, HistoryParseError } from "./parse-error.js";
import type { RegisterInput, RegisterOutput } from "./register.js";
import type { Operation } from "./types.js";

export type RegisterOperation = Operation<RegisterInput, RegisterOutput>;

type JepsenValue =
  | { readonly kind: "nil" }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "pair"; readonly a: number | null; readonly b: number | null }
  | { readonly kind: "keyword"; readonly name: string };

/** `jepsen.util`, its separator, then the process and the rest; or a bare operation line. */
const LOGGED = /(?:^|\s|\])jepsen\.util(?:\s+-|:)?\s+(\S+)(?:\s+(.*))?$/;
const BARE = /^\s*(\d+)\s+(:(?:invoke|ok|fail|info)(?:\s.*)?)$/;
const TYPES = [":invoke", ":ok", ":fail", ":info"] as const;
const FS = [":read", ":write", ":cas"] as const;
type JepsenType = (typeof TYPES)[number];
type JepsenF = (typeof FS)[number];

const scalar = (s: string): number | null | undefined => {
  if (s === "nil") return null;
  if (!/^-?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
};

const parseValue = (s: string): JepsenValue | undefined => {
  const v = scalar(s);
  if (v !== undefined) return v === null ? { kind: "nil" } : { kind: "int", value: v };
  const pair = /^\[\s*([^\s,\]]+)[\s,]+([^\s,\]]+)\s*\]$/.exec(s);
  if (pair) {
    const a = scalar(pair[1]!);
    const b = scalar(pair[2]!);
    return a === undefined || b === undefined ? undefined : { kind: "pair", a, b };
  }
  if (/^:[\w.*+!?<>=/-]+$/.test(s)) return { kind: "keyword", name: s };
  return undefined;
};

/** A value written canonically (`[1 2]` however it was spaced), for comparing two lines' values. */
const showValue = (v: JepsenValue): string => {
  switch (v.kind) {
    case "nil":
      return "nil";
    case "int":
      return String(v.value);
    case "pair":
      return `[${v.a ?? "nil"} ${v.b ?? "nil"}]`;
    case "keyword":
      return v.name;
  }
};

/**
 * Type, f and value of an operation line's rest (the value may be a vector with spaces inside:
 * `[1 2]`); what follows the value is extra columns. Undefined when a field is missing.
 */
const splitFields = (rest: string): [type: string, f: string, value: string] | undefined => {
  const m = /^(\S+)\s+(\S+)\s+(\[[^\]]*\]|[^\s[]+)(?:\s.*)?$/.exec(rest.trim());
  return m ? [m[1]!, m[2]!, m[3]!] : undefined;
};

interface Open {
  readonly line: number;
  readonly f: JepsenF;
  readonly input: RegisterInput;
  readonly raw: string;
}

/** Parse a Jepsen register log; a malformed operation line gives a HistoryParseError. */
export function parseJepsenRegister(text: string): RegisterOperation[] | HistoryParseError {
  const ops: RegisterOperation[] = [];
  const open = new Map<number, Open>();
  let seen = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const src = lines[i]!.replace(/\r$/, "");
    const m = LOGGED.exec(src) ?? BARE.exec(src);
    if (!m) continue;
    const err = (field: string | undefined, expected: string, got?: string) =>
      new HistoryParseError("jepsen-register", line, field, expected, got);
    const rawProcess = m[1]!;
    // a keyword process (:nemesis, …) carries no operation; anything else must be a number
    if (rawProcess.startsWith(":")) continue;
    if (!/^\d+$/.test(rawProcess)) {
      // a message of the logger (`Relative time begins now`), unless it has an operation's shape
      if (!/^:(?:invoke|ok|fail|info)(?:\s|$)/.test(m[2] ?? "")) continue;
      return err("process", "a process number or a keyword such as :nemesis", excerpt(rawProcess));
    }
    seen++;
    const process = Number(rawProcess);
    if (!Number.isSafeInteger(process)) return err("process", "a process number below 2^53", rawProcess);
    const fields = splitFields(m[2] ?? "");
    if (fields === undefined)
      return err(
        undefined,
        "whitespace-separated fields: process, type, f, value (then optional extra columns)",
        excerpt(src),
      );
    const [type, f, rawValue] = fields;
    if (!(TYPES as readonly string[]).includes(type)) return err("type", TYPES.join(", "), excerpt(type));
    if (!(FS as readonly string[]).includes(f)) return err("f", FS.join(", "), excerpt(f));
    const value = parseValue(rawValue);
    if (value === undefined) return err("value", "nil, an integer, [A B] or a keyword", excerpt(rawValue));
    const jt = type as JepsenType;
    const jf = f as JepsenF;

    if (jt === ":invoke") {
      const prev = open.get(process);
      if (prev)
        return err(
          "type",
          `a completion of process ${process}'s ${prev.f} invoked on line ${prev.line} before it invokes again`,
          ":invoke",
        );
      let input: RegisterInput;
      switch (jf) {
        case ":read":
          if (value.kind !== "nil") return err("value", "nil for a read invocation", excerpt(rawValue));
          input = { f: "read" };
          break;
        case ":write":
          if (value.kind !== "int") return err("value", "an integer to write", excerpt(rawValue));
          input = { f: "write", value: value.value };
          break;
        case ":cas":
          if (value.kind !== "pair" || value.b === null)
            return err("value", "[FROM TO] with an integer TO for a cas", excerpt(rawValue));
          input = { f: "cas", from: value.a, to: value.b };
          break;
      }
      open.set(process, { line, f: jf, input, raw: showValue(value) });
      continue;
    }

    const inv = open.get(process);
    if (inv === undefined) return err("type", `an :invoke by process ${process} before its ${type}`, type);
    if (inv.f !== jf) return err("f", `${inv.f}, as invoked on line ${inv.line}`, f);
    open.delete(process);
    const call = inv.line;
    switch (jt) {
      case ":info":
        ops.push({ client: process, call, ret: undefined, input: inv.input, output: undefined });
        break;
      case ":fail":
        if (jf === ":cas" && value.kind === "pair") {
          if (showValue(value) !== inv.raw)
            return err("value", `${inv.raw}, as invoked on line ${inv.line}`, rawValue);
          ops.push({ client: process, call, ret: line, input: inv.input, output: { f: "cas", ok: false } });
        } else if (
          value.kind !== "keyword" &&
          !(jf === ":read" && value.kind === "nil") &&
          showValue(value) !== inv.raw
        )
          return err("value", `a keyword or ${inv.raw}, as invoked on line ${inv.line}`, rawValue);
        // otherwise: no effect, dropped
        break;
      case ":ok":
        switch (inv.input.f) {
          case "read":
            if (value.kind !== "nil" && value.kind !== "int")
              return err("value", "nil or an integer read", excerpt(rawValue));
            ops.push({
              client: process,
              call,
              ret: line,
              input: inv.input,
              output: { f: "read", value: value.kind === "nil" ? null : value.value },
            });
            break;
          case "write":
          case "cas":
            if (showValue(value) !== inv.raw)
              return err("value", `${inv.raw}, as invoked on line ${inv.line}`, rawValue);
            ops.push({
              client: process,
              call,
              ret: line,
              input: inv.input,
              output: inv.input.f === "write" ? { f: "write" } : { f: "cas", ok: true },
            });
            break;
        }
        break;
    }
  }
  if (seen === 0)
    return new HistoryParseError(
      "jepsen-register",
      undefined,
      undefined,
      "Jepsen operation lines such as 'INFO  jepsen.util - 0 :invoke :read nil' (fields separated by tabs or spaces)",
      "none in the file",
    );
  for (const [process, inv] of open)
    ops.push({ client: process, call: inv.line, ret: undefined, input: inv.input, output: undefined });
  return ops.sort((a, b) => a.call - b.call);
}
