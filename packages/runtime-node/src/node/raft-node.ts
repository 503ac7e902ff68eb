// One replica of the key-value service: the raft-net core (a pure value stepped by inputs) wired to
// the write-ahead log, the peer transport, a tick timer, the KV state machine and client waiters.
//
// The event loop runs "turns", one at a time. A turn takes every input that arrived since the last
// one (ticks, peer messages, the `persisted` acknowledgement of the previous turn's writes,
// snapshots), plus all client proposals as ONE `propose` input (one WAL append and one fsync for
// the lot: group commit) and all pending reads as ONE `read` input. For each input, in order, it
// steps the core, buffers the persist ops in the WAL and sends the messages that may precede
// persistence (a leader's AppendEntries/InstallSnapshot/TimeoutNow). Then it syncs the WAL once
// (when anything needing durability was written), queues `persisted` for the next turn, sends the
// held messages, applies committed entries to the KV state machine and settles client waiters.
// That is the order of raft-net's Outputs: persist → messages → apply → replies.

import { randomInt } from "node:crypto";
import { has, MAX_NODE_ID, members as setMembers, type NodeId, nodeSet } from "@adore/adore-core";
import {
  type DurableState,
  type Entry,
  type Input,
  type Membership,
  type Message,
  mayPrecedePersist,
  makeParams,
  newServer,
  OptionsError,
  type RaftEvent,
  reconfigRefusal,
  type RaftOptions,
  type RaftParams,
  type RaftServer,
  type Rejection,
  type Reply,
  type Role,
  type Snapshot,
  stepServer,
} from "@adore/raft-net";
import { getScheme, type RegisteredScheme } from "@adore/schemes";
import { admitPeerMessage } from "../auth/admission.js";
import { ClientToken } from "../auth/client-auth.js";
import { ClusterSecret } from "../auth/peer-auth.js";
import { AdoreError, describeRejection, type LeaderHint, rejectionError } from "../client/errors.js";
import type {
  MemberChangeResult,
  MemberUpdateResult,
  NodeStatus,
  PeerAddress,
  PeerProgressStatus,
} from "../client/protocol.js";
import { type KvLimits, type KvRequest, type KvResult, KvStateMachine } from "../kv/kv.js";
import type { ClientBackend, MembershipOptions } from "./client-backend.js";
import { ClientServer } from "./client-server.js";
import { type Logger, type LogOptions, makeLogger } from "./log.js";
import {
  DEFAULT_MAX_VOTER_LAG,
  faultTolerance,
  type LeaderKnowledge,
  type MembershipPlan,
  type Planned,
  planAddLearner,
  planAddVoter,
  planRemove,
  planSetConfig,
  planUpdate,
} from "./membership.js";
import { NodeMetrics } from "./metrics.js";
import { PendingRequests } from "./pending.js";
import { type RecoveryReport, StorageAdapter } from "./storage-adapter.js";
import { TraceWriter } from "./trace-writer.js";
import { type PeerRejection, PeerTransport, parseHostPort } from "./transport.js";

export type { MembershipOptions, NodeStatus, PeerAddress, PeerProgressStatus };

export type PeerDirectory = Readonly<Record<number, PeerAddress>>;

