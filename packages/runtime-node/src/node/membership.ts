// Membership requests at the leader: validation as a whole, fault-tolerance warnings. The
// configuration arithmetic (add/remove a voter) is the scheme's own (@adore/schemes membership
// helpers, through the scheme adapter); this module adds the runtime's policy around it.
import { has, type NodeId, type NodeSet, type Scheme, members as setMembers, size } from "@adore/adore-core";
import type { Membership, SchemeAdapter } from "@adore/raft-net";
import type { MembershipChange, MembershipOp } from "@adore/schemes";
import { AdoreError } from "../client/errors.js";
import type { PeerAddress } from "../client/protocol.js";

/** The scheme's add- or remove-voter change of `cf`, or why there is none. */
function voterChange<C>(adapter: SchemeAdapter<C>, op: MembershipOp, cf: C, id: NodeId): MembershipChange<C> {
  const ops = adapter.membership;
  if (ops === undefined)
    return {
      kind: "refused",
      op,
      code: "Unsupported",
      why: `scheme ${adapter.scheme.name} has no membership helpers`,
    };
  return op === "addVoter" ? ops.addVoter(cf, id) : ops.removeVoter(cf, id);
}

/** Unsupported, with the scheme's reason, for a change its membership helpers refuse. */
function refusedChange<C>(
  sc: Scheme<C>,
  cf: C,
  r: Extract<MembershipChange<C>, { kind: "refused" }>,
): AdoreError {
  const what = r.op === "addVoter" ? "add-voter" : "remove-voter";
  return new AdoreError(
    "Unsupported",
    `scheme ${sc.name} has no ${what} rule for ${sc.print(cf)} (${r.why}); give an explicit configuration (member set)`,
  );
}

// -------------------------------------------------------------------------------------------------
// Validating a membership request as a whole, from the leader's knowledge (its configuration, its
// peer directory, its replication progress), before any part of it is proposed. Pure: the leader
// passes a snapshot of what it knows and gets back either a refusal or what to propose.

/**
 * A new voter must be within this many entries of the leader's log (unless forced) — the same
 * default as `--auto-promote`'s catch-up lag; a larger `catchUpLag` raises it.
 */
export const DEFAULT_MAX_VOTER_LAG = 64;

/** Largest number of voters whose failure sets faultTolerance enumerates (2^n subsets). */
const MAX_TOLERANCE_VOTERS = 16;

/** What the leader knows when it validates a request. */
export interface LeaderKnowledge<C> {
  readonly adapter: SchemeAdapter<C>;
  readonly membership: Membership<C>;
  readonly directory: ReadonlyMap<NodeId, PeerAddress>;
  /** Replication progress the leader holds (only that of current members counts). */
  readonly progress: ReadonlyMap<NodeId, { readonly match: number }>;
  readonly leader: NodeId;
  readonly lastIndex: number;
  /** NotCaughtUp beyond this lag (DEFAULT_MAX_VOTER_LAG). */
  readonly maxLag: number;
}

/** What to propose, in order: the addresses (a `@peer` log command), then the configuration. */
export interface MembershipPlan<C> {
  readonly publish?: { readonly id: NodeId } & PeerAddress;
  readonly membership: Membership<C>;
  readonly warnings: readonly string[];
}

export type Planned<C> = MembershipPlan<C> | AdoreError;

const setText = (s: NodeSet) => `{${setMembers(s).join(",")}}`;
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

/**
 * How many voters of `config` may fail (beyond the `down` ones, counted as failed already) with a
 * quorum of the scheme left: one less than the smallest set whose failure leaves no quorum
 * (-1: no quorum even now). Undefined when there are too many voters to enumerate.
 */
export function faultTolerance<C>(scheme: Scheme<C>, config: C, down: NodeSet = 0): number | undefined {
  const mbrs = scheme.mbrs(config);
  const alive = mbrs & ~down;
  const ids = setMembers(alive);
  if (ids.length > MAX_TOLERANCE_VOTERS) return undefined;
  if (!scheme.isQuorum(alive, config)) return -1;
  let best = ids.length;
  for (let mask = 1; mask < 1 << ids.length; mask++) {
    let failed = 0;
    let k = 0;
    for (let i = 0; i < ids.length; i++)
      if (mask & (1 << i)) {
        failed |= 1 << ids[i]!;
        k++;
      }
    if (k < best && !scheme.isQuorum(alive & ~failed, config)) best = k;
  }
  return best - 1;
}

