import {
  type AdoreModel,
  type AdoreState,
  type AdoreStep,
  adoreModel,
  type Cid,
  initialState,
  mostRecent,
  type NodeId,
  type NodeSet,
  type Recency,
  type Rejection,
  type Scheme,
  showSet,
  step,
} from "@adore/adore-core";
import type { ClusterState, Effect, Entry, RaftServer } from "@adore/raft-net";
import {
  anchorOf,
  applyAdore,
  branchMismatch,
  entryStep,
  type GhostMap,
  ghostCache,
  type LeaderRec,
  recordEntryCache,
} from "./ghost.js";
import type { MappedStep } from "./show.js";

/**
 * The SRaft/Raft → ADORE mapping with lagging ADORE times (stage 2). A Raft election is NOT mapped
 * to a pull when the candidate wins; the pull of the leader of term t is emitted later, at a step
 * chosen by `pullWhen`, with an oracle set Q chosen by `pullQ`:
 *
 * - M1 = { pullWhen: "noop-quorum", pullQ: "holders" }: once the leader's first entry of term t
 *   (the no-op) is stored on a quorum (of the configuration of its log before the no-op), pull
 *   with Q = the nodes storing it whose ADORE time is still < t;
 * - M2 = { pullWhen: "noop-quorum", pullQ: "holders+creator" }: M1, plus the creator of the
 *   leader's last carried entry, when its ADORE time and Raft term allow;
 * - M3 = { pullWhen: "asap", pullQ: "search" }: after every step, pull as soon as SOME Q is valid:
 *   Q ranges over the subsets of {s ∈ mbrs(conf(C_max)) | term(s) ≥ t, times[s] < t} that contain
 *   the leader, are quorums, and whose mostRecent is the cache of the leader's log before term t.
 *
 * Entries a leader appends are mapped to invoke/reconfig when it is pulled (its earlier entries
 * in order) or at once (after). Pushes are "on-quorum" for every pulled leader whose ADORE time is
 * still its term: its highest entry stored on a quorum (of the entry's cache's configuration) of
 * nodes with times ≤ t is pushed with Q = those nodes. A leader that is never pulled never appears
 * in ADORE; its entries are "pending" ghost entries until then.
 */
export type PullWhen = "noop-quorum" | "asap";
export type PullQ = "holders" | "holders+creator" | "search";

export interface LagOptions<C> {
  readonly scheme: Scheme<C>;
  readonly conf0: C;
  /** The largest node id. */
  readonly nodes: number;
  readonly pullWhen: PullWhen;
  readonly pullQ: PullQ;
  /** ADORE's mostRecent: the paper's ("adore", default). */
  readonly recency?: Recency;
}

export const M1 = { pullWhen: "noop-quorum", pullQ: "holders" } as const;
export const M2 = { pullWhen: "noop-quorum", pullQ: "holders+creator" } as const;
export const M3 = { pullWhen: "asap", pullQ: "search" } as const;
/** M4: M1's moment (no-op on a quorum) with M3's oracle search for Q. */
export const M4 = { pullWhen: "noop-quorum", pullQ: "search" } as const;
export const MAPPINGS = { M1, M2, M3, M4 } as const;
export type MappingName = keyof typeof MAPPINGS;

/**
 * The clauses of the relation R (README "The relation R"). Named for what they relate, never
 * R1..R5: those read as the paper's R1⁺/R2/R3, the reconfiguration rules adore-core's rejections name.
 */
export const RELATION_CLAUSES = ["Rel-log", "Rel-commit", "Rel-time", "Rel-conf", "Rel-leader"] as const;
export type RelationClause = (typeof RELATION_CLAUSES)[number];

/** The clause a relation failure's message names (`Rel-commit: S1's commit index …`). */
export function relationClause(message: string): RelationClause | "unnamed" {
  const c = RELATION_CLAUSES.find((x) => message.startsWith(`${x}:`));
  return c ?? "unnamed";
}

export type LagFailureKind = "rejected" | "relation" | "safety" | "raft";

export interface LagFailure {
  readonly kind: LagFailureKind;
  readonly at: number;
  readonly message: string;
  readonly adoreStep?: string;
  readonly rejection?: Rejection;
}

/** One step as the mapping sees it: what each driven input did, and the cluster after it. */
export interface ObservedStep<C> {
  readonly n: number;
  readonly effects: readonly Effect<C>[];
  readonly cluster: ClusterState<C>;
  readonly raftViolation?: string;
}

/** An ADORE step the mapping emitted (the same as stage 1's). */
export type MappedAdoreStep = MappedStep;

