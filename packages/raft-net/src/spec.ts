import {
  checkBoolean,
  checkInteger,
  checkNodeList,
  checkWithin,
  ExploreOptionError,
  has,
  type Invariant,
  type KeySink,
  type NodeId,
  type NodeSet,
  type Scheme,
  type Spec,
} from "@adore/adore-core";
import {
  type ClusterState,
  checkCluster,
  crash,
  deliver,
  drive,
  drop,
  duplicate,
  newCluster,
  restart,
  setPartition,
} from "./cluster.js";
import { type Mutations, params as makeParams, type RaftOptions, type RaftParams } from "./options.js";
import type { RaftServer } from "./server.js";
import { showMessage } from "./sim.js";
import type { Entry, Input, Message } from "./types.js";

/**
 * The asynchronous network-based model of Fig. 13 as a `Spec` for adore-core's explorer: the
 * servers (the production core, unchanged), a bag of messages in flight, and the faults of an
 * asynchronous network. Timers are not modelled: `elect` and `commit` are explicit steps (any
 * interleaving of timeouts is one of these), which keeps the state space finite under the bounds.
 */
export type NetStep =
  /** A server starts an election (its timer fired). */
  | { readonly kind: "elect"; readonly nid: NodeId }
  /** A leader sends AppendEntries to every follower (its heartbeat timer fired). */
  | { readonly kind: "commit"; readonly nid: NodeId }
  /** A client command reaches a leader. */
  | { readonly kind: "invoke"; readonly nid: NodeId }
  /** A membership change reaches a leader; `config` indexes the spec's `configs`. */
  | { readonly kind: "reconfig"; readonly nid: NodeId; readonly config: number }
  /** The i-th message in flight is delivered / lost / duplicated. */
  | { readonly kind: "deliver"; readonly i: number }
  | { readonly kind: "drop"; readonly i: number }
  | { readonly kind: "duplicate"; readonly i: number }
  | { readonly kind: "crash"; readonly nid: NodeId }
  | { readonly kind: "restart"; readonly nid: NodeId }
  /** The network splits into `NetBounds.partitions[k]` (messages across groups are lost) … */
  | { readonly kind: "partition"; readonly k: number }
  /** … and heals. */
  | { readonly kind: "heal" };

/** The bounds SRaft and the network model share: the nodes, the initial configuration, the counters. */
export interface ClusterBounds<C> {
  readonly nodes: readonly NodeId[];
  readonly initial: C;
  readonly maxTerm: number;
  /** Most entries in any log. */
  readonly maxLog: number;
  readonly maxInvokes: number;
  readonly maxReconfigs: number;
  readonly maxCrashes: number;
}

export interface NetBounds<C> extends ClusterBounds<C> {
  /** Most messages in flight (sending steps are disabled beyond it). */
  readonly maxMessages: number;
  readonly drop: boolean;
  readonly duplicate: boolean;
  /** Partitions the network may split into (each a list of groups). */
  readonly partitions?: readonly (readonly NodeSet[])[];
}

export interface NetState<C> {
  readonly cluster: ClusterState<C>;
  readonly invokes: number;
  readonly reconfigs: number;
  readonly crashes: number;
}

export interface NetSpecOptions<C> {
  readonly scheme: Scheme<C>;
  /** Configurations a leader may be asked to adopt (`reconfig` steps index this list). */
  readonly configs?: readonly C[];
  readonly options?: Partial<RaftOptions>;
  readonly mutations?: Mutations;
}

const ROLE = { follower: 0, preCandidate: 1, candidate: 2, leader: 3 } as const;
const PSTATE = { probe: 0, replicate: 1, snapshot: 2 } as const;

/** Which parts of a cluster `ClusterEncoder.cluster` encodes beyond the servers and the ghost leaders/commits. */
export interface EncodeParts {
  /** The partition and the messages in flight (default true). */
  readonly network?: boolean;
  /** The ghost's created entries (default true). */
  readonly created?: boolean;
}

/**
 * Encodes cluster states for adore-core's explorer (`Spec.encode`): configurations, payloads and
 * messages as small integers, interned per encoder (only equality matters).
 */
export class ClusterEncoder<C> {
  private readonly interned = new Map<string, number>();
  constructor(private readonly scheme: Scheme<C>) {}

