import { assertNever, has, type NodeId, type NodeSet } from "@adore/adore-core";
import { effectiveConfig, effectiveConfigAt } from "./core/config.js";
import { bestVoterOf, reconfigView, refuseReconfig, transferInProgress } from "./core/confchange.js";
import {
  markActive,
  markInactive,
  newProgress,
  onAppendAccepted,
  onAppendRejected,
  onProbeSent,
  onSnapshotSent,
  pipeline,
  type Progress,
  staleRejection,
} from "./core/progress.js";
import { commitIndex, voteResult } from "./core/quorum.js";
import { RaftLog } from "./log.js";
import type { RaftParams } from "./options.js";
import {
  type AppendEntries,
  type AppendEntriesResponse,
  type DurableState,
  type Entry,
  type HardState,
  type Input,
  type InstallSnapshot,
  type Membership,
  type Message,
  NONE,
  type Outputs,
  type PersistOps,
  type RaftEvent,
  type Rejection,
  type Reply,
  type RequestVote,
  type RequestVoteResponse,
  type Role,
  type Snapshot,
} from "./types.js";
import { validateInput } from "./validate.js";

export type { Progress } from "./core/progress.js";
export { effectiveConfig, voters } from "./core/config.js";
export { reconfigRefusal } from "./core/confchange.js";

/** A ReadIndex request waiting for a quorum to confirm the leader (Raft thesis §6.4). */
export interface PendingRead {
  readonly requestId: number;
  readonly index: number;
  readonly seq: number;
  readonly acks: NodeSet;
}

/**
 * One Raft server: a pure value. `stepServer` maps (server, input) to (server', outputs) and never
 * changes its argument; no I/O, no clock, the only randomness is the seeded `rng` inside.
 */
export interface RaftServer<C> {
  readonly id: NodeId;
  readonly role: Role;
  /** The paper's time: Raft's current term. */
  readonly term: number;
  readonly votedFor: NodeId;
  /** The leader this server follows in `term` (NONE if unknown). */
  readonly leader: NodeId;
  readonly log: RaftLog<C>;
  readonly commit: number;
  /** Last index handed out in `committed` (the application's applied index after it applies). */
  readonly applied: number;
  /** Entries ≤ stable are durable on this server (a leader counts itself only up to here). */
  readonly stable: number;
  /** The configuration in force: the latest configuration entry in the log, committed or not. */
  readonly config: { readonly membership: Membership<C>; readonly index: number };
  readonly electionElapsed: number;
  readonly heartbeatElapsed: number;
  readonly randomizedTimeout: number;
  /** xorshift32 state for randomized election timeouts. */
  readonly rng: number;
  /** Candidate / pre-candidate: votes granted and refused so far. */
  readonly granted: NodeSet;
  readonly refused: NodeSet;
  /** Leader: per-peer progress (voters and learners other than itself). */
  readonly progress: ReadonlyMap<NodeId, Progress>;
  /** Leader: index of its first entry of this term (the no-op); R3 holds once commit ≥ termStart. */
  readonly termStart: number;
  readonly transferee: NodeId;
  readonly transferElapsed: number;
  readonly readSeq: number;
  readonly reads: readonly PendingRead[];
  /** Leader: reads waiting for the first commit of the term. */
  readonly readsWaiting: readonly number[];
  /** The hard state last handed to storage. */
  readonly hard: HardState;
  /** versn of the last entry appended (kept when compaction removes that entry from the log). */
  readonly lastVersn: number;
}

export interface StepResult<C> {
  readonly server: RaftServer<C>;
  readonly outputs: Outputs<C>;
  /** Why the input had no effect (the server is then unchanged, though a reply message may be sent). */
  readonly rejected?: Rejection;
}

type Mut<T> = { -readonly [K in keyof T]: T[K] };

const EMPTY_OUTPUTS: Outputs<never> = {
  messages: [],
  persist: undefined,
  committed: [],
  restore: undefined,
  replies: [],
  events: [],
};

