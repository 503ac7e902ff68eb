// The client protocol: codec-encoded values in length-prefixed frames on the client port.
//   request  {id, op, clientId?, seq?, …op fields}
//   response {id, ok: true, result} | {id, ok: false, error: WireError}
import type { Role } from "@adore/raft-net";
import type { WireError } from "./errors.js";

export const CLIENT_PROTOCOL_VERSION = 1;
/** Largest client frame (a value is at most 1 MiB by default; range results can be bigger). */
export const CLIENT_MAX_FRAME = 32 * 1024 * 1024;

export type ClientOp =
  | "get"
  | "put"
  | "del"
  | "cas"
  | "range"
  | "status"
  | "member-list"
  | "member-add"
  | "member-remove"
  | "member-promote"
  | "member-learner"
  | "member-set"
  | "member-update"
  | "transfer";

export const CLIENT_OPS: ReadonlySet<string> = new Set<ClientOp>([
  "get",
  "put",
  "del",
  "cas",
  "range",
  "status",
  "member-list",
  "member-add",
  "member-remove",
  "member-promote",
  "member-learner",
  "member-set",
  "member-update",
  "transfer",
]);

/** Ops that change the key-value state: they carry a session (clientId, seq). */
export const WRITE_OPS: ReadonlySet<string> = new Set(["put", "del", "cas", "range"]);

export interface ClientRequest {
  readonly id: number;
  readonly op: ClientOp;
  readonly clientId?: string;
  readonly seq?: number;
  readonly key?: string;
  readonly value?: string;
  readonly expected?: string | null;
  readonly prefix?: string;
  readonly limit?: number;
  /** Membership ops: the node concerned, its addresses, a CAS on the configuration index. */
  readonly node?: number;
  readonly peerAddr?: string;
  readonly clientAddr?: string;
  readonly ifConfigIndex?: number;
  /** member-set: the configuration in the scheme's syntax, and the learners. */
  readonly config?: string;
  readonly learners?: readonly number[];
  /** member-add, member-promote, member-set: add voters the leader has not seen catch up (NotCaughtUp). */
  readonly force?: boolean;
}

export type ClientResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

// -------------------------------------------------------------------------------------------------
// results (what `result` carries, per op)

/** Where a node listens: "host:port" for the peer protocol and for clients. */
export interface PeerAddress {
  readonly peerAddr: string;
  readonly clientAddr: string;
}

export type DirectoryEntry = { readonly id: number } & PeerAddress;

/** The configuration in force as one node sees it. */
export interface ConfigSummary {
  readonly scheme: string;
  /** The configuration in the scheme's printed syntax. */
  readonly text: string;
  readonly voters: number[];
  readonly learners: number[];
  /** Log index of the configuration entry. */
  readonly index: number;
  readonly committed: boolean;
}

export interface PeerProgressStatus {
  readonly id: number;
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly lag: number;
}

/** `status`. */
export interface NodeStatus {
  readonly id: number;
  readonly clusterId: string;
  readonly role: Role;
  readonly term: number;
  readonly leader: number;
  readonly leaderClientAddr: string | undefined;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly config: ConfigSummary;
  /** Leader only: replication progress of every other member. */
  readonly peers: PeerProgressStatus[];
  readonly directory: DirectoryEntry[];
}

/** `member-list`. */
export interface MemberList {
  readonly config: ConfigSummary;
  readonly directory: DirectoryEntry[];
  readonly leader: number;
}

/**
 * How many voters may fail with a quorum left, from the scheme's isQuorum (not assuming
 * majorities). `null` when the configuration has too many voters to enumerate.
 */
export interface FaultTolerance {
  readonly before: number | null;
  readonly after: number | null;
}

/** `member-add`, `member-learner`, `member-promote`, `member-remove`, `member-set`: a committed change. */
export interface MemberChangeResult {
  /** Log index and term of the configuration entry. */
  readonly index: number;
  readonly term: number;
  /** The configuration in force on the leader once the entry is committed. */
  readonly config: ConfigSummary;
  readonly faultTolerance: FaultTolerance;
  /** What the change costs (fewer failures tolerated, voters added with --force, …). */
  readonly warnings: readonly string[];
}

/** `member-update`: the node's addresses as published through the log. */
export interface MemberUpdateResult {
  readonly id: number;
  readonly peerAddr: string;
  readonly clientAddr: string;
  /** Log index of the published entry. */
  readonly index: number;
  readonly previous: PeerAddress | undefined;
}
