import { MAX_NODE_ID, type NodeSet, range, showSet } from "./nodeset.js";

/**
 * A bad option of the explorer (or of a spec's bounds): which field (`maxDepth`, `bounds.nodes`,
 * `conf0`, …) and which rule it breaks. Thrown before anything is explored.
 */
export class ExploreOptionError extends RangeError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = "ExploreOptionError";
  }
}

const shown = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `a list [${v.map(shown).join(", ")}]`;
  if (v === null || typeof v !== "object") return String(v);
  return "an object";
};

/** The value of `field` must be an integer in lo..hi. */
export function checkInteger(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw new ExploreOptionError(
      field,
      v === undefined
        ? `missing: expected an integer in ${lo}..${hi}`
        : `${shown(v)} is not an integer in ${lo}..${hi}`,
    );
  return v;
}

/** An optional boolean field. */
export function checkBoolean(field: string, v: unknown): void {
  if (v !== undefined && typeof v !== "boolean")
    throw new ExploreOptionError(field, `${shown(v)} is not true or false`);
}

/** The bounds themselves must be an object (each spec then checks its fields). */
export function checkRecord(field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ExploreOptionError(
      field,
      `${v === undefined ? "missing" : shown(v)}: expected an object of bounds`,
    );
  return v as Record<string, unknown>;
}

/** A list of distinct node ids 1..MAX_NODE_ID (e.g. SRaft's `bounds.nodes`), as a set. */
export function checkNodeList(field: string, v: unknown): NodeSet {
  if (!Array.isArray(v))
    throw new ExploreOptionError(
      field,
      `${v === undefined ? "missing" : `${shown(v)} is not a list`}: expected a list of node ids like [1, 2, 3]`,
    );
  let s = 0;
  for (const id of v as unknown[]) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > MAX_NODE_ID)
      throw new ExploreOptionError(
        field,
        `${shown(id)} in the list of node ids is not an integer in 1..${MAX_NODE_ID}`,
      );
    if (s & (1 << id))
      throw new ExploreOptionError(field, `node ${id} appears twice in the list of node ids`);
    s |= 1 << id;
  }
  if (s === 0) throw new ExploreOptionError(field, "the list of node ids is empty");
  return s;
}

/** A configuration's members must lie within the nodes the bounds allow. */
export function checkWithin(
  field: string,
  printed: string,
  mbrs: NodeSet,
  nodes: NodeSet,
  nodesField: string,
): void {
  const outside = mbrs & ~nodes;
  if (outside !== 0)
    throw new ExploreOptionError(
      field,
      `${printed} names ${showSet(outside)}, outside the nodes ${showNodes(nodes)} of ${nodesField}`,
    );
}

/** `1..n` for {1..n}, else the set. */
function showNodes(nodes: NodeSet): string {
  const n = 31 - Math.clz32(nodes);
  return nodes === range(n) ? `1..${n}` : showSet(nodes);
}
