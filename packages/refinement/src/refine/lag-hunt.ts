import { type NodeSet, renderAscii } from "@adore/adore-core";
import type { SimOptions } from "@adore/raft-net";
import { type RaftStep, runCluster } from "./driver.js";
import type { RunSpec } from "./hunt.js";
import { type LagFailure, LaggingRefiner, MAPPINGS, type MappingName } from "./lagging.js";

export interface LagOutcome<C> {
  readonly seed: number;
  readonly failure: LagFailure | undefined;
  readonly refiner: LaggingRefiner<C>;
  readonly steps: readonly RaftStep<C>[];
  readonly raftSteps: number;
}

function maxId(u: NodeSet): number {
  return 31 - Math.clz32(u);
}

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
    spec.noSelfRemoval ? { noSelfRemoval: true } : {},
  );
  return { seed, failure: ref.failure, refiner: ref, steps: trace.steps, raftSteps: n };
}

export interface LagHuntSummary<C> {
  readonly runs: number;
  readonly failures: number;
  readonly raftSteps: number;
  readonly adoreSteps: number;
  readonly ms: number;
  readonly byReason: ReadonlyMap<string, number>;
  readonly shortest: LagOutcome<C> | undefined;
}

export function lagReason(f: LagFailure | undefined): string {
  if (!f) return "ok";
  if (f.kind === "rejected") return `rejected/${f.rejection?.rule}/${f.rejection?.premise}`;
  if (f.kind === "relation") return `relation/${f.message.slice(0, 2)}`;
  return f.kind;
}

export function lagHunt<C>(
  spec: RunSpec<C>,
  mapping: MappingName,
  first: number,
  count: number,
  filter: (f: LagFailure) => boolean = () => true,
): LagHuntSummary<C> {
  const t0 = performance.now();
  const byReason = new Map<string, number>();
  let failures = 0;
  let raftSteps = 0;
  let adoreSteps = 0;
  let best: { seed: number; at: number } | undefined;
  for (let seed = first; seed < first + count; seed++) {
    const r = lagCheckSeed(spec, mapping, seed);
    raftSteps += r.raftSteps;
    adoreSteps += r.refiner.adoreSteps;
    if (!r.failure) continue;
    failures++;
    const why = lagReason(r.failure);
    byReason.set(why, (byReason.get(why) ?? 0) + 1);
    if (filter(r.failure) && (!best || r.failure.at < best.at)) best = { seed, at: r.failure.at };
  }
  const ms = performance.now() - t0;
  const shortest = best ? lagCheckSeed(spec, mapping, best.seed, true) : undefined;
  return { runs: count, failures, raftSteps, adoreSteps, ms, byReason, shortest };
}

/** A failing run as text: Raft steps with the ADORE steps each was mapped to, the failure, the tree. */
export function showLagOutcome<C>(spec: RunSpec<C>, out: LagOutcome<C>, tree = true): string {
  const r = out.refiner;
  const lines: string[] = [];
  const byStep = new Map<number, string[]>();
  for (const m of r.mapped ?? []) {
    const xs = byStep.get(m.at) ?? [];
    xs.push(`${m.step} [${m.rule}]`);
    byStep.set(m.at, xs);
  }
  const set = (s: NodeSet) => {
    const o: number[] = [];
    for (let i = 1; i <= 30; i++) if (s & (1 << i)) o.push(i);
    return o.join(",");
  };
  for (const s of out.steps) {
    if (!s.action) continue;
    const ev: string[] = [];
    for (const e of s.effects)
      for (const x of e.events) {
        if (x.type === "becameLeader") ev.push(`S${e.id} leads t${x.term} voters {${set(x.voters)}}`);
        if (x.type === "truncated") ev.push(`S${e.id} truncates from ${x.from}`);
        if (x.type === "commitAdvanced") ev.push(`S${e.id} commit ${x.from}->${x.to}`);
      }
    lines.push(`${s.n}. ${s.action}${ev.length ? `   (${ev.join("; ")})` : ""}`);
    for (const a of byStep.get(s.n) ?? []) lines.push(`      ADORE ${a}`);
  }
  if (r.failure) lines.push(`!! step ${r.failure.at}: ${r.failure.kind}: ${r.failure.message}`);
  const pend = r.describePending();
  if (pend) lines.push(`pending (elected in Raft, not pulled): ${pend}`);
  if (tree) lines.push(renderAscii(spec.scheme, r.st, { title: "ADORE cache tree:" }));
  return lines.join("\n");
}

/**
 * The real protocol's failures under the lagging mapping (M4), each a place where raft-net does
 * something ADORE cannot express (docs/elections.md, "What still fails"):
 * - "self-removal": a leader outside the configuration of the entry it commits (validSupp);
 * - "later-config": an entry committed by counting a quorum of a LATER configuration (R2);
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
