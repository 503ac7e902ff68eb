import { type Cache, type Cid, supporters } from "./cache.js";
import { showSet } from "./nodeset.js";
import type { Scheme } from "./scheme.js";
import { type AdoreState, commonAncestor, depthOf, isAncestor, rdist, type Tree } from "./tree.js";

/** A named invariant: `check` returns null when it holds, else a description of the counterexample. */
export interface Invariant<S> {
  readonly name: string;
  readonly description: string;
  check(s: S): string | null;
}

const label = (tr: Tree<unknown>, cid: Cid): string => {
  const c = tr.caches[cid]!;
  return `#${cid} ${c.kind}(S${c.caller}, t=${c.time}, v=${c.versn})`;
};

/** Two CCaches on different branches, if any (the witness against Def. 4.1). */
export function safetyWitness(tr: Tree<unknown>): [Cid, Cid] | null {
  // every CCache must be an ancestor of the deepest one (the first of the deepest, by cid)
  const n = tr.caches.length;
  if (n <= 64) return safetyWitnessSmall(tr);
  // big trees (recorded runs): linear time — depths memoised along parent chains, the deepest
  // one's ancestors marked once
  const depth = new Int32Array(n).fill(-1);
  const stack: Cid[] = [];
  const depthAt = (cid: Cid): number => {
    let x = cid;
    while (x !== -1 && depth[x]! < 0) {
      stack.push(x);
      x = tr.parent[x] ?? -1;
    }
    let d = x === -1 ? -1 : depth[x]!;
    while (stack.length > 0) depth[stack.pop()!] = ++d;
    return depth[cid]!;
  };
  let deepest = 0;
  let dmax = -1;
  for (let i = 0; i < n; i++) {
    if (tr.caches[i]!.kind !== "CCache") continue;
    const d = depthAt(i);
    if (d > dmax) {
      dmax = d;
      deepest = i;
    }
  }
  const onBranch = new Uint8Array(n);
  for (let x = deepest; x !== -1; x = tr.parent[x] ?? -1) onBranch[x] = 1;
  for (let i = 0; i < n; i++)
    if (tr.caches[i]!.kind === "CCache" && !onBranch[i]) return i < deepest ? [i, deepest] : [deepest, i];
  return null;
}

/** The same for the explorer's small trees, where plain walks beat allocating the arrays. */
function safetyWitnessSmall(tr: Tree<unknown>): [Cid, Cid] | null {
  let deepest = 0;
  let dmax = -1;
  for (let i = 0; i < tr.caches.length; i++) {
    if (tr.caches[i]!.kind !== "CCache") continue;
    const d = depthOf(tr, i);
    if (d > dmax) {
      dmax = d;
      deepest = i;
    }
  }
  for (let i = 0; i < tr.caches.length; i++)
    if (tr.caches[i]!.kind === "CCache" && !isAncestor(tr, i, deepest))
      return i < deepest ? [i, deepest] : [deepest, i];
  return null;
}

/** Definition 4.1: for any CCaches C₁, C₂, one is a descendant of the other. */
export function replicatedStateSafety(tr: Tree<unknown>): string | null {
  const w = safetyWitness(tr);
  if (w === null) return null;
  const [a, b] = w;
  return `${label(tr, a)} and ${label(tr, b)} are on different branches (they fork at #${commonAncestor(tr, a, b)})`;
}

/**
 * Unique leader per time: no two E/M/R caches share (time, versn), and all E/M/R caches of one
 * time have one caller.
 */
export function uniqueTimestamps(tr: Tree<unknown>): string | null {
  const n = tr.caches.length;
  for (let i = 1; i < n; i++) {
    const c = tr.caches[i]!;
    if (c.kind === "CCache") continue;
    for (let j = 1; j < i; j++) {
      const d = tr.caches[j]!;
      if (d.kind === "CCache" || d.time !== c.time) continue;
      if (d.versn === c.versn)
        return `${label(tr, j)} and ${label(tr, i)} share (time, versn) = (${c.time},${c.versn})`;
      if (d.caller !== c.caller) return `two leaders at time ${c.time}: ${label(tr, j)} and ${label(tr, i)}`;
    }
  }
  return null;
}

