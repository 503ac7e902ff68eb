import type { Mutations } from "@adore/raft-net";
import { schemeNames } from "@adore/schemes";
import { type Command, InvalidArgumentError } from "commander";
import { ArgumentError } from "./argument-error.js";

// `adore refine`'s options and checks; the check itself (refine-run.ts, with refinement, SRaft and
// raft-net's simulator) is loaded only when the command runs.

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
    .action(async (o, cmd: Command) => {
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
      const { runRefine } = await import("./refine-run.js");
      process.exitCode = runRefine(o);
    });
}
