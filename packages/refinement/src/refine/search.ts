// The seed search: seeded raft-net runs checked online by the refiner, the hunt over seeds for
// the shortest failing run, and the failures the real protocol is known to show.
import { type NodeSet, renderAscii, type Scheme } from "@adore/adore-core";
import type { Mutations, RaftOptions } from "@adore/raft-net";
import type { ActionKind, SimOptions } from "@adore/raft-net/testing";
import { type RaftStep, runCluster } from "./driver.js";
import { type LagFailure, LaggingRefiner, MAPPINGS, type MappingName, relationClause } from "./lagging.js";
import { showSteps } from "./show.js";

/** One cluster shape to check: a scheme with its initial configuration over `nodes` nodes. */
export interface RunSpec<C> {
  readonly scheme: Scheme<C>;
  readonly initial: C;
  readonly universe: NodeSet;
  readonly steps: number;
  readonly weights?: Partial<Record<ActionKind, number>>;
  readonly mutations?: Mutations;
  /** raft-net options for the run (e.g. the etcd-style `leaderRemoval`). */
  readonly options?: Partial<RaftOptions>;
  /** Do not report raft-net's own invariant checks: only the refinement and ADORE safety count. */
  readonly refinementOnly?: boolean;
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

export interface LagOutcome<C> {
  readonly seed: number;
  readonly failure: LagFailure | undefined;
  readonly refiner: LaggingRefiner<C>;
  readonly steps: readonly RaftStep<C>[];
  readonly raftSteps: number;
}

/** One seeded raft-net run checked online by the lagging mapping (stops at the first failure). */
export function lagCheckSeed<C>(
  spec: RunSpec<C>,
  mapping: MappingName,
  seed: number,
  record = false,
): LagOutcome<C> {
  const ref = new LaggingRefiner<C>(
    { scheme: spec.scheme, conf0: spec.initial, nodes: maxId(spec.universe), ...MAPPINGS[mapping] },
    record,
  );
  let n = 0;
  const { trace } = runCluster(
    simOptionsOf(spec, seed),
    (s) => {
      n++;
      if (spec.refinementOnly && s.raftViolation !== undefined) {
        const { raftViolation: _, ...rest } = s;
        return ref.feed(rest);
      }
      return ref.feed(s);
    },
    record,
  );
  return { seed, failure: ref.failure, refiner: ref, steps: trace.steps, raftSteps: n };
}

export type LagHuntSummary<C> = SeedHunt<LagOutcome<C>>;

export function lagReason(f: LagFailure | undefined): string {
  if (!f) return "ok";
  if (f.kind === "rejected") return `rejected/${f.rejection?.rule}/${f.rejection?.premise}`;
  if (f.kind === "relation") return `relation/${relationClause(f.message)}`;
  return f.kind;
}

export function lagHunt<C>(
  spec: RunSpec<C>,
  mapping: MappingName,
  first: number,
  count: number,
  filter: (f: LagFailure) => boolean = () => true,
): LagHuntSummary<C> {
  return huntSeeds(
    first,
    count,
    (seed) => {
      const r = lagCheckSeed(spec, mapping, seed);
      return { raftSteps: r.raftSteps, adoreSteps: r.refiner.adoreSteps, failure: r.failure };
    },
    (r) => lagReason(r.failure),
    (r) => filter(r.failure!),
    (seed) => lagCheckSeed(spec, mapping, seed, true),
  );
}

/** A failing run as text: Raft steps with the ADORE steps each was mapped to, the failure, the tree. */
export function showLagOutcome<C>(spec: RunSpec<C>, out: LagOutcome<C>, tree = true): string {
  const r = out.refiner;
  const lines = showSteps(out.steps, r.mapped ?? [], r.failure);
  const pend = r.describePending();
  if (pend) lines.push(`pending (elected in Raft, not pulled): ${pend}`);
  if (tree) lines.push(renderAscii(spec.scheme, r.st, { title: "ADORE cache tree:" }));
  return lines.join("\n");
}

/**
 * The real protocol's failures under the lagging mapping (M4), each a place where raft-net does
 * something ADORE cannot express (docs/elections.md, "What still fails"):
 * - "self-removal": a leader outside the configuration of the entry it commits (validSupp);
 * - "later-config": an entry committed by counting a quorum of a LATER configuration (Rel-commit);
 * - "versn-after-compaction": the first entry a leader appends after compacting its last entry
 *   restarts versn at 1, so (term, versn) is not unique.
 */
export type LagGap = "self-removal" | "later-config" | "versn-after-compaction";

export function lagGap(f: LagFailure | undefined): LagGap | undefined {
  if (!f) return undefined;
  if (
    f.kind === "rejected" &&
    f.rejection?.premise === "validSupp" &&
    /validSupp: \d+ ∉ mbrs/.test(f.message)
  )
    if (f.rejection.rule === "VALIDPUSHORACLE") return "self-removal";
  if (f.kind === "relation" && f.message.includes("[later-config")) return "later-config";
  if (f.kind === "rejected" && f.rejection?.rule === "VALIDPUSHORACLE" && f.rejection.premise === "Qok")
    return "later-config";
  if (f.kind === "relation" && /has \(term, versn\) = \(\d+,1\) but its cache/.test(f.message))
    return "versn-after-compaction";
  return undefined;
}
