// The fault harness (Jepsen-style): a real multi-process cluster on loopback behind per-node TCP
// proxies, a concurrent client workload recording its history, and a seeded nemesis (crashes,
// pauses, partitions, slow links, reconfigurations). At the end: heal, resume, restart, wait for a
// leader and for every member to apply the same index, read every key; then check the history for
// linearizability (the kv model of @adore/refinement), check the write-once keys directly, and
// validate the nodes' recorded protocol traces (replayed through the Raft core: election safety,
// state-machine safety). Everything it starts is stopped in finally blocks.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type CheckResult,
  check,
  HistoryParseError,
  type KvInput,
  type KvOutput,
  parseNdjson,
  renderResult,
  serviceKvModel,
} from "@adore/lincheck";
import { refineTraceDir, validateTraceDir } from "@adore/refinement";
import { AdoreClient } from "@adore/runtime-node";
import { LocalCluster } from "@adore/runtime-node";
import { Network, type NetworkStats } from "./network.js";
import {
  type FaultKind,
  type LeaderView,
  makeSchedule,
  Nemesis,
  type NemesisStats,
  type Schedule,
  type ScheduleOptions,
} from "./nemesis.js";
import { FaultRng } from "./rng.js";
import { FINAL_READER, History, type OpCounts, type OpKind, Workload } from "./workload.js";

export interface FaultRunOptions {
  readonly seed: number;
  /** How long the workload and the nemesis run, ms. */
  readonly durationMs: number;
  /** Nodes in the cluster (all bootstrap voters), 3..9. */
  readonly nodes: number;
  readonly scheme?: "raft-single" | "raft-joint";
  /** Where data, logs, traces, the history and the report go (emptied first). */
  readonly dir: string;
  /** Concurrent clients (default 5). */
  readonly clients?: number;
  /** Keys in use at a time (default 3) and operations per key before it rotates (default 120). */
  readonly keys?: number;
  readonly opsPerKey?: number;
  /** Pause between a client's operations, at most (ms, default 10). */
  readonly thinkMs?: number;
  /**
   * Workload client time-outs: one attempt, and a request over all its retries (default 700 and
   * 1500 ms). Shorter ones leave more operations with an unknown outcome.
   */
  readonly clientTimeoutMs?: { readonly attempt: number; readonly total: number };
  /** An explicit schedule (default: the seed's, see makeSchedule). */
  readonly schedule?: Schedule;
  /** Options of the seed's schedule. */
  readonly scheduleOptions?: Partial<Omit<ScheduleOptions, "seed" | "durationMs" | "scheme">>;
  /** TEST ONLY: start the nodes with the deliberately broken --unsafe-local-reads. */
  readonly unsafeLocalReads?: boolean;
  readonly tickMs?: number;
  /** Applied entries between snapshots (default 1000: runs exercise snapshots and their installation). */
  readonly snapshotThreshold?: number;
  /** Give the linearizability check at most this long (default 120 s): "unknown" after. */
  readonly lincheckTimeoutMs?: number;
  /** Bound on healing and settling at the end (default 60 s). */
  readonly settleTimeoutMs?: number;
  /** Ends the workload phase early (the run still settles, checks and cleans up). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface SettleReport {
  readonly ok: boolean;
  readonly detail: string;
  readonly leader: number | undefined;
  readonly members: readonly number[];
  readonly appliedIndex: number | undefined;
}

export interface WriteOnceReport {
  readonly keys: number;
  readonly acknowledged: number;
  /** Acknowledged writes whose value is not there at the end. */
  readonly lost: readonly string[];
  /** Values read at the end that no write (acknowledged or unknown) wrote. */
  readonly phantom: readonly string[];
  /** Keys the final reads could not read. */
  readonly unread: readonly string[];
}