  intern(s: string): number {
    let n = this.interned.get(s);
    if (n === undefined) {
      n = this.interned.size + 1;
      this.interned.set(s, n);
    }
    return n;
  }

  entry(e: Entry<C>, sink: KeySink): void {
    sink.add(e.term);
    sink.add(e.versn);
    sink.add(
      e.kind === "noop"
        ? 0
        : e.kind === "command"
          ? this.intern(`c:${e.command}`)
          : this.intern(`k:${this.scheme.hash(e.membership.config)}:${e.membership.learners}`),
    );
  }

  message(m: Message<C>): string {
    switch (m.type) {
      case "RequestVote":
        return `V${m.from},${m.to},${m.term},${m.lastLogIndex},${m.lastLogTerm},${+m.preVote},${+m.transfer}`;
      case "RequestVoteResponse":
        return `v${m.from},${m.to},${m.term},${+m.granted},${+m.preVote}`;
      case "AppendEntries":
        return `A${m.from},${m.to},${m.term},${m.prevLogIndex},${m.prevLogTerm},${m.leaderCommit},${m.entries
          .map(
            (e) =>
              `${e.term}.${e.versn}.${e.kind === "command" ? e.command : e.kind === "config" ? this.scheme.hash(e.membership.config) : ""}`,
          )
          .join("/")}`;
      case "AppendEntriesResponse":
        return `a${m.from},${m.to},${m.term},${+m.success},${m.matchIndex},${m.rejectIndex},${m.hintTerm},${m.hintIndex}`;
      case "InstallSnapshot":
        return `S${m.from},${m.to},${m.term},${m.snapshot.index},${m.snapshot.term}`;
      case "TimeoutNow":
        return `T${m.from},${m.to},${m.term}`;
    }
  }

  server(s: RaftServer<C>, sink: KeySink): void {
    sink.add(ROLE[s.role]);
    sink.add(s.term);
    sink.add(s.votedFor);
    sink.add(s.leader);
    sink.add(s.commit);
    sink.add(s.granted);
    sink.add(s.refused);
    sink.add(s.termStart);
    sink.add(s.log.lastIndex);
    for (const e of s.log.entries()) this.entry(e, sink);
    sink.add(s.progress.size);
    for (const [id, pr] of [...s.progress].sort((a, b) => a[0] - b[0])) {
      sink.add(id);
      sink.add(pr.match);
      sink.add(pr.next);
      sink.add(PSTATE[pr.state]);
      sink.add(+pr.paused);
      sink.add(pr.inflight.length);
      for (const x of pr.inflight) sink.add(x);
    }
  }

  /** The servers (durable state when down), the network and the ghost state the invariants read. */
  cluster(cl: ClusterState<C>, sink: KeySink, parts: EncodeParts = {}): void {
    const { network = true, created = true } = parts;
    if (network) {
      sink.add(cl.partition.length);
      for (const g of cl.partition) sink.add(g);
    }
    for (const [nid, n] of cl.nodes) {
      sink.add(nid);
      sink.add(+n.up);
      if (n.up) this.server(n.server, sink);
      else {
        const d = n.durable;
        sink.add(d.hardState.term);
        sink.add(d.hardState.votedFor);
        sink.add(d.hardState.commit);
        sink.add(d.entries.length);
        for (const e of d.entries) this.entry(e, sink);
      }
    }
    if (network) {
      const msgs = cl.network.map((m) => this.message(m)).sort();
      sink.add(msgs.length);
      for (const m of msgs) sink.add(this.intern(m));
    }
    // ghost state the invariants read (histories, not behaviour)
    const g = cl.ghost;
    sink.add(g.violation ? 1 : 0);
    for (const [t, l] of [...g.leaders].sort((a, b) => a[0] - b[0])) {
      sink.add(t);
      sink.add(l);
    }
    sink.add(-1);
    for (const [i, c] of [...g.committed].sort((a, b) => a[0] - b[0])) {
      sink.add(i);
      sink.add(this.intern(c.ident));
      sink.add(c.term);
    }
    if (created) {
      sink.add(-2);
      for (const k of [...g.created.keys()].sort()) sink.add(this.intern(k));
    }
  }
}

/**
 * Checks ClusterBounds as a whole (they may come from untyped callers): the node list, the initial
 * configuration within it, the counters; throws ExploreOptionError naming the field.
 */
