import { MAX_NODE_ID, members, type NodeId, type NodeSet, nodeSet } from "@adore/adore-core";

/** A configuration that does not parse, or parses to a value the scheme rules out; `why` names the field and the rule. */
export class ConfigSyntaxError extends SyntaxError {
  constructor(
    readonly scheme: string,
    readonly text: string,
    readonly why: string,
  ) {
    super(`${scheme}: cannot parse configuration ${JSON.stringify(text)}: ${why}`);
    this.name = "ConfigSyntaxError";
  }
}

/** One node id: a decimal integer in 1..30. */
export function parseNodeId(schemeName: string, text: string, part: string, field: string): NodeId {
  const p = part.trim();
  if (!/^\d+$/.test(p))
    throw new ConfigSyntaxError(schemeName, text, `${field}: ${JSON.stringify(p)} is not a node id`);
  const n = Number(p);
  if (n < 1 || n > MAX_NODE_ID)
    throw new ConfigSyntaxError(schemeName, text, `${field}: node id ${n} is not in 1..${MAX_NODE_ID}`);
  return n;
}

/**
 * The elements of a braced list `{a, b, …}`: each element is returned as trimmed text, with
 * `lo..hi` ranges left to the caller. `{}` gives no elements.
 */
export function braceElements(schemeName: string, text: string, part: string, field: string): string[] {
  const t = part.trim();
  const m = /^\{([^{}]*)\}$/.exec(t);
  if (!m) throw new ConfigSyntaxError(schemeName, text, `${field}: expected a set like {1,2,3} or {1..5}`);
  const body = m[1]!.trim();
  if (body === "") return [];
  return body.split(",").map((e) => e.trim());
}

/** `lo..hi` as the list of ids it names, or undefined if `p` is not a range. */
export function parseRange(schemeName: string, text: string, p: string, field: string): NodeId[] | undefined {
  const r = /^(\d+)\s*\.\.\s*(\d+)$/.exec(p);
  if (!r) return undefined;
  const lo = parseNodeId(schemeName, text, r[1]!, field);
  const hi = parseNodeId(schemeName, text, r[2]!, field);
  if (lo > hi) throw new ConfigSyntaxError(schemeName, text, `${field}: empty range ${p}`);
  const ids: NodeId[] = [];
  for (let i = lo; i <= hi; i++) ids.push(i);
  return ids;
}

/** `{1,2,3}` or `{1..5}` or `{1,3..5}` or `{}`; `field` names the part of a larger configuration in errors. */
export function parseNodeSet(schemeName: string, text: string, part: string = text, field = "set"): NodeSet {
  const ids: NodeId[] = [];
  for (const p of braceElements(schemeName, text, part, field)) {
    const r = parseRange(schemeName, text, p, field);
    if (r) ids.push(...r);
    else ids.push(parseNodeId(schemeName, text, p, field));
  }
  return nodeSet(ids);
}

/**
 * Splits `( a, b, … )` into its top-level parts (commas inside `{…}` or `(…)` do not split).
 * `arity` is the number of parts the scheme's syntax expects.
 */
export function tupleParts(schemeName: string, text: string, arity: number, shape: string): string[] {
  const t = text.trim();
  if (!t.startsWith("(") || !t.endsWith(")"))
    throw new ConfigSyntaxError(schemeName, text, `expected a tuple like ${shape}`);
  const body = t.slice(1, -1);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "{" || ch === "(") depth++;
    else if (ch === "}" || ch === ")") {
      depth--;
      if (depth < 0) throw new ConfigSyntaxError(schemeName, text, `unbalanced ${JSON.stringify(ch)}`);
    } else if (ch === "," && depth === 0) {
      parts.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw new ConfigSyntaxError(schemeName, text, "unbalanced braces");
  parts.push(body.slice(start).trim());
  if (parts.length !== arity)
    throw new ConfigSyntaxError(
      schemeName,
      text,
      `expected ${arity} comma-separated parts like ${shape}, found ${parts.length}`,
    );
  return parts;
}

/** `key=value` → value; the key is matched case-sensitively (the paper's names: P, q). */
export function keyed(schemeName: string, text: string, part: string, key: string, shape: string): string {
  const m = /^([A-Za-z]+)\s*=\s*(.*)$/s.exec(part.trim());
  if (!m || m[1] !== key)
    throw new ConfigSyntaxError(
      schemeName,
      text,
      `expected ${key}=… as in ${shape}, found ${JSON.stringify(part)}`,
    );
  return m[2]!.trim();
}

/** `{1,2,3}`: a set of nodes as the parsers read it (unlike showSet, never `*`, even for all 30 nodes). */
export function printSet(s: NodeSet): string {
  return `{${members(s).join(",")}}`;
}
