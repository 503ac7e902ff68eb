import {
  type AdoreState,
  assertNever,
  type Cache,
  MAX_NODE_ID,
  members,
  nodeSet,
  replicatedStateSafety,
  type Scheme,
  safetyWitness,
} from "@adore/adore-core";
import { ConfigSyntaxError, getScheme, type RegisteredScheme, UnknownSchemeError } from "@adore/schemes";

/**
 * The ADORE view of a recorded run as JSON (`adore validate <dir> --json`, the experiment's
 * `adore-view.json`): the run's cache tree with every configuration printed in its scheme's
 * syntax, the times, the number of steps, the steps ADORE refused and Replicated State Safety.
 */
export interface AdoreViewJson {
  readonly format: "adore-view";
  readonly version: 1;
  readonly scheme: string;
  readonly title?: string;
  /** pull/invoke/reconfig/push steps the run mapped to. */
  readonly steps: number;
  /** Steps the paper's rules refused, with the premise. */
  readonly refused: readonly string[];
  /** null: Replicated State Safety holds; else the violation. */
  readonly safety: string | null;
  /** times[i] of node i + 1. */
  readonly times: readonly number[];
  readonly caches: readonly CacheJson[];
  /** parent[cid]; -1 for the root. */
  readonly parent: readonly number[];
}

export interface CacheJson {
  readonly kind: Cache<unknown>["kind"];
  readonly caller: number;
  readonly time: number;
  readonly versn: number;
  readonly conf: string;
  readonly supporters?: readonly number[];
  readonly method?: string;
}

/** What a recorded run's view holds (refinement's AdoreView has this shape). */
export interface AdoreViewLike<C> {
  readonly state: AdoreState<C>;
  readonly scheme: Scheme<C>;
  readonly steps: number;
  readonly refused: readonly string[];
  readonly safety: string | null;
}

export function adoreViewJson<C>(view: AdoreViewLike<C>, title?: string): AdoreViewJson {
  const { scheme, state } = view;
  return {
    format: "adore-view",
    version: 1,
    scheme: scheme.name,
    ...(title !== undefined ? { title } : {}),
    steps: view.steps,
    refused: view.refused,
    safety: view.safety,
    times: state.times.slice(1),
    caches: state.caches.map((c): CacheJson => {
      const base = {
        kind: c.kind,
        caller: c.caller,
        time: c.time,
        versn: c.versn,
        conf: scheme.print(c.conf),
      };
      switch (c.kind) {
        case "ECache":
        case "CCache":
          return { ...base, supporters: members(c.supporters) };
        case "MCache":
          return { ...base, method: c.method };
        case "RCache":
          return base;
        default:
          return assertNever(c);
      }
    }),
    parent: state.parent,
  };
}

/** A view file that does not read: the field (a JSON path) and the rule it breaks. */
export class ViewFormatError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`ADORE view: ${field}: ${why}`);
    this.name = "ViewFormatError";
  }
}

export interface ParsedView {
  readonly json: AdoreViewJson;
  readonly entry: RegisteredScheme<unknown>;
  readonly state: AdoreState<unknown>;
  /** Replicated State Safety of the tree as read (recomputed, not trusted from the file). */
  readonly safety: string | null;
  readonly witness: readonly [number, number] | null;
}

const KINDS = ["ECache", "MCache", "RCache", "CCache"] as const;

