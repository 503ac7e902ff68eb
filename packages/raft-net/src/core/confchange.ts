// The leader's guards on a configuration change (etcd-raft's confchange/): the paper's R1⁺, R2 and
// R3 (Fig. 7), the membership CAS, and the checks of the proposed membership itself. Each guard is
// a pure, named predicate returning the typed refusal, or undefined when it does not refuse;
// `reconfigRefusal` applies them in order, `acceptedStep` says what a refused change could go
// through instead.
import { has, type NodeId, type NodeSet, size } from "@adore/adore-core";
import type { Mutations, RaftOptions, RaftParams, SchemeAdapter } from "../options.js";
import type { RaftServer } from "../server.js";
import { NONE, type Membership, type Rejection, type Role } from "../types.js";
import { effectiveConfig } from "./config.js";
import type { Progress } from "./progress.js";

/** What the guards read of the leader. */
export interface ReconfigView<C> {
  readonly id: NodeId;
  readonly role: Role;
  readonly leader: NodeId;
  readonly term: number;
  readonly commit: number;
  /** Index of the leader's first entry of its term (its no-op). */
  readonly termStart: number;
  readonly transferee: NodeId;
  /** Index of the latest configuration entry in the log (committed or not). */
  readonly configIndex: number;
  /** The configuration the leader acts on. */
  readonly current: C;
  readonly progress: ReadonlyMap<NodeId, Progress>;
}

/** Only a leader reconfigures. */
export function notLeader(v: Pick<ReconfigView<unknown>, "role" | "leader">): Rejection | undefined {
  return v.role === "leader" ? undefined : { code: "NotLeader", leader: v.leader };
}

/** No change while leadership is being handed over. */
export function transferInProgress(v: Pick<ReconfigView<unknown>, "transferee">): Rejection | undefined {
  return v.transferee === NONE ? undefined : { code: "TransferInProgress", to: v.transferee };
}

/** The membership CAS: the caller's view of the configuration (`ifConfigIndex`) must be the latest. */
export function configIdMismatch(
  v: Pick<ReconfigView<unknown>, "configIndex">,
  ifConfigIndex: number | undefined,
): Rejection | undefined {
  if (ifConfigIndex === undefined || ifConfigIndex === v.configIndex) return undefined;
  return { code: "ConfigIdMismatch", expected: ifConfigIndex, actual: v.configIndex };
}

/** R2: no change while the latest configuration entry is uncommitted. */
export function violatesR2(v: Pick<ReconfigView<unknown>, "configIndex" | "commit">): Rejection | undefined {
  if (v.configIndex <= v.commit) return undefined;
  return { code: "R2", configIndex: v.configIndex, commitIndex: v.commit };
}

/** R3: no change before an entry of the leader's own term (its no-op) is committed. */
export function violatesR3(
  v: Pick<ReconfigView<unknown>, "term" | "termStart" | "commit">,
): Rejection | undefined {
  if (v.commit >= v.termStart) return undefined;
  return { code: "R3", term: v.term, termStart: v.termStart, commitIndex: v.commit };
}

/** R1⁺: the scheme must allow `proposed` after `current`; the refusal names a step it would allow. */
export function violatesR1plus<C>(adapter: SchemeAdapter<C>, current: C, proposed: C): Rejection | undefined {
  const sc = adapter.scheme;
  if (sc.R1plus(current, proposed)) return undefined;
  const via = acceptedStep(adapter, current, proposed);
  return {
    code: "R1plus",
    current: sc.print(current),
    proposed: sc.print(proposed),
    ...(via ? { accepts: { config: sc.print(via.config), kind: via.kind } } : {}),
  };
}

/** A configuration needs a member, and a learner cannot also be a voter. */
export function malformedMembership<C>(adapter: SchemeAdapter<C>, m: Membership<C>): Rejection | undefined {
  const mbrs = adapter.scheme.mbrs(m.config);
  if (mbrs === 0)
    return { code: "Malformed", field: "membership.config", detail: "a configuration needs a member" };
  if ((mbrs & m.learners) !== 0)
    return { code: "Malformed", field: "membership.learners", detail: "a learner cannot also be a voter" };
  return undefined;
}

/** The most up-to-date voter of `voterSet` that is also in `among` (NONE if there is none). */
export function bestVoterOf(
  progress: ReadonlyMap<NodeId, Progress>,
  voterSet: NodeSet,
  among: NodeSet,
): NodeId {
  let best = NONE;
  let bestMatch = -1;
  for (const [id, pr] of progress)
    if (has(voterSet, id) && has(among, id) && pr.match > bestMatch) {
      best = id;
      bestMatch = pr.match;
    }
  return best;
}

