// The stage-1 literal mapping Raft → ADORE (a Raft election is a pull when the candidate wins,
// a leader's commit is a push) and its seed hunt. Not the refiner: the package's one refiner is
// LaggingRefiner (src/refine/lagging.ts, mapping M4). This mapping is kept, test-only, because its
// failures are the evidence of docs/elections.md ("stage 1") for why the refiner lets ADORE times
// lag Raft terms; test/elections.test.ts produces that evidence with it.
import {
  type AdoreModel,
  type AdoreState,
  type AdoreStep,
  adoreModel,
  type Cache,
  type Cid,
  initialState,
  isAncestor,
  mostRecent,
  type NodeId,
  type NodeSet,
  type Recency,
  type Rejection,
  renderAscii,
  type Scheme,
} from "@adore/adore-core";
import type { ClusterState, Entry, RaftEvent, RaftServer } from "@adore/raft-net";
import {
  anchorOf,
  applyAdore,
  branchMismatch,
  entryStep,
  type GhostMap,
  ghostCache,
  recordEntryCache,
} from "../../src/refine/ghost.js";
import { relationClause } from "../../src/refine/lagging.js";
import { huntSeeds, maxId, type RunSpec, type SeedHunt, simOptionsOf } from "../../src/refine/search.js";
import { type MappedStep, showSteps } from "../../src/refine/show.js";
import { type RaftStep, type RaftTrace, runCluster } from "../../src/refine/driver.js";

/**
 * When the mapping emits ADORE's `push`:
 * - "leader-ack": only when a leader's commit index advances (commitAdvanced with its quorum Q);
 * - "on-quorum": as soon as an entry of the leader's term is stored on a quorum of nodes whose
 *   ADORE time is still ≤ that term (commitment as a global fact, the SRaft view of a commit round),
 *   falling back to "leader-ack" for commits the leader learns of that were not pushed yet.
 */
export type CommitMapping = "leader-ack" | "on-quorum";

export interface RefineOptions<C> {
  readonly scheme: Scheme<C>;
  readonly conf0: C;
  /** The largest node id (ADORE's times are indexed 1..nodes). */
  readonly nodes: number;
  /** ADORE's mostRecent: the paper's ("adore", default) or the `raft-log` variant (design §3). */
  readonly recency?: Recency;
  readonly commits?: CommitMapping;
}

/** What went wrong first, in the order the checker tests things after each Raft step. */
export type FailureKind =
  /** An ADORE step produced by the mapping was rejected by adore-core's `step` (a premise failed). */
  | "rejected"
  /** The relation R between the cluster and the ADORE state does not hold. */
  | "relation"
  /** Def. 4.1 failed in the ADORE tree. */
  | "safety"
  /** raft-net's own invariant checks failed (reported, not required). */
  | "raft";

export interface Failure {
  readonly kind: FailureKind;
  /** The Raft step (1-based) after which it was found. */
  readonly at: number;
  readonly message: string;
  /** For "rejected": the step and adore-core's Rejection (rule + premise). */
  readonly adoreStep?: string;
  readonly rejection?: Rejection;
  /** For pulls rejected on `mostRecent`: what the voters' most recent cache is (see elections.md). */
  readonly cause?: PullCause;
}

/**
 * Why a pull was rejected. For premise `mostRecent` (C_max is not the cache of the leader's log):
 * - "ecache": ADORE's mostRecent is an ECache (a vote counted as an observation), and the
 *   `raft-log` variant's mostRecent would have been accepted;
 * - "ahead": mostRecent is an ancestor of the leader's log: the leader holds entries that no voter
 *   supports in ADORE (it got them by replication that never became a push);
 * - "behind": the leader's log is an ancestor of mostRecent: a voter supports entries the leader
 *   lacks (what Raft's up-to-date check is meant to prevent);
 * - "fork": mostRecent is on another branch (e.g. a voter still supports entries it created as an
 *   old leader that were later truncated).
 * For premise `times<t`: "later" (a voter's ADORE time is already above t: the vote was counted
 * after a later election completed) or "same" (a voter is in two quorums for the same time).
 */
export type PullCause = "ecache" | "ahead" | "behind" | "fork" | "later" | "same";