export interface FaultSummary {
  readonly seed: number;
  readonly scheme: string;
  readonly nodes: number;
  readonly clients: number;
  readonly dir: string;
  readonly operations: Readonly<Record<OpKind | "final-read", OpCounts>>;
  readonly totalOperations: number;
  readonly casSwapped: number;
  readonly casNotSwapped: number;
  readonly keysUsed: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly faultsSkipped: number;
  readonly reconfigurations: NemesisStats["reconfig"];
  readonly network: NetworkStats;
  readonly settle: SettleReport;
  readonly verdicts: {
    readonly linearizability: CheckResult<unknown, unknown>["verdict"] | "error";
    readonly writeOnce: "ok" | "lost-writes" | "phantom-values";
    readonly traces: "valid" | "invalid";
    readonly settled: boolean;
    /** "SAFETY ALARM" lines in the nodes' logs. */
    readonly safetyAlarms: number;
    /**
     * Every node's peer directory (read at the end) sends all peer traffic through the proxies:
     * the partitions were real. Lists the entries that bypass a proxy, if any.
     */
    readonly directBypasses: readonly string[];
    /** Every membership misuse of the nemesis was refused and left configuration and directory as they were. */
    readonly misusesRefused: boolean;
  };
  /** The checker's report (with the non-linearizable fragment, if any). */
  readonly lincheck: readonly string[];
  readonly writeOnce: WriteOnceReport;
  readonly traces: {
    readonly nodes: number;
    readonly inputs: number;
    readonly events: number;
    readonly terms: number;
    readonly appliedIndices: number;
    /** ADORE steps the full refinement check mapped the run to (all nodes' inputs in one causal order). */
    readonly adoreSteps: number;
    readonly violations: readonly string[];
  };
  readonly durationsMs: {
    readonly start: number;
    readonly workload: number;
    readonly settle: number;
    readonly finalReads: number;
    readonly lincheck: number;
    readonly traces: number;
    readonly total: number;
  };
  readonly events: readonly string[];
  /** Every verdict good. */
  readonly ok: boolean;
}