/**
 * The checker: feed it steps (Raft or SRaft: both are sequences of server inputs); every ADORE
 * step it emits must be accepted by adore-core's `step` (the paper's rules), the relation R must
 * hold after every step, and Def. 4.1 after every push. Copyable (`clone`) for exhaustive search.
 */
export class LaggingRefiner<C> {
  readonly model: AdoreModel<C>;
  st: AdoreState<C>;
  ghost: GhostMap;
  committed: boolean[];
  leaders: Map<number, LeaderRec<C>>;
  failure: LagFailure | undefined;
  adoreSteps = 0;
  steps = 0;
  mapped: MappedAdoreStep[] | undefined;
  private at = 0;
  private lastChecked = new Map<NodeId, RaftServer<C>>();

  constructor(
    readonly o: LagOptions<C>,
    record = false,
  ) {
    this.model = adoreModel(o.scheme, o.conf0, { recency: o.recency ?? "adore" });
    this.st = initialState(o.conf0, o.nodes);
    this.ghost = new Map();
    this.committed = [true];
    this.leaders = new Map();
    this.failure = undefined;
    this.mapped = record ? [] : undefined;
  }

  clone(): LaggingRefiner<C> {
    const c = Object.create(LaggingRefiner.prototype) as LaggingRefiner<C>;
    Object.assign(c, this);
    c.ghost = new Map(this.ghost);
    c.committed = this.committed.slice();
    c.leaders = new Map(this.leaders);
    c.mapped = this.mapped?.slice();
    c.lastChecked = new Map(this.lastChecked);
    return c;
  }

  get ok(): boolean {
    return this.failure === undefined;
  }

  private fail(f: Omit<LagFailure, "at">): false {
    this.failure ??= { ...f, at: this.at };
    return false;
  }

  private apply(a: AdoreStep<C>): boolean {
    const r = applyAdore(this.model, this.o.scheme, this.st, this.committed, a);
    if (!r.ok)
      return this.fail({ kind: "rejected", message: r.message, adoreStep: r.shown, rejection: r.rejection });
    this.adoreSteps++;
    this.mapped?.push({ at: this.at, step: r.shown, rule: r.rule });
    this.st = r.next;
    if (r.unsafe) return this.fail({ kind: "safety", message: r.unsafe });
    return true;
  }

  /** The nearest M/R cache (or the root) at or above cid. */
  anchor(cid: Cid): Cid {
    return anchorOf(this.st, cid);
  }

  cacheOf(index: number, term: number): Cid | undefined {
    return ghostCache(this.ghost, index, term);
  }

  /** Feeds one step. Returns false once a check failed. */
  feed(rs: ObservedStep<C>): boolean {
    if (this.failure) return false;
    this.at = rs.n;
    this.steps++;
    const before = this.st;
    for (const eff of rs.effects) {
      const srv = rs.cluster.nodes.get(eff.id)?.server;
      if (!srv) continue;
      const evs = eff.events;
      for (let k = 0; k < evs.length; k++) {
        const ev = evs[k]!;
        if (ev.type === "becameLeader") {
          const ap = evs.find((x, j) => j > k && x.type === "appended" && x.term === ev.term);
          const termStart = ap?.type === "appended" ? ap.firstIndex : srv.termStart;
          const pTerm = srv.log.termAt(termStart - 1);
          if (pTerm === undefined)
            return this.fail({
              kind: "relation",
              message: `Rel-leader: S${eff.id} leads term ${ev.term} but its entry ${termStart - 1} is compacted away`,
            });
          if (this.leaders.has(ev.term))
            return this.fail({
              kind: "relation",
              message: `Rel-leader: two leaders of term ${ev.term}: S${this.leaders.get(ev.term)!.id} and S${eff.id}`,
            });
          this.leaders.set(ev.term, {
            id: eff.id,
            term: ev.term,
            termStart,
            pTerm,
            entries: [],
            ecache: undefined,
          });
        } else if (ev.type === "commitAdvanced" && ev.quorum !== undefined) {
          if (!this.settle(rs.cluster)) return false;
          if (!this.leaderCommit(eff.id, ev.to, ev.term, ev.quorum, rs.cluster)) return false;
        } else if (ev.type === "appended") {
          const rec = this.leaders.get(ev.term);
          if (!rec || rec.id !== eff.id)
            return this.fail({
              kind: "relation",
              message: `Rel-leader: S${eff.id} appended entries of term ${ev.term} without being its leader`,
            });
          const add: Entry<C>[] = [];
          for (let i = ev.firstIndex; i <= ev.lastIndex; i++) {
            const e = srv.log.at(i);
            if (!e || e.term !== ev.term)
              return this.fail({
                kind: "relation",
                message: `Rel-log: S${eff.id} appended index ${i} but it is not in its log`,
              });
            add.push(e);
          }
          this.leaders.set(ev.term, { ...rec, entries: rec.entries.concat(add) });
          if (rec.ecache !== undefined) {
            // what this step stored on a quorum before the append (a whole SRaft round is one step)
            if (!this.settle(rs.cluster)) return false;
            for (const e of add) if (!this.invoke(rec.id, e)) return false;
            // what the same input committed before its next append (e.g. a one-node quorum)
            if (!this.settle(rs.cluster)) return false;
          }
        }
      }
    }
    if (!this.settle(rs.cluster)) return false;
    if (!this.relation(rs.cluster, before !== this.st)) return false;
    if (rs.raftViolation) return this.fail({ kind: "raft", message: rs.raftViolation });
    return true;
  }