export interface RefinementResult<C> {
  readonly ok: boolean;
  readonly failure: Failure | undefined;
  readonly raftSteps: number;
  readonly adoreSteps: number;
  readonly mapped: readonly MappedStep[];
  readonly state: AdoreState<C>;
  /** (index, term) → cache id of the entry's M/R cache. */
  readonly ghost: ReadonlyMap<string, Cid>;
}

/**
 * The mapping Raft → ADORE and the step-by-step checker (incremental: feed it Raft steps).
 * Relation R, checked for every live node after every Raft step:
 *  Rel-log: each log entry (index i, term t) has a ghost cache; the M/R caches on the branch
 *     ending at the cache of the node's last entry are exactly its log, in order, with the same
 *     (time, versn, payload) (compacted entries: only the snapshot's term is compared);
 *  Rel-commit: the entry at the node's commit index lies on a branch that ends in a CCache;
 *  Rel-time: times[node] ≤ term and the last entry's term ≤ term;
 *  Rel-conf: the log's configuration (latest configuration entry) = conf of its branch's last cache;
 *  Rel-leader: a leader's branch passes through its ECache of its current term.
 * After every ADORE step: it was accepted, and (after a push) Def. 4.1 holds.
 */
export class RefinementChecker<C> {
  readonly model: AdoreModel<C>;
  private st: AdoreState<C>;
  private readonly ghost: GhostMap = new Map();
  /** committed[cid]: some CCache is a descendant-or-self of cid. */
  private committed: boolean[] = [true];
  private readonly ecache = new Map<NodeId, { term: number; cid: Cid }>();
  private readonly lastChecked = new Map<NodeId, RaftServer<C>>();
  private readonly commits: CommitMapping;
  readonly mapped: MappedStep[] = [];
  adoreSteps = 0;
  raftSteps = 0;
  failure: Failure | undefined;
  private at = 0;
  private readonly recordSteps: boolean;

  constructor(
    readonly o: RefineOptions<C>,
    recordSteps = true,
  ) {
    this.model = adoreModel(o.scheme, o.conf0, { recency: o.recency ?? "adore" });
    this.st = initialState(o.conf0, o.nodes);
    this.commits = o.commits ?? "leader-ack";
    this.recordSteps = recordSteps;
  }

  get state(): AdoreState<C> {
    return this.st;
  }
  get ghostMap(): ReadonlyMap<string, Cid> {
    return this.ghost;
  }

  /** The ghost map's cache for node's entry at (index, term) (Log Matching makes it node-independent). */
  cacheOf(index: number, term: number): Cid | undefined {
    return ghostCache(this.ghost, index, term);
  }

  private fail(f: Omit<Failure, "at">): false {
    this.failure ??= { ...f, at: this.at };
    return false;
  }

  private apply(a: AdoreStep<C>, cause?: () => PullCause): boolean {
    const r = applyAdore(this.model, this.o.scheme, this.st, this.committed, a);
    if (!r.ok) {
      const base = {
        kind: "rejected" as const,
        message: r.message,
        adoreStep: r.shown,
        rejection: r.rejection,
      };
      return this.fail(cause ? { ...base, cause: cause() } : base);
    }
    this.adoreSteps++;
    if (this.recordSteps) this.mapped.push({ at: this.at, step: r.shown, rule: r.rule });
    this.st = r.next;
    if (r.unsafe) return this.fail({ kind: "safety", message: r.unsafe });
    return true;
  }

  private anchor(cid: Cid): Cid {
    return anchorOf(this.st, cid);
  }

  /** Feeds one Raft step (its effects, then the state after it). Returns false once a check failed. */
  feed(rs: RaftStep<C>): boolean {
    if (this.failure) return false;
    this.at = rs.n;
    this.raftSteps++;
    for (const eff of rs.effects) {
      const srv = rs.cluster.nodes.get(eff.id)?.server;
      if (!srv) continue;
      for (const ev of eff.events) if (!this.event(eff.id, ev, srv)) return false;
      if (this.commits === "on-quorum" && eff.events.length + eff.sent.length > 0)
        if (!this.pushOnQuorum(rs.cluster, srv)) return false;
    }
    if (!this.relation(rs.cluster)) return false;
    if (rs.raftViolation) return this.fail({ kind: "raft", message: rs.raftViolation });
    return true;
  }

