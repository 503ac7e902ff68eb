import type { NodeId } from "@adore/adore-core";
import { type ClusterState, crash, drive, type Message, type RaftServer, restart } from "@adore/raft-net";
import { applyRound, ignored, type SRaftStep } from "@adore/sraft";
import type { Driven, RaftTrace } from "./driver.js";

/**
 * Raft → SRaft (section 5, Fig. 14) as a trace transformer over recorded raft-net runs:
 * 1. drop every delivery its recipient ignored (refused with its server and disk unchanged);
 * 2. commute independent deliveries: an event may move before events of OTHER servers as long as
 *    every earlier event of its own server and the sending of its message come first (any such
 *    order gives every server the same sequence of inputs, hence the same states);
 * 3. merge the deliveries of one request (the messages one step sent) and the deliveries of the
 *    answers to them into one atomic round, as far as 2 allows.
 * Deliveries to each server are then in logical-time order (non-decreasing terms): checked.
 */
export interface Reduction {
  readonly steps: readonly SRaftStep[];
  readonly stats: ReductionStats;
}

export interface ReductionStats {
  readonly events: number;
  readonly dropped: number;
  readonly rounds: number;
  /** Deliveries that ended up in a round with at least one other delivery. */
  readonly merged: number;
  readonly deliveries: number;
  /** Rounds holding every kept delivery of their request and every kept answer to it. */
  readonly completeRounds: number;
}

interface Ev<C> {
  readonly d: Driven<C>;
  readonly i: number;
  /** For a delivery: the event that sent its message. */
  send: number | undefined;
  /** For a delivery: the group (the sending event of the request it belongs to). */
  group: number | undefined;
  dropped: boolean;
}

export function reduce<C>(trace: RaftTrace<C>): Reduction {
  const evs: Ev<C>[] = [];
  for (const s of trace.steps)
    for (const d of s.driven)
      evs.push({ d, i: evs.length, send: undefined, group: undefined, dropped: false });
  const sentBy = new Map<Message<C>, number>();
  for (const e of evs) {
    const d = e.d;
    if (d.kind !== "input") continue;
    if (d.input.type === "receive") {
      e.send = sentBy.get(d.input.msg as Message<C>);
      e.dropped = ignored(d.rejected, d.changed);
    }
    for (const m of d.sent) if (!sentBy.has(m)) sentBy.set(m, e.i);
  }
  // groups: a request's deliveries join the group of their sending event; an answer's delivery
  // (a message sent by a delivery, back to the request's sender) joins the request's group
  for (const e of evs) {
    if (e.dropped || e.send === undefined) continue;
    const s = evs[e.send]!;
    const isAnswer =
      s.d.kind === "input" &&
      s.d.input.type === "receive" &&
      s.group !== undefined &&
      (s.d.input.msg as Message<C>).from === (e.d as Extract<Driven<C>, { kind: "input" }>).id;
    e.group = isAnswer ? s.group : e.send;
  }
  const members = new Map<number, number[]>();
  for (const e of evs)
    if (!e.dropped && e.group !== undefined) members.set(e.group, [...(members.get(e.group) ?? []), e.i]);
  const done = new Array<boolean>(evs.length).fill(false);
  const lastDone = new Map<NodeId, number>(); // per node: how many of its kept events are scheduled
  const nodeEvents = new Map<NodeId, number[]>();
  for (const e of evs) if (!e.dropped) nodeEvents.set(e.d.id, [...(nodeEvents.get(e.d.id) ?? []), e.i]);
  const ready = (k: number) => {
    const e = evs[k]!;
    const list = nodeEvents.get(e.d.id)!;
    const pos = lastDone.get(e.d.id) ?? 0;
    if (list[pos] !== k) return false;
    return e.send === undefined || done[e.send]!;
  };
  const mark = (k: number) => {
    done[k] = true;
    const id = evs[k]!.d.id;
    lastDone.set(id, (lastDone.get(id) ?? 0) + 1);
  };
  const steps: SRaftStep[] = [];
  let rounds = 0;
  let merged = 0;
  let deliveries = 0;
  let complete = 0;
  for (const e of evs) {
    if (e.dropped || done[e.i]) continue;
    const d = e.d;
    if (d.kind === "crash") {
      mark(e.i);
      steps.push({ kind: "crash", nid: d.id });
      continue;
    }
    if (d.kind === "restart") {
      mark(e.i);
      steps.push({ kind: "restart", nid: d.id, seed: d.seed });
      continue;
    }
    if (d.input.type !== "receive") {
      mark(e.i);
      steps.push({ kind: "local", nid: d.id, input: d.input as never });
      continue;
    }
    // a round: this delivery, then every other member of its group that can be made adjacent
    const block = [e.i];
    mark(e.i);
    const group = e.group !== undefined ? (members.get(e.group) ?? []) : [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const k of group)
        if (!done[k] && ready(k)) {
          mark(k);
          block.push(k);
          changed = true;
        }
    }
    const msgs = block.map((k) => {
      const x = evs[k]!.d as Extract<Driven<C>, { kind: "input" }>;
      return (x.input as Extract<typeof x.input, { type: "receive" }>).msg as Message<unknown>;
    });
    rounds++;
    deliveries += block.length;
    if (block.length > 1) merged += block.length;
    if (group.length > 0 && group.every((k) => block.includes(k))) complete++;
    const m0 = msgs[0]!;
    steps.push({ kind: "round", round: { msgs, label: `S${m0.from} ${m0.type} t${m0.term}` } });
  }
  return {
    steps,
    stats: {
      events: evs.length,
      dropped: evs.filter((e) => e.dropped).length,
      rounds,
      merged,
      deliveries,
      completeRounds: complete,
    },
  };
}

