// Prometheus metrics of one node (its own registry, so several nodes can share a process), served
// over HTTP on an optional port.
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class NodeMetrics {
  readonly registry = new Registry();
  readonly term: Gauge;
  readonly isLeader: Gauge;
  readonly leaderChanges: Counter;
  readonly commitIndex: Gauge;
  readonly appliedIndex: Gauge;
  readonly peerLag: Gauge<"peer">;
  readonly fsyncSeconds: Histogram;
  readonly proposalSeconds: Histogram;
  readonly proposals: Counter;
  readonly reads: Counter;
  readonly messagesDropped: Gauge;
  private server: Server | undefined;

  constructor(nodeId: number) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: String(nodeId) });
    this.term = new Gauge({ name: "adore_term", help: "current Raft term", registers });
    this.isLeader = new Gauge({ name: "adore_is_leader", help: "1 if this node leads", registers });
    this.leaderChanges = new Counter({
      name: "adore_leader_changes_total",
      help: "times this node saw the leader change",
      registers,
    });
    this.commitIndex = new Gauge({ name: "adore_commit_index", help: "commit index", registers });
    this.appliedIndex = new Gauge({ name: "adore_applied_index", help: "applied index", registers });
    this.peerLag = new Gauge({
      name: "adore_peer_lag_entries",
      help: "leader's last index minus the peer's match index",
      labelNames: ["peer"],
      registers,
    });
    this.fsyncSeconds = new Histogram({
      name: "adore_fsync_seconds",
      help: "write-ahead log group commit (write + fsync) latency",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.proposalSeconds = new Histogram({
      name: "adore_proposal_seconds",
      help: "latency from proposal to apply on the leader",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.proposals = new Counter({ name: "adore_proposals_total", help: "commands proposed", registers });
    this.reads = new Counter({ name: "adore_reads_total", help: "linearizable reads served", registers });
    this.messagesDropped = new Gauge({
      name: "adore_peer_messages_dropped",
      help: "Raft messages dropped by full peer queues",
      registers,
    });
  }

  /** Serves /metrics on host:port (0: ephemeral); returns the bound port. */
  async serve(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const a = server.address();
    return typeof a === "object" && a ? a.port : port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