  private event(id: NodeId, ev: RaftEvent<C>, srv: RaftServer<C>): boolean {
    switch (ev.type) {
      case "becameLeader":
        return this.pull(id, ev.term, ev.voters, srv);
      case "appended":
        for (let i = ev.firstIndex; i <= ev.lastIndex; i++) {
          const e = srv.log.at(i);
          if (!e)
            return this.fail({
              kind: "relation",
              message: `Rel-log: S${id} appended index ${i} but it is not in its log`,
            });
          if (!this.append(id, e)) return false;
        }
        return true;
      case "commitAdvanced":
        if (ev.quorum === undefined) return true;
        return this.leaderPush(id, ev.to, ev.quorum, srv);
      default:
        return true;
    }
  }

  /** becameLeader(term t, voters Q) → pull(nid, Q, t) with C_max = the cache of the leader's log. */
  private pull(id: NodeId, term: number, voters: NodeSet, srv: RaftServer<C>): boolean {
    // the log before the term's first entry (the no-op appended in the same step)
    const p = srv.termStart - 1;
    const pterm = srv.log.termAt(p);
    const natural = pterm === undefined ? undefined : this.cacheOf(p, pterm);
    if (natural === undefined)
      return this.fail({
        kind: "relation",
        message: `Rel-log: S${id}: no cache for its last entry ${p} before term ${term}`,
      });
    const recency = this.model.options.recency;
    const mr = voters !== 0 ? mostRecent(this.st, voters, recency) : 0;
    const cmax = this.anchor(mr) === this.anchor(natural) ? mr : natural;
    const cause = (): PullCause => {
      let late = 0;
      for (let s = 1; s < this.st.times.length; s++)
        if (voters & (1 << s)) late = Math.max(late, this.st.times[s]!);
      if (late >= term) return late > term ? "later" : "same";
      const m = this.st.caches[mr]!;
      const alt = mostRecent(this.st, voters, "raft-log");
      if (m.kind === "ECache" && this.anchor(alt) === this.anchor(natural)) return "ecache";
      const am = this.anchor(mr);
      const an = this.anchor(natural);
      if (isAncestor(this.st, am, an)) return "ahead";
      if (isAncestor(this.st, an, am)) return "behind";
      return "fork";
    };
    if (!this.apply({ op: "pull", nid: id, Q: voters, t: term, cmax, qok: true }, cause)) return false;
    this.ecache.set(id, { term, cid: this.st.caches.length - 1 });
    return true;
  }

  /** A leader's appended entry → invoke (no-op/command: the method is the command) or reconfig. */
  private append(id: NodeId, e: Entry<C>): boolean {
    if (!this.apply(entryStep(id, e))) return false;
    const bad = recordEntryCache(this.st, this.ghost, id, e);
    return bad ? this.fail({ kind: "relation", message: bad }) : true;
  }

  /** commitAdvanced{to, quorum Q} on a leader → push(nid, Q ∩ mbrs(conf(C_M)), C_M = cache of entry `to`). */
  private leaderPush(id: NodeId, to: number, q: NodeSet, srv: RaftServer<C>): boolean {
    const t = srv.log.termAt(to);
    const cm = t === undefined ? undefined : this.cacheOf(to, t);
    if (cm === undefined)
      return this.fail({
        kind: "relation",
        message: `Rel-commit: S${id} committed index ${to} that has no cache`,
      });
    if (this.committed[cm]) return true;
    const conf = this.st.caches[cm]!.conf;
    const Q = q & this.o.scheme.mbrs(conf);
    return this.apply({ op: "push", nid: id, Q, cm, qok: true });
  }

  /**
   * "on-quorum": after a node's step, look at the entries of the term of its last entry: the
   * highest one that is stored on a quorum (of its cache's configuration) of nodes whose ADORE time
   * is ≤ that term, with its creator still at that time, is pushed with that quorum.
   */
  private pushOnQuorum(cl: ClusterState<C>, srv: RaftServer<C>): boolean {
    const log = srv.log;
    const t = log.lastTerm;
    if (t === 0) return true;
    for (let j = log.lastIndex; j >= log.firstIndex && log.termAt(j) === t; j--) {
      const cm = this.cacheOf(j, t);
      if (cm === undefined || this.committed[cm]) return true;
      const c: Cache<C> = this.st.caches[cm]!;
      const L = c.caller;
      if (this.st.times[L] !== t) return true;
      const mb = this.o.scheme.mbrs(c.conf);
      let Q = 0;
      for (const [s, n] of cl.nodes)
        if (mb & (1 << s) && (this.st.times[s] ?? 0) <= t && n.server.log.termAt(j) === t) Q |= 1 << s;
      if (!(Q & (1 << L)) || !this.o.scheme.isQuorum(Q, c.conf)) continue;
      return this.apply({ op: "push", nid: L, Q, cm, qok: true });
    }
    return true;
  }