  /**
   * A leader's commit (Raft's commitAdvanced on a leader, with the quorum it counted) is ADORE's
   * push(L, Q, C_N) by that leader; if the on-quorum pushes already committed C_N, the push itself is
   * not repeated, but its caller premise (canCommit: caller(C_N) = L at L's time) still must hold.
   */
  private leaderCommit(id: NodeId, to: number, term: number, q: NodeSet, cl: ClusterState<C>): boolean {
    const srv = cl.nodes.get(id)?.server;
    const t = srv?.log.termAt(to);
    const cm = t === undefined ? undefined : this.cacheOf(to, t);
    if (cm === undefined) return true; // Rel-commit reports it
    const c = this.st.caches[cm]!;
    if (c.caller !== id || c.time !== term) {
      const push = `push(S${id}, Q=${showSet(q)}, C_M=#${cm})`;
      return this.fail({
        kind: "rejected",
        message: `${push} for S${id}'s commit of index ${to} in term ${term} rejected by VALIDPUSHORACLE (canCommit): caller(#${cm}) = S${c.caller} at time ${c.time}, not S${id} at ${term}`,
        adoreStep: push,
        rejection: {
          rule: "VALIDPUSHORACLE",
          premise: "canCommit",
          message: `canCommit: caller(#${cm}) = ${c.caller} ≠ ${id} or time ${c.time} ≠ ${term}`,
        },
      });
    }
    if (this.committed[cm]) return true;
    const mb = this.o.scheme.mbrs(c.conf);
    return this.apply({ op: "push", nid: id, Q: q & mb, cm, qok: true });
  }

  private invoke(id: NodeId, e: Entry<C>): boolean {
    if (!this.apply(entryStep(id, e))) return false;
    const bad = recordEntryCache(this.st, this.ghost, id, e);
    return bad ? this.fail({ kind: "relation", message: bad }) : true;
  }

  /**
   * Emits every push and pull that has become possible, to a fixpoint: pushes first, then the
   * pending pull of the lowest term that can go, then pushes again, …
   */
  private settle(cl: ClusterState<C>): boolean {
    for (let round = 0; round < 256; round++) {
      for (let k = 0; k < 256; k++) {
        let pushed = false;
        for (const rec of this.leaders.values()) {
          if (rec.ecache === undefined || this.st.times[rec.id] !== rec.term) continue;
          const r = this.tryPush(rec, cl);
          if (r === "failed") return false;
          if (r === "done") pushed = true;
        }
        if (!pushed) break;
      }
      const pending = [...this.leaders.values()].filter((r) => r.ecache === undefined);
      pending.sort((a, b) => a.term - b.term);
      let pulled = false;
      for (const rec of pending) {
        const r = this.tryPull(rec, cl);
        if (r === "failed") return false;
        if (r === "done") {
          pulled = true;
          break;
        }
      }
      if (!pulled) return true;
    }
    return true;
  }

  private holders(cl: ClusterState<C>, index: number, term: number): NodeSet {
    let h = 0;
    for (const [s, n] of cl.nodes) if (n.server.log.termAt(index) === term) h |= 1 << s;
    return h;
  }