/** The warnings a change from `before` to `after` deserves, with the tolerances they compare. */
export function toleranceWarnings<C>(
  scheme: Scheme<C>,
  before: C,
  after: C,
  down: NodeSet = 0,
): { readonly before: number | null; readonly after: number | null; readonly warnings: string[] } {
  const fb = faultTolerance(scheme, before);
  const fa = faultTolerance(scheme, after);
  const warnings: string[] = [];
  const nb = size(scheme.mbrs(before));
  const na = size(scheme.mbrs(after));
  const failures = (f: number) => (f < 0 ? "no failure (no quorum)" : plural(f, "failure"));
  if (fb !== undefined && fa !== undefined) {
    if (fa < fb)
      warnings.push(
        `warning: ${plural(na, "voter")} tolerate ${failures(fa)}, ${nb} tolerated ${failures(fb)}: one failure fewer now loses the quorum`,
      );
    else if (fa === fb && na > nb)
      warnings.push(
        `warning: ${plural(na, "voter")} tolerate ${failures(fa)}, as ${nb} did; the quorums grew without tolerating more failures`,
      );
  }
  const silent = down & scheme.mbrs(after);
  if (silent !== 0) {
    const fd = faultTolerance(scheme, after, silent);
    if (fd !== undefined)
      warnings.push(
        `warning: the leader has not heard from voter(s) ${setText(silent)}; counting them as failed the cluster tolerates ${failures(fd)}`,
      );
  }
  return { before: fb ?? null, after: fa ?? null, warnings };
}

/** The other node whose peer or client address `addr` repeats, if any. */
function addressOwner(k: LeaderKnowledge<unknown>, id: NodeId, addr: PeerAddress): AdoreError | undefined {
  for (const [other, a] of k.directory) {
    if (other === id) continue;
    const clash = [addr.peerAddr, addr.clientAddr].find((x) => x === a.peerAddr || x === a.clientAddr);
    if (clash)
      return new AdoreError(
        "AddressInUse",
        `node ${other} already uses ${clash} (peer ${a.peerAddr}, client ${a.clientAddr})`,
      );
  }
  if (addr.peerAddr === addr.clientAddr)
    return new AdoreError("AddressInUse", `the peer and client addresses are the same (${addr.peerAddr})`);
  return undefined;
}

const sameAddress = (a: PeerAddress | undefined, b: PeerAddress) =>
  a !== undefined && a.peerAddr === b.peerAddr && a.clientAddr === b.clientAddr;

/**
 * The leader's replication progress of a current member (voter or learner). A node outside the
 * membership has none that counts: the leader keeps its last progress after removing it but no
 * longer replicates to it, so that match is stale.
 */
function progressOf(k: LeaderKnowledge<unknown>, id: NodeId): { readonly match: number } | undefined {
  const m = k.membership;
  return has(k.adapter.scheme.mbrs(m.config) | m.learners, id) ? k.progress.get(id) : undefined;
}

/** Nodes of `voters` the leader has never heard from (no progress, or nothing acknowledged). */
function unheard(k: LeaderKnowledge<unknown>, voters: NodeSet): NodeSet {
  let out = 0;
  for (const id of setMembers(voters)) {
    if (id === k.leader) continue;
    const pr = progressOf(k, id);
    if (pr === undefined || pr.match === 0) out |= 1 << id;
  }
  return out;
}

/** NotCaughtUp naming every one of `added` that is unheard of or lags more than maxLag (undefined: all fine). */
function catchUpRefusal(k: LeaderKnowledge<unknown>, added: NodeSet): AdoreError | undefined {
  const problems: string[] = [];
  let first: NodeId | undefined;
  for (const id of setMembers(added)) {
    const match = progressOf(k, id)?.match ?? 0;
    const lag = k.lastIndex - match;
    if (match === 0) problems.push(`the leader has never heard from node ${id} (match ${match}, lag ${lag})`);
    else if (lag > k.maxLag)
      problems.push(`node ${id} is far behind (match ${match}, lag ${lag} > ${k.maxLag} entries)`);
    else continue;
    first ??= id;
  }
  if (first === undefined) return undefined;
  const advice = has(k.membership.learners, first)
    ? `Node ${first} is a learner: let it catch up, then promote it (member promote ${first}, or start the nodes with --auto-promote)`
    : `Add node ${first} as a learner first (member learner ${first} --peer … --client …), let it catch up, then promote it (member promote ${first}, or start the nodes with --auto-promote)`;
  return new AdoreError(
    "NotCaughtUp",
    `${problems.join("; ")}; a voter that cannot answer only makes quorums harder to reach. ${advice}; --force adds it anyway`,
  );
}

/** Addresses given with add/learner: only for a node that is not a member yet. */
function publishFor(
  k: LeaderKnowledge<unknown>,
  id: NodeId,
  addr: PeerAddress | undefined,
): { readonly publish?: { readonly id: NodeId } & PeerAddress } | AdoreError {
  const known = k.directory.get(id);
  if (addr === undefined) {
    if (known === undefined)
      return new AdoreError(
        "BadRequest",
        `node ${id} is not in the peer directory: give its addresses (--peer and --client)`,
      );
    return {};
  }
  if (sameAddress(known, addr)) return {};
  const taken = addressOwner(k, id, addr);
  if (taken) return taken;
  return { publish: { id, ...addr } };
}

function alreadyMember(k: LeaderKnowledge<unknown>, id: NodeId, addr: PeerAddress | undefined): AdoreError {
  const role = has(k.adapter.scheme.mbrs(k.membership.config), id) ? "voter" : "learner";
  const at = k.directory.get(id);
  const moved = addr !== undefined && !sameAddress(at, addr);
  return new AdoreError(
    "AlreadyMember",
    `node ${id} is already a ${role}${at ? ` (peer ${at.peerAddr}, client ${at.clientAddr})` : ""}` +
      (moved ? "; to change its addresses use member update" : ""),
  );
}