export interface RaftNodeOptions {
  readonly id: NodeId;
  readonly clusterId: string;
  readonly dataDir: string;
  /** Reconfiguration scheme (default "raft-single"). */
  readonly scheme?: string;
  /** Static peer directory: every node's addresses, this node's included. */
  readonly peers: PeerDirectory;
  /** Voters of the bootstrap configuration (default: every node of `peers`). */
  readonly members?: readonly NodeId[];
  /** The bootstrap configuration in the scheme's syntax (overrides `members`). */
  readonly initialConfig?: string;
  readonly initialLearners?: readonly NodeId[];
  /** Override the listening ports (0: ephemeral; the directory entry is updated to the bound port). */
  readonly listen?: { readonly host?: string; readonly peerPort?: number; readonly clientPort?: number };
  /** Raft tunables (defaults: electionTick 20, heartbeatTick 3, preVote, checkQuorum, snapshots every 10 000). */
  readonly raft?: Partial<RaftOptions>;
  /** Milliseconds per logical tick (default 10). */
  readonly tickMs?: number;
  /** Seed of the core's randomized election timeouts (default: random; recorded in the trace). */
  readonly seed?: number;
  /** Record every core input and event as NDJSON here. */
  readonly traceFile?: string;
  readonly log?: LogOptions | Logger;
  /** Serve Prometheus metrics on this port (0: ephemeral). */
  readonly metricsPort?: number;
  /** How long a request waits for its outcome before failing with Timeout (default 5000 ms). */
  readonly requestTimeoutMs?: number;
  /** Most commands in one propose input (default 1024). */
  readonly maxBatch?: number;
  readonly kvLimits?: KvLimits;
  /** Per-peer send queue bound in messages (default 4096). */
  readonly sendQueueLimit?: number;
  /** WAL segment size (default 64 MiB). */
  readonly segmentSize?: number;
  /**
   * The peer address this node publishes for itself (its directory entry, hence its snapshots and
   * status) when peers reach it through a proxy (the fault harness); it still listens on its own
   * `peers` entry. Default: the address it listens on.
   */
  readonly advertisePeerAddr?: string;
  /**
   * TEST ONLY — DELIBERATELY BROKEN. Serve `get` from this node's local state machine, on any node
   * and without ReadIndex: a deposed leader or a lagging follower answers stale values. It exists
   * so that the fault harness (src/faults) can show it catches a linearizability bug. Never set it
   * in production.
   */
  readonly unsafeLocalReads?: boolean;
  /**
   * Cluster secret: peers authenticate each other with an HMAC challenge–response in the handshake
   * (src/auth). Without it any process that reaches the peer port may claim a known node id —
   * production should set one. Never logged.
   */
  readonly clusterSecret?: string | Uint8Array;
  /** Clients must present this token in their first frame (src/auth). Never logged. */
  readonly clientToken?: string;
  /** Serve the client port over TLS with this PEM certificate chain and key. */
  readonly clientTls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** The outcome of a committed membership change. */
export interface ConfigChangeResult {
  readonly index: number;
  readonly term: number;
}

const DEFAULT_RAFT: Partial<RaftOptions> = {
  electionTick: 20,
  heartbeatTick: 3,
  preVote: true,
  checkQuorum: true,
  snapshotThreshold: 10_000,
  maxEntriesPerMessage: 256,
  maxInflight: 64,
};

/** A log command that publishes a node's addresses to every replica's peer directory. */
interface PeerCommand {
  readonly op: "@peer";
  readonly id: number;
  readonly peerAddr: string;
  readonly clientAddr: string;
}

const SNAPSHOT_FORMAT = 1;

interface TurnAcc<C> {
  held: Message<C>[];
  groups: Array<{
    readonly restore: Snapshot<C> | undefined;
    readonly committed: readonly Entry<C>[];
    readonly replies: readonly Reply[];
    readonly events: readonly RaftEvent<C>[];
  }>;
  mustSync: boolean;
  wrote: boolean;
  persistedTo: { index: number; term: number } | undefined;
  snapshotSaved: number | undefined;
}

export class RaftNode<C = unknown> implements ClientBackend {
  readonly id: NodeId;
  readonly clusterId: string;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  readonly seed: number;
  readonly recovery: RecoveryReport;

  private server: RaftServer<C>;
  private readonly kvLimits: KvLimits;
  private kv: KvStateMachine;
  private applied = 0;
  private readonly directory = new Map<number, PeerAddress>();
  private transport!: PeerTransport;
  private clientServer: ClientServer | undefined;
  private trace: TraceWriter<C> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private lazySyncTimer: NodeJS.Timeout | undefined;
  private compaction: Promise<void> = Promise.resolve();

  private readonly queue: Input<C>[] = [];
  private pendingTicks = 0;
  private readonly pending: PendingRequests;
  private lastLeader = 0;
  private metricsPortBound: number | undefined;
  private scheduled = false;
  private running = false;
  private closed = false;
  private fatal: Error | undefined;
  private idle: Array<() => void> = [];
  /** Peer messages dropped by admission (src/auth/admission.ts) before reaching the core. */
  peerMessagesRefused = 0;
  /** Of those, vote requests from nodes outside the configuration. */
  nonMemberVotes = 0;
  /** Peer-link refusals seen (for tests and status). */
  readonly peerRejections: PeerRejection[] = [];

  private constructor(
    private readonly opts: RaftNodeOptions,
    readonly reg: RegisteredScheme<C>,
    readonly params: RaftParams<C>,
    private readonly storage: StorageAdapter<C>,
    server: RaftServer<C>,
    log: Logger,
    seed: number,
    recovery: RecoveryReport,
  ) {
    this.id = opts.id;
    this.clusterId = opts.clusterId;
    this.server = server;
    this.log = log;
    this.seed = seed;
    this.recovery = recovery;
    this.kvLimits = opts.kvLimits ?? {};
    this.kv = new KvStateMachine(this.kvLimits);
    this.metrics = new NodeMetrics(opts.id);
    for (const [k, v] of Object.entries(opts.peers)) this.directory.set(Number(k), v);
    storage.onSync = (s) => this.metrics.fsyncSeconds.observe(s);
    this.pending = new PendingRequests({
      timeoutMs: opts.requestTimeoutMs ?? 5000,
      onApplied: (s) => this.metrics.proposalSeconds.observe(s),
    });
  }