  private tryPull(rec: LeaderRec<C>, cl: ClusterState<C>): "done" | "wait" | "failed" {
    const t = rec.term;
    const target = this.cacheOf(rec.termStart - 1, rec.pTerm);
    if (target === undefined) return "wait"; // the leader's log before t holds pending entries
    const S = this.o.scheme;
    const conf = this.st.caches[target]!.conf;
    const mb = S.mbrs(conf);
    const times = this.st.times;
    let eligible = 0;
    for (const [s, n] of cl.nodes)
      if (mb & (1 << s) && n.server.term >= t && (times[s] ?? 0) < t) eligible |= 1 << s;
    const L = rec.id;
    const recency = this.model.options.recency;
    const wantAnchor = this.anchor(target);
    const fits = (q: NodeSet) => this.anchor(mostRecent(this.st, q, recency)) === wantAnchor;
    let Q: NodeSet | undefined;
    if (this.o.pullWhen === "noop-quorum") {
      const h = this.holders(cl, rec.termStart, t) & mb;
      if (!S.isQuorum(h, conf)) return "wait";
      Q = h & eligible;
      if (this.o.pullQ === "holders+creator") {
        const creator = this.st.caches[wantAnchor]!.caller;
        if (wantAnchor !== 0 && eligible & (1 << creator)) Q |= 1 << creator;
      } else if (this.o.pullQ === "search") {
        const q = this.search(eligible, L, conf, fits);
        if (q === undefined) {
          this.leaders.set(t, { ...rec, lastRejection: this.diagnose(rec, eligible, target) });
          return "wait";
        }
        Q = q;
      }
    } else {
      if (!(eligible & (1 << L))) return "wait";
      Q = this.search(eligible, L, conf, fits);
      if (Q === undefined) {
        this.leaders.set(t, { ...rec, lastRejection: this.diagnose(rec, eligible, target) });
        return "wait";
      }
    }
    const mr = Q !== 0 ? mostRecent(this.st, Q, recency) : 0;
    const cmax = this.anchor(mr) === wantAnchor ? mr : target;
    if (!this.apply({ op: "pull", nid: L, Q, t, cmax, qok: true })) return "failed";
    const ecache = this.st.caches.length - 1;
    this.leaders.set(t, { ...rec, ecache });
    for (const e of rec.entries) if (!this.invoke(L, e)) return "failed";
    return "done";
  }

  /** The smallest quorum Q ⊆ eligible with L ∈ Q whose mostRecent fits (ties: the lowest mask). */
  private search(eligible: NodeSet, L: NodeId, conf: C, fits: (q: NodeSet) => boolean): NodeSet | undefined {
    if (!(eligible & (1 << L))) return undefined;
    const others = eligible & ~(1 << L);
    const bits: number[] = [];
    for (let i = 1; i <= 30; i++) if (others & (1 << i)) bits.push(i);
    let best: NodeSet | undefined;
    let bestSize = 99;
    for (let m = 0; m < 1 << bits.length; m++) {
      let q = 1 << L;
      let size = 1;
      for (let j = 0; j < bits.length; j++)
        if (m & (1 << j)) {
          q |= 1 << bits[j]!;
          size++;
        }
      if (size >= bestSize || !this.o.scheme.isQuorum(q, conf)) continue;
      if (!fits(q)) continue;
      best = q;
      bestSize = size;
    }
    return best;
  }

  private diagnose(rec: LeaderRec<C>, eligible: NodeSet, target: Cid): string {
    if (!(eligible & (1 << rec.id))) return `S${rec.id} itself is not eligible`;
    const r = step(this.model, this.st, {
      op: "pull",
      nid: rec.id,
      Q: eligible,
      t: rec.term,
      cmax: target,
      qok: true,
    });
    return r.ok ? "ok with every eligible node" : `${r.reason.premise}: ${r.reason.message}`;
  }

  private tryPush(rec: LeaderRec<C>, cl: ClusterState<C>): "done" | "wait" | "failed" {
    const t = rec.term;
    const S = this.o.scheme;
    for (let k = rec.entries.length - 1; k >= 0; k--) {
      const e = rec.entries[k]!;
      const cm = this.cacheOf(e.index, t);
      if (cm === undefined || this.committed[cm]) return "wait";
      const c = this.st.caches[cm]!;
      const mb = S.mbrs(c.conf);
      let h = 0;
      for (const [s, n] of cl.nodes)
        if (mb & (1 << s) && (this.st.times[s] ?? 0) <= t && n.server.log.termAt(e.index) === t) h |= 1 << s;
      if (!S.isQuorum(h, c.conf)) continue;
      const Q = h | (1 << rec.id);
      return this.apply({ op: "push", nid: rec.id, Q, cm, qok: true }) ? "done" : "failed";
    }
    return "wait";
  }

