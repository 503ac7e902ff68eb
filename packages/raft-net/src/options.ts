import type { NodeId, Scheme } from "@adore/adore-core";
import type { MembershipOps } from "@adore/schemes";
import { adapterFor } from "./adapters.js";
import type { RequestVote } from "./types.js";

/**
 * Deliberate bugs for mutation testing (all off by default). The simulator must catch each of the
 * first three on some seed it finds by itself (test/mutants.test.ts).
 */
export interface Mutations {
  /** Voters grant votes without Raft's up-to-date log check (§5.4.1). */
  readonly skipUpToDateCheck?: boolean;
  /** A leader commits entries of earlier terms by counting replicas (Raft's Fig. 8 bug). */
  readonly commitOldTermByCounting?: boolean;
  /** A leader reconfigures before anything of its own term is committed (Fig. 4 / R3 dropped). */
  readonly dropR3?: boolean;
  /** A leader reconfigures while an uncommitted configuration entry exists (R2 dropped). */
  readonly dropR2?: boolean;
  /** A leader accepts any configuration, ignoring the scheme's R1⁺ (Fig. 7). */
  readonly dropR1plus?: boolean;
  /** A voter grants a second vote in a term it already voted in. */
  readonly doubleVote?: boolean;
  /** A configuration takes effect only once committed, while the R2/R3 guards stay as they are. */
  readonly configAtCommit?: boolean;
  /** A follower accepts an AppendEntries from an older term. */
  readonly staleAppend?: boolean;
}
export type MutationName = keyof Mutations;
export const MUTATION_NAMES: readonly MutationName[] = [
  "skipUpToDateCheck",
  "commitOldTermByCounting",
  "dropR3",
  "dropR2",
  "dropR1plus",
  "doubleVote",
  "configAtCommit",
  "staleAppend",
];

/** Tunables; each feature that etcd/openraft make optional is optional here too. */
export interface RaftOptions {
  /** Ticks without a leader before a follower campaigns (randomized in [electionTick, 2·electionTick)). */
  readonly electionTick: number;
  /** Ticks between a leader's heartbeats. */
  readonly heartbeatTick: number;
  /** Pre-vote (Raft thesis §9.6): a pre-election that does not bump terms. */
  readonly preVote: boolean;
  /**
   * Check-quorum: a leader steps down if a quorum was not heard from within an election timeout,
   * and voters ignore vote requests while they hear from a leader (leader lease).
   */
  readonly checkQuorum: boolean;
  /** Most entries in one AppendEntries (batching). */
  readonly maxEntriesPerMessage: number;
  /** Most unacknowledged AppendEntries per follower in the replicate state (pipelining). */
  readonly maxInflight: number;
  /**
   * How a leader leaves the configuration. "transfer-first" (default): it never appends or
   * completes a configuration without itself; asked to, it hands leadership to the most
   * up-to-date voter of the new configuration (TimeoutNow) and refuses with `RemovesLeader`, and
   * the new leader makes the change — so a leader always belongs to the configuration it commits
   * under, as ADORE's push requires (docs: packages/refinement/docs/elections.md).
   * "step-down-after-commit": etcd's and the Raft thesis's way — the leader appends the change,
   * commits it without counting itself, then steps down.
   */
  readonly leaderRemoval: "transfer-first" | "step-down-after-commit";
  /** step-down-after-commit: the leader hands leadership to the most up-to-date voter (TimeoutNow) as it steps down. */
  readonly stepDownOnRemoval: boolean;
  /** A learner counts as caught up when its log is within this many entries of the leader's. */
  readonly catchUpLag: number;
  /** Promote caught-up learners to voters automatically (needs the scheme adapter's `addVoter`). */
  readonly autoPromoteLearners: boolean;
  /** Emit `snapshotWanted` once this many applied entries are not yet in a snapshot (0: never). */
  readonly snapshotThreshold: number;
  readonly mutations: Mutations;
}

export const DEFAULT_OPTIONS: RaftOptions = {
  electionTick: 10,
  heartbeatTick: 1,
  preVote: false,
  checkQuorum: false,
  maxEntriesPerMessage: 64,
  maxInflight: 64,
  leaderRemoval: "transfer-first",
  stepDownOnRemoval: true,
  catchUpLag: 0,
  autoPromoteLearners: false,
  snapshotThreshold: 0,
  mutations: {},
};