  /** Opens the data directory, recovers, binds the peer and client ports and starts ticking. */
  static async start<C = unknown>(opts: RaftNodeOptions): Promise<RaftNode<C>> {
    const id = opts.id;
    if (!Number.isInteger(id) || id < 1 || id > MAX_NODE_ID)
      throw new RangeError(`node id must be an integer in 1..${MAX_NODE_ID}, got ${id}`);
    if (!opts.peers[id]) throw new RangeError(`the peer directory has no entry for this node (${id})`);
    const reg = getScheme(opts.scheme ?? "raft-single") as RegisteredScheme<C>;
    const params = makeParams<C>({ scheme: reg.scheme, options: { ...DEFAULT_RAFT, ...opts.raft } });
    if (params instanceof OptionsError) throw params;
    const bootstrap = bootstrapMembership(reg, opts);
    const log =
      opts.log && "info" in opts.log && typeof opts.log.info === "function"
        ? (opts.log as Logger).child({ node: id })
        : makeLogger(opts.log as LogOptions | undefined, { node: id });
    const { storage, durable, report } = await StorageAdapter.open<C>(
      opts.dataDir,
      {
        clusterId: opts.clusterId,
        nodeId: id,
        ...(opts.segmentSize !== undefined ? { segmentSize: opts.segmentSize } : {}),
      },
      bootstrap,
    );
    if (report.tornTail) log.warn({ tornTail: report.tornTail }, "cut a torn write off the log");
    for (const s of report.skippedSnapshots) log.warn(s, "skipped a damaged snapshot file");
    const seed = opts.seed ?? randomInt(1, 2 ** 31 - 1);
    // restartServer, step by step, so the trace holds the `restart` input like any other
    const server = newServer(id, durable.snapshot.membership, params, seed);
    const node = new RaftNode<C>(opts, reg, params, storage, server, log, seed, report);
    try {
      await node.boot(durable, bootstrap);
    } catch (e) {
      await node.close().catch(() => undefined);
      throw e;
    }
    return node;
  }

  private async boot(durable: DurableState<C>, bootstrap: Membership<C>): Promise<void> {
    const opts = this.opts;
    if (opts.traceFile) {
      this.trace = new TraceWriter<C>(opts.traceFile, this.id);
      this.trace.write({
        kind: "start",
        clusterId: opts.clusterId,
        scheme: this.reg.scheme.name,
        seed: this.seed,
        options: this.params.options,
        election: this.params.election.name,
        bootstrap,
        // the server is newServer(node, membership, params, seed); the inputs below follow
        membership: durable.snapshot.membership,
      });
    }
    this.queue.push({ type: "restart", durable, seed: this.seed });
    const self = this.directory.get(this.id)!;
    const peerListen = parseHostPort(self.peerAddr);
    const clientListen = parseHostPort(self.clientAddr);
    const host = opts.listen?.host;
    this.transport = new PeerTransport({
      nodeId: this.id,
      clusterId: this.clusterId,
      listenHost: host ?? peerListen.host,
      listenPort: opts.listen?.peerPort ?? peerListen.port,
      resolve: (id) => this.directory.get(id)?.peerAddr,
      isKnownPeer: (id) => this.isKnownPeer(id),
      onMessage: (m) => {
        // what the core's validation does not cover: prototype-shadowing keys, bogus configurations
        const refused = admitPeerMessage(this.reg as RegisteredScheme<unknown>, m);
        if (refused) {
          this.peerMessagesRefused++;
          this.log.warn({ from: m.from, type: m.type, why: refused }, "peer message refused");
          return;
        }
        // a vote request from a node outside this node's configuration (a removed member, say) is
        // dropped: it can only disturb; replication from any authenticated peer is let through,
        // since a lagging node may not know its leader's configuration yet
        if (
          m.type === "RequestVote" &&
          !has(this.reg.scheme.mbrs(this.server.config.membership.config), m.from)
        ) {
          this.peerMessagesRefused++;
          this.nonMemberVotes++;
          if (this.nonMemberVotes <= 10 || this.nonMemberVotes % 1000 === 0)
            this.log.warn(
              { from: m.from, term: m.term, dropped: this.nonMemberVotes },
              "vote request from a node outside the configuration dropped",
            );
          return;
        }
        this.queue.push({ type: "receive", msg: m as Message<C> });
        this.kick();
      },
      onReject: (r) => this.peerRejections.push(r),
      logger: this.log,
      ...(opts.clusterSecret !== undefined ? { secret: new ClusterSecret(opts.clusterSecret) } : {}),
      ...(opts.sendQueueLimit !== undefined ? { queueLimit: opts.sendQueueLimit } : {}),
    });
    const pa = await this.transport.start();
    this.clientServer = new ClientServer(this, this.log, {
      ...(opts.clientToken !== undefined ? { token: new ClientToken(opts.clientToken) } : {}),
      ...(opts.clientTls ? { tls: opts.clientTls } : {}),
    });
    if (opts.clusterSecret === undefined)
      this.log.warn(
        "no cluster secret: peers are not authenticated (set --cluster-secret-file in production)",
      );
    const ca = await this.clientServer.start(
      host ?? clientListen.host,
      opts.listen?.clientPort ?? clientListen.port,
    );
    this.directory.set(this.id, {
      peerAddr: opts.advertisePeerAddr ?? `${pa.host}:${pa.port}`,
      clientAddr: `${ca.host}:${ca.port}`,
    });
    if (opts.unsafeLocalReads)
      this.log.warn("UNSAFE: --unsafe-local-reads serves stale reads (a deliberately broken test build)");
    if (opts.metricsPort !== undefined) {
      this.metricsPortBound = await this.metrics.serve(host ?? clientListen.host, opts.metricsPort);
      this.log.info({ port: this.metricsPortBound }, "metrics served on /metrics");
    }
    this.log.info(
      { peer: this.peerAddress, client: this.clientAddress, seed: this.seed, recovery: this.recovery },
      "node started",
    );
    const tickMs = opts.tickMs ?? 10;
    this.tickTimer = setInterval(() => {
      this.pendingTicks = Math.min(this.pendingTicks + 1, 5);
      this.kick();
    }, tickMs);
    this.kick();
    await this.whenIdle();
  }