interface StatusLike {
  readonly id: number;
  readonly role: string;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly config: {
    readonly text: string;
    readonly voters: number[];
    readonly learners: number[];
    readonly index: number;
    readonly committed: boolean;
  };
  readonly directory: ReadonlyArray<{
    readonly id: number;
    readonly peerAddr: string;
    readonly clientAddr: string;
  }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs one fault-injection experiment and returns its summary (see the file comment). */
export async function runFaultHarness(o: FaultRunOptions): Promise<FaultSummary> {
  const tStart = performance.now();
  const log = o.log ?? (() => undefined);
  const dir = resolve(o.dir);
  const scheme = o.scheme ?? "raft-single";
  const ids = Array.from({ length: o.nodes }, (_, i) => i + 1);
  const clients = o.clients ?? 5;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const schedule =
    o.schedule ?? makeSchedule({ seed: o.seed, durationMs: o.durationMs, scheme, ...o.scheduleOptions });
  writeFileSync(join(dir, "schedule.json"), `${JSON.stringify(schedule, null, 1)}\n`);

  const history = new History();
  const paused = new Set<number>();
  let cluster: LocalCluster | undefined;
  let network: Network | undefined;
  let workload: Workload | undefined;
  let nemesis: Nemesis | undefined;
  const probe: AdoreClient[] = [];
  let settle: SettleReport = {
    ok: false,
    detail: "not reached",
    leader: undefined,
    members: [],
    appliedIndex: undefined,
  };
  const finalCounts: OpCounts = { ok: 0, fail: 0, unknown: 0 };
  const finalValues = new Map<string, string | null>();
  const bypasses: string[] = [];
  const d = { start: 0, workload: 0, settle: 0, finalReads: 0, lincheck: 0, traces: 0, total: 0 };

  const statusOf = async (c: AdoreClient, id: number): Promise<StatusLike | undefined> => {
    if (!cluster || paused.has(id) || !cluster.running.includes(id)) return undefined;
    try {
      return await c.statusOf(cluster.addresses.get(id)!.client);
    } catch {
      return undefined;
    }
  };

  try {
    network = await Network.start(ids, (id) => cluster?.addresses.get(id)?.peer);
    const net = network;
    cluster = await LocalCluster.start({
      ids,
      start: [],
      dir,
      scheme,
      clusterId: "faults",
      traces: true,
      logLevel: "info",
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      snapshotThreshold: o.snapshotThreshold ?? 1000,
      peerAddressFor: (_from, to) => net.address(to),
      advertisePeerFor: (id) => net.address(id),
      ...(o.unsafeLocalReads ? { extraArgs: ["--unsafe-local-reads"] } : {}),
    });
    const cl = cluster;
    await Promise.all(ids.map((id) => cl.startNode(id)));
    const statusClient = new AdoreClient({ endpoints: cl.allEndpoints, attemptTimeoutMs: 600 });
    const admin = new AdoreClient({ endpoints: cl.allEndpoints, attemptTimeoutMs: 2000, timeoutMs: 5000 });
    probe.push(statusClient, admin);

    const leader = async (): Promise<(LeaderView & { status: StatusLike }) | undefined> => {
      const all = await Promise.all(ids.map((id) => statusOf(statusClient, id)));
      let best: StatusLike | undefined;
      for (const s of all) if (s && s.role === "leader" && (!best || s.term > best.term)) best = s;
      if (!best) return undefined;
      return {
        id: best.id,
        term: best.term,
        voters: best.config.voters,
        learners: best.config.learners,
        configIndex: best.config.index,
        committed: best.config.committed,
        configText: best.config.text,
        directory: best.directory,
        status: best,
      };
    };
    for (let i = 0; i < 300 && !(await leader()); i++) await sleep(100);
    d.start = performance.now() - tStart;
    log(`cluster of ${o.nodes} up (${scheme}) in ${(d.start / 1000).toFixed(1)} s; dir ${dir}`);

    // ---- workload + nemesis
    const rng = new FaultRng(o.seed);
    workload = new Workload({
      endpoints: cl.allEndpoints,
      clients,
      ...(o.keys !== undefined ? { keys: o.keys } : {}),
      ...(o.opsPerKey !== undefined ? { opsPerKey: o.opsPerKey } : {}),
      ...(o.thinkMs !== undefined ? { thinkMs: o.thinkMs } : {}),
      attemptTimeoutMs: o.clientTimeoutMs?.attempt ?? 700,
      timeoutMs: o.clientTimeoutMs?.total ?? 1500,
      rng: rng.fork(),
      history,
    });
    nemesis = new Nemesis(schedule, {
      ids,
      scheme,
      network: net,
      running: () => cl.running,
      kill: async (id) => {
        paused.delete(id);
        await cl.signal(id, "SIGKILL");
      },
      restart: (id) => cl.startNode(id),
      pause: (id) => {
        paused.add(id);
        void cl.signal(id, "SIGSTOP");
      },
      resume: (id) => {
        paused.delete(id);
        void cl.signal(id, "SIGCONT");
      },
      isPaused: (id) => paused.has(id),
      leader,
      publishedAddress: (id) => ({ peerAddr: net.address(id), clientAddr: cl.addresses.get(id)!.client }),
      admin,
      log,
    });
    const tW = performance.now();
    workload.start();
    nemesis.start();
    await new Promise<void>((r) => {
      const timer = setTimeout(done, o.durationMs);
      function done() {
        clearTimeout(timer);
        r();
      }
      o.signal?.addEventListener("abort", done, { once: true });
    });
    await nemesis.stop();
    await workload.stop();
    d.workload = performance.now() - tW;
    log(`workload and nemesis stopped after ${(d.workload / 1000).toFixed(1)} s`);

    // ---- heal, resume, restart, settle
    const tS = performance.now();
    net.heal();
    for (const id of [...paused]) {
      paused.delete(id);
      await cl.signal(id, "SIGCONT");
    }
    for (const id of ids)
      if (!cl.running.includes(id))
        await cl.startNode(id).catch((e: unknown) => log(`restarting n${id} failed: ${msg(e)}`));
    settle = await settleCluster(
      ids,
      leader,
      (id) => statusOf(statusClient, id),
      o.settleTimeoutMs ?? 60_000,
    );
    d.settle = performance.now() - tS;
    log(`settle: ${settle.detail} (${(d.settle / 1000).toFixed(1)} s)`);
    // the directories must name the proxies (what --peers, --advertise-peer and the published
    // addresses said), or some traffic went around the partitions
    for (const id of ids) {
      const st = await statusOf(statusClient, id);
      if (!st) bypasses.push(`n${id}: no status`);
      for (const e of st?.directory ?? [])
        if (e.peerAddr !== net.address(e.id)) bypasses.push(`n${id} reaches n${e.id} at ${e.peerAddr}`);
    }

    // ---- read every key
    const tR = performance.now();
    const reader = new AdoreClient({ endpoints: cl.allEndpoints, attemptTimeoutMs: 2000, timeoutMs: 10_000 });
    probe.push(reader);
    const keys = [...workload.keysUsed, ...workload.onceKeys.keys()];
    const lanes = 8;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let k = lane; k < keys.length; k += lanes) {
          const key = keys[k]!;
          const call = history.now();
          try {
            const value = await reader.get(key);
            history.add({
              client: FINAL_READER + lane,
              op: "get",
              key,
              call,
              return: history.now(),
              outcome: "ok",
              result: value,
            });
            finalValues.set(key, value);
            finalCounts.ok++;
          } catch (e) {
            history.add({
              client: FINAL_READER + lane,
              op: "get",
              key,
              call,
              return: history.now(),
              outcome: "fail",
              error: msg(e).slice(0, 200),
            });
            finalCounts.fail++;
          }
        }
      }),
    );
    d.finalReads = performance.now() - tR;
  } finally {
    workload?.close();
    await nemesis?.stop().catch(() => undefined);
    for (const c of probe) c.close();
    if (cluster) await cluster.stop().catch((e: unknown) => log(`stopping the cluster: ${msg(e)}`));
    if (network) await network.close().catch(() => undefined);
  }

  // ---- checks (the cluster is down; traces are flushed)
  const ndjson = history.toNdjson();
  writeFileSync(join(dir, "history.ndjson"), ndjson);
  const tL = performance.now();
  let linVerdict: FaultSummary["verdicts"]["linearizability"] = "error";
  let lincheck: string[];
  const ops = parseNdjson(ndjson);
  if (ops instanceof HistoryParseError) lincheck = [`the history does not parse: ${ops.message}`];
  else {
    const result = check<unknown, KvInput, KvOutput>(serviceKvModel as never, ops, {
      timeoutMs: o.lincheckTimeoutMs ?? 120_000,
    });
    linVerdict = result.verdict;
    lincheck = renderResult(serviceKvModel as never, result, { time: "ns" });
  }
  d.lincheck = performance.now() - tL;
  log(`linearizability: ${lincheck.slice(0, 2).join(";")} (${(d.lincheck / 1000).toFixed(1)} s)`);

  const writeOnce = checkWriteOnce(workload, finalValues);

  const tT = performance.now();
  let traces: FaultSummary["traces"] = {
    nodes: 0,
    inputs: 0,
    events: 0,
    terms: 0,
    appliedIndices: 0,
    adoreSteps: 0,
    violations: ["not validated"],
  };
  try {
    const r = validateTraceDir(dir);
    // and the full refinement: every node's inputs in one causal order, mapped to ADORE, R at every step
    const g = refineTraceDir(dir);
    const f = g.failure;
    traces = {
      nodes: r.nodes.length,
      inputs: r.nodes.reduce((a, n) => a + n.inputs, 0),
      events: r.nodes.reduce((a, n) => a + n.eventsChecked, 0),
      terms: r.leaders.size,
      appliedIndices: r.appliedIndices,
      adoreSteps: g.adoreSteps,
      violations: [
        ...r.violations,
        ...(f
          ? [
              `refinement: ${f.kind}: ${f.message} (step ${f.step}, S${f.node} ${f.input} at ${f.file}:${f.line})`,
            ]
          : []),
      ],
    };
  } catch (e) {
    traces = { ...traces, violations: [`traces could not be validated: ${msg(e)}`] };
  }
  d.traces = performance.now() - tT;
  const safetyAlarms = countAlarms(dir);
  d.total = performance.now() - tStart;

  const ws = workload?.stats;
  const zero = (): OpCounts => ({ ok: 0, fail: 0, unknown: 0 });
  const operations = {
    get: ws?.ops.get ?? zero(),
    put: ws?.ops.put ?? zero(),
    cas: ws?.ops.cas ?? zero(),
    once: ws?.ops.once ?? zero(),
    "final-read": finalCounts,
  };
  const misuse = nemesis?.stats.reconfig.misuse ?? { refused: {}, accepted: [], changed: [] };
  const verdicts: FaultSummary["verdicts"] = {
    linearizability: linVerdict,
    writeOnce:
      writeOnce.lost.length > 0 ? "lost-writes" : writeOnce.phantom.length > 0 ? "phantom-values" : "ok",
    traces: traces.violations.length === 0 ? "valid" : "invalid",
    settled: settle.ok,
    safetyAlarms,
    directBypasses: bypasses,
    misusesRefused: misuse.accepted.length === 0 && misuse.changed.length === 0,
  };
  const summary: FaultSummary = {
    seed: o.seed,
    scheme,
    nodes: o.nodes,
    clients,
    dir,
    operations,
    totalOperations: Object.values(operations).reduce((a, c) => a + c.ok + c.fail + c.unknown, 0),
    casSwapped: ws?.casSwapped ?? 0,
    casNotSwapped: ws?.casNotSwapped ?? 0,
    keysUsed: (workload?.keysUsed.size ?? 0) + (workload?.onceKeys.size ?? 0),
    faults: nemesis?.stats.faults ?? ({} as Record<FaultKind, number>),
    faultsSkipped: nemesis?.stats.faultsSkipped ?? 0,
    reconfigurations: nemesis?.stats.reconfig ?? {
      done: {},
      refused: {},
      unknown: 0,
      skipped: 0,
      misuse: { refused: {}, accepted: [], changed: [] },
    },
    network: network?.stats ?? { accepted: 0, refused: 0, severed: 0, unidentified: 0, bytes: 0 },
    settle,
    verdicts,
    lincheck,
    writeOnce,
    traces,
    durationsMs: d,
    events: nemesis?.stats.events ?? [],
    ok:
      verdicts.linearizability === "linearizable" &&
      verdicts.writeOnce === "ok" &&
      verdicts.traces === "valid" &&
      verdicts.settled &&
      safetyAlarms === 0 &&
      bypasses.length === 0 &&
      verdicts.misusesRefused,
  };
  writeFileSync(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Waits for a leader with a committed, non-joint configuration and for every member to apply its last index. */
async function settleCluster(
  ids: readonly number[],
  leader: () => Promise<(LeaderView & { status: StatusLike }) | undefined>,
  statusOf: (id: number) => Promise<StatusLike | undefined>,
  timeoutMs: number,
): Promise<SettleReport> {
  const deadline = Date.now() + timeoutMs;
  let detail = "no leader";
  while (Date.now() < deadline) {
    const l = await leader();
    if (!l) detail = "no leader";
    else if (!l.committed || l.configText.startsWith("("))
      detail = `configuration ${l.configText} (committed: ${l.committed}) not final yet`;
    else if (l.status.commit !== l.status.lastIndex)
      detail = `leader n${l.id} has committed ${l.status.commit} of ${l.status.lastIndex}`;
    else {
      const members = [...new Set([...l.voters, ...l.learners])].filter((id) => ids.includes(id));
      const st = await Promise.all(members.map((id) => statusOf(id)));
      const target = l.status.lastIndex;
      const behind = members.filter((_id, i) => st[i]?.applied !== target);
      if (behind.length === 0)
        return {
          ok: true,
          detail: `leader n${l.id} (term ${l.term}), members ${members.join(",")} all applied index ${target}`,
          leader: l.id,
          members,
          appliedIndex: target,
        };
      detail = `members ${behind.join(",")} have not applied index ${target} yet`;
    }
    await sleep(200);
  }
  return {
    ok: false,
    detail: `did not settle within ${timeoutMs} ms: ${detail}`,
    leader: undefined,
    members: [],
    appliedIndex: undefined,
  };
}

/** Every acknowledged write to a write-once key must be read back; no value may come from nowhere. */
function checkWriteOnce(
  w: Workload | undefined,
  finals: ReadonlyMap<string, string | null>,
): WriteOnceReport {
  const lost: string[] = [];
  const phantom: string[] = [];
  const unread: string[] = [];
  let acknowledged = 0;
  for (const [key, { value, outcome }] of w?.onceKeys ?? []) {
    if (outcome === "ok") acknowledged++;
    if (!finals.has(key)) {
      unread.push(key);
      continue;
    }
    const got = finals.get(key) ?? null;
    if (outcome === "ok" && got !== value) lost.push(`${key}: wrote ${value} (acknowledged), read ${got}`);
    if (got !== null && got !== value) phantom.push(`${key}: read ${got}, only ${value} was written`);
    if (got !== null && outcome === "fail") phantom.push(`${key}: read ${got}, the write was refused`);
  }
  // an unreadable acknowledged key counts as lost: nothing shows it is there
  for (const key of unread)
    if (w?.onceKeys.get(key)?.outcome === "ok") lost.push(`${key}: could not be read`);
  return { keys: w?.onceKeys.size ?? 0, acknowledged, lost, phantom, unread };
}

function countAlarms(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir))
    if (/^n\d+\.log$/.test(f)) n += readFileSync(join(dir, f), "utf8").split("SAFETY ALARM").length - 1;
  return n;
}