  /** The relation R for every live node whose server changed since it was last checked. */
  private relation(cl: ClusterState<C>): boolean {
    for (const [id, n] of cl.nodes) {
      const s = n.server;
      const times = this.st.times[id] ?? 0;
      if (times > s.term)
        return this.fail({
          kind: "relation",
          message: `Rel-time: S${id} has term ${s.term} < ADORE times[${id}] = ${times}`,
        });
      if (!n.up || this.lastChecked.get(id) === s) continue;
      const bad = this.nodeRelation(id, s);
      if (bad) return this.fail({ kind: "relation", message: bad });
      this.lastChecked.set(id, s);
    }
    return true;
  }

  private nodeRelation(id: NodeId, s: RaftServer<C>): string | undefined {
    const log = s.log;
    const S = this.o.scheme;
    const last = log.lastIndex;
    const end = this.cacheOf(last, log.lastTerm);
    if (end === undefined) return `Rel-log: S${id}'s last entry ${last} (term ${log.lastTerm}) has no cache`;
    if (log.lastTerm > s.term)
      return `Rel-time: S${id}'s last entry has term ${log.lastTerm} > its term ${s.term}`;
    // the M/R caches on the branch to `end`, root first
    const mr: Cid[] = [];
    let leaderSeen = false;
    const ec = this.ecache.get(id);
    const wantE = s.role === "leader" ? ec : undefined;
    for (let x = end; x > 0; x = this.st.parent[x]!) {
      const k = this.st.caches[x]!.kind;
      if (k === "MCache" || k === "RCache") mr.push(x);
      if (wantE && x === wantE.cid) leaderSeen = true;
    }
    mr.reverse();
    if (mr.length !== last)
      return `Rel-log: S${id}'s log has ${last} entries but the branch to #${end} has ${mr.length} M/R caches`;
    const r1 = branchMismatch(S, this.st, id, log, mr, last);
    if (r1) return r1;
    if (s.commit > 0) {
      const cc = s.commit >= log.snapshotIndex ? mr[s.commit - 1] : undefined;
      if (cc !== undefined && !this.committed[cc])
        return `Rel-commit: S${id}'s commit index ${s.commit} is at cache #${cc}, which no CCache follows`;
    }
    const cfg = s.config.membership.config;
    const bconf = this.st.caches[end]!.conf;
    if (!S.equals(cfg, bconf))
      return `Rel-conf: S${id}'s configuration ${S.print(cfg)} ≠ its branch's ${S.print(bconf)}`;
    if (wantE && wantE.term === s.term && !leaderSeen)
      return `Rel-leader: leader S${id}'s branch does not pass through its ECache #${wantE.cid} of term ${s.term}`;
    if (s.role === "leader" && (!ec || ec.term !== s.term))
      return `Rel-leader: S${id} leads term ${s.term} without an ECache of that term`;
    return undefined;
  }

  result(): RefinementResult<C> {
    return {
      ok: this.failure === undefined,
      failure: this.failure,
      raftSteps: this.raftSteps,
      adoreSteps: this.adoreSteps,
      mapped: this.mapped,
      state: this.st,
      ghost: this.ghost,
    };
  }
}

/** The ADORE options a trace's scheme needs, from the trace itself. */
export function refineOptionsFor<C>(
  trace: RaftTrace<C>,
  extra: Partial<RefineOptions<C>> = {},
): RefineOptions<C> {
  let nodes = 0;
  for (const id of trace.initial.nodes.keys()) nodes = Math.max(nodes, id);
  return { scheme: trace.options.scheme, conf0: trace.options.initial, nodes, ...extra };
}