  // -------------------------------------------------------------------------------------------
  // addresses and status

  get peerAddress(): string {
    return this.directory.get(this.id)!.peerAddr;
  }
  get clientAddress(): string {
    return this.directory.get(this.id)!.clientAddr;
  }
  get role(): Role {
    return this.server.role;
  }
  get isLeader(): boolean {
    return this.server.role === "leader";
  }
  get leaderId(): NodeId {
    return this.server.leader;
  }
  /** The port /metrics is served on (undefined unless `metricsPort` was given). */
  get metricsPort(): number | undefined {
    return this.metricsPortBound;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** The key-value state as applied on this replica (a local, possibly stale view). */
  get state(): KvStateMachine {
    return this.kv;
  }
  get appliedIndex(): number {
    return this.applied;
  }
  /** Client connections refused for a missing or wrong token (reason and remote address only). */
  get clientAuthRefusals(): ReadonlyArray<{ readonly reason: string; readonly remote: string }> {
    return this.clientServer?.authRefusals ?? [];
  }

  /** Learns or changes a node's addresses locally (the static directory). */
  setPeerAddress(id: NodeId, addr: PeerAddress): void {
    this.directory.set(id, addr);
    this.transport?.readdress(id);
  }

  leaderHint(): LeaderHint | undefined {
    const l = this.server.leader;
    if (!l) return undefined;
    const a = this.directory.get(l);
    return a ? { id: l, clientAddr: a.clientAddr } : { id: l };
  }

  private isKnownPeer(id: NodeId): boolean {
    if (this.directory.has(id)) return true;
    const m = this.server.config.membership;
    return has(this.reg.scheme.mbrs(m.config) | m.learners, id);
  }

  status(): NodeStatus {
    const s = this.server;
    const m = s.config.membership;
    const scheme = this.reg.scheme;
    const peers: PeerProgressStatus[] = [];
    if (s.role === "leader")
      for (const [id, pr] of s.progress)
        peers.push({ id, match: pr.match, next: pr.next, state: pr.state, lag: s.log.lastIndex - pr.match });
    peers.sort((a, b) => a.id - b.id);
    return {
      id: this.id,
      clusterId: this.clusterId,
      role: s.role,
      term: s.term,
      leader: s.leader,
      leaderClientAddr: s.leader ? this.directory.get(s.leader)?.clientAddr : undefined,
      commit: s.commit,
      applied: this.applied,
      lastIndex: s.log.lastIndex,
      snapshotIndex: s.log.snapshotIndex,
      config: {
        scheme: scheme.name,
        text: scheme.print(m.config),
        voters: setMembers(scheme.mbrs(m.config)),
        learners: setMembers(m.learners),
        index: s.config.index,
        committed: s.config.index <= s.commit,
      },
      peers,
      directory: [...this.directory.entries()].sort((a, b) => a[0] - b[0]).map(([id, a]) => ({ id, ...a })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // client operations

  private checkOpen(): void {
    if (this.fatal) throw new AdoreError("Unavailable", `node ${this.id} failed: ${this.fatal.message}`);
    if (this.closed) throw new AdoreError("Unavailable", `node ${this.id} is shutting down`);
  }

  private notLeader(): AdoreError {
    const hint = this.leaderHint();
    return new AdoreError(
      "NotLeader",
      `node ${this.id} is not the leader${hint ? `; try node ${hint.id}` : ""}`,
      hint ? { leader: hint } : {},
    );
  }

  private requireLeader(): void {
    this.checkOpen();
    if (this.server.role !== "leader") throw this.notLeader();
  }

  /** Proposes a key-value request through the log; resolves with its result once applied here. */
  async write(req: KvRequest): Promise<KvResult> {
    return (await this.proposeCommand(JSON.stringify(req))) as KvResult;
  }

  private proposeCommand(command: string): Promise<unknown> {
    this.requireLeader();
    const outcome = this.pending.propose(command);
    this.kick();
    return outcome;
  }

  /** Waits until this leader has confirmed its leadership (ReadIndex) and applied the read index. */
  async readBarrier(): Promise<void> {
    this.requireLeader();
    const ready = this.pending.read();
    this.kick();
    await ready;
  }

  /** A linearizable read of one key. */
  async get(key: string): Promise<string | null> {
    if (this.opts.unsafeLocalReads) {
      // DELIBERATELY BROKEN (test only): no leadership check, no ReadIndex
      this.checkOpen();
      this.metrics.reads.inc();
      return this.kv.peek(key);
    }
    await this.readBarrier();
    this.metrics.reads.inc();
    return this.kv.peek(key);
  }

  // -------------------------------------------------------------------------------------------
  // membership

  /** What this leader knows, for validating a membership request before proposing anything. */
  private knowledge(): LeaderKnowledge<C> {
    const s = this.server;
    return {
      adapter: this.params.adapter,
      membership: s.config.membership,
      directory: this.directory,
      progress: s.progress,
      leader: this.id,
      lastIndex: s.log.lastIndex,
      maxLag: Math.max(DEFAULT_MAX_VOTER_LAG, this.params.options.catchUpLag),
    };
  }

  /** Adds a learner; its addresses, if given, are published through the log first (every replica learns them). */
  async addLearner(id: NodeId, addr?: PeerAddress, o: MembershipOptions = {}): Promise<MemberChangeResult> {
    this.requireLeader();
    checkId(id);
    return this.carryOut(planAddLearner(this.knowledge(), id, addr), o);
  }

  /** Adds a voter directly (schemes with an add-voter rule; raft-single: one node at a time). */
  async addMember(id: NodeId, addr?: PeerAddress, o: MembershipOptions = {}): Promise<MemberChangeResult> {
    this.requireLeader();
    checkId(id);
    return this.carryOut(planAddVoter(this.knowledge(), id, addr, o.force === true), o);
  }

  /** Turns a learner into a voter. */
  async promote(id: NodeId, o: MembershipOptions = {}): Promise<MemberChangeResult> {
    this.requireLeader();
    checkId(id);
    const { membership: m } = this.server.config;
    if (!has(m.learners, id))
      throw has(this.reg.scheme.mbrs(m.config), id)
        ? new AdoreError("AlreadyMember", `node ${id} is already a voter`)
        : new AdoreError("NotMember", `node ${id} is not a learner`);
    return this.carryOut(planAddVoter(this.knowledge(), id, undefined, o.force === true), o);
  }

  /** Removes a voter or a learner. */
  async removeMember(id: NodeId, o: MembershipOptions = {}): Promise<MemberChangeResult> {
    this.requireLeader();
    checkId(id);
    return this.carryOut(planRemove(this.knowledge(), id), o);
  }

  /** Any configuration, in the scheme's syntax (parsed with the scheme's `parse`). */
  async setConfig(
    text: string,
    o: MembershipOptions & { readonly learners?: readonly NodeId[] } = {},
  ): Promise<MemberChangeResult> {
    this.requireLeader();
    let config: C;
    try {
      config = this.reg.parse(text);
    } catch (e) {
      throw new AdoreError("BadRequest", e instanceof Error ? e.message : String(e));
    }
    if (o.learners !== undefined) for (const id of o.learners) checkId(id);
    const learners = o.learners !== undefined ? nodeSet(o.learners) : undefined;
    // the scheme's verdict on the configuration itself comes before what the leader knows of its nodes
    const cur = this.server.config.membership;
    const why = reconfigRefusal(
      this.server,
      { config, learners: learners ?? cur.learners & ~this.reg.scheme.mbrs(config) },
      o.ifConfigIndex ?? this.server.config.index,
      this.params,
    );
    if (why?.code === "R1plus") throw rejectionError(why, this.leaderHint());
    return this.carryOut(planSetConfig(this.knowledge(), config, learners, o.force === true), o);
  }

  /** Changes a known node's addresses (published through the log to every replica's directory). */
  async updateMember(id: NodeId, addr: PeerAddress): Promise<MemberUpdateResult> {
    this.requireLeader();
    checkId(id);
    const previous = this.directory.get(id);
    const plan = planUpdate(this.knowledge() as LeaderKnowledge<unknown>, id, addr);
    if (plan instanceof AdoreError) throw plan;
    if (plan === undefined) return { id, ...addr, index: this.server.commit, previous };
    const index = await this.publishPeer(plan);
    return { id, ...addr, index, previous };
  }

  /**
   * Proposes a validated plan: the core's guards (R1⁺, R2, R3, the CAS) are checked on the current
   * state first, so that a refused change publishes no address either; then the addresses, then
   * the configuration.
   */
  private async carryOut(plan: Planned<C>, o: MembershipOptions): Promise<MemberChangeResult> {
    if (plan instanceof AdoreError) throw plan;
    const cas = o.ifConfigIndex ?? this.server.config.index;
    const before = this.server.config.membership.config;
    const why = reconfigRefusal(this.server, plan.membership, cas, this.params);
    // RemovesLeader: the reconfigure input itself starts the hand-over
    if (why && why.code !== "RemovesLeader") throw rejectionError(why, this.leaderHint());
    if (plan.publish) await this.publishPeer(plan.publish);
    const r = await this.reconfigure(plan.membership, cas);
    return this.changeResult(r, before, plan);
  }

  private changeResult(r: ConfigChangeResult, before: C, plan: MembershipPlan<C>): MemberChangeResult {
    const scheme = this.reg.scheme;
    return {
      index: r.index,
      term: r.term,
      config: this.status().config,
      faultTolerance: {
        before: faultTolerance(scheme, before) ?? null,
        after: faultTolerance(scheme, plan.membership.config) ?? null,
      },
      warnings: plan.warnings,
    };
  }

  /** Hands leadership to `to`; resolves once this node has stepped down. */
  async transferLeadership(to: NodeId): Promise<void> {
    this.requireLeader();
    checkId(to);
    const busy = this.pending.transferTo;
    if (busy !== undefined) throw rejectionError({ code: "TransferInProgress", to: busy });
    const done = this.pending.transferLeadership(to);
    this.queue.push({ type: "transferLeadership", to });
    this.kick();
    await done;
  }

  /** Publishes a node's addresses through the log; resolves with the entry's index once applied. */
  private async publishPeer(p: { readonly id: NodeId } & PeerAddress): Promise<number> {
    const cmd: PeerCommand = { op: "@peer", id: p.id, peerAddr: p.peerAddr, clientAddr: p.clientAddr };
    return ((await this.proposeCommand(JSON.stringify(cmd))) as { index: number }).index;
  }

  private reconfigure(
    membership: Membership<C>,
    ifConfigIndex: number | undefined,
  ): Promise<ConfigChangeResult> {
    this.requireLeader();
    const { requestId, promise } = this.pending.reconfigure();
    this.queue.push({
      type: "reconfigure",
      membership,
      requestId,
      ...(ifConfigIndex !== undefined ? { ifConfigIndex } : {}),
    });
    this.kick();
    return promise as Promise<ConfigChangeResult>;
  }

  // -------------------------------------------------------------------------------------------
  // the event loop

  private kick(): void {
    if (this.scheduled || this.running || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.loop();
    });
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.pendingTicks > 0 || this.pending.hasQueued;
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.hasWork()) await this.turn();
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.running = false;
      const idle = this.idle;
      this.idle = [];
      for (const f of idle) f();
    }
  }

  /** Resolves once the loop has nothing left to do (or immediately if it is not running). */
  whenIdle(): Promise<void> {
    if (!this.running && !this.scheduled) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async turn(): Promise<void> {
    const inputs: Input<C>[] = this.queue.splice(0);
    for (; this.pendingTicks > 0; this.pendingTicks--) inputs.push({ type: "tick" });
    for (const b of this.pending.takeProposals(this.opts.maxBatch ?? 1024)) {
      inputs.push({ type: "propose", commands: b.commands, requestId: b.requestId });
      this.metrics.proposals.inc(b.commands.length);
    }
    const reads = this.pending.takeReads();
    if (reads !== undefined) inputs.push({ type: "read", requestId: reads });
    const acc: TurnAcc<C> = {
      held: [],
      groups: [],
      mustSync: false,
      wrote: false,
      persistedTo: undefined,
      snapshotSaved: undefined,
    };
    for (const input of inputs) await this.step(input, acc);
    if (acc.mustSync) await this.storage.sync();
    else if (acc.wrote) this.scheduleLazySync();
    if (this.closed) return;
    if (acc.persistedTo) this.queue.unshift({ type: "persisted", ...acc.persistedTo });
    if (acc.held.length > 0) this.transport.send(acc.held as Message<unknown>[]);
    let wantSnapshot = false;
    for (const g of acc.groups) {
      if (g.restore) this.restore(g.restore);
      for (const e of g.committed) this.apply(e);
      for (const r of g.replies) this.reply(r);
      for (const ev of g.events) if (this.event(ev)) wantSnapshot = true;
    }
    this.pending.settleReads(this.applied);
    if (wantSnapshot && this.applied > this.server.log.snapshotIndex)
      this.queue.push({ type: "snapshot", index: this.applied, data: this.snapshotData() });
    if (acc.snapshotSaved !== undefined) {
      const upTo = acc.snapshotSaved;
      this.compaction = this.compaction
        .then(() => this.storage.compact(upTo))
        .catch((e: unknown) => this.log.warn({ err: String(e) }, "log compaction failed"));
    }
    this.updateMetrics();
  }

  private async step(input: Input<C>, acc: TurnAcc<C>): Promise<void> {
    this.trace?.write({ kind: "input", input });
    const r = stepServer(this.server, input, this.params);
    this.server = r.server;
    const o = r.outputs;
    if (this.trace && (o.events.length > 0 || r.rejected))
      this.trace.write({
        kind: "output",
        input: input.type,
        events: o.events,
        ...(r.rejected ? { rejected: r.rejected } : {}),
        ...(o.replies.length > 0 ? { replies: o.replies } : {}),
      });
    if (r.rejected) this.rejected(input, r.rejected);
    if (o.persist) {
      const must = await this.storage.write(o.persist, this.server.log.lastIndex);
      acc.wrote = true;
      if (must) acc.mustSync = true;
      if (o.persist.entries || o.persist.snapshot)
        acc.persistedTo = { index: this.server.log.lastIndex, term: this.server.log.lastTerm };
      if (o.persist.snapshot) acc.snapshotSaved = o.persist.snapshot.index;
    }
    if (o.messages.length > 0) {
      const early: Message<C>[] = [];
      for (const m of o.messages) (mayPrecedePersist(m) ? early : acc.held).push(m);
      if (early.length > 0) this.transport.send(early as Message<unknown>[]);
    }
    if (o.restore || o.committed.length > 0 || o.replies.length > 0 || o.events.length > 0)
      acc.groups.push({ restore: o.restore, committed: o.committed, replies: o.replies, events: o.events });
  }

  private scheduleLazySync(): void {
    if (this.lazySyncTimer || this.closed) return;
    this.lazySyncTimer = setTimeout(() => {
      this.lazySyncTimer = undefined;
      if (this.closed || !this.storage.hasUnsynced) return;
      this.storage.sync().catch((e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))));
    }, 20);
  }