/**
 * leaderRemoval "transfer-first": a leader never appends a configuration without itself; it
 * refuses and names the voter it hands leadership to (the most up-to-date one of the new
 * configuration that is a voter now).
 */
export function removesLeader<C>(
  adapter: SchemeAdapter<C>,
  v: Pick<ReconfigView<C>, "id" | "current" | "progress">,
  m: Membership<C>,
  leaderRemoval: RaftOptions["leaderRemoval"],
): Rejection | undefined {
  const mbrs = adapter.scheme.mbrs(m.config);
  if (leaderRemoval !== "transfer-first" || has(mbrs, v.id)) return undefined;
  return { code: "RemovesLeader", transferTo: bestVoterOf(v.progress, adapter.scheme.mbrs(v.current), mbrs) };
}

/**
 * Every guard in the order the leader applies them; the first refusal wins. The `dropR1plus`,
 * `dropR2` and `dropR3` mutants skip their rule.
 */
export function refuseReconfig<C>(
  adapter: SchemeAdapter<C>,
  v: ReconfigView<C>,
  m: Membership<C>,
  ifConfigIndex: number | undefined,
  rules: { readonly mutations: Mutations; readonly leaderRemoval: RaftOptions["leaderRemoval"] },
): Rejection | undefined {
  const mut = rules.mutations;
  return (
    notLeader(v) ??
    transferInProgress(v) ??
    configIdMismatch(v, ifConfigIndex) ??
    (mut.dropR2 ? undefined : violatesR2(v)) ??
    (mut.dropR3 ? undefined : violatesR3(v)) ??
    (mut.dropR1plus ? undefined : violatesR1plus(adapter, v.current, m.config)) ??
    malformedMembership(adapter, m) ??
    removesLeader(adapter, v, m, rules.leaderRemoval)
  );
}

/** The guards' view of a server. */
export function reconfigView<C>(s: RaftServer<C>, p: RaftParams<C>): ReconfigView<C> {
  return {
    id: s.id,
    role: s.role,
    leader: s.leader,
    term: s.term,
    commit: s.commit,
    termStart: s.termStart,
    transferee: s.transferee,
    configIndex: s.config.index,
    current: effectiveConfig(s, p).membership.config,
    progress: s.progress,
  };
}

/**
 * Why the leader would refuse to reconfigure to `membership` now (R1⁺, R2, R3, the CAS, …), without
 * stepping: lets the application validate a whole request before it proposes any part of it.
 */
export function reconfigRefusal<C>(
  server: RaftServer<C>,
  membership: Membership<C>,
  ifConfigIndex: number | undefined,
  params: RaftParams<C>,
): Rejection | undefined {
  return refuseReconfig(
    params.adapter,
    reconfigView(server, params),
    membership,
    ifConfigIndex,
    params.options,
  );
}

// The form a scheme accepts on the way to a configuration that R1⁺ refuses after the current one:
// what a refusal suggests instead (raft-joint: {1,2,3,4} → {1,2,4} goes through the joint
// configuration ({1,2,3,4},{1,2,4}); raft-single: {1,2,3} → {1,2,3,4,5} one node at a time).

/** Largest member universe searched (validConfigs grows exponentially with it). */
const MAX_UNIVERSE = 6;

export interface AcceptedStep<C> {
  readonly config: C;
  /** finish: the leader turns `config` into the target once it commits; step: propose the target after it. */
  readonly kind: "finish" | "step";
}

/**
 * A configuration R1⁺ allows after `current` that leads to `target`: first one the adapter's
 * `finish` turns into `target`, else one after which R1⁺ allows `target`. Undefined when there is
 * none among the configurations over the nodes of both (or that universe is too large to search).
 */
export function acceptedStep<C>(
  adapter: SchemeAdapter<C>,
  current: C,
  target: C,
): AcceptedStep<C> | undefined {
  const sc = adapter.scheme;
  const universe = sc.mbrs(current) | sc.mbrs(target);
  if (size(universe) > MAX_UNIVERSE) return undefined;
  const allowed = sc
    .validConfigs(universe)
    .filter((d) => !sc.equals(d, current) && !sc.equals(d, target) && sc.R1plus(current, d));
  const finishing = allowed.find((d) => {
    const f = adapter.finish?.(d);
    return f !== undefined && sc.equals(f, target);
  });
  if (finishing !== undefined) return { config: finishing, kind: "finish" };
  const step = allowed.find((d) => sc.R1plus(d, target));
  return step === undefined ? undefined : { config: step, kind: "step" };
}
