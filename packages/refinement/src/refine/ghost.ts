// The refiner's ghost state (README "The relation R"): the map (index, term) → cid of each entry's
// M/R cache, the committed flags of the ADORE tree, and the record of each Raft leader; with the
// helpers that keep it in step with the ADORE tree.
import {
  type AdoreModel,
  type AdoreState,
  type AdoreStep,
  type Cid,
  type NodeId,
  type Rejection,
  replicatedStateSafety,
  type Scheme,
  showStep,
  step,
} from "@adore/adore-core";
import type { Entry, RaftLog } from "@adore/raft-net";

/** (index, term) of an entry → the cid of its M/R cache (node-independent by Log Matching). */
export type GhostMap = Map<string, Cid>;

/** The ghost map's key of the entry at (index, term). */
export const ghostKey = (index: number, term: number) => `${index}:${term}`;

/** The cache of the entry at (index, term): the root for index 0, undefined if it has none (yet). */
export function ghostCache(ghost: ReadonlyMap<string, Cid>, index: number, term: number): Cid | undefined {
  if (index === 0) return 0;
  return ghost.get(ghostKey(index, term));
}

/** A Raft leader (one per term) as the refiner tracks it. */
export interface LeaderRec<C> {
  readonly id: NodeId;
  readonly term: number;
  /** Index of its no-op; its log before the term ends at (termStart − 1, pTerm). */
  readonly termStart: number;
  readonly pTerm: number;
  /** Entries it appended in its term, in order. */
  readonly entries: readonly Entry<C>[];
  /** Pulled in ADORE (its ECache's cid), or pending. */
  readonly ecache: Cid | undefined;
  /** Why the last attempt to pull it failed (diagnostics). */
  readonly lastRejection?: string;
}

/** The ADORE method of a no-op or command entry (undefined for a configuration entry). */
export function entryMethod(e: Entry<unknown>): string | undefined {
  return e.kind === "noop" ? "noop" : e.kind === "command" ? e.command : undefined;
}

/** A leader's appended entry as ADORE's invoke (no-op/command: the method is the command) or reconfig. */
export function entryStep<C>(id: NodeId, e: Entry<C>): AdoreStep<C> {
  const m = entryMethod(e);
  return m !== undefined
    ? { op: "invoke", nid: id, method: m }
    : { op: "reconfig", nid: id, ncf: (e as Extract<Entry<C>, { kind: "config" }>).membership.config };
}

/** The nearest M/R cache (or the root) at or above cid: caches with the same anchor carry the same log. */
export function anchorOf<C>(st: AdoreState<C>, cid: Cid): Cid {
  let x = cid;
  while (x > 0) {
    const k = st.caches[x]!.kind;
    if (k === "MCache" || k === "RCache") return x;
    x = st.parent[x]!;
  }
  return 0;
}

/** The outcome of one ADORE step: rejected, or the next state (and a Def. 4.1 failure after a push). */
export type Applied<C> =
  | { readonly ok: false; readonly shown: string; readonly message: string; readonly rejection: Rejection }
  | {
      readonly ok: true;
      readonly shown: string;
      readonly rule: string;
      readonly next: AdoreState<C>;
      readonly unsafe?: string;
    };

/**
 * Runs adore-core's `step`; when accepted, extends `committed` (committed[cid]: some CCache is a
 * descendant-or-self of cid) and, after a push, checks Def. 4.1.
 */
export function applyAdore<C>(
  model: AdoreModel<C>,
  scheme: Scheme<C>,
  st: AdoreState<C>,
  committed: boolean[],
  a: AdoreStep<C>,
): Applied<C> {
  const r = step(model, st, a);
  const shown = showStep(scheme, a);
  if (!r.ok)
    return {
      ok: false,
      shown,
      message: `${shown} rejected by ${r.reason.rule} (${r.reason.premise}): ${r.reason.message}`,
      rejection: r.reason,
    };
  const next = r.next;
  if (next.caches.length > st.caches.length) committed.push(false);
  if (r.rule === "PUSHOK") {
    const cc = next.caches.length - 1;
    for (let x = cc; x !== -1 && !committed[x]; x = next.parent[x] ?? -1) committed[x] = true;
    const bad = replicatedStateSafety(next);
    if (bad) return { ok: true, shown, rule: r.rule, next, unsafe: `Def. 4.1 fails after ${shown}: ${bad}` };
  }
  return { ok: true, shown, rule: r.rule, next };
}

/** After an entry's invoke/reconfig (cache `cid`): Rel-log's (time, versn) check, or undefined. */
export function entryCacheMismatch<C>(
  st: AdoreState<C>,
  id: NodeId,
  e: Entry<C>,
  cid: Cid,
): string | undefined {
  const c = st.caches[cid]!;
  if (c.time !== e.term || c.versn !== e.versn)
    return `Rel-log: S${id}'s entry ${e.index} has (term, versn) = (${e.term},${e.versn}) but its cache #${cid} has (${c.time},${c.versn})`;
  return undefined;
}

/**
 * Rel-log on a node's entries 1..k against `mr`, the M/R caches on its branch (root first): the
 * same (time, versn, payload); for a compacted prefix only the snapshot's term is compared.
 */
export function branchMismatch<C>(
  scheme: Scheme<C>,
  st: AdoreState<C>,
  id: NodeId,
  log: RaftLog<C>,
  mr: readonly Cid[],
  k: number,
): string | undefined {
  for (let i = Math.max(1, log.snapshotIndex); i <= k; i++) {
    const cid = mr[i - 1]!;
    const c = st.caches[cid]!;
    if (i === log.snapshotIndex) {
      if (c.time !== log.snapshotTerm)
        return `Rel-log: S${id}'s snapshot ends at ${i} with term ${log.snapshotTerm}, the branch has time ${c.time} there`;
      continue;
    }
    const e = log.at(i)!;
    const m = entryMethod(e);
    const same =
      c.time === e.term &&
      c.versn === e.versn &&
      (m !== undefined
        ? c.kind === "MCache" && c.method === m
        : c.kind === "RCache" &&
          scheme.equals(c.conf, (e as Extract<Entry<C>, { kind: "config" }>).membership.config));
    if (!same)
      return `Rel-log: S${id}'s entry ${i} (${e.term},${e.versn}) ${m ?? "conf"} ≠ cache #${cid} ${c.kind} (${c.time},${c.versn}) on its branch`;
  }
  return undefined;
}

/**
 * After the invoke/reconfig of a leader's entry `e` was accepted (its cache is the newest), checks
 * that the cache matches the entry and records (index, term) → cache in the ghost map; returns the
 * relation failure, if any.
 */
export function recordEntryCache<C>(
  st: AdoreState<C>,
  ghost: GhostMap,
  id: NodeId,
  e: Entry<C>,
): string | undefined {
  const cid = st.caches.length - 1;
  const bad = entryCacheMismatch(st, id, e, cid);
  if (bad) return bad;
  const k = ghostKey(e.index, e.term);
  if (ghost.has(k)) return `Rel-log: two entries created at index ${e.index} in term ${e.term}`;
  ghost.set(k, cid);
  return undefined;
}