function xorshift(x: number): number {
  let s = x | 0 || 0x9e3779b9;
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

/** The snapshot a fresh cluster starts from: nothing applied, the bootstrap membership. */
export function bootstrapSnapshot<C>(membership: Membership<C>): Snapshot<C> {
  return { index: 0, term: 0, membership, configIndex: 0, data: "" };
}

/** A fresh server of a new cluster whose bootstrap configuration is `membership`. */
export function newServer<C>(
  id: NodeId,
  membership: Membership<C>,
  params: RaftParams<C>,
  seed = id,
): RaftServer<C> {
  return fromDurable(
    id,
    {
      hardState: { term: 0, votedFor: NONE, commit: 0 },
      snapshot: bootstrapSnapshot(membership),
      entries: [],
    },
    params,
    seed,
  );
}

function fromDurable<C>(id: NodeId, d: DurableState<C>, params: RaftParams<C>, seed: number): RaftServer<C> {
  const log = RaftLog.of(d.snapshot, d.entries);
  const rng = xorshift((seed * 0x9e3779b1) ^ id);
  const commit = Math.min(Math.max(d.hardState.commit, d.snapshot.index), log.lastIndex);
  return {
    id,
    role: "follower",
    term: d.hardState.term,
    votedFor: d.hardState.votedFor,
    leader: NONE,
    log,
    commit,
    applied: d.snapshot.index,
    stable: log.lastIndex,
    config: log.configAt(log.lastIndex),
    electionElapsed: 0,
    heartbeatElapsed: 0,
    randomizedTimeout: params.options.electionTick + (rng % params.options.electionTick),
    rng,
    granted: 0,
    refused: 0,
    progress: new Map(),
    termStart: 0,
    transferee: NONE,
    transferElapsed: 0,
    readSeq: 0,
    reads: [],
    readsWaiting: [],
    hard: { ...d.hardState, commit },
    lastVersn: log.at(log.lastIndex)?.versn ?? 0,
  };
}

/** Raft's step function: (server, input) → (server', outputs). Never throws on bad input. */
export function stepServer<C>(server: RaftServer<C>, input: Input<C>, params: RaftParams<C>): StepResult<C> {
  const bad = validateInput(input, server.id, params.adapter.validConfig);
  if (bad) return { server, outputs: EMPTY_OUTPUTS, rejected: bad };
  const cx = new Ctx(server, params);
  const rejected = cx.handle(input);
  if (rejected && cx.pristine()) return { server, outputs: cx.outputs(), rejected };
  cx.finish();
  const out = { server: cx.s as RaftServer<C>, outputs: cx.outputs() };
  return rejected ? { ...out, rejected } : out;
}

/** The working copy of one step: mutated in place, then frozen into the next server value. */
class Ctx<C> {
  readonly s: Mut<RaftServer<C>>;
  private readonly o: RaftParams<C>["options"];
  private readonly messages: Message<C>[] = [];
  private readonly replies: Reply[] = [];
  private readonly events: RaftEvent<C>[] = [];
  private committed: Entry<C>[] = [];
  private restore: Snapshot<C> | undefined;
  /** Lowest index rewritten in this step (entries from here to lastIndex must be persisted). */
  private persistFrom = Number.POSITIVE_INFINITY;
  private persistSnapshot: Snapshot<C> | undefined;
  private changed = false;
  private progressCopied = false;

  constructor(
    private readonly orig: RaftServer<C>,
    private readonly p: RaftParams<C>,
  ) {
    this.s = { ...orig };
    this.o = p.options;
  }

  pristine(): boolean {
    return !this.changed && this.events.length === 0;
  }

  private touch(): void {
    this.changed = true;
  }

  outputs(): Outputs<C> {
    let persist: PersistOps<C> | undefined;
    const s = this.s;
    const hs = this.orig.hard;
    const hardChanged = hs.term !== s.term || hs.votedFor !== s.votedFor || hs.commit !== s.commit;
    if (
      this.persistSnapshot ||
      this.persistFrom <= s.log.lastIndex ||
      hardChanged ||
      this.truncatedTo !== undefined
    ) {
      const ops: Mut<PersistOps<C>> = {};
      if (this.persistSnapshot) ops.snapshot = this.persistSnapshot;
      const from = Math.min(this.persistFrom, this.truncatedTo ?? Number.POSITIVE_INFINITY);
      if (from <= s.log.lastIndex + 1 && from !== Number.POSITIVE_INFINITY)
        ops.entries = { from, entries: s.log.slice(from, s.log.lastIndex) };
      if (hardChanged) ops.hardState = { term: s.term, votedFor: s.votedFor, commit: s.commit };
      persist = ops;
    }
    return {
      messages: this.messages,
      persist,
      committed: this.committed,
      restore: this.restore,
      replies: this.replies,
      events: this.events,
    };
  }

  private truncatedTo: number | undefined;

  finish(): void {
    const s = this.s;
    s.hard = { term: s.term, votedFor: s.votedFor, commit: s.commit };
    // hand committed entries to the application
    if (s.commit > s.applied) {
      const from = Math.max(s.applied + 1, s.log.firstIndex);
      this.committed = this.committed.concat(s.log.slice(from, s.commit));
      s.applied = s.commit;
      if (this.o.snapshotThreshold > 0 && s.applied - s.log.snapshotIndex >= this.o.snapshotThreshold)
        this.events.push({ type: "snapshotWanted", applied: s.applied });
    }
  }

  // -------------------------------------------------------------------------------------------
  // helpers

  private get scheme() {
    return this.p.adapter.scheme;
  }
  private cfg() {
    return effectiveConfig(this.s as RaftServer<C>, this.p);
  }
  private voterSet(): NodeSet {
    return this.scheme.mbrs(this.cfg().membership.config);
  }
  private isQuorum(q: NodeSet): boolean {
    return this.scheme.isQuorum(q, this.cfg().membership.config);
  }
  /** The (pre-)candidate's vote tally under the configuration in force. */
  private tally() {
    return voteResult(this.scheme, this.cfg().membership.config, this.s.granted, this.s.refused);
  }
  /** Every node the leader replicates to: voters and learners other than itself. */
  private peers(): NodeId[] {
    const m = this.cfg().membership;
    const all = this.scheme.mbrs(m.config) | m.learners;
    const out: NodeId[] = [];
    for (let i = 1; i <= 30; i++) if (i !== this.s.id && has(all, i)) out.push(i);
    return out;
  }
  private send(m: Message<C>): void {
    this.messages.push(m);
  }
  private event(e: RaftEvent<C>): void {
    this.events.push(e);
  }
  private resetTimeout(): void {
    const s = this.s;
    s.electionElapsed = 0;
    s.heartbeatElapsed = 0;
    s.rng = xorshift(s.rng);
    s.randomizedTimeout = this.o.electionTick + (s.rng % this.o.electionTick);
  }
  private setProgress(id: NodeId, pr: Progress): void {
    if (!this.progressCopied) {
      this.s.progress = new Map(this.s.progress);
      this.progressCopied = true;
    }
    (this.s.progress as Map<NodeId, Progress>).set(id, pr);
  }
  private appendLocal(entries: readonly Entry<C>[]): void {
    const s = this.s;
    if (entries.length === 0) return;
    s.log = s.log.append(entries);
    s.lastVersn = entries[entries.length - 1]!.versn;
    this.persistFrom = Math.min(this.persistFrom, entries[0]!.index);
    for (const e of entries)
      if (e.kind === "config") {
        s.config = { membership: e.membership, index: e.index };
        this.event({ type: "configAppended", index: e.index, term: e.term, membership: e.membership });
      }
  }
  private truncateLocal(from: number): void {
    const s = this.s;
    const removed = s.log.lastIndex - from + 1;
    s.log = s.log.truncateAfter(from - 1);
    s.lastVersn = s.log.at(s.log.lastIndex)?.versn ?? 0;
    s.stable = Math.min(s.stable, from - 1);
    this.truncatedTo = Math.min(this.truncatedTo ?? from, from);
    if (s.config.index >= from) s.config = s.log.configAt(s.log.lastIndex);
    this.event({ type: "truncated", from, removed });
  }

  // -------------------------------------------------------------------------------------------
  // roles

  becomeFollower(
    term: number,
    leader: NodeId,
    reason?: "checkQuorum" | "removed" | "transfer" | "higherTerm",
  ): void {
    const s = this.s;
    const wasLeader = s.role === "leader";
    if (term > s.term) {
      s.term = term;
      s.votedFor = NONE;
    }
    s.role = "follower";
    s.leader = leader;
    s.granted = 0;
    s.refused = 0;
    s.transferee = NONE;
    if (wasLeader) {
      s.progress = new Map();
      this.progressCopied = false;
      this.failReads({ code: "NotLeader", leader });
      if (reason) this.event({ type: "steppedDown", term: s.term, reason });
    }
    this.resetTimeout();
    this.touch();
    this.event({ type: "becameFollower", term: s.term, leader });
  }

  private failReads(reason: Rejection): void {
    const s = this.s;
    for (const r of s.reads) this.replies.push({ type: "readFailed", requestId: r.requestId, reason });
    for (const id of s.readsWaiting) this.replies.push({ type: "readFailed", requestId: id, reason });
    s.reads = [];
    s.readsWaiting = [];
  }

  private campaign(preVote: boolean, transfer: boolean): void {
    const s = this.s;
    if (!has(this.voterSet(), s.id)) return;
    if (preVote) {
      s.role = "preCandidate";
      s.leader = NONE;
      this.event({ type: "becamePreCandidate", term: s.term + 1 });
    } else {
      s.term += 1;
      s.votedFor = s.id;
      s.role = "candidate";
      s.leader = NONE;
      this.event({ type: "becameCandidate", term: s.term });
    }
    s.granted = 1 << s.id;
    s.refused = 0;
    this.resetTimeout();
    this.touch();
    if (this.tally() === "won") {
      if (preVote) this.campaign(false, transfer);
      else this.becomeLeader();
      return;
    }
    const term = preVote ? s.term + 1 : s.term;
    for (let i = 1; i <= 30; i++)
      if (i !== s.id && has(this.voterSet(), i))
        this.send({
          type: "RequestVote",
          from: s.id,
          to: i,
          term,
          lastLogIndex: s.log.lastIndex,
          lastLogTerm: s.log.lastTerm,
          preVote,
          transfer,
        });
  }

  private becomeLeader(): void {
    const s = this.s;
    s.role = "leader";
    s.leader = s.id;
    s.transferee = NONE;
    s.heartbeatElapsed = 0;
    s.electionElapsed = 0;
    const progress = new Map<NodeId, Progress>();
    s.progress = progress;
    this.progressCopied = true;
    const next = s.log.lastIndex + 1;
    for (const id of this.peers()) progress.set(id, newProgress(next));
    this.touch();
    this.event({ type: "becameLeader", term: s.term, voters: s.granted, configIndex: this.cfg().index });
    // the no-op of the new term: its commit gives R3 and commits the earlier terms' entries
    s.termStart = next;
    this.appendAsLeader([{ kind: "noop", index: next, term: s.term, versn: 1 }]);
  }

  /** Appends entries as leader and replicates them. */
  private appendAsLeader(entries: Entry<C>[]): void {
    const s = this.s;
    this.appendLocal(entries);
    this.event({
      type: "appended",
      term: s.term,
      firstIndex: entries[0]!.index,
      lastIndex: entries[entries.length - 1]!.index,
    });
    // a config entry may add peers (new voters or learners)
    for (const id of this.peers())
      if (!s.progress.has(id)) this.setProgress(id, newProgress(entries[0]!.index));
    this.maybeCommit();
    this.broadcastAppend();
  }

  private nextEntry(): { index: number; versn: number } {
    const s = this.s;
    const last = s.log.at(s.log.lastIndex);
    // after a compaction up to the last entry, the versn of that entry is remembered by the server
    const lastVersn = last
      ? last.term === s.term
        ? last.versn
        : 0
      : s.log.lastTerm === s.term
        ? s.lastVersn
        : 0;
    return { index: s.log.lastIndex + 1, versn: lastVersn + 1 };
  }

  // -------------------------------------------------------------------------------------------
  // replication (leader)

  private broadcastAppend(): void {
    for (const id of this.s.progress.keys()) this.sendAppend(id, false);
  }

  /** Sends what `id` needs. With `heartbeat`, also an empty AppendEntries when nothing else goes. */
  private sendAppend(id: NodeId, heartbeat: boolean): void {
    const s = this.s;
    const pr = s.progress.get(id);
    if (!pr) return;
    if (pr.state === "snapshot") {
      if (heartbeat) this.sendSnapshot(id, pr);
      return;
    }
    if (pr.next <= s.log.snapshotIndex) {
      this.sendSnapshot(id, pr);
      return;
    }
    if (pr.state === "probe") {
      if (pr.paused && !heartbeat) return;
      this.sendAE(id, pr.next - 1, s.log.slice(pr.next, pr.next + this.o.maxEntriesPerMessage - 1));
      this.setProgress(id, onProbeSent(pr));
      return;
    }
    // replicate: pipeline within the in-flight window
    const sent = pipeline(pr, s.log.lastIndex, this.o.maxInflight, this.o.maxEntriesPerMessage);
    if (sent) {
      for (const b of sent.batches) this.sendAE(id, b.from - 1, s.log.slice(b.from, b.to));
      this.setProgress(id, sent.progress);
    } else if (heartbeat) this.sendAE(id, pr.next - 1, []);
  }

  private sendAE(to: NodeId, prev: number, entries: Entry<C>[]): void {
    const s = this.s;
    const prevTerm = s.log.termAt(prev);
    if (prevTerm === undefined) return;
    const last = prev + entries.length;
    this.send({
      type: "AppendEntries",
      from: s.id,
      to,
      term: s.term,
      prevLogIndex: prev,
      prevLogTerm: prevTerm,
      entries,
      leaderCommit: Math.min(s.commit, last),
      readSeq: s.readSeq,
    });
  }

  private sendSnapshot(to: NodeId, pr: Progress): void {
    const s = this.s;
    this.send({
      type: "InstallSnapshot",
      from: s.id,
      to,
      term: s.term,
      snapshot: s.log.snapshot,
      readSeq: s.readSeq,
    });
    this.setProgress(to, onSnapshotSent(pr, s.log.snapshotIndex));
  }

  private selfMatch(): number {
    const s = this.s;
    return Math.min(s.stable, s.log.lastIndex);
  }

  /** Advances the commit index (quorum.ts: commitIndex, with the two-configuration rule). */
  private maybeCommit(): void {
    const s = this.s;
    if (s.role !== "leader") return;
    // every replica the leader knows the match of (itself only up to what is durable)
    const matches: [NodeId, number][] = [[s.id, this.selfMatch()]];
    for (const [id, pr] of s.progress) matches.push([id, pr.match]);
    const c = commitIndex(this.scheme, {
      matches,
      commit: s.commit,
      term: s.term,
      termAt: (n) => s.log.termAt(n),
      latest: this.cfg().membership.config,
      configAt: (n) => effectiveConfigAt(s, this.p, n),
      countOldTerms: this.o.mutations.commitOldTermByCounting === true,
    });
    if (c) this.advanceCommit(c.index, c.quorum);
  }

  private advanceCommit(n: number, quorum?: NodeSet): void {
    const s = this.s;
    const from = s.commit;
    s.commit = n;
    this.touch();
    this.event(
      quorum === undefined
        ? { type: "commitAdvanced", from, to: n, term: s.term }
        : { type: "commitAdvanced", from, to: n, term: s.term, quorum },
    );
    if (s.role === "leader") this.afterLeaderCommit();
  }

  /** Follow-ups once a leader's commit index moved: reads, joint completion, removal, promotion. */
  private afterLeaderCommit(): void {
    const s = this.s;
    if (s.commit >= s.termStart && s.readsWaiting.length > 0) {
      const waiting = s.readsWaiting;
      s.readsWaiting = [];
      for (const id of waiting) this.startRead(id);
    }
    const cfg = this.cfg();
    if (cfg.index > s.commit) return;
    // the configuration in force is committed: finish a joint change (Raft §6: (old,new) ↦ new)
    const next = this.p.adapter.finish?.(cfg.membership.config);
    if (next !== undefined && !this.scheme.equals(next, cfg.membership.config)) {
      if (this.o.leaderRemoval === "transfer-first" && !has(this.scheme.mbrs(next), s.id)) {
        // not a member of the configuration that completes the change: a member completes it
        const to = bestVoterOf(s.progress, this.voterSet(), this.scheme.mbrs(next));
        if (s.transferee === NONE && to !== NONE) this.transfer(to);
        return;
      }
      this.appendConfig({ config: next, learners: cfg.membership.learners });
      return;
    }
    // a leader that is no longer a voter steps down once its removal is committed
    if (!has(this.voterSet(), s.id)) {
      const best = bestVoterOf(s.progress, this.voterSet(), this.voterSet());
      if (this.o.stepDownOnRemoval && best !== NONE) {
        this.send({ type: "TimeoutNow", from: s.id, to: best, term: s.term });
        this.event({ type: "transferStarted", to: best });
      }
      this.becomeFollower(s.term, NONE, "removed");
      return;
    }
    this.maybePromote();
  }

  /** Appends a configuration entry as leader (an RCache, Fig. 6). */
  private appendConfig(membership: Membership<C>): void {
    const { index, versn } = this.nextEntry();
    this.appendAsLeader([{ kind: "config", index, term: this.s.term, versn, membership }]);
  }

  private maybePromote(): void {
    const s = this.s;
    const addVoter = this.p.adapter.addVoter;
    if (!this.o.autoPromoteLearners || !addVoter || s.role !== "leader") return;
    const cfg = this.cfg();
    if (cfg.index > s.commit || s.commit < s.termStart) return;
    for (const [id, pr] of s.progress) {
      if (!has(cfg.membership.learners, id)) continue;
      if (pr.match + this.o.catchUpLag < s.log.lastIndex) continue;
      const config = addVoter(cfg.membership.config, id);
      if (config === undefined || !this.scheme.R1plus(cfg.membership.config, config)) continue;
      this.event({ type: "promoting", learner: id });
      this.appendConfig({ config, learners: cfg.membership.learners & ~(1 << id) });
      return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // reads (ReadIndex, Raft thesis §6.4)

  private startRead(requestId: number): void {
    const s = this.s;
    s.readSeq += 1;
    const read: PendingRead = { requestId, index: s.commit, seq: s.readSeq, acks: 1 << s.id };
    if (this.isQuorum(read.acks)) {
      this.replies.push({ type: "readReady", requestId, index: s.commit });
      return;
    }
    s.reads = s.reads.concat(read);
    for (const id of s.progress.keys()) this.sendAppend(id, true);
  }

  private ackRead(from: NodeId, seq: number): void {
    const s = this.s;
    if (s.reads.length === 0 || !has(this.voterSet(), from)) return;
    const keep: PendingRead[] = [];
    for (const r of s.reads) {
      const acks = r.seq <= seq ? r.acks | (1 << from) : r.acks;
      if (this.isQuorum(acks))
        this.replies.push({ type: "readReady", requestId: r.requestId, index: r.index });
      else keep.push({ ...r, acks });
    }
    s.reads = keep;
  }

  // -------------------------------------------------------------------------------------------
  // inputs

  handle(input: Input<C>): Rejection | undefined {
    const s = this.s;
    switch (input.type) {
      case "tick":
        this.tick();
        return undefined;
      case "receive":
        return this.receive(input.msg);
      case "propose":
        return this.propose(input.commands, input.requestId);
      case "reconfigure":
        return this.reconfigure(input.membership, input.ifConfigIndex, input.requestId);
      case "persisted":
        if (s.log.termAt(input.index) !== input.term || input.index <= s.stable) return undefined;
        s.stable = Math.min(input.index, s.log.lastIndex);
        this.touch();
        this.maybeCommit();
        return undefined;
      case "restart": {
        const fresh = fromDurable(s.id, input.durable, this.p, input.seed ?? s.rng);
        Object.assign(s, fresh);
        this.progressCopied = false;
        this.touch();
        this.restore = input.durable.snapshot;
        this.event({ type: "restarted", term: s.term, commit: s.commit, lastIndex: s.log.lastIndex });
        return undefined;
      }
      case "campaign":
        if (s.role === "leader") return { code: "Stale", detail: "already leader" };
        if (!has(this.voterSet(), s.id)) return { code: "NotVoter", id: s.id };
        this.campaign(this.o.preVote, false);
        return undefined;
      case "heartbeat":
        if (s.role !== "leader") return { code: "NotLeader", leader: s.leader };
        for (const id of s.progress.keys()) this.sendAppend(id, true);
        return undefined;
      case "read":
        if (s.role !== "leader") {
          this.replies.push({
            type: "readFailed",
            requestId: input.requestId,
            reason: { code: "NotLeader", leader: s.leader },
          });
          return { code: "NotLeader", leader: s.leader };
        }
        this.touch();
        if (s.commit < s.termStart) s.readsWaiting = s.readsWaiting.concat(input.requestId);
        else this.startRead(input.requestId);
        return undefined;
      case "transferLeadership":
        return this.transfer(input.to);
      case "snapshot":
        return this.compact(input.index, input.data);
      default:
        return assertNever(input);
    }
  }

  private tick(): void {
    const s = this.s;
    this.touch();
    if (s.role === "leader") {
      s.heartbeatElapsed += 1;
      s.electionElapsed += 1;
      if (s.transferee !== NONE) {
        s.transferElapsed += 1;
        if (s.transferElapsed >= this.o.electionTick) {
          this.event({ type: "transferAborted", to: s.transferee });
          s.transferee = NONE;
          // a hand-off that completes a configuration change is tried again
          if (this.cfg().index <= s.commit) this.afterLeaderCommit();
        }
      }
      if (s.electionElapsed >= this.o.electionTick) {
        s.electionElapsed = 0;
        if (this.o.checkQuorum) {
          let active = has(this.voterSet(), s.id) ? 1 << s.id : 0;
          for (const [id, pr] of s.progress) {
            if (pr.active) active |= 1 << id;
            this.setProgress(id, markInactive(pr));
          }
          if (!this.isQuorum(active)) {
            this.becomeFollower(s.term, NONE, "checkQuorum");
            return;
          }
        }
      }
      if (s.heartbeatElapsed >= this.o.heartbeatTick) {
        s.heartbeatElapsed = 0;
        for (const id of s.progress.keys()) this.sendAppend(id, true);
      }
      return;
    }
    s.electionElapsed += 1;
    if (s.electionElapsed >= s.randomizedTimeout && has(this.voterSet(), s.id))
      this.campaign(this.o.preVote, false);
  }

  private propose(commands: readonly string[], requestId: number | undefined): Rejection | undefined {
    const s = this.s;
    if (s.role !== "leader") return { code: "NotLeader", leader: s.leader };
    const busy = transferInProgress(s);
    if (busy) return busy;
    if (commands.length === 0) return { code: "Malformed", field: "commands", detail: "no commands" };
    let { index, versn } = this.nextEntry();
    const first = index;
    const entries: Entry<C>[] = [];
    for (const command of commands)
      entries.push({ kind: "command", index: index++, term: s.term, versn: versn++, command });
    this.touch();
    this.replies.push({ type: "proposed", requestId, term: s.term, firstIndex: first, lastIndex: index - 1 });
    this.appendAsLeader(entries);
    return undefined;
  }

  private reconfigure(
    membership: Membership<C>,
    ifConfigIndex: number | undefined,
    requestId: number | undefined,
  ): Rejection | undefined {
    const s = this.s;
    // confchange.ts: R1⁺, R2, R3, the CAS and the membership checks
    const why = refuseReconfig(
      this.p.adapter,
      reconfigView(s as RaftServer<C>, this.p),
      membership,
      ifConfigIndex,
      this.o,
    );
    if (why) {
      if (why.code === "RemovesLeader" && why.transferTo !== NONE) this.transfer(why.transferTo);
      this.replies.push({ type: "reconfigFailed", requestId, reason: why });
      return why;
    }
    this.touch();
    this.replies.push({ type: "reconfigProposed", requestId, term: s.term, index: s.log.lastIndex + 1 });
    this.appendConfig(membership);
    return undefined;
  }

  private transfer(to: NodeId): Rejection | undefined {
    const s = this.s;
    if (s.role !== "leader") return { code: "NotLeader", leader: s.leader };
    if (to === s.id) return { code: "Stale", detail: "already leader" };
    if (!has(this.voterSet(), to)) return { code: "NotVoter", id: to };
    const busy = transferInProgress(s);
    if (busy) return busy;
    this.touch();
    s.transferee = to;
    s.transferElapsed = 0;
    this.event({ type: "transferStarted", to });
    const pr = s.progress.get(to);
    if (pr && pr.match === s.log.lastIndex) this.send({ type: "TimeoutNow", from: s.id, to, term: s.term });
    else this.sendAppend(to, true);
    return undefined;
  }

  private compact(index: number, data: string): Rejection | undefined {
    const s = this.s;
    if (index > s.applied) return { code: "OutOfRange", field: "index", value: index, limit: s.applied };
    if (index <= s.log.snapshotIndex) return { code: "Stale", detail: "already compacted" };
    const term = s.log.termAt(index)!;
    const c = s.log.configAt(index);
    const snap: Snapshot<C> = { index, term, membership: c.membership, configIndex: c.index, data };
    s.log = s.log.compact(snap);
    this.persistSnapshot = snap;
    this.touch();
    this.event({ type: "compacted", index });
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // messages

  private receive(m: Message<C>): Rejection | undefined {
    const s = this.s;
    const mut = this.o.mutations;
    if (m.term > s.term) {
      if (m.type === "RequestVote") {
        const inLease =
          this.o.checkQuorum && s.leader !== NONE && s.electionElapsed < this.o.electionTick && !m.transfer;
        if (inLease) return { code: "InLease", leader: s.leader };
        if (m.preVote) return this.handleRequestVote(m);
      }
      if (m.type === "RequestVoteResponse" && m.preVote && m.granted) return this.handleVoteResponse(m);
      const leader = m.type === "AppendEntries" || m.type === "InstallSnapshot" ? m.from : NONE;
      const why = s.role !== "leader" ? undefined : s.transferee !== NONE ? "transfer" : "higherTerm";
      this.becomeFollower(m.term, leader, why);
    } else if (m.term < s.term) {
      if (m.type === "AppendEntries" && mut.staleAppend) return this.handleAppend(m);
      if (m.type === "AppendEntries" || m.type === "InstallSnapshot") {
        // tell a deposed leader about the newer term
        this.send(
          this.aeResponse(m.from, false, 0, m.type === "AppendEntries" ? m.prevLogIndex : 0, 0, 0, m.readSeq),
        );
        return { code: "StaleTerm", msgTerm: m.term, term: s.term };
      }
      if (m.type === "RequestVote") {
        this.send(this.voteResponse(m.from, false, m.preVote, m.term));
        return { code: "StaleTerm", msgTerm: m.term, term: s.term };
      }
      return { code: "StaleTerm", msgTerm: m.term, term: s.term };
    }
    switch (m.type) {
      case "RequestVote":
        return this.handleRequestVote(m);
      case "RequestVoteResponse":
        return this.handleVoteResponse(m);
      case "AppendEntries":
        return this.handleAppend(m);
      case "AppendEntriesResponse":
        return this.handleAppendResponse(m);
      case "InstallSnapshot":
        return this.handleSnapshot(m);
      case "TimeoutNow":
        if (s.role === "leader") return { code: "Stale", detail: "leader got TimeoutNow" };
        if (!has(this.voterSet(), s.id)) return { code: "NotVoter", id: s.id };
        this.campaign(false, true);
        return undefined;
      default:
        return assertNever(m);
    }
  }

  private voteResponse(to: NodeId, granted: boolean, preVote: boolean, term: number): RequestVoteResponse {
    const s = this.s;
    return {
      type: "RequestVoteResponse",
      from: s.id,
      to,
      term: preVote && granted ? term : s.term,
      granted,
      preVote,
      lastLogIndex: s.log.lastIndex,
      lastLogTerm: s.log.lastTerm,
    };
  }

  private handleRequestVote(m: RequestVote): Rejection | undefined {
    const s = this.s;
    const mut = this.o.mutations;
    const upToDate = mut.skipUpToDateCheck || this.p.election.grant(m, s.log.lastTerm, s.log.lastIndex);
    if (m.preVote) {
      // a pre-vote changes nothing here: would we vote for m.from in m.term?
      const grant = m.term > s.term && upToDate;
      this.send(this.voteResponse(m.from, grant, true, m.term));
      return undefined;
    }
    const canVote =
      s.votedFor === m.from ||
      (s.votedFor === NONE && s.leader === NONE) ||
      (mut.doubleVote && s.role !== "leader");
    if (canVote && upToDate) {
      s.votedFor = m.from;
      this.resetTimeout();
      this.touch();
      this.event({ type: "voted", term: s.term, for: m.from, preVote: false });
      this.send(this.voteResponse(m.from, true, false, m.term));
    } else this.send(this.voteResponse(m.from, false, false, m.term));
    return undefined;
  }

  private handleVoteResponse(m: RequestVoteResponse): Rejection | undefined {
    const s = this.s;
    const want = m.preVote ? "preCandidate" : "candidate";
    if (s.role !== want) return { code: "Stale", detail: `vote response while ${s.role}` };
    if (m.preVote && m.term !== s.term + 1) return { code: "Stale", detail: "pre-vote of another round" };
    if (!has(this.voterSet(), m.from)) return { code: "NotVoter", id: m.from };
    this.touch();
    if (m.granted) s.granted |= 1 << m.from;
    else s.refused |= 1 << m.from;
    const result = this.tally();
    if (result === "won") {
      if (m.preVote) this.campaign(false, false);
      else this.becomeLeader();
    } else if (result === "lost") this.becomeFollower(s.term, NONE);
    return undefined;
  }

  private aeResponse(
    to: NodeId,
    success: boolean,
    matchIndex: number,
    rejectIndex: number,
    hintTerm: number,
    hintIndex: number,
    readSeq: number,
  ): AppendEntriesResponse {
    return {
      type: "AppendEntriesResponse",
      from: this.s.id,
      to,
      term: this.s.term,
      success,
      matchIndex,
      rejectIndex,
      hintTerm,
      hintIndex,
      readSeq,
    };
  }

  private acceptLeader(from: NodeId): Rejection | undefined {
    const s = this.s;
    if (s.role === "leader") return { code: "DuplicateLeader", term: s.term, other: from };
    if (s.role !== "follower" || s.leader !== from) this.becomeFollower(s.term, from);
    s.electionElapsed = 0;
    this.touch();
    return undefined;
  }

  private handleAppend(m: AppendEntries<C>): Rejection | undefined {
    const s = this.s;
    if (m.term === s.term) {
      const dup = this.acceptLeader(m.from);
      if (dup) return dup;
    }
    if (m.prevLogIndex + m.entries.length <= s.commit) {
      // everything up to our commit index matches any current leader's log (Leader Completeness)
      this.send(this.aeResponse(m.from, true, s.commit, 0, 0, 0, m.readSeq));
      return undefined;
    }
    // entries ≤ commit match already; below it (possibly compacted) there is nothing to compare
    const prevTerm = m.prevLogIndex < s.commit ? m.prevLogTerm : s.log.termAt(m.prevLogIndex);
    if (prevTerm !== m.prevLogTerm) {
      // fast backoff: the last index ≤ prev whose term ≤ prevLogTerm (etcd's findConflictByTerm)
      const hintIndex = s.log.lastIndexWithTermAtMost(
        m.prevLogTerm,
        Math.min(m.prevLogIndex, s.log.lastIndex),
      );
      const hintTerm = s.log.termAt(hintIndex) ?? 0;
      this.send(this.aeResponse(m.from, false, 0, m.prevLogIndex, hintTerm, hintIndex, m.readSeq));
      return undefined;
    }
    let i = 0;
    for (; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.index <= s.commit) continue;
      const t = s.log.termAt(e.index);
      if (t === undefined || t !== e.term) break;
    }
    if (i < m.entries.length) {
      const first = m.entries[i]!.index;
      if (first <= s.log.lastIndex) {
        if (first <= s.commit) return { code: "ConflictWithCommitted", index: first, commitIndex: s.commit };
        this.truncateLocal(first);
      }
      this.appendLocal(m.entries.slice(i));
      this.touch();
    }
    const matched = m.prevLogIndex + m.entries.length;
    const newCommit = Math.min(m.leaderCommit, matched);
    if (newCommit > s.commit) this.advanceCommit(newCommit);
    this.send(this.aeResponse(m.from, true, matched, 0, 0, 0, m.readSeq));
    return undefined;
  }

  private handleSnapshot(m: InstallSnapshot<C>): Rejection | undefined {
    const s = this.s;
    const dup = this.acceptLeader(m.from);
    if (dup) return dup;
    const snap = m.snapshot;
    if (snap.index <= s.commit) {
      this.send(this.aeResponse(m.from, true, s.commit, 0, 0, 0, m.readSeq));
      return undefined;
    }
    if (s.log.termAt(snap.index) === snap.term) s.log = s.log.compact(snap);
    else {
      // the log disagrees at the snapshot's index (or is shorter): storage drops every entry after it too
      s.log = RaftLog.of(snap);
      this.truncatedTo = snap.index + 1;
    }
    s.config = s.log.configAt(s.log.lastIndex);
    s.commit = snap.index;
    s.applied = snap.index;
    s.stable = Math.max(s.stable, snap.index);
    this.committed = [];
    this.restore = snap;
    this.persistSnapshot = snap;
    this.touch();
    this.event({ type: "snapshotInstalled", index: snap.index, term: snap.term });
    this.send(this.aeResponse(m.from, true, snap.index, 0, 0, 0, m.readSeq));
    return undefined;
  }

  private handleAppendResponse(m: AppendEntriesResponse): Rejection | undefined {
    const s = this.s;
    if (s.role !== "leader") return { code: "Stale", detail: `append response while ${s.role}` };
    const pr = s.progress.get(m.from);
    if (!pr) return { code: "NotMember", from: m.from };
    this.touch();
    let p = markActive(pr);
    if (m.success) {
      // a probe that succeeded (or a snapshot that arrived) starts pipelining
      p = onAppendAccepted(p, m.matchIndex, s.log.lastIndex, s.log.snapshotIndex);
      const match = p.match;
      this.setProgress(m.from, p);
      this.ackRead(m.from, m.readSeq);
      if (match > pr.match) this.maybeCommit();
      if (s.role !== "leader") return undefined;
      if (s.transferee === m.from && p.match === s.log.lastIndex) {
        this.send({ type: "TimeoutNow", from: s.id, to: m.from, term: s.term });
      }
      this.sendAppend(m.from, false);
      this.maybePromote();
      return undefined;
    }
    // rejected: only the answer to what we last probed (or any, in replicate) moves `next` back
    this.ackRead(m.from, m.readSeq);
    const stale = staleRejection(p, m.rejectIndex);
    if (stale) {
      this.setProgress(m.from, p);
      return { code: "Stale", detail: stale };
    }
    p = onAppendRejected(p, m.rejectIndex, m.hintIndex, m.hintTerm, (t, i) =>
      s.log.lastIndexWithTermAtMost(t, i),
    );
    this.setProgress(m.from, p);
    this.sendAppend(m.from, false);
    return undefined;
  }
}

/** Restores a server after a crash from what it had persisted (the `restart` input, convenience form). */
export function restartServer<C>(
  id: NodeId,
  durable: DurableState<C>,
  params: RaftParams<C>,
  seed = id,
): StepResult<C> {
  const base = newServer(id, durable.snapshot.membership, params, seed);
  return stepServer(base, { type: "restart", durable, seed }, params);
}
