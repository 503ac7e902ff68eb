import { has, type Invariant, type NodeId, type NodeSet, showSet, type Spec } from "@adore/adore-core";
import {
  type ClusterBounds,
  ClusterEncoder,
  type ClusterState,
  checkCluster,
  checkClusterBounds,
  crash,
  drive,
  type Effect,
  type Input,
  type Message,
  type Mutations,
  newCluster,
  params as makeParams,
  type RaftOptions,
  type RaftParams,
  type Rejection,
  restart,
  type Scheme,
} from "./deps.js";

/**
 * SRaft (section 5): the servers of raft-net, driven by raft-net's own `stepServer` (through its
 * cluster `drive`, which persists and checks ghost invariants), but with no asynchronous network:
 * only valid messages are delivered (a round never contains a message its recipient ignores),
 * and a request is received and acknowledged by all its recipients atomically. Steps are whole
 * rounds in logical-time order.
 */
export type SRaftStep =
  /**
   * Election round: `nid` starts an election (term + 1); each voter in `voters` (ascending)
   * receives its RequestVote and the candidate receives that voter's answer, atomically.
   */
  | { readonly kind: "elect"; readonly nid: NodeId; readonly voters: NodeSet }
  /**
   * Commit round: leader `nid` sends its AppendEntries (heartbeat); each recipient in `to`
   * (ascending) receives what is addressed to it and the leader receives each response.
   */
  | { readonly kind: "commit"; readonly nid: NodeId; readonly to: NodeSet }
  /** A client command reaches leader `nid` (a local step). */
  | { readonly kind: "invoke"; readonly nid: NodeId }
  /** A membership change reaches leader `nid`; `config` indexes the spec's configurations. */
  | { readonly kind: "reconfig"; readonly nid: NodeId; readonly config: number }
  | { readonly kind: "crash"; readonly nid: NodeId }
  | { readonly kind: "restart"; readonly nid: NodeId; readonly seed?: number }
  /** (Reduced Raft traces) a local input: tick, campaign, propose, reconfigure, heartbeat, … */
  | { readonly kind: "local"; readonly nid: NodeId; readonly input: Input<unknown> }
  /** (Reduced Raft traces) a round given by its recorded messages, delivered in this order. */
  | { readonly kind: "round"; readonly round: Round<unknown> };

/**
 * A round as recorded: the messages of one request (same sender, one sending step) and the
 * answers to them, delivered in order; `label` says what the round is (for printing).
 */
export interface Round<C> {
  readonly msgs: readonly Message<C>[];
  readonly label?: string;
}

/** SRaft's bounds: the network model's, without message bounds (a round delivers all it sends). */
export type SRaftBounds<C> = ClusterBounds<C>;

export interface SRaftState<C> {
  readonly cluster: ClusterState<C>;
  readonly invokes: number;
  readonly reconfigs: number;
  readonly crashes: number;
  /** What the step into this state did (not part of the state's identity). */
  readonly effects: readonly Effect<C>[];
}

export interface SRaftOptions<C> {
  readonly scheme: Scheme<C>;
  readonly configs?: readonly C[];
  readonly options?: Partial<RaftOptions>;
  readonly mutations?: Mutations;
}

export type SRaftSpec<C> = Spec<SRaftState<C>, SRaftStep, SRaftBounds<C>> & {
  readonly params: RaftParams<C>;
  readonly configs: readonly C[];
};

/** A delivery the recipient ignores: refused (stale, wrong round, …) with its server unchanged. */
export function ignored(rejected: Rejection | undefined, changed: boolean): boolean {
  return rejected !== undefined && !changed;
}

export interface RoundResult<C> {
  readonly cluster: ClusterState<C>;
  readonly effects: readonly Effect<C>[];
}

/** Delivers one message; an error string if its recipient is down or ignores it (SRaft never delivers those). */
export function deliverValid<C>(
  cl: ClusterState<C>,
  m: Message<C>,
  p: RaftParams<C>,
  show: (c: C) => string,
): RoundResult<C> | string {
  const n = cl.nodes.get(m.to);
  if (!n?.up) return `S${m.to} is down`;
  const r = drive(cl, m.to, { type: "receive", msg: m }, p, show);
  const after = r.cluster.nodes.get(m.to)!;
  if (ignored(r.effect.rejected, after.server !== n.server || after.durable !== n.durable))
    return `S${m.to} ignores ${m.type} from S${m.from} (t${m.term}): ${r.effect.rejected!.code}`;
  return { cluster: r.cluster, effects: [r.effect] };
}