/** `member learner`: a node that is neither voter nor learner, at addresses no other node uses. */
export function planAddLearner<C>(k: LeaderKnowledge<C>, id: NodeId, addr?: PeerAddress): Planned<C> {
  const m = k.membership;
  if (has(k.adapter.scheme.mbrs(m.config) | m.learners, id)) return alreadyMember(k, id, addr);
  const pub = publishFor(k, id, addr);
  if (pub instanceof AdoreError) return pub;
  return { ...pub, membership: { config: m.config, learners: m.learners | (1 << id) }, warnings: [] };
}

/**
 * `member add` (and `member promote`, from a learner): a node that is not a voter, that the leader
 * has seen catch up (unless forced), and whose configuration the scheme's add-voter rule gives.
 */
export function planAddVoter<C>(
  k: LeaderKnowledge<C>,
  id: NodeId,
  addr: PeerAddress | undefined,
  force: boolean,
): Planned<C> {
  const m = k.membership;
  const sc = k.adapter.scheme;
  if (has(sc.mbrs(m.config), id)) return alreadyMember(k, id, addr);
  // a learner is promoted; new addresses for it are a re-address, which is member update's job
  if (has(m.learners, id) && addr !== undefined && !sameAddress(k.directory.get(id), addr))
    return alreadyMember(k, id, addr);
  const pub = publishFor(k, id, addr);
  if (pub instanceof AdoreError) return pub;
  const change = voterChange(k.adapter, "addVoter", m.config, id);
  if (change.kind === "refused") return refusedChange(sc, m.config, change);
  const config = change.config;
  const added = sc.mbrs(config) & ~sc.mbrs(m.config);
  if (!force) {
    const refusal = catchUpRefusal(k, added);
    if (refusal) return refusal;
  }
  const t = toleranceWarnings(sc, m.config, config, unheard(k, sc.mbrs(config)));
  return { ...pub, membership: { config, learners: m.learners & ~(1 << id) }, warnings: t.warnings };
}

/** `member set`: any configuration; the voters it adds must have caught up (unless forced). */
export function planSetConfig<C>(
  k: LeaderKnowledge<C>,
  config: C,
  learners: NodeSet | undefined,
  force: boolean,
): Planned<C> {
  const sc = k.adapter.scheme;
  const cur = k.membership;
  const voters = sc.mbrs(config);
  const nextLearners = learners ?? cur.learners & ~voters;
  const unknown = setMembers((voters | nextLearners) & ~sc.mbrs(cur.config) & ~cur.learners).filter(
    (id) => !k.directory.has(id),
  );
  if (unknown.length > 0)
    return new AdoreError(
      "BadRequest",
      `node(s) ${unknown.join(",")} are not in the peer directory: add each as a learner with its addresses first (member learner <id> --peer … --client …)`,
    );
  if (!force) {
    const refusal = catchUpRefusal(k, voters & ~sc.mbrs(cur.config));
    if (refusal) return refusal;
  }
  const t = toleranceWarnings(sc, cur.config, config, unheard(k, voters));
  return { membership: { config, learners: nextLearners }, warnings: t.warnings };
}

/** `member remove`: a voter or a learner. */
export function planRemove<C>(k: LeaderKnowledge<C>, id: NodeId): Planned<C> {
  const m = k.membership;
  const sc = k.adapter.scheme;
  if (has(m.learners, id))
    return { membership: { config: m.config, learners: m.learners & ~(1 << id) }, warnings: [] };
  if (!has(sc.mbrs(m.config), id)) return new AdoreError("NotMember", `node ${id} is not a member`);
  const change = voterChange(k.adapter, "removeVoter", m.config, id);
  if (change.kind === "refused") return refusedChange(sc, m.config, change);
  const config = change.config;
  const t = toleranceWarnings(sc, m.config, config, unheard(k, sc.mbrs(config)));
  return { membership: { config, learners: m.learners }, warnings: t.warnings };
}

/**
 * `member update`: new addresses for a node the cluster knows (a member or a directory entry), at
 * addresses no other node uses; not the leader's own (it listens where it is: transfer first).
 * Undefined: the node is already at these addresses (nothing to propose).
 */
export function planUpdate(
  k: LeaderKnowledge<unknown>,
  id: NodeId,
  addr: PeerAddress,
): ({ readonly id: NodeId } & PeerAddress) | undefined | AdoreError {
  const m = k.membership;
  const known = k.directory.get(id);
  if (known === undefined && !has(k.adapter.scheme.mbrs(m.config) | m.learners, id))
    return new AdoreError(
      "NotMember",
      `node ${id} is unknown to the cluster (neither a member nor in the peer directory); add it with member learner`,
    );
  if (sameAddress(known, addr)) return undefined;
  const taken = addressOwner(k, id, addr);
  if (taken) return taken;
  if (id === k.leader)
    return new AdoreError(
      "BadRequest",
      `node ${id} is the leader and keeps listening where it is: hand leadership to another node first, then update it`,
    );
  return { id, ...addr };
}
