// The service commands of the `adore` CLI: run a node (`node start`), a local cluster of node
// processes (`cluster up`), and talk to a running cluster (`kv`, `member`, `status`).
//
// Exit codes: 0 success; 1 a definite "no" from the cluster (a key not found, a CAS that did not
// swap, a refused membership change); 2 bad arguments, an unreachable cluster, a timeout or any
// other error. Every failure is one line on stderr, never a stack trace.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigSyntaxError, getScheme, schemeNames } from "@adore/schemes";
import { type Command, type CommanderError, InvalidArgumentError } from "commander";
import type {
  AdoreClient,
  ConfigSummary,
  LocalCluster,
  MemberChangeResult,
  NodeFlags,
  NodeStatus,
} from "@adore/runtime-node";

// The service library (and with it msgpackr, pino, prom-client) is loaded by the service commands
// only, when they run: `adore check` and the other model commands never load it.
type Runtime = typeof import("@adore/runtime-node");
let loaded: Runtime | undefined;
async function loadRuntime(): Promise<Runtime> {
  loaded ??= await import("@adore/runtime-node");
  return loaded;
}
/** The service library, once a command has loaded it. */
function runtime(): Runtime {
  if (!loaded) throw new Error("internal: the service library is used before it is loaded");
  return loaded;
}

type Exit = 0 | 1 | 2;

/** Largest node id (node sets are bit masks). */
const MAX_ID = 30;
/** The default directory of `adore cluster up`, and where the other commands look when given no endpoints. */
export const DEFAULT_CLUSTER_DIR = "adore-cluster";
export const CLUSTER_FILE = "cluster.json";

/** A bad argument (or a missing cluster file): exit 2. */
class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// argument parsers (commander turns an InvalidArgumentError into one `error:` line)

