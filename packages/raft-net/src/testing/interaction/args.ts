// Argument parsing of script commands: positional arguments and key=value options, with typed
// failures naming the argument.
import { type NodeId, type NodeSet, nodeSet } from "@adore/adore-core";

/** Splits on spaces outside (), {} and []. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of line) {
    if (ch === "(" || ch === "{" || ch === "[") depth++;
    else if (ch === ")" || ch === "}" || ch === "]") depth--;
    if (/\s/.test(ch) && depth <= 0) {
      if (cur !== "") out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur !== "") out.push(cur);
  return out;
}

export class Args {
  readonly pos: string[] = [];
  readonly kv = new Map<string, string>();
  private readonly used = new Set<string>();
  constructor(
    tokens: readonly string[],
    private readonly fail: (why: string) => never,
  ) {
    for (const t of tokens) {
      const m = /^([a-z][a-z0-9-]*)=(.*)$/.exec(t);
      if (m) {
        if (this.kv.has(m[1]!)) fail(`option ${m[1]} given twice`);
        this.kv.set(m[1]!, m[2]!);
      } else this.pos.push(t);
    }
  }
  opt(key: string): string | undefined {
    this.used.add(key);
    return this.kv.get(key);
  }
  int(key: string, dflt: number): number {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) this.fail(`${key}=${v}: not a non-negative integer`);
    return Number(v);
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (v !== "true" && v !== "false") this.fail(`${key}=${v}: expected true or false`);
    return v === "true";
  }
  oneOf<T extends string>(key: string, dflt: T, allowed: readonly T[]): T {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(v))
      this.fail(`${key}=${v}: expected one of ${allowed.join(", ")}`);
    return v as T;
  }
  list(key: string): string[] | undefined {
    const v = this.opt(key);
    if (v === undefined) return undefined;
    const m = /^\((.*)\)$/.exec(v);
    if (!m) this.fail(`${key}=${v}: expected a list like (1,2,3) or (1 2 3)`);
    return m[1]!
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  ids(key: string): NodeId[] | undefined {
    const l = this.list(key);
    return l?.map((s) => parseId(s, key, this.fail));
  }
  /** Fails on options nobody asked for, and on more positional arguments than `max`. */
  done(max: number): void {
    for (const k of this.kv.keys()) if (!this.used.has(k)) this.fail(`unknown option ${k}=`);
    if (this.pos.length > max) this.fail(`unexpected argument ${JSON.stringify(this.pos[max])}`);
  }
}

export function parseId(s: string, what: string, fail: (why: string) => never): NodeId {
  if (!/^\d+$/.test(s)) fail(`${what}: ${JSON.stringify(s)} is not a node id`);
  const n = Number(s);
  if (n < 1 || n > 30) fail(`${what}: node id ${n} is not in 1..30`);
  return n;
}

/** `(1,2) (3,4,5)` → node sets. */
export function parseGroup(s: string, fail: (why: string) => never): NodeSet {
  const m = /^\((.*)\)$/.exec(s);
  if (!m) fail(`${JSON.stringify(s)}: expected a group like (1,2,3)`);
  const ids = m[1]!
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
    .map((x) => parseId(x, "group", fail));
  return nodeSet(ids);
}