  /** The relation R for every live node (see README "Refinement"). */
  private relation(cl: ClusterState<C>, treeChanged: boolean): boolean {
    for (const [id, n] of cl.nodes) {
      const s = n.server;
      const times = this.st.times[id] ?? 0;
      if (times > s.term)
        return this.fail({
          kind: "relation",
          message: `Rel-time: S${id} has term ${s.term} < ADORE times[${id}] = ${times}`,
        });
      if (!n.up) continue;
      // R depends on the log, the commit index, the term, the role and the configuration (and the
      // tree): a step that changed none of them (a tick, a refused message) needs no new check
      const last = this.lastChecked.get(id);
      if (
        !treeChanged &&
        last !== undefined &&
        (last === s ||
          (last.log === s.log &&
            last.commit === s.commit &&
            last.term === s.term &&
            last.role === s.role &&
            last.config === s.config))
      )
        continue;
      const bad = this.nodeRelation(id, s);
      if (bad) return this.fail({ kind: "relation", message: bad });
      this.lastChecked.set(id, s);
    }
    return true;
  }

  nodeRelation(id: NodeId, s: RaftServer<C>): string | undefined {
    const log = s.log;
    const S = this.o.scheme;
    // the realized prefix: entries 1..k have caches, k+1..last are pending
    let k = log.lastIndex;
    while (k > log.snapshotIndex && this.cacheOf(k, log.termAt(k)!) === undefined) {
      const t = log.termAt(k)!;
      const rec = this.leaders.get(t);
      if (!rec || rec.ecache !== undefined)
        return `Rel-log: S${id}'s entry ${k} (term ${t}) has no cache, and the leader of term ${t} is ${rec ? "pulled" : "unknown"}`;
      k--;
    }
    const kTerm = log.termAt(k)!;
    const end = this.cacheOf(k, kTerm);
    if (end === undefined)
      return `Rel-log: S${id}'s snapshot ends at ${k} (term ${kTerm}), which has no cache`;
    if (log.lastTerm > s.term)
      return `Rel-time: S${id}'s last entry has term ${log.lastTerm} > its term ${s.term}`;
    const mr: Cid[] = [];
    const rec = this.leaders.get(s.term);
    const mine = s.role === "leader" && rec && rec.id === id ? rec : undefined;
    let leaderSeen = false;
    for (let x = end; x > 0; x = this.st.parent[x]!) {
      const kind = this.st.caches[x]!.kind;
      if (kind === "MCache" || kind === "RCache") mr.push(x);
      if (mine && x === mine.ecache) leaderSeen = true;
    }
    mr.reverse();
    if (mr.length !== k)
      return `Rel-log: S${id}'s realized log has ${k} entries but the branch to #${end} has ${mr.length} M/R caches`;
    const r1 = branchMismatch(S, this.st, id, log, mr, k);
    if (r1) return r1;
    if (s.commit > 0) {
      if (s.commit > k) {
        const t = log.termAt(s.commit);
        const lr = t === undefined ? undefined : this.leaders.get(t);
        return `Rel-commit: S${id}'s commit index ${s.commit} is a pending entry (the leader S${lr?.id} of term ${t} is not pulled${lr?.lastRejection ? `: ${lr.lastRejection}` : ""})`;
      }
      const cc = s.commit >= log.snapshotIndex ? mr[s.commit - 1] : undefined;
      if (cc !== undefined && !this.committed[cc]) {
        const own = this.st.caches[cc]!.conf;
        const later = s.config.membership.config;
        const why = S.equals(own, later)
          ? ""
          : ` [later-config: the entry's configuration is ${S.print(own)}, S${id} counts in ${S.print(later)}]`;
        return `Rel-commit: S${id}'s commit index ${s.commit} is at cache #${cc}, which no CCache follows${why}`;
      }
    }
    const cfg = log.configAt(k).membership.config;
    const bconf = this.st.caches[end]!.conf;
    if (!S.equals(cfg, bconf))
      return `Rel-conf: S${id}'s configuration at ${k} ${S.print(cfg)} ≠ its branch's ${S.print(bconf)}`;
    if (mine && mine.ecache !== undefined && !leaderSeen && k >= mine.termStart)
      return `Rel-leader: leader S${id}'s branch does not pass through its ECache #${mine.ecache} of term ${s.term}`;
    return undefined;
  }

  /** Pending leaders (elected in Raft, not in ADORE). */
  pending(): { id: NodeId; term: number; why: string | undefined }[] {
    return [...this.leaders.values()]
      .filter((r) => r.ecache === undefined)
      .map((r) => ({ id: r.id, term: r.term, why: r.lastRejection }));
  }

  describePending(): string {
    return this.pending()
      .map((p) => `S${p.id}@t${p.term}${p.why ? ` (${p.why})` : ""}`)
      .join(", ");
  }
}