/** Reads and checks a view file as a whole: every field, the tree's shape, every configuration. Throws ViewFormatError. */
export function parseAdoreViewJson(text: string): ParsedView {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ViewFormatError("(file)", `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const obj = (v: unknown, f: string): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new ViewFormatError(f, "expected an object");
    return v as Record<string, unknown>;
  };
  const arr = (v: unknown, f: string): unknown[] => {
    if (!Array.isArray(v)) throw new ViewFormatError(f, "expected an array");
    return v;
  };
  const int = (v: unknown, f: string, lo: number, hi = Number.MAX_SAFE_INTEGER): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
      throw new ViewFormatError(f, `expected an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
    return v;
  };
  const str = (v: unknown, f: string): string => {
    if (typeof v !== "string") throw new ViewFormatError(f, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const o = obj(raw, "(file)");
  if (o.format !== "adore-view")
    throw new ViewFormatError("format", 'expected "adore-view" (not an ADORE view file)');
  if (o.version !== 1) throw new ViewFormatError("version", `version ${JSON.stringify(o.version)} is not 1`);
  let entry: RegisteredScheme<unknown>;
  try {
    entry = getScheme(str(o.scheme, "scheme"));
  } catch (e) {
    if (e instanceof UnknownSchemeError) throw new ViewFormatError("scheme", e.message);
    throw e;
  }
  const times = arr(o.times, "times").map((t, i) => int(t, `times[${i}]`, 0));
  if (times.length < 1 || times.length > MAX_NODE_ID)
    throw new ViewFormatError("times", `expected 1..${MAX_NODE_ID} nodes, got ${times.length}`);
  const nodes = times.length;
  const rawCaches = arr(o.caches, "caches");
  if (rawCaches.length === 0) throw new ViewFormatError("caches", "the root (cid 0) is missing");
  const parent = arr(o.parent, "parent").map((p, i) => int(p, `parent[${i}]`, -1, rawCaches.length - 1));
  if (parent.length !== rawCaches.length)
    throw new ViewFormatError("parent", `${parent.length} parents for ${rawCaches.length} caches`);
  if (parent[0] !== -1) throw new ViewFormatError("parent[0]", "the root's parent must be -1");
  const confs = new Map<string, unknown>();
  const conf = (t: string, f: string): unknown => {
    let c = confs.get(t);
    if (c === undefined) {
      try {
        c = entry.parse(t);
      } catch (e) {
        if (e instanceof ConfigSyntaxError) throw new ViewFormatError(f, e.why);
        throw e;
      }
      confs.set(t, c);
    }
    return c;
  };
  const caches = rawCaches.map((rc, i): Cache<unknown> => {
    const f = `caches[${i}]`;
    const c = obj(rc, f);
    const kind = str(c.kind, `${f}.kind`);
    if (!(KINDS as readonly string[]).includes(kind))
      throw new ViewFormatError(`${f}.kind`, `${JSON.stringify(kind)} is not one of ${KINDS.join(", ")}`);
    const base = {
      caller: int(c.caller, `${f}.caller`, i === 0 ? 0 : 1, nodes),
      time: int(c.time, `${f}.time`, 0),
      versn: int(c.versn, `${f}.versn`, 0),
      conf: conf(str(c.conf, `${f}.conf`), `${f}.conf`),
    };
    const supp = () =>
      nodeSet(
        arr(c.supporters, `${f}.supporters`).map((s, k) => int(s, `${f}.supporters[${k}]`, 1, MAX_NODE_ID)),
      );
    switch (kind as (typeof KINDS)[number]) {
      case "ECache":
        return { kind: "ECache", ...base, supporters: supp() };
      case "CCache":
        return { kind: "CCache", ...base, supporters: supp() };
      case "MCache":
        return { kind: "MCache", ...base, method: str(c.method, `${f}.method`) };
      default:
        return { kind: "RCache", ...base };
    }
  });
  // the tree's shape: every cache reaches the root (no cycles)
  for (let i = 1; i < parent.length; i++) {
    let x = i;
    for (let hops = 0; x !== 0; hops++) {
      if (x === -1 || hops > parent.length)
        throw new ViewFormatError(`parent[${i}]`, "does not lead to the root (a cycle or a second root)");
      x = parent[x]!;
    }
  }
  const steps = int(o.steps, "steps", 0);
  const refused = arr(o.refused, "refused").map((r, i) => str(r, `refused[${i}]`));
  if (o.safety !== null) str(o.safety, "safety");
  const title = o.title === undefined ? undefined : str(o.title, "title");
  const state: AdoreState<unknown> = { caches, parent, times: [0, ...times] };
  const json: AdoreViewJson = {
    format: "adore-view",
    version: 1,
    scheme: entry.scheme.name,
    ...(title !== undefined ? { title } : {}),
    steps,
    refused,
    safety: o.safety as string | null,
    times,
    caches: rawCaches as CacheJson[],
    parent,
  };
  return { json, entry, state, safety: replicatedStateSafety(state), witness: safetyWitness(state) };
}
