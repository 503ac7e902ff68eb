// Quorum arithmetic of the Raft core (etcd-raft's quorum/): which index a leader may commit, and
// how an election stands. Pure functions over the scheme's isQuorum; no server state.
import type { NodeId, NodeSet, Scheme } from "@adore/adore-core";

/** What quorum arithmetic needs of a scheme. */
export type QuorumScheme<C> = Pick<Scheme<C>, "mbrs" | "isQuorum">;

/**
 * The two-configuration rule (ADORE's push: isQuorum(Q, conf(C_M)), and Raft's quorum of the
 * configuration in force): the replicas `acked` commit an entry when, restricted to each
 * configuration's members, they are a quorum of the latest configuration and of `own`, the one the
 * entry was appended under. The two differ only below an uncommitted configuration entry.
 * Returns the quorum of `own` that commits it, or undefined.
 */
export function commitQuorum<C>(
  scheme: QuorumScheme<C>,
  acked: NodeSet,
  latest: C,
  own: C,
): NodeSet | undefined {
  const qLatest = acked & scheme.mbrs(latest);
  const qOwn = acked & scheme.mbrs(own);
  if (!scheme.isQuorum(qLatest, latest) || !scheme.isQuorum(qOwn, own)) return undefined;
  return qOwn;
}

export interface CommitInput<C> {
  /** Every replica whose match index the leader knows (the leader itself: what is durable). */
  readonly matches: readonly (readonly [NodeId, number])[];
  /** The commit index so far: only larger indices are considered. */
  readonly commit: number;
  /** The leader's term. */
  readonly term: number;
  /** The term of the entry at an index (undefined: not in the log). */
  readonly termAt: (index: number) => number | undefined;
  /** The configuration in force. */
  readonly latest: C;
  /** The configuration the entry at an index was appended under. */
  readonly configAt: (index: number) => C;
  /** Commit entries of older terms by counting replicas (a mutant: Raft §5.4.2 forbids it). */
  readonly countOldTerms: boolean;
}

export interface Committed {
  readonly index: number;
  /** The quorum of the entry's own configuration that commits it. */
  readonly quorum: NodeSet;
}

/**
 * The commit index (Raft §5.3, §5.4.2 with the two-configuration rule): the largest match index N
 * above `commit` such that term(N) is the leader's term and the replicas that match N satisfy
 * `commitQuorum` for the latest configuration and N's own. Undefined when the commit cannot advance.
 */
export function commitIndex<C>(scheme: QuorumScheme<C>, input: CommitInput<C>): Committed | undefined {
  const { matches, commit } = input;
  const candidates = [...new Set(matches.map(([, m]) => m))].filter((n) => n > commit).sort((a, b) => b - a);
  for (const n of candidates) {
    if (input.termAt(n) !== input.term && !input.countOldTerms) continue;
    let acked = 0;
    for (const [id, m] of matches) if (m >= n) acked |= 1 << id;
    const quorum = commitQuorum(scheme, acked, input.latest, input.configAt(n));
    if (quorum !== undefined) return { index: n, quorum };
  }
  return undefined;
}

/** How an election stands: won (a quorum granted), lost (a quorum refused) or still pending. */
export type VoteResult = "won" | "lost" | "pending";

/** The vote tally of a (pre-)candidate under configuration `config` (etcd's VoteResult). */
export function voteResult<C>(
  scheme: QuorumScheme<C>,
  config: C,
  granted: NodeSet,
  refused: NodeSet,
): VoteResult {
  if (scheme.isQuorum(granted, config)) return "won";
  if (scheme.isQuorum(refused, config)) return "lost";
  return "pending";
}
