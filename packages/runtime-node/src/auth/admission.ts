// Admission of peer messages: what the Raft core's own validation (raft-net validate.ts) does not
// check, because the core trusts the scheme's configuration values and keeps unknown fields.
//
// 1. No object anywhere in a message may have a key that shadows an Object.prototype member or
//    "toJSON"/"then": a decoded {toString: 1} makes String(x) throw, {toJSON: 1} makes msgpackr's
//    encoder throw when the entry is written to the WAL — a crash, and on restart a crash loop.
// 2. Every configuration value (config entries, snapshots) must be one the scheme prints and parses
//    back to exactly itself, with a node set of members: anything else would make the scheme throw
//    inside stepServer later, in some other step (found by the message fuzzer, src/fuzz).
//
// A refused message is dropped and logged by the node; nothing reaches the core.
import type { RegisteredScheme } from "@adore/schemes";

const SHADOW: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "toJSON",
  "then",
]);

/** The path of the first key in `v` that shadows a prototype member, if any. Iterative; never throws. */
export function shadowingKey(v: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[v, "msg"]];
  while (stack.length > 0) {
    const [x, path] = stack.pop()!;
    if (typeof x !== "object" || x === null || x instanceof Uint8Array || x instanceof Date) continue;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) stack.push([x[i], `${path}[${i}]`]);
      continue;
    }
    for (const k of Object.keys(x)) {
      if (SHADOW.has(k)) return `${path}.${k}`;
      stack.push([(x as Record<string, unknown>)[k], `${path}.${k}`]);
    }
  }
  return undefined;
}

const canonical = (v: unknown): string => JSON.stringify(v) ?? "undefined";

/** Why `c` is not a configuration of the scheme (undefined: it is one). Never throws. */
export function badConfig(reg: RegisteredScheme<unknown>, c: unknown): string | undefined {
  try {
    const m = reg.scheme.mbrs(c);
    if (!Number.isSafeInteger(m) || m <= 0 || (m & 1) !== 0) return "no valid member set";
    const back = reg.parse(reg.scheme.print(c));
    if (canonical(back) !== canonical(c) || !reg.scheme.equals(back, c))
      return "not in the scheme's canonical form";
    return undefined;
  } catch {
    return "not a configuration of the scheme";
  }
}

/** Why a peer message must not reach the core (undefined: admit it). Never throws. */
export function admitPeerMessage(reg: RegisteredScheme<unknown>, msg: unknown): string | undefined {
  const key = shadowingKey(msg);
  if (key) return `key ${key} shadows a prototype member`;
  if (typeof msg !== "object" || msg === null) return undefined; // the core refuses it
  const m = msg as { entries?: unknown; snapshot?: unknown };
  const check = (membership: unknown, at: string): string | undefined => {
    if (typeof membership !== "object" || membership === null) return undefined; // the core refuses it
    if (!("config" in membership)) return undefined;
    const bad = badConfig(reg, (membership as { config: unknown }).config);
    return bad ? `${at}.membership.config: ${bad}` : undefined;
  };
  if (Array.isArray(m.entries))
    for (let i = 0; i < m.entries.length; i++) {
      const e: unknown = m.entries[i];
      if (typeof e === "object" && e !== null && (e as { kind?: unknown }).kind === "config") {
        const bad = check((e as { membership?: unknown }).membership, `msg.entries[${i}]`);
        if (bad) return bad;
      }
    }
  if (typeof m.snapshot === "object" && m.snapshot !== null) {
    const bad = check((m.snapshot as { membership?: unknown }).membership, "msg.snapshot");
    if (bad) return bad;
  }
  return undefined;
}
