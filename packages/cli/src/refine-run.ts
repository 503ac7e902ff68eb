import { explore, type NodeSet, range, renderAscii, type Scheme } from "@adore/adore-core";
import type { Mutations } from "@adore/raft-net";
import { HUNT_WEIGHTS } from "@adore/raft-net/testing";
import {
  lagHunt,
  lagReason,
  M4,
  productSpec,
  showLagOutcome,
  showProductTrace,
  sraftSpec,
} from "@adore/refinement";
import { getScheme } from "@adore/schemes";
import { MUTANTS, type RefineCliOptions } from "./refine.js";

/**
 * `adore refine`: the refinement check. `--layer sraft` explores SRaft × the mapping to ADORE
 * exhaustively within bounds (every transition mapped, R and ADORE safety as invariants);
 * `--layer raft` checks seeded runs of the asynchronous protocol (faults, reconfigurations)
 * through the same mapping. Returns the exit code: 0 holds within the bounds, 1 counterexample.
 */
export function runRefine(o: RefineCliOptions): number {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const reg = getScheme(o.scheme);
  const scheme = reg.scheme as Scheme<unknown>;
  const initial = reg.initial(o.nodes);
  const mutations: Mutations = o.mutant ? { [MUTANTS[o.mutant]!]: true } : {};
  const label = `${o.layer} → ADORE, ${o.scheme}, ${o.nodes} nodes${o.mutant ? `, mutant ${o.mutant}` : ""}`;
  if (o.layer === "sraft") {
    // reconfigurations: every configuration R1⁺ allows from the initial one (over the same nodes)
    const universe: NodeSet = range(o.nodes);
    const configs = scheme
      .validConfigs(universe)
      .filter((c) => !scheme.equals(c, initial) && scheme.R1plus(initial, c))
      .slice(0, 3);
    const sr = sraftSpec({ scheme, configs, mutations });
    const lag = { scheme, conf0: initial, nodes: o.nodes, ...M4 };
    const spec = productSpec(sr, lag);
    out(
      `${label}: exhaustive, depth ≤ ${o.depth}, ≤ ${o.maxSeconds} s (terms ≤ 3, logs ≤ 3, 1 invoke, 1 reconfig, 1 crash)`,
    );
    const r = explore(spec, {
      bounds: {
        nodes: [...Array(o.nodes).keys()].map((i) => i + 1),
        initial,
        maxTerm: 3,
        maxLog: 3,
        maxInvokes: 1,
        maxReconfigs: configs.length > 0 ? 1 : 0,
        maxCrashes: 1,
      },
      maxDepth: o.depth,
      maxSeconds: o.maxSeconds,
      onProgress: (p) => out(`  … ${p.states} states, depth ${p.depth}`),
      progressIntervalMs: 5000,
    });
    out(
      `${r.status}: ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${Math.round(r.statesPerSec)} states/s`,
    );
    if (!r.violation) {
      out(`the refinement and ADORE safety hold within the bounds`);
      return 0;
    }
    const v = r.violation;
    out(`counterexample (${v.trace.steps.length} SRaft steps): ${v.invariant}: ${v.message}`);
    for (const l of showProductTrace(spec, lag, v)) out(l);
    const last = v.trace.steps.at(-1)?.state ?? v.trace.initial;
    out(renderAscii(scheme, last.ref.st, { title: "ADORE tree at the failure:" }));
    return 1;
  }
  const s = {
    scheme,
    initial,
    universe: range(o.nodes),
    steps: o.steps,
    weights: HUNT_WEIGHTS,
    ...(o.mutant ? { mutations, refinementOnly: true } : {}),
  };
  out(
    `${label}: ${o.seeds} seeded runs of ${o.steps} steps (faults, reconfigurations), each mapped and checked at every step`,
  );
  const h = lagHunt(s, "M4", 1, o.seeds);
  out(
    `${h.raftSteps} Raft steps checked, ${Math.round(h.raftSteps / (h.ms / 1000))} steps/s; failing runs: ${h.failures}`,
  );
  if (!h.shortest) {
    out("the refinement and ADORE safety hold on every run");
    return 0;
  }
  out(`shortest counterexample: seed ${h.shortest.seed}: ${lagReason(h.shortest.failure)}`);
  out(showLagOutcome(s, h.shortest));
  return 1;
}
