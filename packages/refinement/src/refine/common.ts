// What the two Raft → ADORE mappings (mapping.ts: elections are pulls; lagging.ts: lagging times)
// and their seed hunters (hunt.ts, lag-hunt.ts) share.
import {
  type AdoreModel,
  type AdoreState,
  type AdoreStep,
  type Cid,
  type NodeId,
  type NodeSet,
  type Rejection,
  replicatedStateSafety,
  type Scheme,
  showSet,
  showStep,
  step,
} from "@adore/adore-core";
import type { Entry, RaftLog } from "@adore/raft-net";
import type { SimOptions } from "@adore/raft-net/testing";
import type { RaftStep } from "./driver.js";
import type { RunSpec } from "./hunt.js";

/** An ADORE step the mapping emitted, after Raft step `at`. */
export interface MappedStep {
  readonly at: number;
  readonly step: string;
  readonly rule: string;
}

/** The ghost map's key of the entry at (index, term) (Log Matching makes it node-independent). */
export const ghostKey = (index: number, term: number) => `${index}:${term}`;

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

/** After an entry's invoke/reconfig (cache `cid`): R1's (time, versn) check, or undefined. */
export function entryCacheMismatch<C>(
  st: AdoreState<C>,
  id: NodeId,
  e: Entry<C>,
  cid: Cid,
): string | undefined {
  const c = st.caches[cid]!;
  if (c.time !== e.term || c.versn !== e.versn)
    return `S${id}'s entry ${e.index} has (term, versn) = (${e.term},${e.versn}) but its cache #${cid} has (${c.time},${c.versn})`;
  return undefined;
}

/**
 * R1 on a node's entries 1..k against `mr`, the M/R caches on its branch (root first): the same
 * (time, versn, payload); for a compacted prefix only the snapshot's term is compared.
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
        return `R1: S${id}'s snapshot ends at ${i} with term ${log.snapshotTerm}, the branch has time ${c.time} there`;
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
      return `R1: S${id}'s entry ${i} (${e.term},${e.versn}) ${m ?? "conf"} ≠ cache #${cid} ${c.kind} (${c.time},${c.versn}) on its branch`;
  }
  return undefined;
}

/** The raft-net simulation of one seed of a run spec. */
export function simOptionsOf<C>(spec: RunSpec<C>, seed: number): SimOptions<C> {
  return {
    scheme: spec.scheme,
    initial: spec.initial,
    universe: spec.universe,
    seed,
    steps: spec.steps,
    ...(spec.weights ? { weights: spec.weights } : {}),
    ...(spec.mutations ? { mutations: spec.mutations } : {}),
    ...(spec.options ? { options: spec.options } : {}),
  };
}

/** The largest node id in a set. */
export function maxId(u: NodeSet): number {
  return 31 - Math.clz32(u);
}

/** A failure of either mapping, as its trace's last line reads it. */
export interface ShownFailure {
  readonly at: number;
  readonly kind: string;
  readonly message: string;
  /** The ADORE step that was refused, if the failure is a refusal. */
  readonly adoreStep?: string;
}

/**
 * `kind: message`, naming the refused ADORE step when there is one (`rejected: the failing ADORE
 * step push(S2, Q={1,2}, C_M=#2) rejected by …`).
 */
export function describeFailure(f: ShownFailure): string {
  if (f.adoreStep === undefined) return `${f.kind}: ${f.message}`;
  const rest = f.message.startsWith(f.adoreStep) ? f.message.slice(f.adoreStep.length) : `: ${f.message}`;
  return `${f.kind}: the failing ADORE step ${f.adoreStep}${rest}`;
}

/** The ADORE steps the mapping emitted, by the step (Raft or SRaft) they came from. */
export function mappedByStep(mapped: readonly MappedStep[]): Map<number, string[]> {
  const byStep = new Map<number, string[]>();
  for (const m of mapped) {
    const xs = byStep.get(m.at) ?? [];
    xs.push(`${m.step} [${m.rule}]`);
    byStep.set(m.at, xs);
  }
  return byStep;
}

/**
 * A run's Raft steps as text (with their elections, truncations, commits), the ADORE steps each was
 * mapped to and the failure. Steps are numbered densely: a step whose drawn action had nothing to
 * act on (a deliver with no message in flight, …) changed nothing and is left out, and a last line
 * says how many were.
 */
