import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type AdoreBounds,
  type AdoreOptions,
  type AdoreState,
  type AdoreStep,
  adoreModel,
  adoreSpec,
  checkExploreOptions,
  type ExploreOptions,
  ExploreOptionError,
  type ExploreProgress,
  type ExploreResult,
  explore,
  type Recency,
  renderAscii,
  renderDot,
  renderSvg,
  safetyWitness,
} from "@adore/adore-core";
import { getScheme, type RegisteredScheme } from "@adore/schemes";
import { type Command, Option } from "commander";
import { ArgumentError } from "./argument-error.js";

export interface ExploreCliOptions {
  readonly scheme: string;
  readonly nodes: number;
  readonly conf0?: string;
  readonly depth: number;
  readonly maxTime: number;
  readonly methods: number;
  readonly reconfigs: number;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly symmetry: boolean;
  readonly exact?: boolean;
  readonly invariants?: readonly string[];
  readonly rules: Partial<AdoreOptions> & { readonly recency?: Recency };
  readonly svg?: string;
  readonly dot?: string;
  readonly title?: string;
  /** The scheme itself (e.g. a user-defined one); when given, `scheme` is only its name. */
  readonly registered?: RegisteredScheme<unknown>;
  /** Formats a progress report (default: one plain line). */
  readonly formatProgress?: (p: ExploreProgress) => string;
}

export interface Output {
  out(line: string): void;
  progress(line: string): void;
}

