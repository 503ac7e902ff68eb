import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type AdoreView,
  adoreViewOfTraces,
  refineTraceDir,
  renderRunSvg,
  validateTraceDir,
} from "@adore/refinement";
import { formatSummary, type LatencySummary, summarize } from "./bench/stats.js";
import { AdoreClient } from "@adore/runtime-node";
import { LocalCluster } from "@adore/runtime-node";

/**
 * The paper's experiment (section 7, Fig. 16) on loopback: 5 node processes, one client issuing
 * requests one after another, reconfiguring after every `requests` requests 5 → 3 → 5 nodes; per
 * phase the request latency min/mean/p50/p99/max; then every acknowledged write is read back, the
 * nodes' recorded protocol traces are validated, and everything is cleaned up.
 */
export interface ExperimentOptions {
  readonly requests: number;
  readonly scheme: "raft-single" | "raft-joint";
  readonly dir: string;
  readonly out?: (line: string) => void;
  /**
   * Writes the run's ADORE view as a file the browser explorer opens (the CLI passes its
   * `adore-view.json` writer; without it no view file is written).
   */
  readonly writeView?: (file: string, view: AdoreView<unknown>, title: string) => void;
}

export interface PhaseReport {
  readonly phase: number;
  readonly voters: readonly number[];
  readonly latency: LatencySummary;
  /** Time the reconfiguration into this phase took (ms), 0 for the first phase. */
  readonly reconfigMs: number;
}

export interface ExperimentReport {
  readonly phases: readonly PhaseReport[];
  readonly acknowledged: number;
  readonly missing: number;
  readonly tracesOk: boolean;
  readonly traceViolations: readonly string[];
}

interface StatusLike {
  readonly config?: { readonly voters?: readonly number[]; readonly committed?: boolean };
}