/** Delivers a recorded round atomically (all its messages, in order), or says which one is ignored. */
export function applyRound<C>(
  cl: ClusterState<C>,
  round: Round<C>,
  p: RaftParams<C>,
  show: (c: C) => string,
): RoundResult<C> | string {
  let c = cl;
  const effects: Effect<C>[] = [];
  for (const m of round.msgs) {
    const r = deliverValid(c, m, p, show);
    if (typeof r === "string") return r;
    c = r.cluster;
    effects.push(...r.effects);
  }
  return { cluster: { ...c, network: [] }, effects };
}

const ids = (s: NodeSet) => {
  const out: NodeId[] = [];
  for (let i = 1; i <= 30; i++) if (has(s, i)) out.push(i);
  return out;
};

/** Runs one SRaft step on a cluster (no network survives a step). */
export function applySRaftStep<C>(
  cl: ClusterState<C>,
  a: SRaftStep,
  p: RaftParams<C>,
  show: (c: C) => string,
  configs: readonly C[] = [],
  n = 0,
): RoundResult<C> | string {
  const local = (nid: NodeId, input: Input<C>): RoundResult<C> | string => {
    if (!cl.nodes.get(nid)?.up) return `S${nid} is down`;
    const r = drive(cl, nid, input, p, show);
    return { cluster: r.cluster, effects: [r.effect] };
  };
  /** A local step, then its requests to `to` and each answer, atomically. */
  const rounds = (nid: NodeId, input: Input<C>, to: NodeSet, type: Message<C>["type"]) => {
    const first = local(nid, input);
    if (typeof first === "string") return first;
    let c = first.cluster;
    const effects = [...first.effects];
    const sent = first.effects[0]!.sent;
    for (const v of ids(to)) {
      const reqs = sent.filter((m) => m.to === v && m.type === type);
      if (reqs.length === 0) return `S${nid} sends no ${type} to S${v}`;
      const answers: Message<C>[] = [];
      for (const m of reqs) {
        const r = deliverValid(c, m, p, show);
        if (typeof r === "string") return r;
        c = r.cluster;
        effects.push(...r.effects);
        answers.push(...r.effects[0]!.sent.filter((x) => x.to === nid));
      }
      for (const m of answers) {
        const r = deliverValid(c, m, p, show);
        if (typeof r === "string") return r;
        c = r.cluster;
        effects.push(...r.effects);
      }
    }
    return { cluster: { ...c, network: [] }, effects };
  };
  switch (a.kind) {
    case "elect":
      return rounds(a.nid, { type: "campaign" }, a.voters, "RequestVote");
    case "commit":
      return rounds(a.nid, { type: "heartbeat" }, a.to, "AppendEntries");
    case "invoke":
      return local(a.nid, { type: "propose", commands: [`m${n}`] });
    case "reconfig": {
      const config = configs[a.config];
      if (config === undefined) return `no configuration #${a.config}`;
      return local(a.nid, { type: "reconfigure", membership: { config, learners: 0 } });
    }
    case "crash":
      if (!cl.nodes.get(a.nid)?.up) return `S${a.nid} is down`;
      return { cluster: crash(cl, a.nid), effects: [] };
    case "restart": {
      if (cl.nodes.get(a.nid)?.up !== false) return `S${a.nid} is up`;
      const r = restart(cl, a.nid, p, show, a.seed ?? 1);
      return { cluster: r.cluster, effects: r.effect ? [r.effect] : [] };
    }
    case "local": {
      const r = local(a.nid, a.input as Input<C>);
      return typeof r === "string" ? r : { ...r, cluster: { ...r.cluster, network: [] } };
    }
    case "round":
      return applyRound(cl, a.round as Round<C>, p, show);
  }
}

