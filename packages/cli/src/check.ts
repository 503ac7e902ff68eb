import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  adoreInvariants,
  type ExploreProgress,
  type NodeSet,
  range,
  type Scheme,
  showSet,
} from "@adore/adore-core";
import {
  ConfigSyntaxError,
  checkOverlap,
  checkSchemeLaws,
  describeReport,
  fixtureNames,
  getScheme,
  MAX_OVERLAP_UNIVERSE,
  type RegisteredScheme,
  schemeNames,
  UnknownSchemeError,
  userScheme,
} from "@adore/schemes";
import type { Command } from "commander";
import {
  consoleOutput,
  describeRules,
  type ExploreCliOptions,
  type Output,
  runExplore,
  withRuleOptions,
} from "./explore.js";
import { ArgumentError } from "./argument-error.js";

/** The options as commander hands them over: numbers still as text, so a range error can name its option. */
export interface CheckArgs {
  readonly scheme?: string;
  readonly schemeFile?: string;
  readonly nodes?: string;
  readonly conf0?: string;
  readonly depth?: string;
  readonly maxTime?: string;
  readonly methods?: string;
  readonly reconfigs?: string;
  readonly maxStates?: string;
  readonly maxSeconds?: string;
  readonly overlapNodes?: string;
  readonly r1?: boolean;
  readonly r2?: boolean;
  readonly r3?: boolean;
  readonly ignoreQok?: boolean;
  readonly nonstrictTime?: boolean;
  readonly recency?: string;
  readonly symmetry?: boolean;
  readonly exact?: boolean;
  readonly invariant?: readonly string[];
  readonly svg?: string;
  readonly dot?: string;
}

/** [least, largest, default]; the largest node count is what exhaustive exploration can reach. */
const LIMITS = {
  "--nodes": [1, 8, 4],
  "--depth": [1, 1000, 10],
  "--max-time": [1, 1000, 3],
  "--methods": [0, 100, 1],
  "--reconfigs": [0, 100, 2],
  "--max-states": [1, 2 ** 31 - 1, undefined],
  "--max-seconds": [1, 86_400, undefined],
  "--overlap-nodes": [1, MAX_OVERLAP_UNIVERSE, undefined],
} as const;

/** The overlap check's default universe: the exploration's nodes, at most this many. */
const OVERLAP_DEFAULT_MAX = 6;

function intOption(option: keyof typeof LIMITS, text: string | undefined): number | undefined {
  const [lo, hi, dflt] = LIMITS[option];
  if (text === undefined) return dflt;
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < lo || Number(t) > hi)
    throw new ArgumentError(option, `${JSON.stringify(text)} is not an integer in ${lo}..${hi}`);
  return Number(t);
}

/** What `adore check` will do, once every argument has been checked. */
export interface CheckPlan {
  readonly entry: RegisteredScheme<unknown>;
  readonly conf0: unknown;
  readonly overlapUniverse: NodeSet;
  /** The overlap universe is smaller than the exploration's nodes (checking it would take too long). */
  readonly overlapCapped: boolean;
  readonly explore: ExploreCliOptions;
}

const SCHEME_FUNCTIONS = ["mbrs", "isQuorum", "R1plus", "equals", "hash", "print", "validConfigs"] as const;

/** Loads a user-defined scheme: a module exporting `scheme` (or a default export), optionally `parse` and `initial`. */
async function loadSchemeFile(file: string, nodes: number): Promise<RegisteredScheme<unknown>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new ArgumentError("--scheme-file", `cannot load ${JSON.stringify(file)}: ${why}`);
  }
  const value = mod.scheme ?? mod.default;
  if (typeof value !== "object" || value === null)
    throw new ArgumentError("--scheme-file", `${file} exports no \`scheme\` object (nor a default export)`);
  const s = value as Record<string, unknown>;
  if (typeof s.name !== "string" || s.name === "")
    throw new ArgumentError("--scheme-file", `the scheme in ${file} has no \`name\` string`);
  const missing = SCHEME_FUNCTIONS.filter((f) => typeof s[f] !== "function");
  if (missing.length)
    throw new ArgumentError(
      "--scheme-file",
      `the scheme ${s.name} in ${file} lacks the function(s) ${missing.join(", ")} (see Scheme in @adore/adore-core)`,
    );
  if (s.rename !== undefined && typeof s.rename !== "function")
    throw new ArgumentError("--scheme-file", `rename of ${s.name} in ${file} is not a function`);
  const fn = (k: string) => (typeof mod[k] === "function" ? (mod[k] as (x: never) => unknown) : undefined);
  const parse = fn("parse");
  const initial = fn("initial");
  return userScheme(value as Scheme<unknown>, range(nodes), {
    ...(parse ? { parse: parse as (t: string) => unknown } : {}),
    ...(initial ? { initial: initial as (n: number) => unknown } : {}),
  });
}

