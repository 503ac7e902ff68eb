import { assertNever, type Cache, type CCache, type Cid, compareCaches, supporters } from "./cache.js";
import { ALL_NODES, type NodeId, type NodeSet } from "./nodeset.js";

/**
 * Σ_Adore = CacheTree × TimeMap (Fig. 6). The cache tree cid → (parent cid, cache) is kept as
 * two arrays indexed by cid (cids are dense: the tree only grows, and a fresh cid is
 * 1 + the largest used). The root is cid 0 with parent -1.
 */
export interface AdoreState<C> {
  readonly caches: readonly Cache<C>[];
  readonly parent: readonly Cid[];
  /** times[nid] for nid in 1..n; index 0 is unused. */
  readonly times: readonly number[];
}

export type Tree<C> = Pick<AdoreState<C>, "caches" | "parent">;

/**
 * The initial state: the root (cid 0, time 0, versn 0, conf = conf0) counts as committed and
 * as supported by every node, so it is a CCache with supporters = every node.
 */
export function initialState<C>(conf0: C, nodes: number): AdoreState<C> {
  const root: CCache<C> = {
    kind: "CCache",
    caller: 0,
    time: 0,
    versn: 0,
    supporters: ALL_NODES,
    conf: conf0,
  };
  return { caches: [root], parent: [-1], times: new Array<number>(nodes + 1).fill(0) };
}

export function nodeCount(st: AdoreState<unknown>): number {
  return st.times.length - 1;
}

export function getCache<C>(tr: Tree<C>, cid: Cid): Cache<C> {
  const c = tr.caches[cid];
  if (c === undefined) throw new RangeError(`no cache with cid ${cid}`);
  return c;
}

/** addLeaf(st, parent, C): C becomes a new child of `parent` with cid 1 + the largest cid. */
export function addLeaf<C>(st: AdoreState<C>, parent: Cid, c: Cache<C>): AdoreState<C> {
  return { caches: [...st.caches, c], parent: [...st.parent, parent], times: st.times };
}

/** insertBtw(st, C_M, C): C becomes the only child of C_M and adopts all of C_M's former children. */
export function insertBtw<C>(st: AdoreState<C>, cm: Cid, c: Cache<C>): AdoreState<C> {
  const fresh = st.caches.length;
  const parent = st.parent.map((p) => (p === cm ? fresh : p));
  parent.push(cm);
  return { caches: [...st.caches, c], parent, times: st.times };
}

/** setTimes(st, Q, t): every s ∈ Q now has times[s] = t (Fig. 9). */
export function setTimes<C>(st: AdoreState<C>, q: NodeSet, t: number): AdoreState<C> {
  const times = st.times.slice();
  for (let s = 1; s < times.length; s++) if (q & (1 << s)) times[s] = t;
  return { caches: st.caches, parent: st.parent, times };
}

/** a ↑ b: a is an ancestor of b, or b itself (reflexive–transitive, design §3). */
export function isAncestor(tr: Tree<unknown>, a: Cid, b: Cid): boolean {
  for (let x = b; x !== -1; x = tr.parent[x] ?? -1) if (x === a) return true;
  return false;
}

/** The path root → cid (inclusive). */
export function branch(tr: Tree<unknown>, cid: Cid): Cid[] {
  const out: Cid[] = [];
  for (let x = cid; x !== -1; x = tr.parent[x] ?? -1) out.push(x);
  return out.reverse();
}

export function depthOf(tr: Tree<unknown>, cid: Cid): number {
  let d = 0;
  for (let x = tr.parent[cid] ?? -1; x !== -1; x = tr.parent[x] ?? -1) d++;
  return d;
}

export function children(tr: Tree<unknown>, cid: Cid): Cid[] {
  const out: Cid[] = [];
  for (let i = 0; i < tr.parent.length; i++) if (tr.parent[i] === cid) out.push(i);
  return out;
}

/** The nearest common ancestor of a and b. */
export function commonAncestor(tr: Tree<unknown>, a: Cid, b: Cid): Cid {
  const onA = new Set(branch(tr, a));
  for (let x = b; x !== -1; x = tr.parent[x] ?? -1) if (onA.has(x)) return x;
  return 0;
}

/** max_> of the caches satisfying `pred` (the total extension of Fig. 9's order). */
export function maxCache<C>(tr: Tree<C>, pred: (c: Cache<C>, cid: Cid) => boolean): Cid | undefined {
  let best: Cid | undefined;
  for (let i = 0; i < tr.caches.length; i++) {
    const c = tr.caches[i]!;
    if (!pred(c, i)) continue;
    if (best === undefined || compareCaches(c, i, tr.caches[best]!, best) > 0) best = i;
  }
  return best;
}