/**
 * Lemma 4.4: for RCaches R₁, R₂ with rdist 0, neither a descendant of the other, with nearest
 * common ancestor A, some CCache strictly below A is an ancestor of R₁ or of R₂.
 */
export function lemma44(tr: Tree<unknown>): string | null {
  const rs: Cid[] = [];
  for (let i = 0; i < tr.caches.length; i++) if (tr.caches[i]!.kind === "RCache") rs.push(i);
  for (let x = 0; x < rs.length; x++)
    for (let y = x + 1; y < rs.length; y++) {
      const r1 = rs[x]!;
      const r2 = rs[y]!;
      if (isAncestor(tr, r1, r2) || isAncestor(tr, r2, r1) || rdist(tr, r1, r2) !== 0) continue;
      const a = commonAncestor(tr, r1, r2);
      const hasC = (r: Cid) => {
        for (let z = tr.parent[r]!; z !== a; z = tr.parent[z]!)
          if (tr.caches[z]!.kind === "CCache") return true;
        return false;
      };
      if (!hasC(r1) && !hasC(r2))
        return `RCaches ${label(tr, r1)} and ${label(tr, r2)} fork at #${a} with no CCache between the fork and either`;
    }
  return null;
}

/** One root, parents exist, acyclic, configuration inherited except at RCaches. */
export function wellFormed<C>(scheme: Scheme<C>, tr: Tree<C>): string | null {
  const n = tr.caches.length;
  if (tr.parent.length !== n) return `tree has ${n} caches but ${tr.parent.length} parent links`;
  if (tr.parent[0] !== -1) return `the root #0 has a parent`;
  for (let i = 1; i < n; i++) {
    const p = tr.parent[i]!;
    if (!(p >= 0 && p < n) || p === i) return `#${i} has no valid parent (${p})`;
    // acyclic: the walk to the root must end within n steps
    let x = i;
    let steps = 0;
    while (x !== 0 && steps <= n) {
      x = tr.parent[x]!;
      steps++;
    }
    if (x !== 0) return `#${i} is on a cycle, not under the root`;
    const c = tr.caches[i]!;
    const pc = tr.caches[p]!;
    if (c.kind !== "RCache" && !scheme.equals(c.conf, pc.conf))
      return `${label(tr, i)} has conf ${scheme.print(c.conf)} but its parent #${p} has ${scheme.print(pc.conf)}`;
  }
  return null;
}

/**
 * The times invariants behind Fig. 11: every supporter of a cache has seen its time
 * (times[s] ≥ time(C) for s ∈ supporters(C)), and times never decrease along a branch.
 */
export function timesInvariant<C>(st: AdoreState<C>): string | null {
  for (let i = 1; i < st.caches.length; i++) {
    const c: Cache<C> = st.caches[i]!;
    const sup = supporters(c);
    for (let s = 1; s < st.times.length; s++)
      if (sup & (1 << s) && st.times[s]! < c.time)
        return `node ${s} supports ${label(st, i)} (supporters ${showSet(sup)}) but times[${s}] = ${st.times[s]}`;
    const p = st.caches[st.parent[i]!]!;
    if (p.time > c.time) return `${label(st, i)} is below #${st.parent[i]} with the larger time ${p.time}`;
  }
  return null;
}

export function adoreInvariants<C>(scheme: Scheme<C>): Invariant<AdoreState<C>>[] {
  return [
    {
      name: "ReplicatedStateSafety",
      description: "Def. 4.1: all CCaches lie on one branch",
      check: (s) => replicatedStateSafety(s),
    },
    {
      name: "UniqueTimestamps",
      description: "(time, versn) is unique among E/M/R caches, one leader per time",
      check: (s) => uniqueTimestamps(s),
    },
    {
      name: "Lemma4.4",
      description: "a CCache separates RCaches that fork at rdist 0",
      check: (s) => lemma44(s),
    },
    {
      name: "WellFormed",
      description: "one root, acyclic, configuration inherited except at RCaches",
      check: (s) => wellFormed(scheme, s),
    },
    {
      name: "Times",
      description: "supporters' times ≥ cache time; times grow along branches",
      check: (s) => timesInvariant(s),
    },
  ];
}