export function showSteps<C>(
  steps: readonly RaftStep<C>[],
  mapped: readonly MappedStep[],
  failure?: ShownFailure,
): string[] {
  const lines: string[] = [];
  const byStep = mappedByStep(mapped);
  let shown = 0;
  let idle = 0;
  let failedAt: number | undefined;
  for (const s of steps) {
    const adore = byStep.get(s.n) ?? [];
    if (!s.action && adore.length === 0 && s.n !== failure?.at) {
      idle++;
      continue;
    }
    shown++;
    if (s.n === failure?.at) failedAt = shown;
    const ev: string[] = [];
    for (const e of s.effects)
      for (const x of e.events) {
        if (x.type === "becameLeader") ev.push(`S${e.id} leads t${x.term} voters ${showSet(x.voters)}`);
        if (x.type === "truncated") ev.push(`S${e.id} truncates from ${x.from}`);
        if (x.type === "commitAdvanced") ev.push(`S${e.id} commit ${x.from}->${x.to}`);
      }
    lines.push(`${shown}. ${s.action || "(nothing to act on)"}${ev.length ? `   (${ev.join("; ")})` : ""}`);
    for (const a of adore) lines.push(`      ADORE ${a}`);
  }
  if (failure)
    lines.push(`!! step ${failedAt ?? `${shown + 1} (not recorded)`}: ${describeFailure(failure)}`);
  if (idle > 0)
    lines.push(
      `(${idle} idle step${idle === 1 ? "" : "s"} not shown: the drawn action had nothing to act on, e.g. a deliver with no message in flight)`,
    );
  return lines;
}

/** What a hunt over seeds adds up (`huntSeeds`). */
export interface SeedHunt<O> {
  readonly runs: number;
  readonly failures: number;
  readonly raftSteps: number;
  readonly adoreSteps: number;
  readonly ms: number;
  /** Count of first failures by reason. */
  readonly byReason: ReadonlyMap<string, number>;
  /** The accepted failing run with the fewest Raft steps, re-run with its trace recorded. */
  readonly shortest: O | undefined;
}

/** One seed's check as `huntSeeds` reads it. */
export interface SeedCheck {
  readonly raftSteps: number;
  readonly adoreSteps: number;
  readonly failure: { readonly at: number } | undefined;
}

/** Checks seeds first..first+count-1; with `filter`, only failures it accepts count as the shortest. */
export function huntSeeds<R extends SeedCheck, O>(
  first: number,
  count: number,
  check: (seed: number) => R,
  reason: (r: R) => string,
  filter: (r: R) => boolean,
  rerun: (seed: number) => O,
): SeedHunt<O> {
  const t0 = performance.now();
  const byReason = new Map<string, number>();
  let failures = 0;
  let raftSteps = 0;
  let adoreSteps = 0;
  let best: { seed: number; at: number } | undefined;
  for (let seed = first; seed < first + count; seed++) {
    const r = check(seed);
    raftSteps += r.raftSteps;
    adoreSteps += r.adoreSteps;
    if (!r.failure) continue;
    failures++;
    const why = reason(r);
    byReason.set(why, (byReason.get(why) ?? 0) + 1);
    if (filter(r) && (!best || r.failure.at < best.at)) best = { seed, at: r.failure.at };
  }
  const ms = performance.now() - t0;
  const shortest = best ? rerun(best.seed) : undefined;
  return { runs: count, failures, raftSteps, adoreSteps, ms, byReason, shortest };
}

/**
 * After the invoke/reconfig of a leader's entry `e` was accepted (its cache is the newest), checks
 * that the cache matches the entry and records (index, term) → cache in the ghost map; returns the
 * relation failure, if any.
 */
export function recordEntryCache<C>(
  st: AdoreState<C>,
  ghost: Map<string, Cid>,
  id: NodeId,
  e: Entry<C>,
): string | undefined {
  const cid = st.caches.length - 1;
  const bad = entryCacheMismatch(st, id, e, cid);
  if (bad) return bad;
  const k = ghostKey(e.index, e.term);
  if (ghost.has(k)) return `two entries created at index ${e.index} in term ${e.term}`;
  ghost.set(k, cid);
  return undefined;
}
