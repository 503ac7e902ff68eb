// Arguments the core's datadriven commands share: configurations of any registered scheme, node
// sets, and `id:number` maps.
import { type NodeId, type NodeSet, nodeSet, type Scheme } from "@adore/adore-core";
import { ConfigSyntaxError, getScheme, type RegisteredScheme } from "@adore/schemes";
import { type Args, parseId, tokenize } from "../../src/testing/interaction/args.js";
import type { Fail } from "../../src/testing/interaction/script.js";

/** A configuration and the scheme it belongs to. */
export interface SchemeConfig {
  readonly reg: RegisteredScheme<unknown>;
  readonly scheme: Scheme<unknown>;
  readonly config: unknown;
}

/** `scheme=NAME` (default `dflt`): the registered scheme. */
export function schemeArg(a: Args, fail: Fail, dflt = "raft-joint"): RegisteredScheme<unknown> {
  const name = a.opt("scheme") ?? dflt;
  try {
    return getScheme(name);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

/** A configuration in the scheme's own syntax (`{1,2,3}`, `({1,2,3},{3,4,5})`, `(q=3,{1..5})`, …). */
export function parseConfig(reg: RegisteredScheme<unknown>, text: string, fail: Fail): unknown {
  try {
    return reg.parse(text);
  } catch (e) {
    if (e instanceof ConfigSyntaxError) return fail(e.message);
    throw e;
  }
}

/**
 * The configuration of a command: `voters=(1 2 3)` (raft-single; `()` is the empty set, which no
 * parser accepts), `voters=(1 2 3) new=(3 4 5)` (raft-joint's (old, new)), or `config=TEXT` in the
 * syntax of `scheme=NAME` (default raft-joint, which reads both `{1,2,3}` and `({1,2,3},{3,4,5})`).
 */
export function configArg(a: Args, fail: Fail): SchemeConfig {
  const voters = a.opt("voters");
  const text = a.opt("config");
  if (voters !== undefined) {
    if (text !== undefined) fail("give voters= or config=, not both");
    const old = setArg(a, "voters", fail);
    const nw = a.opt("new") === undefined ? undefined : setArg(a, "new", fail);
    const reg = getScheme(nw === undefined ? "raft-single" : "raft-joint");
    return { reg, scheme: reg.scheme, config: nw === undefined ? old : { old, next: nw } };
  }
  if (text === undefined) return fail("missing voters=(…) or config=…");
  const reg = schemeArg(a, fail);
  return { reg, scheme: reg.scheme, config: parseConfig(reg, text, fail) };
}

/** `key=(1 2 3)` (commas or spaces) as a node set; absent: `dflt`. */
export function setArg(a: Args, key: string, fail: Fail, dflt?: NodeSet): NodeSet {
  const ids = a.ids(key);
  if (ids === undefined) return dflt ?? fail(`missing ${key}=(…)`);
  return nodeSet(ids);
}

/** The items of a parenthesised list, split on spaces outside brackets: `(1:{1,2} 5:{1,2,3})`. */
export function itemsArg(a: Args, key: string, fail: Fail): string[] | undefined {
  const v = a.opt(key);
  if (v === undefined) return undefined;
  const m = /^\((.*)\)$/.exec(v);
  if (!m) return fail(`${key}=${v}: expected a list like (1:5 2:3)`);
  return tokenize(m[1]!);
}

/** `key=(1:5 2:3)`: node id → non-negative integer, in the order given. */
export function idMapArg(a: Args, key: string, fail: Fail): [NodeId, number][] | undefined {
  const items = a.list(key);
  if (items === undefined) return undefined;
  const out: [NodeId, number][] = [];
  for (const it of items) {
    const m = /^(\w+):(\d+)$/.exec(it);
    if (!m) return fail(`${key}: ${JSON.stringify(it)} is not id:number`);
    const id = parseId(m[1]!, key, fail);
    if (out.some(([x]) => x === id)) fail(`${key}: node ${id} given twice`);
    out.push([id, Number(m[2])]);
  }
  return out;
}
