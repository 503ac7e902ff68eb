import { type NodeSet, nodeSet, range, type Scheme } from "@adore/adore-core";
import { raftSingle } from "./raft-single.js";

/** A scheme as the CLI and tests use it: the scheme, a configuration parser, and a default initial configuration. */
export interface RegisteredScheme<C> {
  readonly scheme: Scheme<C>;
  /** Parses the scheme's configuration syntax, e.g. `{1,2,3}`; throws ConfigSyntaxError. */
  parse(text: string): C;
  /** The initial configuration over nodes 1..n. */
  initial(nodes: number): C;
}

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

/** `{1,2,3}` or `{1..5}` or `{}`. */
export function parseNodeSet(schemeName: string, text: string): NodeSet {
  const t = text.trim();
  const m = /^\{([^{}]*)\}$/.exec(t);
  if (!m) throw new ConfigSyntaxError(schemeName, text, "expected a set like {1,2,3} or {1..5}");
  const body = m[1]!.trim();
  if (body === "") return 0;
  const ids: number[] = [];
  for (const part of body.split(",")) {
    const p = part.trim();
    const r = /^(\d+)\s*\.\.\s*(\d+)$/.exec(p);
    if (r) {
      const lo = Number(r[1]);
      const hi = Number(r[2]);
      if (lo > hi) throw new ConfigSyntaxError(schemeName, text, `empty range ${p}`);
      for (let i = lo; i <= hi; i++) ids.push(i);
    } else if (/^\d+$/.test(p)) ids.push(Number(p));
    else throw new ConfigSyntaxError(schemeName, text, `${JSON.stringify(p)} is not a node id`);
  }
  try {
    return nodeSet(ids);
  } catch (e) {
    throw new ConfigSyntaxError(schemeName, text, (e as Error).message);
  }
}

/** Every scheme the CLI knows, by name. */
const SCHEMES: Readonly<Record<string, RegisteredScheme<never>>> = {
  "raft-single": entry<NodeSet>({
    scheme: raftSingle,
    parse: (t) => parseNodeSet("raft-single", t),
    initial: (n) => range(n),
  }),
};

function entry<C>(e: RegisteredScheme<C>): RegisteredScheme<never> {
  return e as unknown as RegisteredScheme<never>;
}

export class UnknownSchemeError extends RangeError {
  constructor(readonly schemeName: string) {
    super(`unknown scheme ${JSON.stringify(schemeName)}; known: ${Object.keys(SCHEMES).join(", ")}`);
    this.name = "UnknownSchemeError";
  }
}

/** Looks a scheme up by its CLI name (`raft-single`, …). */
export function getScheme(name: string): RegisteredScheme<unknown> {
  const e = Object.hasOwn(SCHEMES, name) ? SCHEMES[name] : undefined;
  if (!e) throw new UnknownSchemeError(name);
  return e as unknown as RegisteredScheme<unknown>;
}

export function schemeNames(): string[] {
  return Object.keys(SCHEMES);
}
