// Command-line options of a node process (src/node/main.ts); the `adore` CLI can reuse
// `nodeCommand()` as a subcommand or `parsePeers` / `nodeOptionsFrom` directly.
import { Command, InvalidArgumentError } from "commander";
import { readSecret, readTlsFiles } from "../auth/secrets.js";
import { type PeerAddress, RaftNode, type RaftNodeOptions } from "./raft-node.js";

/** Parses "1=host:peerPort/host:clientPort,2=…" into a peer directory. */
export function parsePeers(text: string): Record<number, PeerAddress> {
  const out: Record<number, PeerAddress> = {};
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)=([^/\s]+:\d+)\/([^/\s]+:\d+)$/.exec(part);
    if (!m)
      throw new InvalidArgumentError(
        `peer ${JSON.stringify(part)}: expected id=host:peerPort/host:clientPort`,
      );
    const id = Number(m[1]);
    if (out[id]) throw new InvalidArgumentError(`peer ${id} given twice`);
    out[id] = { peerAddr: m[2]!, clientAddr: m[3]! };
  }
  if (Object.keys(out).length === 0) throw new InvalidArgumentError("no peers given");
  return out;
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};
const ids = (v: string) =>
  v
    .split(",")
    .filter(Boolean)
    .map((x) => int("node id")(x.trim()));

export interface NodeFlags {
  id: number;
  data: string;
  peers: Record<number, PeerAddress>;
  clusterId: string;
  scheme: string;
  members?: number[];
  initialConfig?: string;
  learners?: number[];
  tickMs: number;
  electionTick?: number;
  heartbeatTick?: number;
  snapshotThreshold?: number;
  autoPromote?: number | true;
  seed?: number;
  trace?: string;
  logLevel: string;
  logFile?: string;
  metricsPort?: number;
  requestTimeoutMs?: number;
  advertisePeer?: string;
  unsafeLocalReads?: boolean;
  clusterSecret?: string;
  clusterSecretFile?: string;
  clientToken?: string;
  clientTokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** Adds the node flags to a command (so the CLI can mount them under its own name). */
export function withNodeOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--id <n>", "this node's id (1..30)", int("--id"))
    .requiredOption("--data <dir>", "data directory (created if missing)")
    .option("--config <file>", "read flags from a JSON file (explicit flags win)")
    .requiredOption("--peers <list>", "peer directory: id=host:peerPort/host:clientPort,…", parsePeers)
    .option("--cluster-id <id>", "cluster identity (checked in the data dir and the peer handshake)", "adore")
    .option("--scheme <name>", "reconfiguration scheme", "raft-single")
    .option("--members <ids>", "bootstrap voters (default: every peer)", ids)
    .option("--initial-config <text>", "bootstrap configuration in the scheme's syntax")
    .option("--learners <ids>", "bootstrap learners", ids)
    .option("--tick-ms <n>", "milliseconds per Raft tick", int("--tick-ms"), 10)
    .option("--election-tick <n>", "ticks before a follower campaigns", int("--election-tick"))
    .option("--heartbeat-tick <n>", "ticks between heartbeats", int("--heartbeat-tick"))
    .option(
      "--snapshot-threshold <n>",
      "applied entries between snapshots (0: never)",
      int("--snapshot-threshold"),
    )
    .option(
      "--auto-promote [lag]",
      "promote a learner to voter automatically once its log is within <lag> entries of the leader's (default 64)",
      int("--auto-promote"),
    )
    .option("--seed <n>", "seed of the core's randomized timeouts", int("--seed"))
    .option("--trace <file>", "record the core's inputs and events as NDJSON")
    .option("--log-level <level>", "silent|error|warn|info|debug", "info")
    .option("--log-file <file>", "log to this file instead of stderr")
    .option("--metrics-port <n>", "serve Prometheus metrics on this port", int("--metrics-port"))
    .option("--request-timeout-ms <n>", "server-side request timeout", int("--request-timeout-ms"))
    .option(
      "--advertise-peer <addr>",
      "the peer address this node publishes for itself, when peers reach it through a proxy (default: where it listens)",
    )
    .option(
      "--unsafe-local-reads",
      "TEST ONLY, DELIBERATELY BROKEN: serve gets from this node's local state without ReadIndex (stale reads; the fault harness must catch it)",
    )
    .option(
      "--cluster-secret <s>",
      "peer authentication secret (prefer --cluster-secret-file: argv is visible)",
    )
    .option("--cluster-secret-file <file>", "read the peer authentication secret from this file")
    .option("--client-token <t>", "clients must present this token (prefer --client-token-file)")
    .option("--client-token-file <file>", "read the client token from this file")
    .option("--tls-cert <file>", "serve the client port over TLS with this PEM certificate (with --tls-key)")
    .option("--tls-key <file>", "the PEM private key of --tls-cert");
}

