// Counterexamples as text: the steps of a run, the ADORE steps each was mapped to, the failure.
import { showSet } from "@adore/adore-core";
import type { RaftStep } from "./driver.js";

/** An ADORE step the mapping emitted, after Raft step `at`. */
export interface MappedStep {
  readonly at: number;
  readonly step: string;
  readonly rule: string;
}

/** A refinement failure, as its trace's last line reads it. */
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