export function checkClusterBounds<C>(scheme: Scheme<C>, b: ClusterBounds<C>): NodeSet {
  const nodes = checkNodeList("bounds.nodes", b.nodes);
  if (b.initial === undefined)
    throw new ExploreOptionError("bounds.initial", "missing: expected a configuration");
  const mb = scheme.mbrs(b.initial);
  checkWithin("bounds.initial", scheme.print(b.initial), mb, nodes, "bounds.nodes");
  if (mb === 0) throw new ExploreOptionError("bounds.initial", `${scheme.print(b.initial)} has no members`);
  checkInteger("bounds.maxTerm", b.maxTerm, 0, 0xffff);
  checkInteger("bounds.maxLog", b.maxLog, 0, 0xffff);
  checkInteger("bounds.maxInvokes", b.maxInvokes, 0, 0xffff);
  checkInteger("bounds.maxReconfigs", b.maxReconfigs, 0, 0xffff);
  checkInteger("bounds.maxCrashes", b.maxCrashes, 0, 0xffff);
  return nodes;
}

export function netSpec<C>(o: NetSpecOptions<C>): Spec<NetState<C>, NetStep, NetBounds<C>> & {
  readonly params: RaftParams<C>;
} {
  const scheme = o.scheme;
  const configs = o.configs ?? [];
  // the partitions of the bounds in use (set by init, which the explorer calls first)
  let partitions: readonly (readonly NodeSet[])[] = [];
  const p = makeParams({
    scheme,
    options: { maxEntriesPerMessage: 1, maxInflight: 2, ...o.options, mutations: o.mutations ?? {} },
  });
  const show = (c: C) => scheme.print(c);
  const enc = new ClusterEncoder(scheme);

  const run = (st: NetState<C>, nid: NodeId, input: Input<C>) =>
    drive(st.cluster, nid, input, p, show).cluster;

  const invariants: Invariant<NetState<C>>[] = [
    {
      name: "RaftSafety",
      description:
        "election safety, log matching, leader completeness and state-machine safety (ghost-state checks of cluster.ts)",
      check: (s) => checkCluster(s.cluster) ?? null,
    },
  ];

  return {
    name: `raft-net(${scheme.name})`,
    params: p,
    checkBounds(b) {
      const nodes = checkClusterBounds(scheme, b);
      checkInteger("bounds.maxMessages", b.maxMessages, 0, 0xffff);
      checkBoolean("bounds.drop", b.drop);
      checkBoolean("bounds.duplicate", b.duplicate);
      if (b.partitions !== undefined) {
        if (!Array.isArray(b.partitions))
          throw new ExploreOptionError(
            "bounds.partitions",
            "expected a list of partitions (each a list of node sets)",
          );
        b.partitions.forEach((groups, i) => {
          if (!Array.isArray(groups))
            throw new ExploreOptionError(`bounds.partitions[${i}]`, "expected a list of node sets");
          for (const g of groups)
            if (typeof g !== "number" || (g & ~nodes) !== 0)
              throw new ExploreOptionError(
                `bounds.partitions[${i}]`,
                `${String(g)} is not a set of the bounds' nodes`,
              );
        });
      }
    },
    init: (b) => {
      partitions = b.partitions ?? [];
      return {
        cluster: newCluster(b.nodes, { config: b.initial, learners: 0 }, p),
        invokes: 0,
        reconfigs: 0,
        crashes: 0,
      };
    },
    enabled(st, b) {
      const out: NetStep[] = [];
      const cl = st.cluster;
      const room = cl.network.length < b.maxMessages;
      for (const [nid, n] of cl.nodes) {
        const s = n.server;
        if (!n.up) {
          out.push({ kind: "restart", nid });
          continue;
        }
        if (
          room &&
          s.role !== "leader" &&
          s.term < b.maxTerm &&
          has(p.adapter.scheme.mbrs(s.config.membership.config), nid)
        )
          out.push({ kind: "elect", nid });
        if (s.role === "leader") {
          if (room) out.push({ kind: "commit", nid });
          if (room && st.invokes < b.maxInvokes && s.log.lastIndex < b.maxLog)
            out.push({ kind: "invoke", nid });
          if (room && st.reconfigs < b.maxReconfigs && s.log.lastIndex < b.maxLog)
            configs.forEach((c, config) => {
              if (!scheme.equals(c, s.config.membership.config)) out.push({ kind: "reconfig", nid, config });
            });
        }
        if (st.crashes < b.maxCrashes) out.push({ kind: "crash", nid });
      }
      if (cl.partition.length > 0) out.push({ kind: "heal" });
      else for (let k = 0; k < (b.partitions ?? []).length; k++) out.push({ kind: "partition", k });
      // identical messages in flight are one choice
      const seen = new Set<string>();
      cl.network.forEach((m, i) => {
        const k = enc.message(m);
        if (seen.has(k)) return;
        seen.add(k);
        out.push({ kind: "deliver", i });
        if (b.drop) out.push({ kind: "drop", i });
        if (b.duplicate && room) out.push({ kind: "duplicate", i });
      });
      return out;
    },
    step(st, a) {
      const cl = st.cluster;
      switch (a.kind) {
        case "elect":
          return { ok: true, next: { ...st, cluster: run(st, a.nid, { type: "campaign" }) } };
        case "commit":
          return { ok: true, next: { ...st, cluster: run(st, a.nid, { type: "heartbeat" }) } };
        case "invoke":
          return {
            ok: true,
            next: {
              ...st,
              invokes: st.invokes + 1,
              cluster: run(st, a.nid, { type: "propose", commands: [`m${st.invokes + 1}`] }),
            },
          };
        case "reconfig": {
          const config = configs[a.config];
          if (config === undefined) return { ok: false, reason: `no configuration #${a.config}` };
          const next = run(st, a.nid, { type: "reconfigure", membership: { config, learners: 0 } });
          return { ok: true, next: { ...st, reconfigs: st.reconfigs + 1, cluster: next } };
        }
        case "deliver":
          if (a.i >= cl.network.length) return { ok: false, reason: "no such message" };
          return { ok: true, next: { ...st, cluster: deliver(cl, a.i, p, show).cluster } };
        case "drop":
          if (a.i >= cl.network.length) return { ok: false, reason: "no such message" };
          return { ok: true, next: { ...st, cluster: drop(cl, a.i) } };
        case "duplicate":
          if (a.i >= cl.network.length) return { ok: false, reason: "no such message" };
          return { ok: true, next: { ...st, cluster: duplicate(cl, a.i) } };
        case "crash":
          return { ok: true, next: { ...st, crashes: st.crashes + 1, cluster: crash(cl, a.nid) } };
        case "restart":
          return { ok: true, next: { ...st, cluster: restart(cl, a.nid, p, show).cluster } };
        case "partition": {
          const groups = partitions[a.k];
          if (!groups) return { ok: false, reason: `no partition #${a.k}` };
          return { ok: true, next: { ...st, cluster: setPartition(cl, groups) } };
        }
        case "heal":
          return { ok: true, next: { ...st, cluster: setPartition(cl, []) } };
      }
    },
    encode(st, sink) {
      sink.add(st.invokes);
      sink.add(st.reconfigs);
      sink.add(st.crashes);
      enc.cluster(st.cluster, sink);
    },
    invariants,
    showStep: (a) => {
      switch (a.kind) {
        case "elect":
        case "commit":
        case "invoke":
        case "crash":
        case "restart":
          return `${a.kind} S${a.nid}`;
        case "reconfig":
          return `reconfig S${a.nid} #${a.config}`;
        case "partition":
          return `partition #${a.k}`;
        case "heal":
          return "heal";
        case "deliver":
        case "drop":
        case "duplicate":
          return `${a.kind} #${a.i}`;
      }
    },
  } as Spec<NetState<C>, NetStep, NetBounds<C>> & { readonly params: RaftParams<C> };
}

/** Prints a message in flight of a net state (for readable traces). */
export function describeNetStep<C>(
  scheme: Scheme<C>,
  before: NetState<C>,
  a: NetStep,
  configs: readonly C[] = [],
): string {
  const show = (c: C) => scheme.print(c);
  switch (a.kind) {
    case "deliver":
    case "drop":
    case "duplicate": {
      const m = before.cluster.network[a.i];
      return `${a.kind} ${m ? showMessage(m, show) : `#${a.i}`}`;
    }
    case "reconfig":
      return `reconfig S${a.nid} -> ${configs[a.config] !== undefined ? show(configs[a.config]!) : `#${a.config}`}`;
    case "partition":
      return `partition #${a.k}`;
    case "heal":
      return "heal";
    default:
      return `${a.kind} S${a.nid}`;
  }
}