/** Replays a reduced trace in SRaft (rounds must be valid: no delivery ignored). */
export function replaySRaft<C>(
  trace: RaftTrace<C>,
  steps: readonly SRaftStep[],
): { cluster: ClusterState<C> } | { error: string; at: number } {
  const p = trace.params;
  const show = (c: C) => trace.options.scheme.print(c);
  let cl = trace.initial;
  const lastTerm = new Map<NodeId, number>();
  for (let k = 0; k < steps.length; k++) {
    const a = steps[k]!;
    switch (a.kind) {
      case "round": {
        for (const m of a.round.msgs) {
          if ((lastTerm.get(m.to) ?? 0) > m.term && !(m.type === "RequestVote" && m.preVote))
            return { error: `S${m.to} receives a term-${m.term} message after a later one`, at: k };
          lastTerm.set(m.to, m.term);
        }
        const r = applyRound(cl, a.round as never, p, show);
        if (typeof r === "string") return { error: r, at: k };
        cl = r.cluster as ClusterState<C>;
        break;
      }
      case "local":
        cl = { ...drive(cl, a.nid, a.input as never, p, show).cluster, network: [] };
        break;
      case "crash":
        cl = crash(cl, a.nid);
        break;
      case "restart":
        cl = restart(cl, a.nid, p, show, a.seed ?? 1).cluster;
        break;
      default:
        return { error: `unexpected step ${a.kind} in a reduced trace`, at: k };
    }
  }
  return { cluster: cl };
}

/** Everything in a server's state, as a comparable string (the log by its entries). */
export function serverImage<C>(s: RaftServer<C>): string {
  const { log, progress, ...rest } = s;
  return JSON.stringify({
    ...rest,
    snapshot: log.snapshot,
    entries: log.entries(),
    progress: [...progress].sort((a, b) => a[0] - b[0]),
  });
}

/** The servers (and disks, and up/down) on which two clusters differ. */
export function diffClusters<C>(a: ClusterState<C>, b: ClusterState<C>): string[] {
  const out: string[] = [];
  for (const [id, n] of a.nodes) {
    const m = b.nodes.get(id);
    if (!m) out.push(`S${id} missing`);
    else if (n.up !== m.up) out.push(`S${id} up=${n.up} vs ${m.up}`);
    else if (serverImage(n.server) !== serverImage(m.server)) out.push(`S${id} server differs`);
    else if (JSON.stringify(n.durable) !== JSON.stringify(m.durable)) out.push(`S${id} disk differs`);
  }
  return out;
}
