import type { NodeId, NodeSet } from "./nodeset.js";

/** A method is an application-defined identifier; it has no bearing on safety. */
export type Method = string;
/** Cache id: 0 is the root; a fresh cid is 1 + the largest cid ever used. */
export type Cid = number;

interface CacheBase<C> {
  readonly caller: NodeId;
  readonly time: number;
  readonly versn: number;
  readonly conf: C;
}

// Fig. 6: the four cache variants.
export interface ECache<C> extends CacheBase<C> {
  readonly kind: "ECache";
  readonly supporters: NodeSet;
}
export interface MCache<C> extends CacheBase<C> {
  readonly kind: "MCache";
  readonly method: Method;
}
export interface RCache<C> extends CacheBase<C> {
  readonly kind: "RCache";
}
export interface CCache<C> extends CacheBase<C> {
  readonly kind: "CCache";
  readonly supporters: NodeSet;
}
export type Cache<C> = ECache<C> | MCache<C> | RCache<C> | CCache<C>;
export type CacheKind = Cache<unknown>["kind"];

/** supporters(C): the voters of E/CCaches; an M/RCache's only supporter is its caller (Fig. 9). */
export function supporters<C>(c: Cache<C>): NodeSet {
  switch (c.kind) {
    case "ECache":
    case "CCache":
      return c.supporters;
    case "MCache":
    case "RCache":
      return 1 << c.caller;
    default:
      return assertNever(c);
  }
}

/** C₁ > C₂ exactly as Fig. 9: lexicographic on (time, versn); a CCache beats a non-CCache at a tie. */
export function cacheGt<C>(c1: Cache<C>, c2: Cache<C>): boolean {
  if (c1.time !== c2.time) return c1.time > c2.time;
  if (c1.versn !== c2.versn) return c1.versn > c2.versn;
  return c1.kind === "CCache" && c2.kind !== "CCache";
}

export const KIND_RANK: Record<CacheKind, number> = { ECache: 0, MCache: 1, RCache: 2, CCache: 3 };

/**
 * A total order extending Fig. 9's `>` (which has no ties in valid runs: see the uniqueness
 * invariant). Ties, possible only under ablations, are broken by kind, then caller, then cid,
 * so max_> is always defined and the explorer stays deterministic.
 */
export function compareCaches<C>(a: Cache<C>, cidA: Cid, b: Cache<C>, cidB: Cid): number {
  return (
    a.time - b.time ||
    a.versn - b.versn ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    a.caller - b.caller ||
    cidA - cidB
  );
}

export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}
