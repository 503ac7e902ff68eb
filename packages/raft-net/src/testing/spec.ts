import {
  checkBoolean,
  checkInteger,
  ExploreOptionError,
  has,
  type Invariant,
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
} from "../cluster.js";
import { type Mutations, params as makeParams, type RaftOptions, type RaftParams } from "../options.js";
import { type ClusterBounds, checkClusterBounds } from "../bounds.js";
import { ClusterEncoder } from "../encoder.js";
import { showMessage } from "./sim.js";
import type { Input } from "../types.js";

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