async function retry<T>(f: () => Promise<T>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentReport> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = resolve(o.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ids = [1, 2, 3, 4, 5];
  out(`starting 5 node processes on loopback (scheme ${o.scheme}); data, logs and traces in ${dir}`);
  const cluster = await LocalCluster.start({
    ids,
    dir,
    scheme: o.scheme,
    traces: true,
    logLevel: "info",
    clusterId: "experiment",
  });
  const client = new AdoreClient({
    endpoints: cluster.allEndpoints,
    attemptTimeoutMs: 2000,
    timeoutMs: 30_000,
  });
  const acknowledged = new Map<string, string>();
  const phases: PhaseReport[] = [];
  let tracesOk = false;
  let traceViolations: readonly string[] = [];
  let missing = 0;
  try {
    await retry(() => client.put("experiment/start", "1"));
    const addr = (id: number) => {
      const a = cluster.addresses.get(id)!;
      return { peerAddr: a.peer, clientAddr: a.client };
    };
    const plan: { voters: number[]; change: () => Promise<void> }[] = [
      { voters: [1, 2, 3, 4, 5], change: async () => {} },
      {
        voters: [1, 2, 3],
        change: async () => {
          if (o.scheme === "raft-joint") await client.setConfig("({1,2,3,4,5},{1,2,3})");
          else {
            await client.removeMember(5);
            await client.removeMember(4);
          }
          // the removed members stop (their processes would otherwise keep campaigning for nothing)
          await cluster.signal(5, "SIGTERM");
          await cluster.signal(4, "SIGTERM");
        },
      },
      {
        voters: [1, 2, 3, 4, 5],
        change: async () => {
          await cluster.startNode(4);
          await cluster.startNode(5);
          // the experiment measures the direct change back to five voters, with nodes it has just
          // restarted: the leader has not heard from them yet, hence force
          if (o.scheme === "raft-joint") await client.setConfig("({1,2,3},{1,2,3,4,5})", { force: true });
          else {
            await client.addMember(4, addr(4), { force: true });
            await client.addMember(5, addr(5), { force: true });
          }
        },
      },
    ];
    for (let ph = 0; ph < plan.length; ph++) {
      const step = plan[ph]!;
      const t0 = performance.now();
      await step.change();
      // wait until the leader reports the target configuration as committed
      await retry(async () => {
        const st = (await client.status()) as StatusLike;
        const voters = st.config?.voters ?? [];
        if (!st.config?.committed || voters.join() !== step.voters.join())
          throw new Error("target configuration not committed yet");
      });
      const reconfigMs = ph === 0 ? 0 : performance.now() - t0;
      const lat: number[] = [];
      for (let i = 0; i < o.requests; i++) {
        const key = `exp/${ph}/${i}`;
        const value = `v${ph}.${i}`;
        const s = performance.now();
        await client.put(key, value);
        lat.push(performance.now() - s);
        acknowledged.set(key, value);
      }
      const latency = summarize(lat);
      phases.push({ phase: ph + 1, voters: step.voters, latency, reconfigMs });
      out(
        `phase ${ph + 1} (${step.voters.length} nodes${ph ? `, reconfiguration ${reconfigMs.toFixed(0)} ms` : ""}): ${formatSummary(latency)}`,
      );
    }
    // every acknowledged write must be readable (linearizable reads through ReadIndex)
    for (const [k, v] of acknowledged) if ((await client.get(k)) !== v) missing++;
    out(
      `acknowledged writes: ${acknowledged.size}; readable at the end: ${acknowledged.size - missing}; missing: ${missing}`,
    );
  } finally {
    client.close();
    await cluster.stop();
  }
  try {
    const report = validateTraceDir(dir);
    tracesOk = report.ok;
    traceViolations = report.violations;
    const inputs = report.nodes.reduce((a, n) => a + n.inputs, 0);
    const events = report.nodes.reduce((a, n) => a + n.eventsChecked, 0);
    out(
      `traces: ${report.nodes.length} nodes, ${inputs} core inputs replayed through stepServer, ${events} events identical; ` +
        `${report.leaders.size} terms with one leader each; ${report.appliedIndices} applied indices agree: ${report.ok ? "valid" : "INVALID"}`,
    );
    for (const v of report.violations.slice(0, 10)) out(`  ${v}`);
    const view = adoreViewOfTraces(report);
    const svg = join(dir, "cache-tree.svg");
    const treeTitle = `adore experiment (${o.scheme}): the run's ADORE cache tree`;
    writeFileSync(svg, renderRunSvg(view, treeTitle));
    const viewFile = join(dir, "adore-view.json");
    o.writeView?.(viewFile, view, treeTitle);
    out(
      `ADORE: the leaders' elections, entries and commits as ${view.steps} pull/invoke/reconfig/push steps, ` +
        `${view.steps - view.refused.length} accepted under the paper's rules, ${view.refused.length} refused; ` +
        `Replicated State Safety ${view.safety === null ? "holds" : `FAILS: ${view.safety}`}; cache tree: ${svg}` +
        (o.writeView ? ` (in the browser: pnpm adore ui --run ${viewFile})` : ""),
    );
    for (const r of view.refused.slice(0, 5)) out(`  refused: ${r}`);
    if (view.safety !== null) tracesOk = false;
    // the full check: every node's inputs in one causal order through the lagging mapping, R at every step
    const g = refineTraceDir(dir);
    out(
      `refinement: ${g.steps} inputs of all nodes in one causal order mapped to ${g.adoreSteps} ADORE steps, ` +
        `relation R checked after each: ${g.failure ? `FAILED: ${g.failure.kind}: ${g.failure.message}` : "holds"}`,
    );
    if (g.failure) tracesOk = false;
    out(`(re-check any time with: pnpm adore validate ${dir} --svg tree.svg)`);
  } catch (e) {
    traceViolations = [e instanceof Error ? e.message : String(e)];
    out(`traces: could not be validated: ${traceViolations[0]}`);
  }
  const result: ExperimentReport = {
    phases,
    acknowledged: acknowledged.size,
    missing,
    tracesOk,
    traceViolations,
  };
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
