/** A node id: a small positive integer (1..30), as in the paper's N_nid. */
export type NodeId = number;

/**
 * A set of node ids as a bitmask (bit i set ⇔ node i ∈ set). Node ids are small integers, so
 * set operations are single machine instructions; the explorer depends on that for speed.
 */
export type NodeSet = number;

export const MAX_NODE_ID = 30;
/** The set of every node id: used as the root cache's supporters (it is supported by every node). */
export const ALL_NODES: NodeSet = 0x7ffffffe;
export const EMPTY: NodeSet = 0;

export class NodeIdError extends RangeError {
  constructor(readonly nid: unknown) {
    super(`node id ${String(nid)} is not an integer in 1..${MAX_NODE_ID}`);
    this.name = "NodeIdError";
  }
}

export function checkNodeId(nid: unknown): NodeId {
  if (typeof nid !== "number" || !Number.isInteger(nid) || nid < 1 || nid > MAX_NODE_ID)
    throw new NodeIdError(nid);
  return nid;
}

export function nodeSet(ids: Iterable<NodeId>): NodeSet {
  let s = 0;
  for (const id of ids) s |= 1 << checkNodeId(id);
  return s;
}

/** {1..n} */
export function range(n: number): NodeSet {
  if (n < 0 || n > MAX_NODE_ID) throw new NodeIdError(n);
  return ((1 << (n + 1)) - 2) & ALL_NODES;
}

export function has(s: NodeSet, nid: NodeId): boolean {
  return (s & (1 << nid)) !== 0;
}

export function size(s: NodeSet): number {
  let v = s >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function members(s: NodeSet): NodeId[] {
  const out: NodeId[] = [];
  for (let i = 1; i <= MAX_NODE_ID; i++) if (s & (1 << i)) out.push(i);
  return out;
}

export const union = (a: NodeSet, b: NodeSet): NodeSet => a | b;
export const intersect = (a: NodeSet, b: NodeSet): NodeSet => a & b;
export const minus = (a: NodeSet, b: NodeSet): NodeSet => a & ~b;
export const isSubset = (a: NodeSet, b: NodeSet): boolean => (a & ~b) === 0;
export const add = (s: NodeSet, nid: NodeId): NodeSet => s | (1 << nid);

/** Every subset of `s` (including ∅ and s), in increasing numeric order. */
export function subsets(s: NodeSet): NodeSet[] {
  const out: NodeSet[] = [];
  // enumerate submasks of s from 0 upwards
  let sub = 0;
  do {
    out.push(sub);
    sub = (sub - s) & s;
  } while (sub !== 0);
  return out;
}

/** `{1,2,3}`; the root's supporters print as `*`. */
export function showSet(s: NodeSet): string {
  if (s === ALL_NODES) return "*";
  return `{${members(s).join(",")}}`;
}

/** Applies a renaming of node ids to a set (used by symmetry reduction). */
export function renameSet(s: NodeSet, perm: readonly NodeId[]): NodeSet {
  if (s === ALL_NODES) return s;
  let out = 0;
  for (let i = 1; i <= MAX_NODE_ID; i++) if (s & (1 << i)) out |= 1 << (perm[i] ?? i);
  return out;
}