export const consoleOutput: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  progress: (l) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${l}`);
    else process.stderr.write(`${l}\n`);
  },
};

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export function describeRules(r: Partial<AdoreOptions>): string {
  const off: string[] = [];
  if (r.r1plus === false) off.push("no R1⁺");
  if (r.r2 === false) off.push("no R2");
  if (r.r3 === false) off.push("no R3");
  if (r.qok === false) off.push("Q_ok ignored");
  if (r.strictTime === false) off.push("times ≤ t");
  const rec = r.recency === "raft-log" ? "pull: raft-log recency" : "pull: ADORE recency";
  return [rec, ...(off.length ? off : ["all of R1⁺, R2, R3"])].join(", ");
}

/** The command-line option of each field ExploreOptionError can name. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  conf0: "--conf0",
  "bounds.nodes": "--nodes",
  "bounds.maxTime": "--max-time",
  "bounds.maxMethods": "--methods",
  "bounds.maxReconfigs": "--reconfigs",
  maxDepth: "--depth",
  maxStates: "--max-states",
  maxSeconds: "--max-seconds",
  invariants: "--invariant",
  symmetry: "--symmetry",
};

/** `adore explore`: bounded exhaustive exploration of ADORE under a scheme, with the shortest counterexample drawn. */
export function runExplore(
  o: ExploreCliOptions,
  io: Output = consoleOutput,
): ExploreResult<AdoreState<unknown>, AdoreStep<unknown>> {
  const entry = o.registered ?? getScheme(o.scheme);
  const conf0 = o.conf0 !== undefined ? entry.parse(o.conf0) : entry.initial(o.nodes);
  const model = adoreModel(entry.scheme, conf0, o.rules);
  const spec = adoreSpec(model);
  const opts: ExploreOptions<AdoreBounds<unknown>> = {
    bounds: { nodes: o.nodes, maxTime: o.maxTime, maxMethods: o.methods, maxReconfigs: o.reconfigs },
    maxDepth: o.depth,
    symmetry: o.symmetry,
    ...(o.exact ? { exact: true } : {}),
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    ...(o.invariants?.length ? { invariants: o.invariants } : {}),
  };
  // every argument is checked before anything is printed or explored
  try {
    checkExploreOptions(spec, opts);
  } catch (e) {
    if (!(e instanceof ExploreOptionError)) throw e;
    throw new ArgumentError(OPTION_OF_FIELD[e.field] ?? e.field, e.rule);
  }
  io.out(
    `exploring ${spec.name} from ${entry.scheme.print(conf0)}: ${describeRules(o.rules)}; ` +
      `${o.nodes} nodes, depth ≤ ${o.depth}, time ≤ ${o.maxTime}, ≤ ${o.methods} methods, ≤ ${o.reconfigs} reconfigs` +
      `${o.symmetry ? ", symmetry reduction" : ""}`,
  );
  const res = explore(spec, {
    ...opts,
    onProgress: (p) =>
      io.progress(
        o.formatProgress?.(p) ??
          `  depth ${p.depth}: ${fmt(p.states)} states, ${fmt(p.transitions)} transitions, frontier ${fmt(p.frontier)}, ${fmt(p.statesPerSec)} states/s`,
      ),
  });
  if (process.stderr.isTTY && io === consoleOutput) process.stderr.write("\r\x1b[2K");
  io.out(
    `${res.status}: ${fmt(res.states)} distinct states, ${fmt(res.transitions)} transitions, depth ${res.depth}, ` +
      `${(res.elapsedMs / 1000).toFixed(1)} s (${fmt(res.statesPerSec)} states/s)`,
  );
  const v = res.violation;
  if (!v) {
    io.out(
      res.status === "complete"
        ? "no violation: every reachable state within the bounds satisfies every invariant"
        : `no violation within the bound (${res.status})`,
    );
    return res;
  }
  io.out(`VIOLATION of ${v.invariant}: ${v.message}`);
  io.out(`shortest trace (${v.trace.steps.length} steps):`);
  v.trace.steps.forEach((s, i) => {
    io.out(`  ${String(i + 1).padStart(2)}. ${spec.showStep(s.step).padEnd(36)} ${s.rule ?? ""}`);
  });
  const last = v.trace.steps.length ? v.trace.steps[v.trace.steps.length - 1]!.state : v.trace.initial;
  const w = safetyWitness(last);
  const highlight = w ?? [];
  io.out("");
  io.out(renderAscii(entry.scheme, last, { highlight }));
  io.out(
    `times: ${last.times
      .slice(1)
      .map((t, i) => `S${i + 1}=${t}`)
      .join(" ")}`,
  );
  const title = o.title ?? `${v.invariant} violated: ${spec.name}, ${describeRules(o.rules)}`;
  if (o.svg) {
    mkdirSync(dirname(o.svg), { recursive: true });
    writeFileSync(o.svg, renderSvg(entry.scheme, last, { highlight, title }));
    io.out(`wrote ${o.svg}`);
  }
  if (o.dot) {
    mkdirSync(dirname(o.dot), { recursive: true });
    writeFileSync(o.dot, renderDot(entry.scheme, last, { highlight, title }));
    io.out(`wrote ${o.dot}`);
  }
  return res;
}

/** The options `explore` and `check` share: adore-core's ablations, the search modes and the outputs. */
export function withRuleOptions(cmd: Command): Command {
  return cmd
    .option("--no-r1", "drop R1⁺ (any configuration may follow any)")
    .option("--no-r2", "drop R2 (reconfigure over an uncommitted RCache)")
    .option("--no-r3", "drop R3 (reconfigure before committing in the current time)")
    .option("--ignore-qok", "drop the Q_ok test (every Q counts as a quorum)")
    .option("--nonstrict-time", "weaken pull's times < t to times ≤ t")
    .addOption(
      new Option("--recency <variant>", "mostRecent of pull").choices(["adore", "raft-log"]).default("adore"),
    )
    .option("--symmetry", "deduplicate states up to node renaming", false)
    .option("--exact", "deduplicate on exact keys rather than 64-bit fingerprints", false)
    .option("--invariant <name...>", "check only these invariants (default: all)")
    .option("--svg <file>", "write the counterexample's cache tree as SVG")
    .option("--dot <file>", "write the counterexample's cache tree as Graphviz DOT");
}
