import { Command, InvalidArgumentError } from "commander";
import { runAblations } from "./ablations.js";
import { ArgumentError } from "./argument-error.js";
import { runBench } from "./bench.js";
import { addCheckCommand } from "./check.js";
import { runDemo } from "./demo.js";
import { runExplore, withRuleOptions } from "./explore.js";
import { addLincheckCommand } from "./lincheck.js";
import { addServiceCommands } from "./service.js";
import { addRefineCommand } from "./refine.js";
import { addUiCommand } from "./ui.js";
import { addValidateCommand } from "./validate.js";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
};

/** The `adore` command line. */
export function buildProgram(): Command {
  const program = new Command("adore")
    .description("ADORE: atomic distributed objects with certified reconfiguration (PLDI 2022), as software")
    .showHelpAfterError();

  withRuleOptions(
    program
      .command("explore")
      .description(
        "explore ADORE exhaustively within bounds under a reconfiguration scheme; print the shortest counterexample",
      )
      .option("--scheme <name>", "reconfiguration scheme", "raft-single")
      .option("--nodes <n>", "number of nodes (ids 1..n)", int("--nodes"), 4)
      .option("--conf0 <config>", "initial configuration in the scheme's syntax (default: all nodes)")
      .option("--depth <n>", "maximum number of steps", int("--depth"), 8)
      .option("--max-time <t>", "largest time a pull may choose", int("--max-time"), 3)
      .option("--methods <n>", "at most this many MCaches", int("--methods"), 1)
      .option("--reconfigs <n>", "at most this many RCaches", int("--reconfigs"), 2)
      .option("--max-states <n>", "stop after this many distinct states", int("--max-states"))
      .option("--max-seconds <n>", "stop after this many seconds", int("--max-seconds")),
  ).action((o) => {
    let res: ReturnType<typeof runExplore>;
    try {
      res = runExplore({
        scheme: o.scheme,
        nodes: o.nodes,
        ...(o.conf0 !== undefined ? { conf0: o.conf0 } : {}),
        depth: o.depth,
        maxTime: o.maxTime,
        methods: o.methods,
        reconfigs: o.reconfigs,
        ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
        ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
        symmetry: o.symmetry,
        exact: o.exact,
        ...(o.invariant ? { invariants: o.invariant } : {}),
        rules: {
          r1plus: o.r1,
          r2: o.r2,
          r3: o.r3,
          qok: !o.ignoreQok,
          strictTime: !o.nonstrictTime,
          recency: o.recency,
        },
        ...(o.svg ? { svg: o.svg } : {}),
        ...(o.dot ? { dot: o.dot } : {}),
      });
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      process.stderr.write(`adore explore: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = res.violation ? 1 : 0;
  });

  // `adore check`: the overlap check of a scheme, then bounded exploration (check.ts)
  addCheckCommand(program);

  // `adore lincheck`: linearizability of a client history (lincheck.ts)
  addLincheckCommand(program);

  program
    .command("demo")
    .description(
      "model-checking demonstration: find the Raft single-node reconfiguration bug (Fig. 12) without R3, then show R3 prevents it",
    )
    .option("--out <dir>", "where to write the SVG", "out")
    .action((o) => {
      process.exitCode = runDemo({ outDir: o.out }) ? 0 : 1;
    });

  program
    .command("ablations")
    .description(
      "explore each ablation (R1⁺, R2, R3, Q_ok, times < t) alone and with the raft-log pull; print a table",
    )
    .option("--nodes <n>", "number of nodes", int("--nodes"), 4)
    .option("--retry-nodes <n>", "repeat a run that finds nothing with this many nodes", int("--retry-nodes"))
    .option("--depth <n>", "depth bound", int("--depth"), 10)
    .option("--max-time <t>", "largest pull time", int("--max-time"), 3)
    .option("--methods <n>", "at most this many MCaches", int("--methods"), 1)
    .option("--reconfigs <n>", "at most this many RCaches", int("--reconfigs"), 2)
    .option("--max-seconds <n>", "time limit per run", int("--max-seconds"))
    .action((o) => {
      runAblations({
        nodes: o.nodes,
        ...(o.retryNodes !== undefined ? { retryNodes: o.retryNodes } : {}),
        depth: o.depth,
        maxTime: o.maxTime,
        methods: o.methods,
        reconfigs: o.reconfigs,
        ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
      });
    });

  program
    .command("bench-explorer")
    .description(
      "benchmark the explorer: states per second for a fixed bound, with and without its reductions",
    )
    .option("--depth <n>", "depth bound", int("--depth"), 7)
    .action((o) => {
      runBench({ depth: o.depth });
    });

  program
    .command("bench")
    .description(
      "benchmark the service: the same load against a 3-node adore cluster and a 3-member etcd cluster on loopback (fsync on); writes/s, p50, p99 and the ratio",
    )
    .option("--clients <n>", "concurrent clients", int("--clients"), 100)
    .option("--seconds <n>", "measured seconds per system", int("--seconds"), 10)
    .option("--value-size <n>", "bytes per value", int("--value-size"), 100)
    .option("--keys <n>", "size of the key space", int("--keys"), 1000)
    .option("--no-etcd", "measure adore only")
    .action(async (o) => {
      const { runServiceBench } = await import("@adore/harness");
      await runServiceBench({
        clients: o.clients,
        seconds: o.seconds,
        valueSize: o.valueSize,
        keys: o.keys,
        noEtcd: !o.etcd,
      });
    });

  addValidateCommand(program);
  addRefineCommand(program);
  addUiCommand(program);

  program
    .command("experiment")
    .description(
      "the paper's experiment (section 7, Fig. 16): 5 node processes, reconfiguring 5 → 3 → 5 after every N requests; per-phase latency, every acknowledged write read back, traces validated",
    )
    .option("--requests <n>", "requests per phase", int("--requests"), 1000)
    .option(
      "--scheme <name>",
      "raft-single (one node per change) or raft-joint (joint consensus)",
      "raft-single",
    )
    .option("--dir <dir>", "where data, logs, traces and the report go", "out/experiment")
    .action(async (o) => {
      if (o.scheme !== "raft-single" && o.scheme !== "raft-joint")
        throw new InvalidArgumentError(`--scheme must be raft-single or raft-joint, got ${o.scheme}`);
      const { runExperiment } = await import("@adore/harness");
      const { writeAdoreViewJson } = await import("./ui-run.js");
      const r = await runExperiment({
        requests: o.requests,
        scheme: o.scheme,
        dir: o.dir,
        writeView: writeAdoreViewJson,
      });
      if (r.missing > 0 || !r.tracesOk) process.exitCode = 1;
    });

  // `adore node|cluster|kv|member|status`: the replicated key-value service (service.ts)
  addServiceCommands(program);

  return program;
}