const intIn =
  (what: string, lo: number, hi: number) =>
  (v: string): number => {
    const t = v.trim();
    if (!/^\d+$/.test(t) || Number(t) < lo || Number(t) > hi)
      throw new InvalidArgumentError(`${what} must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
    return Number(t);
  };
const nodeId = intIn("a node id", 1, MAX_ID);
const idList = (v: string): number[] => {
  const ids = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(nodeId);
  if (ids.length === 0) throw new InvalidArgumentError("expected node ids, e.g. 1,2,3");
  return ids;
};
const hostPort = (v: string): string => {
  const t = v.trim();
  const i = t.lastIndexOf(":");
  const port = Number(t.slice(i + 1));
  if (i <= 0 || !/^\d+$/.test(t.slice(i + 1)) || port < 1 || port > 65_535)
    throw new InvalidArgumentError(`${JSON.stringify(v)} is not host:port`);
  return t;
};

// ---------------------------------------------------------------------------------------------
// the cluster file written by `adore cluster up`

export interface ClusterFile {
  readonly version: 1;
  /** Process id of `adore cluster up`. */
  readonly pid: number;
  readonly scheme: string;
  readonly clusterId: string;
  /** Client addresses of every node (what --endpoints takes). */
  readonly endpoints: string[];
  /** The --peers flag of the nodes (to start another node by hand with `adore node start`). */
  readonly peers: string;
  readonly members: number[];
  readonly nodes: Array<{
    readonly id: number;
    readonly peer: string;
    readonly client: string;
    readonly data: string;
    readonly log: string;
    readonly member: boolean;
  }>;
}

function clusterFilePath(dirOrFile: string): string {
  return dirOrFile.endsWith(".json") ? resolve(dirOrFile) : resolve(dirOrFile, CLUSTER_FILE);
}

export function readClusterFile(dirOrFile: string): ClusterFile {
  const file = clusterFilePath(dirOrFile);
  if (!existsSync(file))
    throw new UsageError(
      `no cluster file ${file}: start a cluster with \`adore cluster up --dir ${dirOrFile}\` (and keep it running)`,
    );
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as ClusterFile;
    if (!Array.isArray(c.endpoints) || c.endpoints.length === 0) throw new Error("it lists no endpoints");
    return c;
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

// ---------------------------------------------------------------------------------------------
// connection options, shared by kv, member and status

interface ConnArgs {
  readonly endpoints?: string;
  readonly cluster?: string;
  readonly token?: string;
  readonly timeout: number;
  readonly json?: boolean;
}

function withConnection(cmd: Command): Command {
  return cmd
    .option(
      "--endpoints <list>",
      "client addresses host:port,… (default: $ADORE_ENDPOINTS, else ./adore-cluster/cluster.json)",
    )
    .option("--cluster <dir>", "the --dir of a running `adore cluster up` (reads <dir>/cluster.json)")
    .option("--timeout <ms>", "give up after this many milliseconds", intIn("--timeout", 1, 3_600_000), 5000)
    .option(
      "--token <token>",
      "client token of a cluster started with --client-token (default: $ADORE_TOKEN)",
    )
    .option("--json", "machine-readable output: one JSON value on stdout");
}

/** The endpoints to use: --endpoints, --cluster, $ADORE_ENDPOINTS, ./adore-cluster/cluster.json, in that order. */
export function resolveEndpoints(o: { endpoints?: string; cluster?: string }, cwd = process.cwd()): string[] {
  if (o.endpoints !== undefined && o.cluster !== undefined)
    throw new UsageError("give either --endpoints or --cluster, not both");
  let list: string[];
  let from: string;
  if (o.endpoints !== undefined) [list, from] = [o.endpoints.split(","), "--endpoints"];
  else if (o.cluster !== undefined) [list, from] = [readClusterFile(o.cluster).endpoints, "--cluster"];
  else if (process.env.ADORE_ENDPOINTS)
    [list, from] = [process.env.ADORE_ENDPOINTS.split(","), "ADORE_ENDPOINTS"];
  else if (existsSync(join(cwd, DEFAULT_CLUSTER_DIR, CLUSTER_FILE)))
    [list, from] = [readClusterFile(join(cwd, DEFAULT_CLUSTER_DIR)).endpoints, "./adore-cluster"];
  else
    throw new UsageError(
      "no endpoints: give --endpoints host:port,…, or --cluster <dir> of `adore cluster up`, or set ADORE_ENDPOINTS",
    );
  const out = list.map((s) => s.trim()).filter(Boolean);
  if (out.length === 0) throw new UsageError(`${from}: no endpoints given`);
  for (const e of out)
    try {
      hostPort(e);
    } catch {
      throw new UsageError(`${from}: ${JSON.stringify(e)} is not host:port`);
    }
  return out;
}

function clientFor(o: ConnArgs, endpoints: string[]): AdoreClient {
  const token = o.token ?? process.env.ADORE_TOKEN;
  return new (runtime().AdoreClient)({
    endpoints,
    timeoutMs: o.timeout,
    attemptTimeoutMs: Math.min(o.timeout, 2000),
    clientId: `adore-cli-${process.pid}`,
    ...(token ? { token } : {}),
  });
}

/** What an error means to the user: one line and an exit code. */
function explain(e: unknown, endpoints: readonly string[], refusal: boolean): { line: string; code: Exit } {
  if (e instanceof UsageError) return { line: e.message, code: 2 };
  const { AdoreError, describeRejection } = runtime();
  if (!(e instanceof AdoreError)) return { line: e instanceof Error ? e.message : String(e), code: 2 };
  const msg = e.message.slice(e.code.length + 2);
  switch (e.code) {
    case "Unavailable":
      return { line: `cannot reach the cluster (tried ${endpoints.join(",")}): ${msg}`, code: 2 };
    case "Timeout":
      return {
        line: `no answer in time (${msg})${refusal ? "; the change may or may not have taken effect" : ""}`,
        code: 2,
      };
    case "NotLeader":
      return { line: `no leader could serve the request (${msg})`, code: 2 };
    case "Rejected":
      return { line: `refused: ${e.rejection ? describeRejection(e.rejection) : msg}`, code: 1 };
    case "Unsupported":
    case "AlreadyMember":
    case "NotMember":
    case "AddressInUse":
    case "NotCaughtUp":
      return { line: `refused: ${msg}`, code: 1 };
    case "BadRequest":
      // membership: the node's own checks (already a voter, not a learner, …) are refusals
      return refusal ? { line: `refused: ${msg}`, code: 1 } : { line: `bad request: ${msg}`, code: 2 };
    default:
      return { line: `${e.code}: ${msg}`, code: 2 };
  }
}

/**
 * Runs a client command: resolves the endpoints, opens a client, and turns whatever goes wrong into
 * one line on stderr (and a JSON error on stdout with --json) and an exit code.
 */
async function withClient(
  name: string,
  o: ConnArgs,
  body: (c: AdoreClient, endpoints: string[]) => Promise<Exit>,
  refusal = false,
): Promise<void> {
  let endpoints: string[] = [];
  let client: AdoreClient | undefined;
  let code: Exit;
  await loadRuntime();
  try {
    endpoints = resolveEndpoints(o);
    client = clientFor(o, endpoints);
    code = await body(client, endpoints);
  } catch (e) {
    const x = explain(e, endpoints, refusal);
    if (o.json && e instanceof runtime().AdoreError)
      out(JSON.stringify({ ok: false, error: e.toWire(), ...(x.code === 1 ? { refused: true } : {}) }));
    process.stderr.write(`adore ${name}: ${x.line}\n`);
    code = x.code;
  } finally {
    client?.close();
  }
  process.exitCode = code;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Exits 2 on a commander error (bad arguments), 0 after --help. */
function usageExits(cmd: Command): Command {
  return cmd.showHelpAfterError(false).exitOverride((e: CommanderError) => {
    process.exit(e.exitCode === 0 ? 0 : 2);
  });
}

// ---------------------------------------------------------------------------------------------
// adore node start

function addNodeCommands(program: Command): void {
  const node = usageExits(program.command("node").description("run one replica of the key-value service"));
  let mounted = false;
  node
    .command("start")
    .description(
      "run one replica until SIGINT/SIGTERM; prints one JSON line {ready, id, peerAddr, clientAddr} when serving",
    )
    .usage("--id <n> --data <dir> --peers <id=host:peerPort/host:clientPort,…> [options]")
    .action(async (f: NodeFlags) => {
      const { nodeOptionsFrom, runNode } = await import("@adore/runtime-node");
      try {
        await runNode(nodeOptionsFrom(f));
      } catch (e) {
        err(`adore node start: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(2);
      }
    });
  // The node flags come from withNodeOptions (src/node/args.ts), mounted just before `start` parses
  // its arguments: args.ts loads the whole replica, which the other commands do not need.
  node.hook("preSubcommand", async (_node, sub) => {
    if (sub.name() !== "start" || mounted) return;
    mounted = true;
    const { withNodeOptions } = await import("@adore/runtime-node");
    withNodeOptions(sub);
  });
}

// ---------------------------------------------------------------------------------------------
// adore cluster up

interface ClusterUpArgs {
  readonly nodes: number;
  readonly spares: number;
  readonly members?: number[];
  readonly scheme: string;
  readonly dir: string;
  readonly traces?: boolean;
  readonly logLevel: string;
  readonly clusterId: string;
  readonly tickMs?: number;
}

async function clusterUp(o: ClusterUpArgs): Promise<Exit> {
  const { DataDirError, describeExit, LocalCluster } = await loadRuntime();
  const fail = (line: string): Exit => {
    err(`adore cluster up: ${line}`);
    return 2;
  };
  const total = o.nodes + o.spares;
  if (total > MAX_ID) return fail(`--nodes plus --spares is at most ${MAX_ID}, got ${total}`);
  const ids = Array.from({ length: total }, (_, i) => i + 1);
  const members = o.members ?? ids.slice(0, o.nodes);
  const outside = members.filter((m) => !ids.includes(m));
  if (outside.length) return fail(`--members ${outside.join(",")} not among the nodes 1..${total}`);
  if (new Set(members).size !== members.length) return fail("--members names a node twice");
  if (!schemeNames().includes(o.scheme))
    return fail(`unknown scheme ${JSON.stringify(o.scheme)}; valid: ${schemeNames().join(", ")}`);
  if (!["silent", "error", "warn", "info", "debug", "trace", "fatal"].includes(o.logLevel))
    return fail(
      `--log-level must be one of silent, error, warn, info, debug, got ${JSON.stringify(o.logLevel)}`,
    );
  const dir = resolve(o.dir);
  const file = join(dir, CLUSTER_FILE);
  if (existsSync(file)) {
    let pid: number | undefined;
    try {
      pid = (JSON.parse(readFileSync(file, "utf8")) as ClusterFile).pid;
    } catch {
      // an unreadable file is overwritten
    }
    if (typeof pid === "number" && pid !== process.pid && alive(pid))
      return fail(
        `a cluster is already running from ${dir} (pid ${pid}); stop it first or use another --dir`,
      );
  }

  // a signal during start-up stops the nodes started so far
  let cluster: LocalCluster | undefined;
  let stopping: Promise<void> | undefined;
  let signalled = false;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      rmSync(file, { force: true });
      await cluster?.stop();
    })());
  const stopped = new Promise<void>((done) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) return;
      signalled = true;
      err(`adore cluster up: ${sig}: stopping every node…`);
      if (cluster) void stop().then(done, done);
      else done();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

  try {
    cluster = await LocalCluster.start({
      ids,
      members,
      start: ids,
      dir,
      scheme: o.scheme,
      clusterId: o.clusterId,
      logLevel: o.logLevel,
      ...(o.traces ? { traces: true } : {}),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
    });
  } catch (e) {
    // an unusable --dir: nothing was started, so there are no logs to point at
    if (e instanceof DataDirError) return fail(e.message);
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    return fail(`could not start the cluster: ${first} (logs in ${dir})`);
  }
  if (signalled) {
    await stop();
    return 0;
  }
  const cl = cluster;
  const nodes = ids.map((id) => {
    const a = cl.addresses.get(id)!;
    return {
      id,
      peer: a.peer,
      client: a.client,
      data: cl.dataDir(id),
      log: join(dir, `n${id}.log`),
      member: members.includes(id),
    };
  });
  const endpoints = nodes.map((n) => n.client);
  const info: ClusterFile = {
    version: 1,
    pid: process.pid,
    scheme: o.scheme,
    clusterId: o.clusterId,
    endpoints,
    peers: cl.peersFlag(),
    members,
    nodes,
  };
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);

  const spares = ids.filter((id) => !members.includes(id));
  out(
    `adore cluster: ${total} node processes, scheme ${o.scheme}, voters ${members.join(",")}` +
      `${spares.length ? `, spares ${spares.join(",")} (not members: add with \`adore member learner <id>\`)` : ""}`,
  );
  const w = Math.max(...nodes.map((n) => n.peer.length));
  for (const n of nodes)
    out(
      `  node ${String(n.id).padEnd(2)} ${n.member ? "voter" : "spare"}  peer ${n.peer.padEnd(w)}  client ${n.client.padEnd(w)}` +
        `  data ${n.data}  log ${n.log}`,
    );
  if (o.traces) out(`  traces: ${join(dir, "trace-<id>.ndjson")}`);
  out(`cluster file: ${file}`);
  out(`endpoints: ${endpoints.join(",")}`);
  out(`  e.g. adore kv put hello world --endpoints ${endpoints.join(",")}`);
  out(`       adore status --cluster ${dir}`);
  out("SIGINT (Ctrl-C) or SIGTERM stops every node.");

  // report a node that dies on its own, and how
  const reported = new Set<number>();
  const watch = setInterval(() => {
    if (stopping) return;
    for (const id of ids)
      if (!cl.running.includes(id) && !reported.has(id)) {
        reported.add(id);
        const how = cl.lastExit(id);
        err(
          `adore cluster up: node ${id} ${how ? describeExit(how) : "exited"}; see ${join(dir, `n${id}.log`)}`,
        );
      }
  }, 500);
  // not unref'd: it keeps `cluster up` running (and reporting) after its last node died, until a signal

  await stopped;
  clearInterval(watch);
  await stop();
  out("adore cluster: every node stopped");
  return 0;
}

function addClusterCommands(program: Command): void {
  const cluster = usageExits(program.command("cluster").description("local clusters of node processes"));
  cluster
    .command("up")
    .description(
      "start node processes on loopback (ids 1..n, automatic ports), print their addresses and the --endpoints " +
        "string, write <dir>/cluster.json; run until SIGINT/SIGTERM, then stop every node",
    )
    .option("--nodes <n>", "voters, ids 1..n", intIn("--nodes", 1, MAX_ID), 3)
    .option(
      "--spares <n>",
      "extra nodes n+1.. started as non-members (to add with `adore member learner`)",
      intIn("--spares", 0, MAX_ID),
      0,
    )
    .option(
      "--members <ids>",
      "bootstrap voters instead of 1..n (the other nodes start as non-members)",
      idList,
    )
    .option("--scheme <name>", `reconfiguration scheme: ${schemeNames().join(", ")}`, "raft-single")
    .option("--dir <dir>", "data directories, logs and cluster.json", DEFAULT_CLUSTER_DIR)
    .option("--traces", "record each node's protocol trace in <dir>/trace-<id>.ndjson")
    .option("--log-level <level>", "node log level (logs go to <dir>/n<id>.log)", "info")
    .option("--cluster-id <id>", "cluster identity", "adore-local")
    .option("--tick-ms <n>", "milliseconds per Raft tick", intIn("--tick-ms", 1, 60_000))
    .action(async (o: ClusterUpArgs) => {
      const code = await clusterUp(o);
      process.exit(code);
    });
}

// ---------------------------------------------------------------------------------------------
// adore kv

function addKvCommands(program: Command): void {
  const kv = usageExits(program.command("kv").description("read and write keys (linearizable)"));

  withConnection(kv.command("get").description("print the value of a key; exit 1 if there is none"))
    .argument("<key>")
    .action((key: string, o: ConnArgs) =>
      withClient("kv get", o, async (c) => {
        const value = await c.get(key);
        if (o.json) out(JSON.stringify({ key, value }));
        else if (value !== null) out(value);
        if (value === null) {
          err(`adore kv get: not found: ${JSON.stringify(key)}`);
          return 1;
        }
        return 0;
      }),
    );

  withConnection(kv.command("put").description("set a key"))
    .argument("<key>")
    .argument("<value>")
    .action((key: string, value: string, o: ConnArgs) =>
      withClient("kv put", o, async (c) => {
        const r = await c.put(key, value);
        out(o.json ? JSON.stringify({ key, value, prev: r.prev }) : "OK");
        return 0;
      }),
    );

  withConnection(kv.command("del").description("delete a key (deleting an absent key is not an error)"))
    .argument("<key>")
    .action((key: string, o: ConnArgs) =>
      withClient("kv del", o, async (c) => {
        const r = await c.del(key);
        if (o.json) out(JSON.stringify({ key, deleted: r.prev !== null, prev: r.prev }));
        else out(r.prev !== null ? "deleted" : "not found (nothing deleted)");
        return 0;
      }),
    );

  withConnection(
    kv
      .command("cas")
      .description(
        "compare-and-set: set <key> to <value> iff its value is <expected> (or, with --absent, iff it has none); " +
          "prints swapped, or not swapped and the current value (exit 1)",
      ),
  )
    .usage("[options] <key> <expected> <value>  |  --absent <key> <value>")
    .argument("<key>")
    .argument("<expected|value>", "the expected value (the new value with --absent)")
    .argument("[value]", "the new value")
    .option("--absent", "expect the key to have no value")
    .action((key: string, a: string, b: string | undefined, o: ConnArgs & { absent?: boolean }) =>
      withClient("kv cas", o, async (c) => {
        if (o.absent && b !== undefined)
          throw new UsageError("with --absent give <key> <value> (no expected value)");
        if (!o.absent && b === undefined)
          throw new UsageError("give <key> <expected> <value>, or --absent <key> <value>");
        const [expected, value] = o.absent ? [null, a] : [a, b!];
        const r = await c.cas(key, expected, value);
        if (o.json) out(JSON.stringify({ key, swapped: r.swapped, current: r.current }));
        else if (r.swapped) out("swapped");
        else out(`not swapped: current ${r.current === null ? "absent" : `value ${r.current}`}`);
        return r.swapped ? 0 : 1;
      }),
    );

  withConnection(kv.command("range").description("print key=value for the keys with a prefix, in key order"))
    .argument("[prefix]", "key prefix (default: every key)", "")
    .option("--limit <n>", "at most this many keys (1..1000)", intIn("--limit", 1, 1000), 100)
    .action((prefix: string, o: ConnArgs & { limit: number }) =>
      withClient("kv range", o, async (c) => {
        const r = await c.range(prefix, o.limit);
        if (o.json)
          out(
            JSON.stringify({ prefix, items: r.items.map(([key, value]) => ({ key, value })), more: r.more }),
          );
        else {
          for (const [k, v] of r.items) out(`${k}=${v}`);
          if (r.more) err(`adore kv range: more keys than --limit ${o.limit}`);
        }
        return 0;
      }),
    );
}

// ---------------------------------------------------------------------------------------------
// adore member

const showIds = (ids: readonly number[]) => (ids.length ? ids.join(",") : "none");

function describeConfig(c: ConfigSummary, commit?: number): string {
  return (
    `${c.text} (${c.scheme}), voters ${showIds(c.voters)}, learners ${showIds(c.learners)}; ` +
    `entry ${c.index}, ${c.committed ? "committed" : `NOT committed yet${commit !== undefined ? ` (commit ${commit})` : ""}`}`
  );
}

type CasArgs = ConnArgs & { readonly ifConfig?: number };

const withCas = (cmd: Command) =>
  withConnection(cmd).option(
    "--if-config <index>",
    "compare-and-set: refuse unless the current configuration entry is at this index (see `member list`)",
    intIn("--if-config", 0, Number.MAX_SAFE_INTEGER),
  );

const withAddresses = (cmd: Command) =>
  withCas(cmd)
    .option(
      "--peer <host:port>",
      "the node's peer address (published to every replica; with --client)",
      hostPort,
    )
    .option("--client <host:port>", "the node's client address (with --peer)", hostPort);

function addresses(o: {
  peer?: string;
  client?: string;
}): { peerAddr: string; clientAddr: string } | undefined {
  if ((o.peer === undefined) !== (o.client === undefined))
    throw new UsageError(
      "give both --peer and --client, or neither (the node is then in the peer directory)",
    );
  return o.peer !== undefined && o.client !== undefined
    ? { peerAddr: o.peer, clientAddr: o.client }
    : undefined;
}

/** Runs a membership change and reports it with the configuration that results and its warnings. */
function change(
  name: string,
  o: CasArgs,
  what: string,
  op: (c: AdoreClient) => Promise<MemberChangeResult>,
): Promise<void> {
  return withClient(
    name,
    o,
    async (c) => {
      const r = await op(c);
      if (o.json) out(JSON.stringify({ ok: true, ...r }));
      else {
        out(`${what}: configuration entry ${r.index} (term ${r.term})`);
        out(`configuration ${describeConfig(r.config)}`);
        for (const w of r.warnings) out(w);
      }
      return 0;
    },
    true,
  );
}

const withForce = (cmd: Command) =>
  cmd.option(
    "--force",
    "add the voter even if the leader has not seen it catch up (refused with NotCaughtUp otherwise)",
  );

/** The CAS and --force of a change. */
const opts = (o: CasArgs & { force?: boolean }) => ({
  ...(o.ifConfig !== undefined ? { ifConfigIndex: o.ifConfig } : {}),
  ...(o.force ? { force: true } : {}),
});

function addMemberCommands(program: Command): void {
  const member = usageExits(
    program
      .command("member")
      .description(
        "list or change the membership; a change the core refuses (R1plus, R2, R3, ConfigIdMismatch, …) exits 1",
      ),
  );

  withConnection(member.command("list").description("the configuration, the leader and the peer directory"))
    .alias("ls")
    .action((o: ConnArgs) =>
      withClient("member list", o, async (c) => {
        const m = await c.members();
        if (o.json) {
          out(JSON.stringify(m));
          return 0;
        }
        out(`configuration ${describeConfig(m.config)}`);
        out(`leader: ${m.leader ? `node ${m.leader}` : "unknown"}`);
        const rows = m.directory.map((d) => [
          String(d.id),
          m.config.voters.includes(d.id) ? "voter" : m.config.learners.includes(d.id) ? "learner" : "-",
          d.peerAddr,
          d.clientAddr,
        ]);
        const all = [["id", "role", "peer", "client"], ...rows];
        const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]!.length)));
        for (const r of all) out(`  ${r.map((x, i) => (i < 3 ? x.padEnd(widths[i]!) : x)).join("  ")}`);
        return 0;
      }),
    );

  withForce(
    withAddresses(
      member
        .command("add")
        .description(
          "add a voter that is not a member yet (raft-single: one node at a time; other schemes: see `member set`); " +
            "refused unless the leader has seen it catch up: add it as a learner first, or --force",
        ),
    ),
  )
    .argument("<id>", "node id", nodeId)
    .action((id: number, o: CasArgs & { peer?: string; client?: string; force?: boolean }) =>
      change("member add", o, `node ${id} added as a voter`, (c) => c.addMember(id, addresses(o), opts(o))),
    );

  withAddresses(
    member.command("learner").description("add a learner (a non-voting replica) that is not a member yet"),
  )
    .argument("<id>", "node id", nodeId)
    .action((id: number, o: CasArgs & { peer?: string; client?: string }) =>
      change("member learner", o, `node ${id} added as a learner`, (c) =>
        c.addLearner(id, addresses(o), opts(o)),
      ),
    );

  withForce(
    withCas(
      member
        .command("promote")
        .description("turn a learner into a voter (refused while it lags, unless --force)"),
    ),
  )
    .argument("<id>", "node id", nodeId)
    .action((id: number, o: CasArgs & { force?: boolean }) =>
      change("member promote", o, `node ${id} promoted to voter`, (c) => c.promote(id, opts(o))),
    );

  withConnection(
    member
      .command("update")
      .description(
        "change a known node's addresses (published to every replica); refused for an unknown node and for another node's address",
      ),
  )
    .argument("<id>", "node id", nodeId)
    .requiredOption("--peer <host:port>", "the node's new peer address", hostPort)
    .requiredOption("--client <host:port>", "the node's new client address", hostPort)
    .action((id: number, o: ConnArgs & { peer: string; client: string }) =>
      withClient(
        "member update",
        o,
        async (c) => {
          const r = await c.updateMember(id, { peerAddr: o.peer, clientAddr: o.client });
          if (o.json) out(JSON.stringify({ ok: true, ...r }));
          else if (r.previous?.peerAddr === r.peerAddr && r.previous.clientAddr === r.clientAddr)
            out(`node ${id} is already at peer ${r.peerAddr}, client ${r.clientAddr}: nothing to change`);
          else
            out(
              `node ${id} now at peer ${r.peerAddr}, client ${r.clientAddr} (log entry ${r.index})` +
                `${r.previous ? `; was peer ${r.previous.peerAddr}, client ${r.previous.clientAddr}` : ""}`,
            );
          return 0;
        },
        true,
      ),
    );

  withCas(member.command("remove").description("remove a voter or a learner"))
    .alias("rm")
    .argument("<id>", "node id", nodeId)
    .action((id: number, o: CasArgs) =>
      change("member remove", o, `node ${id} removed`, (c) => c.removeMember(id, opts(o))),
    );

  withForce(
    withCas(
      member
        .command("set")
        .description(
          "propose any configuration in the scheme's syntax, e.g. {1,2,3} (raft-single) or ({1,2,3},{3,4,5}); " +
            "voters it adds must have caught up as learners (or --force)",
        ),
    ),
  )
    .argument("<config>", "the configuration in the cluster's scheme syntax")
    .option("--learners <ids>", "the learners of the new configuration (default: the current ones)", idList)
    .action((config: string, o: CasArgs & { learners?: number[]; force?: boolean }) =>
      change("member set", o, `configuration ${config} proposed and committed`, async (c) => {
        // check the syntax here, so a typo is a bad argument (exit 2) rather than a refusal
        const scheme = (await c.members()).config.scheme;
        let entry: ReturnType<typeof getScheme> | undefined;
        try {
          entry = getScheme(scheme);
        } catch {
          // a scheme this CLI does not know: the node parses the text
        }
        if (entry)
          try {
            entry.parse(config);
          } catch (e) {
            if (!(e instanceof ConfigSyntaxError)) throw e;
            throw new UsageError(
              `${JSON.stringify(config)} is not a ${scheme} configuration: ${e.why} (syntax: ${entry.syntax})`,
            );
          }
        return c.setConfig(config, { ...(o.learners ? { learners: o.learners } : {}), ...opts(o) });
      }),
    );
}

// ---------------------------------------------------------------------------------------------
// adore status

function describeStatus(addr: string, s: NodeStatus): string[] {
  const lines = [
    `node ${s.id} at ${addr}: ${s.role}, term ${s.term}, leader ${s.leader ? `node ${s.leader}` : "unknown"}`,
    `  commit ${s.commit}, applied ${s.applied}, last index ${s.lastIndex}, snapshot ${s.snapshotIndex}`,
    `  config ${describeConfig(s.config, s.commit)}`,
  ];
  if (s.role === "leader")
    lines.push(
      `  peers: ${
        s.peers.length
          ? s.peers.map((p) => `node ${p.id} match ${p.match} lag ${p.lag} (${p.state})`).join("; ")
          : "none"
      }`,
    );
  return lines;
}

function addStatusCommand(program: Command): void {
  usageExits(
    withConnection(
      program
        .command("status")
        .description(
          "ask every endpoint: id, role, term, leader, commit/applied, configuration, and (the leader) each peer's match and lag",
        ),
    ),
  ).action((o: ConnArgs) =>
    withClient("status", o, async (c, endpoints) => {
      const answers = await Promise.all(
        endpoints.map(async (addr) => {
          try {
            return { endpoint: addr, status: await c.statusOf(addr) };
          } catch (e) {
            const why = e instanceof runtime().AdoreError ? e.message.slice(e.code.length + 2) : String(e);
            return { endpoint: addr, error: why.startsWith(`${addr}: `) ? why.slice(addr.length + 2) : why };
          }
        }),
      );
      if (o.json) out(JSON.stringify(answers));
      else
        for (const a of answers)
          if (a.status) for (const l of describeStatus(a.endpoint, a.status)) out(l);
          else out(`${a.endpoint}: unreachable: ${a.error}`);
      if (answers.every((a) => a.status === undefined)) {
        err(`adore status: no endpoint answered (${endpoints.join(",")})`);
        return 2;
      }
      return 0;
    }),
  );
}

// ---------------------------------------------------------------------------------------------

/** Registers `adore node`, `adore cluster`, `adore kv`, `adore member` and `adore status` (see program.ts). */
export function addServiceCommands(program: Command): void {
  addNodeCommands(program);
  addClusterCommands(program);
  addKvCommands(program);
  addMemberCommands(program);
  addStatusCommand(program);
}
