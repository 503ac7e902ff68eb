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
import { getScheme, schemeNames } from "@adore/schemes";
import { type Command, InvalidArgumentError } from "commander";
import { ArgumentError } from "./argument-error.js";

/** The CLI's mutant names (issue 5) → raft-net's mutation options. */
export const MUTANTS: Readonly<Record<string, keyof Mutations>> = {
  "no-uptodate-check": "skipUpToDateCheck",
  "double-vote": "doubleVote",
  "old-term-commit": "commitOldTermByCounting",
  "no-r2": "dropR2",
  "no-r3": "dropR3",
  "config-at-commit": "configAtCommit",
  "stale-append": "staleAppend",
};

export interface RefineCliOptions {
  readonly layer: "raft" | "sraft";
  readonly scheme: string;
  readonly nodes: number;
  readonly depth: number;
  readonly maxSeconds: number;
  readonly seeds: number;
  readonly steps: number;
  readonly mutant?: string;
  readonly out?: (l: string) => void;
}

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

/** The options of `adore refine` each layer reads (the others are the layer's own bounds). */
export const LAYER_OPTIONS = {
  sraft: ["--depth", "--max-seconds"],
  raft: ["--seeds", "--steps"],
} as const;
const COMMON_OPTIONS = ["--scheme", "--nodes", "--mutant"] as const;

/**
 * Options given on the command line that the chosen layer does not read: an error naming them and
 * the options that layer takes (rather than ignoring them).
 */
export function inapplicableOptions(
  layer: RefineCliOptions["layer"],
  given: readonly string[],
): ArgumentError | undefined {
  const other = layer === "raft" ? "sraft" : "raft";
  const bad = LAYER_OPTIONS[other].filter((f) => given.includes(f));
  if (bad.length === 0) return undefined;
  return new ArgumentError(
    bad.join(", "),
    `${bad.length === 1 ? "does" : "do"} not apply to --layer ${layer}; it takes ` +
      `${[...COMMON_OPTIONS, ...LAYER_OPTIONS[layer]].join(", ")} (${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} for --layer ${other})`,
  );
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

export function addRefineCommand(program: Command): void {
  program
    .command("refine")
    .description(
      "check the refinement Raft/SRaft → ADORE: exhaustively (sraft) or on seeded runs (raft); exit 1 with the shortest counterexample",
    )
    .option("--layer <layer>", "raft (asynchronous runs) or sraft (exhaustive rounds)", "sraft")
    .option("--scheme <name>", `reconfiguration scheme (${schemeNames().join(", ")})`, "raft-single")
    .option("--nodes <n>", "number of nodes", int("--nodes"), 3)
    .option("--depth <n>", "sraft: depth bound", int("--depth"), 8)
    .option("--max-seconds <n>", "sraft: time bound", int("--max-seconds"), 60)
    .option("--seeds <n>", "raft: number of seeded runs", int("--seeds"), 200)
    .option("--steps <n>", "raft: steps per run", int("--steps"), 300)
    .option("--mutant <name>", `a known bug to switch on (${Object.keys(MUTANTS).join(", ")})`)
    .action((o, cmd: Command) => {
      if (o.layer !== "raft" && o.layer !== "sraft")
        throw new ArgumentError("--layer", `${JSON.stringify(o.layer)} is not one of raft, sraft`);
      if (o.mutant !== undefined && !(o.mutant in MUTANTS))
        throw new ArgumentError(
          "--mutant",
          `${JSON.stringify(o.mutant)} is not one of ${Object.keys(MUTANTS).join(", ")}`,
        );
      const given = cmd.options
        .filter((opt) => cmd.getOptionValueSource(opt.attributeName()) === "cli")
        .map((opt) => opt.long ?? "");
      const bad = inapplicableOptions(o.layer, given);
      if (bad) throw bad;
      process.exitCode = runRefine(o);
    });
}