/** Checks every argument (throws ArgumentError naming the first bad one) and plans the run. */
export async function planCheck(a: CheckArgs): Promise<CheckPlan> {
  const nodes = intOption("--nodes", a.nodes)!;
  const depth = intOption("--depth", a.depth)!;
  const maxTime = intOption("--max-time", a.maxTime)!;
  const methods = intOption("--methods", a.methods)!;
  const reconfigs = intOption("--reconfigs", a.reconfigs)!;
  const maxStates = intOption("--max-states", a.maxStates);
  const maxSeconds = intOption("--max-seconds", a.maxSeconds);
  const overlapNodes = intOption("--overlap-nodes", a.overlapNodes) ?? Math.min(nodes, OVERLAP_DEFAULT_MAX);
  const recency = a.recency ?? "adore";
  if (recency !== "adore" && recency !== "raft-log")
    throw new ArgumentError("--recency", `${JSON.stringify(recency)} is not one of adore, raft-log`);

  if (a.scheme !== undefined && a.schemeFile !== undefined)
    throw new ArgumentError("--scheme-file", "give either --scheme or --scheme-file, not both");
  let entry: RegisteredScheme<unknown>;
  if (a.schemeFile !== undefined) entry = await loadSchemeFile(a.schemeFile, nodes);
  else
    try {
      entry = getScheme(a.scheme ?? "raft-single");
    } catch (e) {
      if (!(e instanceof UnknownSchemeError)) throw e;
      throw new ArgumentError(
        "--scheme",
        `unknown scheme ${JSON.stringify(e.schemeName)}; valid: ${schemeNames().join(", ")} ` +
          `(negative fixtures: ${fixtureNames().join(", ")}), or --scheme-file <module>`,
      );
    }
  const { scheme } = entry;

  let conf0: unknown;
  try {
    conf0 = a.conf0 !== undefined ? entry.parse(a.conf0) : entry.initial(nodes);
  } catch (e) {
    if (!(e instanceof ConfigSyntaxError)) throw e;
    throw new ArgumentError(
      "--conf0",
      a.conf0 !== undefined
        ? `${JSON.stringify(a.conf0)} is not a ${scheme.name} configuration: ${e.why} (syntax: ${entry.syntax})`
        : `${scheme.name} has no initial configuration over nodes 1..${nodes}: ${e.why}`,
    );
  }
  const outside = scheme.mbrs(conf0) & ~range(nodes);
  if (outside !== 0)
    throw new ArgumentError(
      "--conf0",
      `${scheme.print(conf0)} names ${showSet(outside)}, not among the nodes 1..${nodes} (--nodes ${nodes})`,
    );

  const invariantNames = adoreInvariants(scheme).map((i) => i.name);
  for (const inv of a.invariant ?? [])
    if (!invariantNames.includes(inv))
      throw new ArgumentError(
        "--invariant",
        `unknown invariant ${JSON.stringify(inv)}; valid: ${invariantNames.join(", ")}`,
      );
  if (a.symmetry && !scheme.rename)
    throw new ArgumentError(
      "--symmetry",
      `${scheme.name} has no rename function, so states cannot be identified up to node renaming`,
    );

  return {
    entry,
    conf0,
    overlapUniverse: range(overlapNodes),
    overlapCapped: overlapNodes < nodes,
    explore: {
      scheme: scheme.name,
      registered: entry,
      nodes,
      ...(a.conf0 !== undefined ? { conf0: a.conf0 } : {}),
      depth,
      maxTime,
      methods,
      reconfigs,
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxSeconds !== undefined ? { maxSeconds } : {}),
      symmetry: a.symmetry ?? false,
      exact: a.exact ?? false,
      ...(a.invariant?.length ? { invariants: a.invariant } : {}),
      rules: {
        r1plus: a.r1 ?? true,
        r2: a.r2 ?? true,
        r3: a.r3 ?? true,
        qok: !a.ignoreQok,
        strictTime: !a.nonstrictTime,
        recency,
      },
      ...(a.svg ? { svg: a.svg } : {}),
      ...(a.dot ? { dot: a.dot } : {}),
    },
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** A progress line: a bar of the depth levels finished on a terminal, plain text otherwise. */
export function progressLine(p: ExploreProgress, maxDepth: number, tty: boolean): string {
  const text = `depth ${p.depth}/${maxDepth} · ${fmt(p.states)} states · ${fmt(p.statesPerSec)} states/s · frontier ${fmt(p.frontier)}`;
  if (!tty) return `  ${text}`;
  const width = 24;
  const done = Math.max(0, Math.min(width, Math.floor((width * (p.depth - 1)) / maxDepth)));
  return `  [${"█".repeat(done)}${"░".repeat(width - done)}] ${text}`;
}

/**
 * Runs a planned check: the overlap check of Fig. 7 (and the scheme laws the explorer relies on),
 * then bounded ADORE exploration. Returns the exit code: 0 no violation within the bounds, 1 a violation.
 */
export function runCheck(
  plan: CheckPlan,
  io: Output = consoleOutput,
  tty = process.stderr.isTTY === true,
): 0 | 1 {
  const { entry, explore: o } = plan;
  const scheme = entry.scheme;
  io.out(`adore check: ${scheme.name} — ${entry.summary}`);
  io.out(
    `1. REFLEXIVE and OVERLAP (Fig. 7), exhaustively over ${showSet(plan.overlapUniverse)}` +
      (plan.overlapCapped ? ` (--overlap-nodes; the exploration has ${o.nodes} nodes)` : ""),
  );
  const overlap = checkOverlap(scheme, plan.overlapUniverse);
  io.out(`   ${describeReport(scheme, overlap)}`);
  const laws = checkSchemeLaws(scheme, plan.overlapUniverse);
  if (laws.violations.length === 0)
    io.out(
      `   scheme laws hold (mbrs within the universe, equals/hash/print canonical` +
        `${scheme.rename ? `, rename commutes with mbrs/isQuorum/R1⁺ under ${laws.renamings} renamings` : ", no rename"})`,
    );
  else for (const v of laws.violations) io.out(`   scheme law broken (${v.law}, ${v.count}×): ${v.message}`);

  io.out(`2. bounded exploration of ADORE under ${scheme.name} (${describeRules(o.rules)})`);
  const res = runExplore({ ...o, formatProgress: (p) => progressLine(p, o.depth, tty) }, io);

  const overlapBad = overlap.verdict === "fails";
  const bad = overlapBad || laws.violations.length > 0 || res.violation !== undefined;
  const explored =
    `${fmt(res.states)} states, depth ${res.violation ? res.violation.trace.steps.length : res.depth} reached, ` +
    `${(res.elapsedMs / 1000).toFixed(1)} s`;
  const parts = [
    `overlap ${overlap.verdict === "holds" ? "holds" : overlap.verdict === "fails" ? `FAILS (${overlap.witness.rule})` : "inconclusive (time limit)"}`,
    ...(laws.violations.length
      ? [`scheme laws BROKEN (${laws.violations.map((v) => v.law).join(", ")})`]
      : []),
    res.violation
      ? `exploration: VIOLATION of ${res.violation.invariant} (${explored})`
      : `exploration: no violation, ${res.status} (${explored})`,
  ];
  io.out("");
  io.out(`verdict: ${bad ? "VIOLATION" : "no violation within the bounds"} — ${parts.join("; ")}`);
  return bad ? 1 : 0;
}

/** `adore check` from parsed arguments to exit code; errors become one line on stderr, never a stack trace. */
export async function checkCommand(
  args: CheckArgs,
  io: Output = consoleOutput,
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<0 | 1 | 2> {
  let plan: CheckPlan;
  try {
    plan = await planCheck(args);
  } catch (e) {
    err(`adore check: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  try {
    return runCheck(plan, io);
  } catch (e) {
    // a scheme function that throws (user-defined schemes), or a state beyond the encoding's limits
    err(`adore check: could not complete the check: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

/** Registers `adore check` on the program (see program.ts). */
export function addCheckCommand(program: Command): void {
  withRuleOptions(
    program
      .command("check")
      .description(
        "check a reconfiguration scheme: REFLEXIVE and OVERLAP (Fig. 7) exhaustively, then bounded ADORE exploration; " +
          "exit 0 = no violation within the bounds, 1 = violation, 2 = bad arguments",
      )
      .option(
        "--scheme <name>",
        `scheme: ${schemeNames().join(", ")}, or a negative fixture (default raft-single)`,
      )
      .option(
        "--scheme-file <module>",
        "a JS/TS module exporting a user-defined `scheme` (and optionally parse, initial)",
      )
      .option("--nodes <n>", "number of nodes, ids 1..n (1..8)", "4")
      .option(
        "--conf0 <config>",
        "initial configuration in the scheme's syntax (default: the scheme's over all nodes)",
      )
      .option("--depth <n>", "maximum number of steps", "10")
      .option("--max-time <t>", "largest time a pull may choose", "3")
      .option("--methods <n>", "at most this many MCaches", "1")
      .option("--reconfigs <n>", "at most this many RCaches", "2")
      .option("--max-states <n>", "stop after this many distinct states")
      .option("--max-seconds <n>", "stop exploring after this many seconds")
      .option(
        "--overlap-nodes <n>",
        `universe of the overlap check (default: --nodes, at most ${OVERLAP_DEFAULT_MAX})`,
      ),
  )
    .showHelpAfterError(false)
    .exitOverride((e) => {
      // commander has printed its one-line error; bad arguments exit 2 (help and --version exit 0)
      if (e.exitCode !== 0) process.exit(2);
    })
    .action(async (o: CheckArgs) => {
      process.exitCode = await checkCommand(o);
    });
}