/**
 * The voter-side election rule. Raft's is the up-to-date check of §5.4.1; a Viewstamped-
 * Replication-style rule (voters report their state, the candidate adopts the most recent) would
 * plug in here together with the `lastLogIndex/lastLogTerm` the vote responses already carry.
 */
export interface ElectionRule {
  readonly name: string;
  /** May a voter whose log ends at (lastTerm, lastIndex) vote for this candidate? */
  grant(req: RequestVote, voterLastTerm: number, voterLastIndex: number): boolean;
}

export const RAFT_ELECTION: ElectionRule = {
  name: "raft",
  grant: (req, lastTerm, lastIndex) =>
    req.lastLogTerm > lastTerm || (req.lastLogTerm === lastTerm && req.lastLogIndex >= lastIndex),
};

/**
 * What raft-net needs beyond the paper's Scheme (Fig. 7): scheme-driven follow-up steps, from the
 * scheme's membership helpers (@adore/schemes) unless the caller overrides them.
 * `finish` maps a committed configuration to the one a leader must append next (joint consensus:
 * (old, new) ↦ (new, ⊥)); `addVoter` turns a learner into a voter (for auto-promotion).
 */
export interface SchemeAdapter<C> {
  readonly scheme: Scheme<C>;
  /** The scheme's membership helpers, with their typed refusals (absent for an unregistered scheme). */
  readonly membership?: MembershipOps<C>;
  /** Why a value from the wire is not a configuration of the scheme (undefined: it is one). */
  validConfig?(c: unknown): string | undefined;
  finish?(committed: C): C | undefined;
  addVoter?(cf: C, id: NodeId): C | undefined;
}

/** Everything a server needs besides its state: shared by all servers of a cluster. */
export interface RaftParams<C> {
  readonly adapter: SchemeAdapter<C>;
  readonly options: RaftOptions;
  readonly election: ElectionRule;
}

export interface RaftParamsInit<C> {
  readonly scheme: Scheme<C>;
  readonly finish?: (committed: C) => C | undefined;
  readonly addVoter?: (cf: C, id: NodeId) => C | undefined;
  readonly options?: Partial<RaftOptions>;
  readonly election?: ElectionRule;
}

export class OptionsError extends RangeError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly why: string,
  ) {
    super(`raft option ${option} = ${JSON.stringify(value)}: ${why}`);
    this.name = "OptionsError";
  }
}

/** Builds params; returns a typed error (not a throw) for invalid options. */
export function makeParams<C>(init: RaftParamsInit<C>): RaftParams<C> | OptionsError {
  const options: RaftOptions = { ...DEFAULT_OPTIONS, ...init.options };
  const posInt = (name: keyof RaftOptions, min: number): OptionsError | undefined => {
    const v = options[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min)
      return new OptionsError(name, v, `must be an integer ≥ ${min}`);
    return undefined;
  };
  const bad =
    posInt("electionTick", 1) ??
    posInt("heartbeatTick", 1) ??
    posInt("maxEntriesPerMessage", 1) ??
    posInt("maxInflight", 1) ??
    posInt("catchUpLag", 0) ??
    posInt("snapshotThreshold", 0);
  if (bad) return bad;
  if (options.leaderRemoval !== "transfer-first" && options.leaderRemoval !== "step-down-after-commit")
    return new OptionsError(
      "leaderRemoval",
      options.leaderRemoval,
      'must be "transfer-first" or "step-down-after-commit"',
    );
  if (options.heartbeatTick >= options.electionTick)
    return new OptionsError("heartbeatTick", options.heartbeatTick, "must be below electionTick");
  // the scheme's own follow-ups (joint completion, learner promotion) unless the caller overrides them
  const known = adapterFor(init.scheme);
  const finish = init.finish ?? known.finish;
  const addVoter = init.addVoter ?? known.addVoter;
  const adapter: SchemeAdapter<C> = {
    scheme: init.scheme,
    ...(known.membership ? { membership: known.membership } : {}),
    ...(finish ? { finish } : {}),
    ...(addVoter ? { addVoter } : {}),
    ...(known.validConfig ? { validConfig: known.validConfig } : {}),
  };
  return { adapter, options, election: init.election ?? RAFT_ELECTION };
}

/** makeParams for known-good options (tests, tools): throws OptionsError on a bad option. */
export function params<C>(init: RaftParamsInit<C>): RaftParams<C> {
  const p = makeParams(init);
  if (p instanceof OptionsError) throw p;
  return p;
}