/** SRaft as a Spec for adore-core's `explore` (elect/commit rounds, invoke, reconfig, crash, restart). */
export function sraftSpec<C>(o: SRaftOptions<C>): SRaftSpec<C> {
  const scheme = o.scheme;
  const configs = o.configs ?? [];
  const p = makeParams({
    scheme,
    options: { maxEntriesPerMessage: 4, maxInflight: 1, ...o.options, mutations: o.mutations ?? {} },
  });
  const show = (c: C) => scheme.print(c);
  const enc = new ClusterEncoder(scheme);
  // enabled() validates each candidate round by running it; step() reuses the result
  const memo = new WeakMap<SRaftState<C>, Map<string, SRaftState<C>>>();
  const keyOf = (a: SRaftStep) => JSON.stringify(a);
  const run = (st: SRaftState<C>, a: SRaftStep): SRaftState<C> | string => {
    const n = a.kind === "invoke" ? st.invokes + 1 : 0;
    const r = applySRaftStep(st.cluster, a, p, show, configs, n);
    if (typeof r === "string") return r;
    return {
      cluster: r.cluster,
      invokes: st.invokes + (a.kind === "invoke" ? 1 : 0),
      reconfigs: st.reconfigs + (a.kind === "reconfig" ? 1 : 0),
      crashes: st.crashes + (a.kind === "crash" ? 1 : 0),
      effects: r.effects,
    };
  };
  const invariants: Invariant<SRaftState<C>>[] = [
    {
      name: "RaftSafety",
      description:
        "election safety, log matching, leader completeness, state-machine safety (raft-net's checkCluster)",
      check: (s) => checkCluster(s.cluster) ?? null,
    },
  ];
  const spec: SRaftSpec<C> = {
    name: `sraft(${scheme.name})`,
    params: p,
    configs,
    checkBounds: (b) => {
      checkClusterBounds(scheme, b);
    },
    init: (b) => ({
      cluster: newCluster(b.nodes, { config: b.initial, learners: 0 }, p),
      invokes: 0,
      reconfigs: 0,
      crashes: 0,
      effects: [],
    }),
    enabled(st, b) {
      const cands: SRaftStep[] = [];
      const cl = st.cluster;
      const up: NodeSet = [...cl.nodes].reduce((m, [id, n]) => (n.up ? m | (1 << id) : m), 0);
      for (const [nid, n] of cl.nodes) {
        const s = n.server;
        if (!n.up) {
          cands.push({ kind: "restart", nid });
          continue;
        }
        const vs = scheme.mbrs(s.config.membership.config);
        if (s.role !== "leader" && s.term < b.maxTerm && has(vs, nid)) {
          const others = vs & up & ~(1 << nid);
          for (const sub of subsetsOf(others)) cands.push({ kind: "elect", nid, voters: sub });
        }
        if (s.role === "leader") {
          const peers = [...s.progress.keys()].reduce((m, id) => m | (1 << id), 0) & up;
          for (const sub of subsetsOf(peers)) if (sub !== 0) cands.push({ kind: "commit", nid, to: sub });
          if (st.invokes < b.maxInvokes && s.log.lastIndex < b.maxLog) cands.push({ kind: "invoke", nid });
          if (st.reconfigs < b.maxReconfigs && s.log.lastIndex < b.maxLog)
            configs.forEach((c, config) => {
              if (!scheme.equals(c, s.config.membership.config))
                cands.push({ kind: "reconfig", nid, config });
            });
        }
        if (st.crashes < b.maxCrashes) cands.push({ kind: "crash", nid });
      }
      const ok = new Map<string, SRaftState<C>>();
      const out: SRaftStep[] = [];
      for (const a of cands) {
        const r = run(st, a);
        if (typeof r === "string") continue;
        // a leader's round that changes nothing (every message already acknowledged) is a no-op
        ok.set(keyOf(a), r);
        out.push(a);
      }
      memo.set(st, ok);
      return out;
    },
    step(st, a) {
      const hit = memo.get(st)?.get(keyOf(a));
      if (hit) return { ok: true, next: hit, rule: a.kind };
      const r = run(st, a);
      return typeof r === "string" ? { ok: false, reason: r } : { ok: true, next: r, rule: a.kind };
    },
    encode(st, sink) {
      sink.add(st.invokes);
      sink.add(st.reconfigs);
      sink.add(st.crashes);
      // no network: SRaft delivers whole rounds, so nothing is ever in flight
      enc.cluster(st.cluster, sink, { network: false, created: false });
    },
    invariants,
    showStep: (a) => showSRaftStep(a, configs, show),
  };
  return spec;
}

function subsetsOf(s: NodeSet): NodeSet[] {
  const out: NodeSet[] = [];
  for (let sub = s; ; sub = (sub - 1) & s) {
    out.push(sub);
    if (sub === 0) break;
  }
  return out.reverse();
}

export function showSRaftStep<C>(a: SRaftStep, configs: readonly C[] = [], show?: (c: C) => string): string {
  switch (a.kind) {
    case "elect":
      return `elect S${a.nid} voters ${showSet(a.voters)}`;
    case "commit":
      return `commit S${a.nid} -> ${showSet(a.to)}`;
    case "invoke":
    case "crash":
    case "restart":
      return `${a.kind} S${a.nid}`;
    case "reconfig": {
      const c = configs[a.config];
      return `reconfig S${a.nid} -> ${c !== undefined && show ? show(c) : `#${a.config}`}`;
    }
    case "local":
      return `S${a.nid} ${a.input.type}`;
    case "round":
      return `round ${a.round.label ?? ""} (${a.round.msgs.length} messages)`;
  }
}
