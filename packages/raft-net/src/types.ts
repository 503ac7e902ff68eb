import type { NodeId, NodeSet } from "@adore/adore-core";

/** 0 means "none" wherever a NodeId field may be empty (no vote, no known leader). */
export const NONE = 0;

/**
 * A Raft configuration entry's payload: the scheme's configuration (its voters are `mbrs(config)`)
 * plus non-voting learners, which receive the log but never vote or count toward a quorum.
 */
export interface Membership<C> {
  readonly config: C;
  readonly learners: NodeSet;
}

interface EntryBase {
  readonly index: number;
  /** The paper's time (Raft's term) of the leader that created the entry. */
  readonly term: number;
  /** The paper's versn: 1, 2, … within one term (the election itself is versn 0, Fig. 6). */
  readonly versn: number;
}

/** The empty entry every leader appends at the start of its term (so R3 can be met). */
export interface NoopEntry extends EntryBase {
  readonly kind: "noop";
}
/** A client command: an MCache in ADORE terms (Fig. 6). */
export interface CommandEntry extends EntryBase {
  readonly kind: "command";
  readonly command: string;
}
/** A configuration entry: an RCache in ADORE terms (Fig. 6); it takes effect when appended. */
export interface ConfigEntry<C> extends EntryBase {
  readonly kind: "config";
  readonly membership: Membership<C>;
}
export type Entry<C> = NoopEntry | CommandEntry | ConfigEntry<C>;

/** The durable (term, vote, commit) triple, etcd's HardState. */
export interface HardState {
  readonly term: number;
  readonly votedFor: NodeId;
  readonly commit: number;
}

/** A snapshot of the state machine up to `index`, with the membership in force at `index`. */
export interface Snapshot<C> {
  readonly index: number;
  readonly term: number;
  readonly membership: Membership<C>;
  /** Index of the configuration entry `membership` came from (0: the bootstrap configuration). */
  readonly configIndex: number;
  /** The application's serialized state (opaque to the core). */
  readonly data: string;
}

// ---------------------------------------------------------------------------------------------
// Messages (Fig. 13: election requests/acks = RequestVote(+Response), commit requests/acks =
// AppendEntries(+Response); InstallSnapshot and TimeoutNow are production extensions).

interface MsgBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}
/** An election request (Fig. 13). With `preVote`, `term` is the term the sender would campaign in. */
export interface RequestVote extends MsgBase {
  readonly type: "RequestVote";
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly preVote: boolean;
  /** Sent because the leader handed over (TimeoutNow): voters ignore their leader lease. */
  readonly transfer: boolean;
}
/** An election acknowledgement (Fig. 13); it reports the voter's last log position. */
export interface RequestVoteResponse extends MsgBase {
  readonly type: "RequestVoteResponse";
  readonly granted: boolean;
  readonly preVote: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}
/** A commit request (Fig. 13). Empty `entries` make a heartbeat. */
export interface AppendEntries<C> extends MsgBase {
  readonly type: "AppendEntries";
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry<C>[];
  readonly leaderCommit: number;
  /** The leader's ReadIndex round when it sent this; echoed in the response. */
  readonly readSeq: number;
}
/** A commit acknowledgement (Fig. 13). */
export interface AppendEntriesResponse extends MsgBase {
  readonly type: "AppendEntriesResponse";
  readonly success: boolean;
  /** On success: the index up to which the follower's log now matches the leader's. */
  readonly matchIndex: number;
  /** On rejection: the prevLogIndex that did not match. */
  readonly rejectIndex: number;
  /** Fast backoff on rejection: the conflicting term at rejectIndex (0: the log is too short) … */
  readonly hintTerm: number;
  /** … and the first index of that term in the follower's log (or its lastIndex + 1). */
  readonly hintIndex: number;
  readonly readSeq: number;
}
export interface InstallSnapshot<C> extends MsgBase {
  readonly type: "InstallSnapshot";
  readonly snapshot: Snapshot<C>;
  readonly readSeq: number;
}
/** Leader transfer: the recipient campaigns at once. */
export interface TimeoutNow extends MsgBase {
  readonly type: "TimeoutNow";
}
export type Message<C> =
  | RequestVote
  | RequestVoteResponse
  | AppendEntries<C>
  | AppendEntriesResponse
  | InstallSnapshot<C>
  | TimeoutNow;
export type MessageType = Message<unknown>["type"];

/**
 * Messages a leader sends as leader (its term and vote are durable since it won the election;
 * its own entries count only once `persisted`): they may leave before the output's `persist`
 * completes. Every other message must wait for it.
 */
