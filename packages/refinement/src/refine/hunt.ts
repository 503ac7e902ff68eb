import { type NodeSet, renderAscii, type Scheme } from "@adore/adore-core";
import type { ActionKind, Mutations, RaftOptions, SimOptions } from "@adore/raft-net";
import { type RaftStep, runCluster } from "./driver.js";
import { type RefinementResult, type CommitMapping, RefinementChecker, refineOptionsFor } from "./mapping.js";

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
  readonly recency?: "adore" | "raft-log";
  readonly commits?: CommitMapping;
  /**
   * Emulates a protocol change in the driver (raft-net is unchanged): a leader is never asked for a
   * configuration that excludes it (the run issues nothing instead).
   */
  readonly noSelfRemoval?: boolean;
  /** Do not report raft-net's own invariant checks: only the refinement and ADORE safety count. */
  readonly refinementOnly?: boolean;
}

export interface RunOutcome<C> {
  readonly seed: number;
  readonly result: RefinementResult<C>;
  /** The Raft steps up to (and including) the failing one, when recorded. */
  readonly steps: readonly RaftStep<C>[];
}

function simOptions<C>(spec: RunSpec<C>, seed: number): SimOptions<C> {
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

/** Drives one seeded run and checks it online (stops at the first failure). */
export function checkSeed<C>(spec: RunSpec<C>, seed: number, record = false): RunOutcome<C> {
  const o = simOptions(spec, seed);
  let ck: RefinementChecker<C> | undefined;
  const { trace } = runCluster(
    o,
    (s) => {
      ck ??= new RefinementChecker(
        refineOptionsFor(
          { initial: s.cluster, steps: [], params: undefined as never, options: o },
          {
            ...(spec.recency ? { recency: spec.recency } : {}),
            ...(spec.commits ? { commits: spec.commits } : {}),
            nodes: maxId(spec.universe),
          },
        ),
        record,
      );
      return ck.feed(s);
    },
    record,
  );
  return { seed, result: ck!.result(), steps: trace.steps };
}

function maxId(u: NodeSet): number {
  return 31 - Math.clz32(u);
}

export interface HuntSummary<C> {
  readonly runs: number;
  readonly failures: number;
  readonly raftSteps: number;
  readonly adoreSteps: number;
  readonly ms: number;
  /** Count of first failures by `kind/premise-or-clause[/cause]`. */
  readonly byReason: ReadonlyMap<string, number>;
  /** The failing run with the fewest Raft steps, re-run with its trace recorded. */
  readonly shortest: RunOutcome<C> | undefined;
}

export function reasonOf(r: RefinementResult<unknown>): string {
  const f = r.failure;
  if (!f) return "ok";
  if (f.kind === "rejected")
    return `rejected/${f.rejection?.rule}/${f.rejection?.premise}${f.cause ? `/${f.cause}` : ""}`;
  if (f.kind === "relation") return `relation/${f.message.slice(0, 2)}`;
  return f.kind;
}

/** Checks seeds first..first+count-1; with `filter`, only failures it accepts count as the shortest. */
export function hunt<C>(
  spec: RunSpec<C>,
  first: number,
  count: number,
  filter: (r: RefinementResult<C>) => boolean = () => true,
): HuntSummary<C> {
  const t0 = performance.now();
  const byReason = new Map<string, number>();
  let failures = 0;
  let raftSteps = 0;
  let adoreSteps = 0;
  let best: { seed: number; at: number } | undefined;
  for (let seed = first; seed < first + count; seed++) {
    const { result } = checkSeed(spec, seed);
    raftSteps += result.raftSteps;
    adoreSteps += result.adoreSteps;
    if (!result.failure) continue;
    failures++;
    const why = reasonOf(result);
    byReason.set(why, (byReason.get(why) ?? 0) + 1);
    if (filter(result) && (!best || result.failure.at < best.at)) best = { seed, at: result.failure.at };
  }
  const ms = performance.now() - t0;
  const shortest = best ? checkSeed(spec, best.seed, true) : undefined;
  return { runs: count, failures, raftSteps, adoreSteps, ms, byReason, shortest };
}

/** A failing run as text: the Raft steps with the ADORE steps each mapped to, the failure, the tree. */
export function showOutcome<C>(spec: RunSpec<C>, out: RunOutcome<C>, tree = true): string {
  const r = out.result;
  const lines: string[] = [];
  const byStep = new Map<number, string[]>();
  for (const m of r.mapped) {
    const xs = byStep.get(m.at) ?? [];
    xs.push(`${m.step} [${m.rule}]`);
    byStep.set(m.at, xs);
  }
  for (const s of out.steps) {
    if (!s.action) continue;
    const ev: string[] = [];
    for (const e of s.effects)
      for (const x of e.events) {
        if (x.type === "becameLeader") ev.push(`S${e.id} leads t${x.term} voters {${members(x.voters)}}`);
        if (x.type === "truncated") ev.push(`S${e.id} truncates from ${x.from}`);
        if (x.type === "commitAdvanced") ev.push(`S${e.id} commit ${x.from}->${x.to}`);
      }
    lines.push(`${s.n}. ${s.action}${ev.length ? `   (${ev.join("; ")})` : ""}`);
    for (const a of byStep.get(s.n) ?? []) lines.push(`      ADORE ${a}`);
  }
  if (r.failure) lines.push(`!! step ${r.failure.at}: ${r.failure.kind}: ${r.failure.message}`);
  if (tree) lines.push(renderAscii(spec.scheme, r.state, { title: "ADORE cache tree:" }));
  return lines.join("\n");
}

function members(s: NodeSet): string {
  const out: number[] = [];
  for (let i = 1; i <= 30; i++) if (s & (1 << i)) out.push(i);
  return out.join(",");
}

/**
 * The failures the real (unmutated) protocol produces under the `raft-log` + "on-quorum" mapping:
 * places where this first-stage mapping does not simulate Raft (see docs/elections.md), not bugs.
 * - pull/mostRecent "ahead": the new leader holds replicated entries no voter supports in ADORE;
 * - pull/mostRecent "fork": a voter still supports entries it created and later lost by truncation;
 * - pull/times<t "later": a vote counted after a later election completed (needs SRaft reordering);
 * - push/validSupp with the leader outside Q: a leader that removed itself commits (Raft §4.2.2);
 * - push/Qok: Raft counted the quorum in a later configuration than the committed entry's.
 */
export function isKnownGap(r: RefinementResult<unknown>): boolean {
  const f = r.failure;
  if (f?.kind !== "rejected" || !f.rejection) return false;
  const { rule, premise } = f.rejection;
  if (rule === "VALIDPULLORACLE")
    return (
      (premise === "mostRecent" && (f.cause === "ahead" || f.cause === "fork")) ||
      (premise === "times<t" && f.cause === "later")
    );
  if (rule === "VALIDPUSHORACLE")
    return premise === "Qok" || (premise === "validSupp" && /validSupp: \d+ ∉ Q/.test(f.rejection.message));
  return false;
}