/** Which caches count as observations for mostRecent (design §3: the `raft-log` variant ignores ECaches). */
export type Recency = "adore" | "raft-log";

/** mostRecent(tr, Q) = max_> {C | Q ∩ supporters(C) ≠ ∅} (Fig. 9). Defined whenever Q ≠ ∅ (the root). */
export function mostRecent<C>(tr: Tree<C>, q: NodeSet, recency: Recency = "adore"): Cid {
  const best = maxCache(tr, (c) => (supporters(c) & q) !== 0 && (recency === "adore" || c.kind !== "ECache"));
  return best ?? 0;
}

/** activeCache(tr, nid) = max_> {C | caller(C) = nid}; undefined if nid never created a cache. */
export function activeCache<C>(tr: Tree<C>, nid: NodeId): Cid | undefined {
  return maxCache(tr, (c, cid) => cid !== 0 && c.caller === nid);
}

/** lastCommit(tr, nid) = max_> {C | nid ∈ supporters(C) ∧ C = CCache(_)} — the root at least. */
export function lastCommit<C>(tr: Tree<C>, nid: NodeId): Cid {
  return maxCache(tr, (c) => c.kind === "CCache" && (c.supporters & (1 << nid)) !== 0) ?? 0;
}

/** isLeader(st, nid, t) = times(st)[nid] = t */
export function isLeader(st: AdoreState<unknown>, nid: NodeId, t: number): boolean {
  return st.times[nid] === t;
}

/** R2(tr, C): every RCache C' ↑ C has a CCache C'' with C' ↑ C'' ↑ C (Fig. 7). Returns the offending RCache or undefined. */
export function R2violation(tr: Tree<unknown>, cid: Cid): Cid | undefined {
  // Walk up from C; remember whether a CCache has been seen below the current position.
  let committedBelow = false;
  for (let x = cid; x !== -1; x = tr.parent[x] ?? -1) {
    const c = tr.caches[x]!;
    if (c.kind === "CCache") committedBelow = true;
    else if (c.kind === "RCache" && !committedBelow) return x;
  }
  return undefined;
}

export function R2(tr: Tree<unknown>, cid: Cid): boolean {
  return R2violation(tr, cid) === undefined;
}

/** R3(tr, C): ∃ CCache C'' with time(C'') = time(C) and C'' ↑ C (Fig. 7). */
export function R3(tr: Tree<unknown>, cid: Cid): boolean {
  const t = tr.caches[cid]!.time;
  for (let x = cid; x !== -1; x = tr.parent[x] ?? -1) {
    const c = tr.caches[x]!;
    if (c.kind === "CCache" && c.time === t) return true;
  }
  return false;
}

/** Definition 4.2: the number of RCaches on the path between a and b (through their nearest common ancestor), endpoints excluded. */
export function rdist(tr: Tree<unknown>, a: Cid, b: Cid): number {
  const ca = commonAncestor(tr, a, b);
  let n = 0;
  const count = (from: Cid) => {
    for (let x = from; x !== ca; x = tr.parent[x]!)
      if (x !== a && x !== b && tr.caches[x]!.kind === "RCache") n++;
  };
  count(a);
  count(b);
  if (ca !== a && ca !== b && tr.caches[ca]!.kind === "RCache") n++;
  return n;
}

/** rdist of a tree: the largest rdist between any two of its caches. */
export function rdistTree(tr: Tree<unknown>): number {
  let best = 0;
  const n = tr.caches.length;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) best = Math.max(best, rdist(tr, a, b));
  return best;
}

/** All CCaches (including the root), deepest last. */
export function ccaches(tr: Tree<unknown>): Cid[] {
  const out: Cid[] = [];
  for (let i = 0; i < tr.caches.length; i++) if (tr.caches[i]!.kind === "CCache") out.push(i);
  return out.sort((x, y) => depthOf(tr, x) - depthOf(tr, y));
}

/**
 * The committed log: the methods and configurations of the M/RCaches on the branch that ends at
 * the deepest CCache. (Meaningful when Replicated State Safety holds: then that branch holds every CCache.)
 */
export function committedLog<C>(tr: Tree<C>): Array<{ cid: Cid; entry: { method: string } | { conf: C } }> {
  const cc = ccaches(tr);
  const deepest = cc[cc.length - 1] ?? 0;
  const out: Array<{ cid: Cid; entry: { method: string } | { conf: C } }> = [];
  for (const x of branch(tr, deepest)) {
    const c = tr.caches[x]!;
    switch (c.kind) {
      case "MCache":
        out.push({ cid: x, entry: { method: c.method } });
        break;
      case "RCache":
        out.push({ cid: x, entry: { conf: c.conf } });
        break;
      case "ECache":
      case "CCache":
        break;
      default:
        assertNever(c);
    }
  }
  return out;
}
