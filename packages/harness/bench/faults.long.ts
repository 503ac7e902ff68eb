// The long fault run: a real cluster on loopback under the seeded nemesis and a concurrent
// workload, then the checks (linearizability, write-once keys, protocol traces); prints the summary
// table and exits 0 if every verdict is good, 1 otherwise.
//   npx tsx packages/harness/bench/faults.long.ts [seconds=300] [seed=1] [nodes=5] [scheme=raft-single] [dir] [clients=6]
// (re-runs itself with --conditions=@adore/source so workspace packages resolve to their sources).
// Data, node logs, traces, schedule.json, history.ndjson and summary.json stay in the directory
// (default: $TMPDIR/adore-faults-<seed>); re-check the history with
//   pnpm adore lincheck <dir>/history.ndjson --format ndjson
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const sourceCondition = "--conditions=@adore/source";
if (!process.execArgv.includes(sourceCondition) && process.env.ADORE_FAULTS_CHILD !== "1") {
  const r = spawnSync(
    process.execPath,
    [sourceCondition, "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, ADORE_FAULTS_CHILD: "1" } },
  );
  process.exit(r.status ?? 1);
}

const { runFaultHarness } = await import("../src/faults/harness.js");
const { formatFaultSummary } = await import("../src/faults/summary.js");

const seconds = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 1);
const nodes = Number(process.argv[4] ?? 5);
const scheme = process.argv[5] ?? "raft-single";
const dir = process.argv[6] || join(tmpdir(), `adore-faults-${seed}`);
const clients = Number(process.argv[7] ?? 6);
if (
  !(seconds > 0) ||
  !Number.isInteger(seed) ||
  !(nodes >= 3 && nodes <= 9) ||
  !(clients >= 1 && clients <= 500)
)
  throw new Error(
    "usage: faults.long.ts [seconds>0] [seed: integer] [nodes: 3..9] [scheme] [dir] [clients: 1..500]",
  );
if (scheme !== "raft-single" && scheme !== "raft-joint") throw new Error("scheme: raft-single | raft-joint");

const ac = new AbortController();
process.once("SIGINT", () => {
  process.stdout.write("\ninterrupted: healing, checking and cleaning up…\n");
  ac.abort();
});
const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
const summary = await runFaultHarness({
  seed,
  durationMs: seconds * 1000,
  nodes,
  scheme,
  dir,
  clients,
  signal: ac.signal,
  log: (l) => process.stdout.write(`${stamp()} ${l.split("\n").join(`\n${" ".repeat(10)}`)}\n`),
});
process.stdout.write(`\n${formatFaultSummary(summary).join("\n")}\n\nartefacts in ${summary.dir}\n`);
process.exitCode = summary.ok ? 0 : 1;
