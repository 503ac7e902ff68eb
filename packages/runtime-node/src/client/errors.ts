// Typed errors shared by the node and the client library.
import type { Rejection } from "@adore/raft-net";

export type AdoreErrorCode =
  /** This node is not the leader; `leader` names the one it knows of (retry there). */
  | "NotLeader"
  /** No answer in time: the operation may or may not have taken effect. */
  | "Timeout"
  /** No node could be reached, or the node is shutting down. */
  | "Unavailable"
  /** The Raft core refused the request; `rejection` says why (R1plus, R2, R3, ConfigIdMismatch, …). */
  | "Rejected"
  /** The request is malformed (bad op, key, value, …). */
  | "BadRequest"
  /** A write with an older (clientId, seq) than the session's last: it was not applied. */
  | "Stale"
  /** The scheme has no rule for this membership shortcut: give an explicit configuration. */
  | "Unsupported"
  /** member add/learner for a node that is already a voter or learner (change addresses with member-update). */
  | "AlreadyMember"
  /** member-update or member-remove for a node the cluster does not know. */
  | "NotMember"
  /** The addresses are those of another node of the directory. */
  | "AddressInUse"
  /** A new voter the leader has never heard from, or that is too far behind (force overrides). */
  | "NotCaughtUp"
  /** The node requires a client token and this connection did not present the right one. */
  | "Unauthenticated"
  | "Internal";

export interface LeaderHint {
  readonly id: number;
  /** The leader's client address, when the node knows it. */
  readonly clientAddr?: string;
}

/** The wire form of an error (what a response's `error` field carries). */
export interface WireError {
  readonly code: AdoreErrorCode;
  readonly message: string;
  readonly leader?: LeaderHint;
  readonly rejection?: Rejection;
}

const RETRYABLE: ReadonlySet<AdoreErrorCode> = new Set(["NotLeader", "Timeout", "Unavailable"]);
/** Core rejections that go away by themselves (a change in progress, a new leader's first commit). */
const TRANSIENT_REJECTIONS: ReadonlySet<string> = new Set([
  "R2",
  "R3",
  "TransferInProgress",
  "NotLeader",
  // the leader hands over and the new leader makes the change
  "RemovesLeader",
]);

export class AdoreError extends Error {
  override readonly name = "AdoreError";
  readonly code: AdoreErrorCode;
  readonly leader: LeaderHint | undefined;
  readonly rejection: Rejection | undefined;
  constructor(
    code: AdoreErrorCode,
    message: string,
    extra: { leader?: LeaderHint; rejection?: Rejection } = {},
  ) {
    super(`${code}: ${message}`);
    this.code = code;
    this.leader = extra.leader;
    this.rejection = extra.rejection;
  }
  /** May the same request be sent again (to the leader hint, or after a pause)? */
  get retryable(): boolean {
    return (
      RETRYABLE.has(this.code) ||
      (this.code === "Rejected" &&
        this.rejection !== undefined &&
        TRANSIENT_REJECTIONS.has(this.rejection.code))
    );
  }
  toWire(): WireError {
    return {
      code: this.code,
      message: this.message.slice(this.code.length + 2),
      ...(this.leader ? { leader: this.leader } : {}),
      ...(this.rejection ? { rejection: this.rejection } : {}),
    };
  }
  static fromWire(w: WireError): AdoreError {
    return new AdoreError(w.code, w.message, {
      ...(w.leader ? { leader: w.leader } : {}),
      ...(w.rejection ? { rejection: w.rejection } : {}),
    });
  }
}

/** A one-line explanation of a core rejection. */
export function describeRejection(r: Rejection): string {
  switch (r.code) {
    case "R1plus": {
      const base = `R1plus: the scheme does not allow configuration ${r.proposed} after ${r.current}`;
      const a = r.accepts;
      if (!a) return base;
      return a.kind === "finish"
        ? `${base}; it accepts ${a.config}, which the leader finishes as ${r.proposed} once committed: member set '${a.config}'`
        : `${base}; it accepts ${a.config} after it, then ${r.proposed}: member set '${a.config}' first`;
    }
    case "R2":
      return `R2: the configuration change at index ${r.configIndex} is not committed yet (commit ${r.commitIndex}); retry once it is`;
    case "R3":
      return `R3: the leader has not committed an entry of its term ${r.term} yet (term starts at ${r.termStart}, commit ${r.commitIndex})`;
    case "ConfigIdMismatch":
      return `ConfigIdMismatch: expected the configuration at index ${r.expected}, the current one is at ${r.actual}`;
    case "NotLeader":
      return `NotLeader: leader ${r.leader || "unknown"}`;
    case "NotVoter":
      return `NotVoter: node ${r.id} is not a voter`;
    case "TransferInProgress":
      return `TransferInProgress: leadership is being handed to node ${r.to}`;
    case "RemovesLeader":
      return `RemovesLeader: the leader does not commit a configuration without itself; it hands leadership to node ${r.transferTo || "(none available)"}, send the change there`;
    case "Malformed":
      return `Malformed: ${r.field}: ${r.detail}`;
    case "OutOfRange":
      return `OutOfRange: ${r.field} = ${r.value} (limit ${r.limit})`;
    default:
      return `${r.code}: ${JSON.stringify(r)}`;
  }
}

export function rejectionError(r: Rejection, leader?: LeaderHint): AdoreError {
  if (r.code === "NotLeader")
    return new AdoreError("NotLeader", describeRejection(r), leader ? { leader } : {});
  return new AdoreError("Rejected", describeRejection(r), { rejection: r });
}