export function mayPrecedePersist(m: Message<unknown>): boolean {
  return m.type === "AppendEntries" || m.type === "InstallSnapshot" || m.type === "TimeoutNow";
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** The durable state a server restarts from. */
export interface DurableState<C> {
  readonly hardState: HardState;
  readonly snapshot: Snapshot<C>;
  /** Entries after `snapshot.index`, consecutive. */
  readonly entries: readonly Entry<C>[];
}

export type Input<C> =
  /** One logical clock tick (election and heartbeat timers count ticks). */
  | { readonly type: "tick" }
  | { readonly type: "receive"; readonly msg: Message<C> }
  /** Client commands (one or a batch); only a leader accepts them. */
  | { readonly type: "propose"; readonly commands: readonly string[]; readonly requestId?: number }
  /**
   * A membership change. With `ifConfigIndex` it is a compare-and-set: refused unless the current
   * configuration entry is at that index (0: the bootstrap configuration).
   */
  | {
      readonly type: "reconfigure";
      readonly membership: Membership<C>;
      readonly ifConfigIndex?: number;
      readonly requestId?: number;
    }
  /** Entries up to `index` (whose term is `term`) are durable. */
  | { readonly type: "persisted"; readonly index: number; readonly term: number }
  /** A crash and restart: volatile state is lost, the server rebuilds from `durable`. */
  | { readonly type: "restart"; readonly durable: DurableState<C>; readonly seed?: number }
  /** Start an election now (etcd's MsgHup); `elect` of Fig. 13. */
  | { readonly type: "campaign" }
  /** A leader sends AppendEntries to every follower now (etcd's MsgBeat); `commit` of Fig. 13. */
  | { readonly type: "heartbeat" }
  /** A linearizable read (ReadIndex): replied with `readReady` once the index is confirmed. */
  | { readonly type: "read"; readonly requestId: number }
  | { readonly type: "transferLeadership"; readonly to: NodeId }
  /** The application captured its state up to `index` (≤ applied) in `data`: compact the log. */
  | { readonly type: "snapshot"; readonly index: number; readonly data: string };
export type InputType = Input<unknown>["type"];

// ---------------------------------------------------------------------------------------------
// Outputs

/** Writes to durable storage, in this order: snapshot, then entries, then hard state. */
export interface PersistOps<C> {
  /** Install this snapshot: drop entries ≤ its index (all entries if the log disagrees at its index). */
  readonly snapshot?: Snapshot<C>;
  /** Replace every entry with index ≥ entries[0].index (or ≥ truncateFrom) with these. */
  readonly entries?: { readonly from: number; readonly entries: readonly Entry<C>[] };
  readonly hardState?: HardState;
}

/** Asynchronous completions addressed to callers. */
export type Reply =
  | {
      readonly type: "proposed";
      readonly requestId: number | undefined;
      readonly term: number;
      readonly firstIndex: number;
      readonly lastIndex: number;
    }
  | {
      readonly type: "reconfigProposed";
      readonly requestId: number | undefined;
      readonly term: number;
      readonly index: number;
    }
  | { readonly type: "reconfigFailed"; readonly requestId: number | undefined; readonly reason: Rejection }
  | { readonly type: "readReady"; readonly requestId: number; readonly index: number }
  | { readonly type: "readFailed"; readonly requestId: number; readonly reason: Rejection };

export type Role = "follower" | "preCandidate" | "candidate" | "leader";

/** Every observable state transition (for logs, tests and the refinement to ADORE). */
export type RaftEvent<C> =
  | { readonly type: "becameFollower"; readonly term: number; readonly leader: NodeId }
  | { readonly type: "becamePreCandidate"; readonly term: number }
  | { readonly type: "becameCandidate"; readonly term: number }
  /** ADORE pull: elected in `term` by `voters` (the granted votes) under `config`. */
  | {
      readonly type: "becameLeader";
      readonly term: number;
      readonly voters: NodeSet;
      readonly configIndex: number;
    }
  | { readonly type: "voted"; readonly term: number; readonly for: NodeId; readonly preVote: boolean }
  /** ADORE invoke/reconfig: the leader appended entries. */
  | {
      readonly type: "appended";
      readonly term: number;
      readonly firstIndex: number;
      readonly lastIndex: number;
    }
  /** A configuration entry entered the log (it takes effect now, committed or not). */
  | {
      readonly type: "configAppended";
      readonly index: number;
      readonly term: number;
      readonly membership: Membership<C>;
    }
  /** A follower removed conflicting entries from `from` on (they were never committed). */
  | { readonly type: "truncated"; readonly from: number; readonly removed: number }
  /** ADORE push: commit index advanced; on a leader `quorum` is the set that matched. */
  | {
      readonly type: "commitAdvanced";
      readonly from: number;
      readonly to: number;
      readonly term: number;
      readonly quorum?: NodeSet;
    }
  | {
      readonly type: "steppedDown";
      readonly term: number;
      readonly reason: "checkQuorum" | "removed" | "transfer" | "higherTerm";
    }
  | { readonly type: "transferStarted"; readonly to: NodeId }
  | { readonly type: "transferAborted"; readonly to: NodeId }
  | { readonly type: "snapshotInstalled"; readonly index: number; readonly term: number }
  | { readonly type: "compacted"; readonly index: number }
  /** The log since the last snapshot exceeds `snapshotThreshold`: the application should snapshot. */
  | { readonly type: "snapshotWanted"; readonly applied: number }
  /** A caught-up learner is proposed as a voter (auto-promotion). */
  | { readonly type: "promoting"; readonly learner: NodeId }
  | {
      readonly type: "restarted";
      readonly term: number;
      readonly commit: number;
      readonly lastIndex: number;
    };

/** What one input produced (etcd's Ready): process in order persist → messages → apply → replies. */
export interface Outputs<C> {
  readonly messages: readonly Message<C>[];
  readonly persist: PersistOps<C> | undefined;
  /** Committed entries to apply, in index order. */
  readonly committed: readonly Entry<C>[];
  /** The application must replace its state with this snapshot before applying `committed`. */
  readonly restore: Snapshot<C> | undefined;
  readonly replies: readonly Reply[];
  readonly events: readonly RaftEvent<C>[];
}

// ---------------------------------------------------------------------------------------------
// Rejections: why an input (or a message's content) was refused. A refused input leaves the
// state unchanged, with two exceptions: a message from a newer term still moves the receiver to
// that term (a leader steps down) before its stale content is refused, and a change refused with
// RemovesLeader starts the leadership transfer it names.

export type Rejection =
  /** A field is not well formed (wire data, or a caller's bad argument). */
  | { readonly code: "Malformed"; readonly field: string; readonly detail: string }
  | { readonly code: "WrongRecipient"; readonly to: NodeId }
  /** A message from an older term (a response carrying our term may still be sent). */
  | { readonly code: "StaleTerm"; readonly msgTerm: number; readonly term: number }
  /** The sender is not a member of the receiver's configuration for this kind of message. */
  | { readonly code: "NotMember"; readonly from: NodeId }
  /** A vote request while the receiver still hears from a leader (check-quorum lease). */
  | { readonly code: "InLease"; readonly leader: NodeId }
  /** A response or request that no longer applies (old round, other role): SRaft drops these. */
  | { readonly code: "Stale"; readonly detail: string }
  | { readonly code: "NotLeader"; readonly leader: NodeId }
  | { readonly code: "NotVoter"; readonly id: NodeId }
  | { readonly code: "TransferInProgress"; readonly to: NodeId }
  /**
   * R1⁺ (Fig. 7): the scheme does not allow this configuration after the current one. `accepts`
   * names a configuration it does allow now on the way to `proposed` (see core/confchange.ts, acceptedStep):
   * "finish" — an intermediate form the leader finishes into `proposed` by itself once committed
   * (raft-joint's joint configuration); "step" — a first step, `proposed` is proposed after it.
   */
  | {
      readonly code: "R1plus";
      readonly current: string;
      readonly proposed: string;
      readonly accepts?: { readonly config: string; readonly kind: "finish" | "step" };
    }
  /** R2: an uncommitted configuration entry exists (a change is in progress). */
  | { readonly code: "R2"; readonly configIndex: number; readonly commitIndex: number }
  /** R3: nothing of the leader's own term is committed yet. */
  | { readonly code: "R3"; readonly term: number; readonly termStart: number; readonly commitIndex: number }
  /**
   * The change would leave the leader out of the configuration (leaderRemoval "transfer-first"):
   * leadership is being handed to `transferTo` (NONE if no voter of the new configuration can
   * take it); send the change to the new leader.
   */
  | { readonly code: "RemovesLeader"; readonly transferTo: NodeId }
  /** Membership CAS: the current configuration is not the expected one. */
  | { readonly code: "ConfigIdMismatch"; readonly expected: number; readonly actual: number }
  | { readonly code: "OutOfRange"; readonly field: string; readonly value: number; readonly limit: number }
  /**
   * Safety alarms: a correct protocol never produces these inputs. A leader asked this follower to
   * overwrite a committed entry, or a second leader appeared in this leader's term.
   */
  | { readonly code: "ConflictWithCommitted"; readonly index: number; readonly commitIndex: number }
  | { readonly code: "DuplicateLeader"; readonly term: number; readonly other: NodeId };
export type RejectionCode = Rejection["code"];