/** Replays a recorded Raft trace through the mapping and adore-core's `step`, checking R and Def. 4.1. */
export function checkRun<C>(trace: RaftTrace<C>, extra: Partial<RefineOptions<C>> = {}): RefinementResult<C> {
  const ck = new RefinementChecker(refineOptionsFor(trace, extra));
  for (const s of trace.steps) if (!ck.feed(s)) break;
  return ck.result();
}

/** A run spec with the literal mapping's two options. */
export interface LiteralRunSpec<C> extends RunSpec<C> {
  readonly recency?: "adore" | "raft-log";
  readonly commits?: CommitMapping;
}

export interface RunOutcome<C> {
  readonly seed: number;
  readonly result: RefinementResult<C>;
  /** The Raft steps up to (and including) the failing one, when recorded. */
  readonly steps: readonly RaftStep<C>[];
}

/** Drives one seeded run and checks it online (stops at the first failure). */
export function checkSeed<C>(spec: LiteralRunSpec<C>, seed: number, record = false): RunOutcome<C> {
  const o = simOptionsOf(spec, seed);
  let ck: RefinementChecker<C> | undefined;
  const { trace } = runCluster(
    o,
    (s) => {
      ck ??= new RefinementChecker(
        refineOptionsFor(
          { initial: s.cluster, steps: [], params: undefined as never, options: o },
          {
            ...(spec.recency ? { recency: spec.recency } : {}),
            ...(spec.commits ? { commits: spec.commits } : {}),
            nodes: maxId(spec.universe),
          },
        ),
        record,
      );
      return ck.feed(s);
    },
    record,
  );
  return { seed, result: ck!.result(), steps: trace.steps };
}

/** A hunt's totals; `byReason` counts first failures by `kind/premise-or-clause[/cause]`. */
export type HuntSummary<C> = SeedHunt<RunOutcome<C>>;

export function reasonOf(r: RefinementResult<unknown>): string {
  const f = r.failure;
  if (!f) return "ok";
  if (f.kind === "rejected")
    return `rejected/${f.rejection?.rule}/${f.rejection?.premise}${f.cause ? `/${f.cause}` : ""}`;
  if (f.kind === "relation") return `relation/${relationClause(f.message)}`;
  return f.kind;
}

/** Checks seeds first..first+count-1; with `filter`, only failures it accepts count as the shortest. */
export function hunt<C>(
  spec: LiteralRunSpec<C>,
  first: number,
  count: number,
  filter: (r: RefinementResult<C>) => boolean = () => true,
): HuntSummary<C> {
  return huntSeeds(
    first,
    count,
    (seed) => checkSeed(spec, seed).result,
    reasonOf,
    filter,
    (seed) => checkSeed(spec, seed, true),
  );
}

/** A failing run as text: the Raft steps with the ADORE steps each mapped to, the failure, the tree. */
export function showOutcome<C>(spec: LiteralRunSpec<C>, out: RunOutcome<C>, tree = true): string {
  const r = out.result;
  const lines = showSteps(out.steps, r.mapped, r.failure);
  if (tree) lines.push(renderAscii(spec.scheme, r.state, { title: "ADORE cache tree:" }));
  return lines.join("\n");
}

/**
 * The failures the real (unmutated) protocol produces under the `raft-log` + "on-quorum" mapping:
 * places where this first-stage mapping does not simulate Raft (see docs/elections.md), not bugs.
 * - pull/mostRecent "ahead": the new leader holds replicated entries no voter supports in ADORE;
 * - pull/mostRecent "fork": a voter still supports entries it created and later lost by truncation;
 * - pull/times<t "later": a vote counted after a later election completed (needs SRaft reordering);
 * - push/validSupp with the leader outside Q: a leader that removed itself commits (Raft §4.2.2);
 * - push/Qok: Raft counted the quorum in a later configuration than the committed entry's.
 */
export function isKnownGap(r: RefinementResult<unknown>): boolean {
  const f = r.failure;
  if (f?.kind !== "rejected" || !f.rejection) return false;
  const { rule, premise } = f.rejection;
  if (rule === "VALIDPULLORACLE")
    return (
      (premise === "mostRecent" && (f.cause === "ahead" || f.cause === "fork")) ||
      (premise === "times<t" && f.cause === "later")
    );
  if (rule === "VALIDPUSHORACLE")
    return premise === "Qok" || (premise === "validSupp" && /validSupp: \d+ ∉ Q/.test(f.rejection.message));
  return false;
}