export function nodeOptionsFrom(f: NodeFlags): RaftNodeOptions {
  const raft = {
    ...(f.electionTick !== undefined ? { electionTick: f.electionTick } : {}),
    ...(f.heartbeatTick !== undefined ? { heartbeatTick: f.heartbeatTick } : {}),
    ...(f.snapshotThreshold !== undefined ? { snapshotThreshold: f.snapshotThreshold } : {}),
    ...(f.autoPromote !== undefined
      ? { autoPromoteLearners: true, catchUpLag: f.autoPromote === true ? 64 : f.autoPromote }
      : {}),
  };
  return {
    id: f.id,
    clusterId: f.clusterId,
    dataDir: f.data,
    scheme: f.scheme,
    peers: f.peers,
    tickMs: f.tickMs,
    raft,
    log: { level: f.logLevel, ...(f.logFile ? { file: f.logFile } : {}) },
    ...(f.members ? { members: f.members } : {}),
    ...(f.initialConfig ? { initialConfig: f.initialConfig } : {}),
    ...(f.learners ? { initialLearners: f.learners } : {}),
    ...(f.seed !== undefined ? { seed: f.seed } : {}),
    ...(f.trace ? { traceFile: f.trace } : {}),
    ...(f.metricsPort !== undefined ? { metricsPort: f.metricsPort } : {}),
    ...(f.requestTimeoutMs !== undefined ? { requestTimeoutMs: f.requestTimeoutMs } : {}),
    ...(f.advertisePeer !== undefined ? { advertisePeerAddr: f.advertisePeer } : {}),
    ...(f.unsafeLocalReads ? { unsafeLocalReads: true } : {}),
    ...securityFrom(f),
  };
}

/** The security options of the flags: secrets read from their files (never echoed in errors). */
function securityFrom(f: NodeFlags): Pick<RaftNodeOptions, "clusterSecret" | "clientToken" | "clientTls"> {
  const secret = readSecret(f.clusterSecret, f.clusterSecretFile, "the cluster secret");
  const token = readSecret(f.clientToken, f.clientTokenFile, "the client token");
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined))
    throw new InvalidArgumentError("--tls-cert and --tls-key go together");
  return {
    ...(secret !== undefined ? { clusterSecret: secret } : {}),
    ...(token !== undefined ? { clientToken: token } : {}),
    ...(f.tlsCert !== undefined && f.tlsKey !== undefined
      ? { clientTls: readTlsFiles(f.tlsCert, f.tlsKey) }
      : {}),
  };
}

/** `node` command: runs one replica until SIGINT/SIGTERM. */
export function nodeCommand(name = "node"): Command {
  return withNodeOptions(new Command(name).description("run one replica of the key-value service")).action(
    async (f: NodeFlags) => {
      await runNode(nodeOptionsFrom(f));
    },
  );
}

/**
 * Starts a node, prints one JSON line {ready, id, peerAddr, clientAddr} on stdout, and stops it on
 * SIGINT/SIGTERM. Resolves once the node has stopped.
 */
export async function runNode(opts: RaftNodeOptions): Promise<void> {
  const node = await RaftNode.start(opts);
  process.stdout.write(
    `${JSON.stringify({ ready: true, id: node.id, peerAddr: node.peerAddress, clientAddr: node.clientAddress, seed: node.seed })}\n`,
  );
  await new Promise<void>((resolve) => {
    // a signal while closing is ignored: Ctrl-C under `pnpm adore` reaches the node twice (from the
    // terminal and forwarded by the launcher), and the second must not cut the close short
    let closing = false;
    const stop = () => {
      if (closing) return;
      closing = true;
      void node.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
