// What the client port needs of a replica: the operations `dispatch` runs for client requests.
// RaftNode implements it; ClientServer depends on this interface only, not on the node.

import type { NodeId } from "@adore/adore-core";
import type { MemberChangeResult, MemberUpdateResult, NodeStatus, PeerAddress } from "../client/protocol.js";
import type { KvRequest, KvResult } from "../kv/kv.js";

export interface MembershipOptions {
  /** Compare-and-set: refuse unless the current configuration entry is at this index. */
  readonly ifConfigIndex?: number;
  /** Add voters the leader has not seen catch up (refused with NotCaughtUp otherwise). */
  readonly force?: boolean;
}

/** The replica operations behind the client protocol; each fails with an AdoreError. */
export interface ClientBackend {
  /** The leader this replica knows of (0: none). */
  readonly leaderId: NodeId;
  /** Proposes a key-value request through the log; resolves with its result once applied. */
  write(req: KvRequest): Promise<KvResult>;
  /** A linearizable read of one key. */
  get(key: string): Promise<string | null>;
  status(): NodeStatus;
  addMember(id: NodeId, addr?: PeerAddress, o?: MembershipOptions): Promise<MemberChangeResult>;
  addLearner(id: NodeId, addr?: PeerAddress, o?: MembershipOptions): Promise<MemberChangeResult>;
  promote(id: NodeId, o?: MembershipOptions): Promise<MemberChangeResult>;
  removeMember(id: NodeId, o?: MembershipOptions): Promise<MemberChangeResult>;
  /** Any configuration, in the scheme's syntax. */
  setConfig(
    text: string,
    o?: MembershipOptions & { readonly learners?: readonly NodeId[] },
  ): Promise<MemberChangeResult>;
  updateMember(id: NodeId, addr: PeerAddress): Promise<MemberUpdateResult>;
  /** Hands leadership to `to`; resolves once this replica has stepped down. */
  transferLeadership(to: NodeId): Promise<void>;
}