  private rejected(input: Input<C>, why: Rejection): void {
    switch (input.type) {
      case "propose":
        this.pending.proposeRefused(input.requestId, () =>
          why.code === "NotLeader" ? this.notLeader() : rejectionError(why, this.leaderHint()),
        );
        return;
      case "transferLeadership":
        this.pending.transferFailed(() => rejectionError(why, this.leaderHint()));
        return;
      case "receive": {
        const alarm = why.code === "ConflictWithCommitted" || why.code === "DuplicateLeader";
        if (alarm) this.log.error({ rejection: why, msg: input.msg }, "SAFETY ALARM from the Raft core");
        else if (why.code === "Malformed" || why.code === "OutOfRange")
          this.log.warn({ rejection: why, from: input.msg.from }, "malformed peer message refused");
        return;
      }
      case "read":
      case "reconfigure":
        return; // answered by a reply
      default:
        this.log.debug({ input: input.type, rejection: why }, "input refused");
    }
  }

  private reply(r: Reply): void {
    switch (r.type) {
      case "proposed":
        this.pending.proposed(r.requestId, r.firstIndex, r.term);
        return;
      case "reconfigProposed":
        this.pending.reconfigProposed(r.requestId, r.index, r.term);
        return;
      case "reconfigFailed":
        this.pending.reconfigFailed(r.requestId, () => rejectionError(r.reason, this.leaderHint()));
        return;
      case "readReady":
        this.pending.readReady(r.requestId, r.index, this.applied);
        return;
      case "readFailed":
        this.pending.readFailed(r.requestId, () =>
          r.reason.code === "NotLeader" ? this.notLeader() : rejectionError(r.reason, this.leaderHint()),
        );
        return;
    }
  }

