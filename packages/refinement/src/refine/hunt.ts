import { renderAscii } from "@adore/adore-core";
import { type RaftStep, runCluster } from "./driver.js";
import { type CommitMapping, RefinementChecker, type RefinementResult, refineOptionsFor } from "./mapping.js";
import { huntSeeds, maxId, type RunSpec, type SeedHunt, simOptionsOf } from "./search.js";
import { showSteps } from "./show.js";

/** A run spec with the literal mapping's two options. */
export interface LiteralRunSpec<C> extends RunSpec<C> {
  readonly recency?: "adore" | "raft-log";
  readonly commits?: CommitMapping;
}

export interface RunOutcome<C> {
  readonly seed: number;
  readonly result: RefinementResult<C>;
  /** The Raft steps up to (and including) the failing one, when recorded. */
  readonly steps: readonly RaftStep<C>[];
}

/** Drives one seeded run and checks it online (stops at the first failure). */
export function checkSeed<C>(spec: LiteralRunSpec<C>, seed: number, record = false): RunOutcome<C> {
  const o = simOptionsOf(spec, seed);
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

/** A hunt's totals; `byReason` counts first failures by `kind/premise-or-clause[/cause]`. */
export type HuntSummary<C> = SeedHunt<RunOutcome<C>>;

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
  spec: LiteralRunSpec<C>,
  first: number,
  count: number,
  filter: (r: RefinementResult<C>) => boolean = () => true,
): HuntSummary<C> {
  return huntSeeds(
    first,
    count,
    (seed) => checkSeed(spec, seed).result,
    reasonOf,
    filter,
    (seed) => checkSeed(spec, seed, true),
  );
}

/** A failing run as text: the Raft steps with the ADORE steps each mapped to, the failure, the tree. */
export function showOutcome<C>(spec: LiteralRunSpec<C>, out: RunOutcome<C>, tree = true): string {
  const r = out.result;
  const lines = showSteps(out.steps, r.mapped, r.failure);
  if (tree) lines.push(renderAscii(spec.scheme, r.state, { title: "ADORE cache tree:" }));
  return lines.join("\n");
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