  /** Handles one core event; returns true if the application should take a snapshot. */
  private event(ev: RaftEvent<C>): boolean {
    switch (ev.type) {
      case "becameLeader":
        this.log.info({ term: ev.term, voters: setMembers(ev.voters) }, "became leader");
        break;
      case "becameFollower":
        if (ev.leader !== this.id) this.pending.transferDone();
        this.log.debug({ term: ev.term, leader: ev.leader }, "follower");
        break;
      case "steppedDown":
        this.log.info({ term: ev.term, reason: ev.reason }, "stepped down");
        this.pending.transferDone();
        break;
      case "transferAborted":
        this.pending.transferFailed(
          () => new AdoreError("Timeout", `leader transfer to node ${ev.to} did not complete (aborted)`),
        );
        break;
      case "configAppended":
        this.log.info(
          {
            index: ev.index,
            term: ev.term,
            config: this.reg.scheme.print(ev.membership.config),
            learners: setMembers(ev.membership.learners),
          },
          "configuration appended",
        );
        break;
      case "truncated":
        this.log.info({ from: ev.from, removed: ev.removed }, "log suffix truncated");
        break;
      case "snapshotInstalled":
        this.log.info({ index: ev.index, term: ev.term }, "snapshot installed");
        break;
      case "compacted":
        this.log.info({ index: ev.index }, "log compacted");
        break;
      case "snapshotWanted":
        return true;
      case "promoting":
        this.log.info({ learner: ev.learner }, "promoting a caught-up learner");
        break;
      case "restarted":
        this.log.info({ term: ev.term, commit: ev.commit, lastIndex: ev.lastIndex }, "core restarted");
        break;
      default:
        break;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // the state machine

  private apply(e: Entry<C>): void {
    let result: unknown;
    if (e.kind === "command") result = this.applyCommand(e.command, e.index);
    else if (e.kind === "config") result = { index: e.index, term: e.term } satisfies ConfigChangeResult;
    this.applied = e.index;
    this.pending.applied(e.index, e.term, result, () => this.lostEntry(e.index));
  }

  private lostEntry(index: number): AdoreError {
    const hint = this.leaderHint();
    return new AdoreError(
      "NotLeader",
      `the entry at index ${index} was replaced by another leader's; retry`,
      hint ? { leader: hint } : {},
    );
  }

  private applyCommand(command: string, index: number): unknown {
    let req: unknown;
    try {
      req = JSON.parse(command);
    } catch {
      return { ok: false, error: { code: "BadCommand", field: "(command)", rule: "not JSON" } };
    }
    if (typeof req === "object" && req !== null && (req as { op?: unknown }).op === "@peer") {
      const c = req as Partial<PeerCommand>;
      if (typeof c.id === "number" && typeof c.peerAddr === "string" && typeof c.clientAddr === "string") {
        const old = this.directory.get(c.id);
        if (c.id !== this.id) this.directory.set(c.id, { peerAddr: c.peerAddr, clientAddr: c.clientAddr });
        if (old?.peerAddr !== c.peerAddr) this.transport.readdress(c.id);
      }
      return { index };
    }
    return this.kv.apply(req);
  }

  private restore(s: Snapshot<C>): void {
    const kv = new KvStateMachine(this.kvLimits);
    if (s.data !== "") {
      const parsed = JSON.parse(s.data) as { v: number; kv: string; dir: Array<[number, PeerAddress]> };
      const err = kv.restore(Buffer.from(parsed.kv, "base64"));
      if (err) throw err;
      for (const [id, a] of parsed.dir) if (id !== this.id) this.directory.set(id, a);
    }
    this.kv = kv;
    this.applied = s.index;
    // requests whose entries the snapshot covers: their outcome is unknown here
    this.pending.coveredBySnapshot(s.index, (i) => this.lostEntry(i));
  }

  private snapshotData(): string {
    return JSON.stringify({
      v: SNAPSHOT_FORMAT,
      kv: Buffer.from(this.kv.snapshot()).toString("base64"),
      dir: [...this.directory.entries()],
    });
  }

  private updateMetrics(): void {
    const s = this.server;
    const m = this.metrics;
    m.term.set(s.term);
    m.isLeader.set(s.role === "leader" ? 1 : 0);
    m.commitIndex.set(s.commit);
    m.appliedIndex.set(this.applied);
    if (s.leader !== this.lastLeader) {
      if (s.leader !== 0) m.leaderChanges.inc();
      this.lastLeader = s.leader;
    }
    if (s.role === "leader")
      for (const [id, pr] of s.progress) m.peerLag.set({ peer: String(id) }, s.log.lastIndex - pr.match);
    m.messagesDropped.set(this.transport.stats.dropped);
  }

  // -------------------------------------------------------------------------------------------
  // shutdown

  private fail(e: Error): void {
    if (this.fatal) return;
    this.fatal = e;
    this.log.error({ err: e.message }, "node failed; stopping");
    void this.close();
  }

  /** Stops the node: timers, listeners and connections; pending requests fail with Unavailable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.lazySyncTimer) clearTimeout(this.lazySyncTimer);
    this.pending.failAll(new AdoreError("Unavailable", `node ${this.id} is shutting down`));
    await this.clientServer?.close();
    await this.transport?.close();
    // let a turn that is mid-write finish before closing the log
    if (this.running) await new Promise<void>((r) => this.idle.push(r));
    await this.compaction;
    await this.storage.close().catch((e: unknown) => this.log.warn({ err: String(e) }, "closing the log"));
    await this.metrics.close();
    this.trace?.close();
    this.log.info("node stopped");
    this.log.flush?.();
  }
}

function checkId(id: NodeId): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_NODE_ID)
    throw new AdoreError("BadRequest", `node id must be an integer in 1..${MAX_NODE_ID}, got ${id}`);
}

function bootstrapMembership<C>(reg: RegisteredScheme<C>, opts: RaftNodeOptions): Membership<C> {
  const learners = nodeSet(opts.initialLearners ?? []);
  if (opts.initialConfig !== undefined) return { config: reg.parse(opts.initialConfig), learners };
  const ids = [...(opts.members ?? Object.keys(opts.peers).map(Number))].sort((a, b) => a - b);
  for (const id of ids) checkId(id);
  const contiguous = ids.every((id, i) => id === i + 1);
  const config = contiguous ? reg.initial(ids.length) : reg.parse(`{${ids.join(",")}}`);
  return { config, learners: learners & ~reg.scheme.mbrs(config) };
}

export { describeRejection };
