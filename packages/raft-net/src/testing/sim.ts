import { members, type NodeId, type NodeSet, Rng, range, type Scheme, showSet } from "@adore/adore-core";
import {
  addNode,
  type ClusterState,
  checkCluster,
  commitMonotone,
  crash,
  deliver,
  drive,
  drop,
  duplicate,
  type Effect,
  newCluster,
  restart,
  setPartition,
} from "../cluster.js";
import { type Mutations, params as makeParams, type RaftOptions, type RaftParams } from "../options.js";
import { type Input, type Membership, type Message, NONE, type Rejection } from "../types.js";

export interface SimOptions<C> {
  readonly scheme: Scheme<C>;
  readonly initial: C;
  /** Every node id that may ever take part (the universe for reconfigurations). */
  readonly universe: NodeSet;
  readonly seed: number;
  readonly steps: number;
  readonly options?: Partial<RaftOptions>;
  readonly mutations?: Mutations;
  /** Relative weights of the random actions (defaults below). */
  readonly weights?: Partial<Record<ActionKind, number>>;
  /** At most this many nodes down at once (default: a minority of the universe). */
  readonly maxDown?: number;
  /** Keep a transcript of every step (for printing a failing seed). */
  readonly transcript?: boolean;
}

export type ActionKind =
  | "deliver"
  | "tick"
  | "propose"
  | "reconfigure"
  | "drop"
  | "duplicate"
  | "crash"
  | "restart"
  | "partition"
  | "heal"
  | "read"
  | "transfer"
  | "compact"
  | "campaign";

/** The default action weights of `simulate` (a soak-testing profile). */
export const DEFAULT_WEIGHTS: Record<ActionKind, number> = {
  deliver: 60,
  tick: 18,
  propose: 8,
  reconfigure: 3,
  drop: 4,
  duplicate: 2,
  crash: 0.6,
  restart: 3,
  partition: 0.6,
  heal: 1.5,
  read: 1,
  transfer: 0.3,
  compact: 0.5,
  campaign: 1.5,
};

/**
 * A profile for hunting bugs rather than for soak testing: few deliveries, many lost messages,
 * frequent elections and reconfigurations, no timers — the interleavings of Figs. 4 and 8 of the
 * papers need entries that reach only part of the cluster while leadership moves.
 */
export const HUNT_WEIGHTS: Partial<Record<ActionKind, number>> = {
  deliver: 30,
  tick: 2,
  propose: 6,
  reconfigure: 8,
  drop: 14,
  duplicate: 1,
  crash: 0.5,
  restart: 2,
  partition: 1,
  heal: 1,
  read: 0.5,
  transfer: 0.2,
  compact: 0.2,
  campaign: 10,
};

export interface SimResult<C> {
  readonly seed: number;
  readonly steps: number;
  readonly violation: string | undefined;
  /** The step (1-based) at which the violation was seen. */
  readonly failedAt: number | undefined;
  readonly transcript: readonly string[];
  readonly stats: SimStats;
  readonly final: ClusterState<C>;
}

export interface SimStats {
  committed: number;
  elections: number;
  reconfigs: number;
  reconfigsRefused: number;
  crashes: number;
  partitions: number;
  drops: number;
  duplicates: number;
  reads: number;
  snapshots: number;
}

export function showMessage<C>(m: Message<C>, show: (c: C) => string): string {
  switch (m.type) {
    case "RequestVote":
      return `${m.from}->${m.to} ${m.preVote ? "Pre" : ""}Vote t${m.term} last=${m.lastLogTerm}/${m.lastLogIndex}${m.transfer ? " transfer" : ""}`;
    case "RequestVoteResponse":
      return `${m.from}->${m.to} ${m.preVote ? "Pre" : ""}VoteResp t${m.term} ${m.granted ? "granted" : "rejected"}`;
    case "AppendEntries":
      return `${m.from}->${m.to} App t${m.term} prev=${m.prevLogTerm}/${m.prevLogIndex} commit=${m.leaderCommit} [${m.entries
        .map(
          (e) =>
            `${e.term}/${e.index}${e.kind === "command" ? ` ${e.command}` : e.kind === "config" ? ` conf ${show(e.membership.config)}${e.membership.learners ? ` learners ${showSet(e.membership.learners)}` : ""}` : ""}`,
        )
        .join(", ")}]`;
    case "AppendEntriesResponse":
      return `${m.from}->${m.to} AppResp t${m.term} ${m.success ? `match=${m.matchIndex}` : `reject=${m.rejectIndex} hint=${m.hintTerm}/${m.hintIndex}`}`;
    case "InstallSnapshot":
      return `${m.from}->${m.to} Snap t${m.term} at ${m.snapshot.term}/${m.snapshot.index}`;
    case "TimeoutNow":
      return `${m.from}->${m.to} TimeoutNow t${m.term}`;
  }
}

/** One input a server received (or a crash/restart), with what it did. */
export type Driven<C> =
  | {
      readonly kind: "input";
      readonly id: NodeId;
      readonly input: Input<C>;
      readonly rejected: Rejection | undefined;
      /** The server or its durable state changed. */
      readonly changed: boolean;
      readonly sent: readonly Message<C>[];
    }
  | { readonly kind: "crash"; readonly id: NodeId }
  | { readonly kind: "restart"; readonly id: NodeId; readonly seed: number };

/** One step of a simulation, as handed to `runSimulation`'s `onStep`. */
export interface SimStep<C> {
  /** 1-based step number (the numbering of the transcript). */
  readonly n: number;
  /** The action taken, as in the transcript without its number ("" when the step did nothing). */
  readonly action: string;
  /** The effects of the drive/deliver/restart calls of this step, in order (empty for e.g. a drop). */
  readonly effects: readonly Effect<C>[];
  /** The cluster after the step. */
  readonly cluster: ClusterState<C>;
  /** Every input a server received in this step (and crashes/restarts), in order. */
  readonly driven: readonly Driven<C>[];
  /** The invariant check (`checkCluster`, commit monotonicity) after this step, if it failed. */
  readonly violation: string | undefined;
}

export interface SimHooks<C> {
  /** Called after every step; returning false stops the run after that step. */
  readonly onStep?: (s: SimStep<C>) => boolean;
  /** Keep running after an invariant check fails (default: stop at the first failure). */
  readonly pastViolations?: boolean;
}

export interface SimRun<C> {
  readonly result: SimResult<C>;
  /** The cluster before the first step. */
  readonly initial: ClusterState<C>;
  readonly params: RaftParams<C>;
  /** The step at which `onStep` stopped the run, if it did. */
  readonly stoppedAt: number | undefined;
}

/** The params `simulate` uses for a seed. */
export function simParams<C>(o: SimOptions<C>): RaftParams<C> {
  return makeParams({
    scheme: o.scheme,
    options: {
      electionTick: 6,
      heartbeatTick: 2,
      // vary batching per seed: one entry per message exposes more partial replication
      maxEntriesPerMessage: 1 + (o.seed % 4),
      maxInflight: 4,
      ...o.options,
      mutations: o.mutations ?? {},
    },
  });
}

/** Runs one seeded random simulation, checking every invariant after every step. */
export function simulate<C>(o: SimOptions<C>): SimResult<C> {
  return runSimulation(o).result;
}

/**
 * The simulation loop of `simulate`, handing every step to `hooks.onStep` (which may stop the
 * run). The random choices depend only on the options, so hooks never change a seed's run.
 */
export function runSimulation<C>(o: SimOptions<C>, hooks: SimHooks<C> = {}): SimRun<C> {
  const { onStep, pastViolations = false } = hooks;
  const rng = new Rng(o.seed);
  const show = (c: C) => o.scheme.print(c);
  const p = simParams(o);
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  const kinds = Object.keys(weights) as ActionKind[];
  const total = kinds.reduce((a, k) => a + weights[k], 0);
  const universe = members(o.universe);
  const voters0 = members(o.scheme.mbrs(o.initial));
  const membership0: Membership<C> = { config: o.initial, learners: 0 };
  const maxDown = o.maxDown ?? Math.floor((universe.length - 1) / 2);
  let cl = newCluster(voters0, membership0, p, o.seed);
  // ids outside the initial configuration start empty and learn the log once added
  for (const id of universe)
    if (!cl.nodes.has(id)) cl = addNode(cl, id, { config: o.initial, learners: 0 }, p, o.seed);
  const initial = cl;
  const configs = o.scheme.validConfigs(o.universe);
  const transcript: string[] = [];
  const stats: SimStats = {
    committed: 0,
    elections: 0,
    reconfigs: 0,
    reconfigsRefused: 0,
    crashes: 0,
    partitions: 0,
    drops: 0,
    duplicates: 0,
    reads: 0,
    snapshots: 0,
  };
  let cmd = 0;
  let req = 0;
  // what `onStep` receives (only collected when there is one)
  let action = "";
  let effects: Effect<C>[] = [];
  let driven: Driven<C>[] = [];
  const log = (line: string) => {
    if (o.transcript) transcript.push(line);
  };
  const record = (e: Effect<C> | undefined) => {
    if (!e) return;
    if (onStep) effects.push(e);
    for (const ev of e.events) {
      if (ev.type === "becameLeader") {
        stats.elections++;
        log(`    S${e.id} leads term ${ev.term}`);
      }
      if (ev.type === "commitAdvanced" && o.transcript) log(`    S${e.id} commit ${ev.from} -> ${ev.to}`);
      if (ev.type === "configAppended" && o.transcript)
        log(`    S${e.id} config ${show(ev.membership.config)} at ${ev.index}`);
      if (ev.type === "truncated" && o.transcript)
        log(`    S${e.id} truncated from ${ev.from} (${ev.removed} entries)`);
    }
    for (const r of e.replies) if (r.type === "reconfigFailed") stats.reconfigsRefused++;
  };
  const noteInput = (id: NodeId, input: Input<C>, before: ClusterState<C>, eff: Effect<C>) => {
    if (!onStep) return;
    const a = before.nodes.get(id);
    const b = cl.nodes.get(id);
    driven.push({
      kind: "input",
      id,
      input,
      rejected: eff.rejected,
      changed: a?.server !== b?.server || a?.durable !== b?.durable,
      sent: eff.sent,
    });
  };
  const up = () => [...cl.nodes.values()].filter((n) => n.up).map((n) => n.server.id);
  const leaders = () => up().filter((id) => cl.nodes.get(id)!.server.role === "leader");
  const pickTarget = () => {
    const ls = leaders();
    return ls.length > 0 && rng.chance(0.9) ? rng.pick(ls) : rng.pick(up());
  };
  const step = (id: NodeId, input: Input<C>) => {
    const b = cl;
    const r = drive(cl, id, input, p, show);
    cl = r.cluster;
    record(r.effect);
    noteInput(id, input, b, r.effect);
    if (r.effect.rejected && o.transcript && input.type !== "receive")
      log(`    refused: ${JSON.stringify(r.effect.rejected)}`);
  };

  let violation: string | undefined;
  let failedAt: number | undefined;
  let stoppedAt: number | undefined;
  let last = o.steps;
  for (let n = 1; n <= o.steps; n++) {
    const before = cl;
    const act = (line: string) => {
      action = line;
      log(`${n}. ${line}`);
    };
    action = "";
    if (onStep) {
      effects = [];
      driven = [];
    }
    let x = rng.next() * total;
    let kind: ActionKind = "deliver";
    for (const k of kinds) {
      x -= weights[k];
      if (x < 0) {
        kind = k;
        break;
      }
    }
    switch (kind) {
      case "deliver": {
        if (cl.network.length === 0) break;
        const i = rng.int(cl.network.length);
        const m = cl.network[i]!;
        act(`deliver ${showMessage(m, show)}`);
        const b = cl;
        const r = deliver(cl, i, p, show);
        cl = r.cluster;
        record(r.effect);
        if (r.effect) noteInput(m.to, { type: "receive", msg: m }, b, r.effect);
        break;
      }
      case "tick": {
        const id = rng.pick(up());
        act(`tick S${id}`);
        step(id, { type: "tick" });
        break;
      }
      case "campaign": {
        const id = rng.pick(up());
        act(`campaign S${id}`);
        step(id, { type: "campaign" });
        break;
      }
      case "propose": {
        const id = pickTarget();
        const k = 1 + rng.int(3);
        const commands = Array.from({ length: k }, () => `c${++cmd}`);
        act(`propose S${id} ${commands.join(",")}`);
        step(id, { type: "propose", commands });
        break;
      }
      case "reconfigure": {
        const id = pickTarget();
        const cur = cl.nodes.get(id)!.server.config.membership.config;
        const allowed = configs.filter((c) => !o.scheme.equals(c, cur) && o.scheme.R1plus(cur, c));
        const next = allowed.length > 0 && rng.chance(0.9) ? rng.pick(allowed) : rng.pick(configs);
        act(`reconfigure S${id} ${show(cur)} -> ${show(next)}`);
        stats.reconfigs++;
        step(id, { type: "reconfigure", membership: { config: next, learners: 0 }, requestId: ++req });
        break;
      }
      case "drop": {
        if (cl.network.length === 0) break;
        const i = rng.int(cl.network.length);
        act(`drop ${showMessage(cl.network[i]!, show)}`);
        cl = drop(cl, i);
        stats.drops++;
        break;
      }
      case "duplicate": {
        if (cl.network.length === 0) break;
        const i = rng.int(cl.network.length);
        act(`duplicate ${showMessage(cl.network[i]!, show)}`);
        cl = duplicate(cl, i);
        stats.duplicates++;
        break;
      }
      case "crash": {
        const down = universe.length - up().length;
        if (down >= maxDown) break;
        const id = rng.pick(up());
        act(`crash S${id}`);
        cl = crash(cl, id);
        if (onStep) driven.push({ kind: "crash", id });
        stats.crashes++;
        break;
      }
      case "restart": {
        const downIds = universe.filter((id) => !cl.nodes.get(id)!.up);
        if (downIds.length === 0) break;
        const id = rng.pick(downIds);
        act(`restart S${id}`);
        const r = restart(cl, id, p, show, o.seed + n);
        cl = r.cluster;
        record(r.effect);
        if (onStep) driven.push({ kind: "restart", id, seed: o.seed + n });
        break;
      }
      case "partition": {
        let a: NodeSet = 0;
        for (const id of universe) if (rng.chance(0.5)) a |= 1 << id;
        const b = o.universe & ~a;
        if (a === 0 || b === 0) break;
        act(`partition ${showSet(a)} | ${showSet(b)}`);
        cl = setPartition(cl, [a, b]);
        stats.partitions++;
        break;
      }
      case "heal":
        if (cl.partition.length === 0) break;
        act("heal");
        cl = setPartition(cl, []);
        break;
      case "read": {
        const id = pickTarget();
        act(`read S${id}`);
        step(id, { type: "read", requestId: ++req });
        stats.reads++;
        break;
      }
      case "transfer": {
        const ls = leaders();
        if (ls.length === 0) break;
        const id = rng.pick(ls);
        const to = rng.pick(universe.filter((y) => y !== id));
        act(`transfer S${id} -> S${to}`);
        step(id, { type: "transferLeadership", to });
        break;
      }
      case "compact": {
        const id = rng.pick(up());
        const s = cl.nodes.get(id)!.server;
        if (s.applied - s.log.snapshotIndex < 4) break;
        act(`compact S${id} at ${s.applied}`);
        step(id, { type: "snapshot", index: s.applied, data: `state@${s.applied}` });
        stats.snapshots++;
        break;
      }
    }
    const bad = checkCluster(cl) ?? commitMonotone(before, cl);
    if (bad) {
      log(`!! ${bad}`);
      if (violation === undefined) {
        violation = bad;
        failedAt = n;
      }
    }
    if (onStep && !onStep({ n, action, effects, cluster: cl, driven, violation: bad })) {
      stoppedAt = n;
      last = n;
      break;
    }
    if (bad && !pastViolations) {
      last = n;
      break;
    }
  }
  if (violation === undefined) {
    let committed = 0;
    for (const node of cl.nodes.values()) committed = Math.max(committed, node.server.commit);
    stats.committed = committed;
  }
  return {
    result: { seed: o.seed, steps: last, violation, failedAt, transcript, stats, final: cl },
    initial,
    params: p,
    stoppedAt,
  };
}

/** Tries seeds from `first` until one fails (or `count` seeds pass): how mutants are hunted. */
export function findFailingSeed<C>(
  o: Omit<SimOptions<C>, "seed">,
  first: number,
  count: number,
): SimResult<C> | undefined {
  for (let seed = first; seed < first + count; seed++) {
    const r = simulate({ ...o, seed });
    if (r.violation) return simulate({ ...o, seed, transcript: true });
  }
  return undefined;
}

/** The whole universe 1..n (convenience for callers). */
export const universeOf = (n: number): NodeSet => range(n);

/** A leader's id in a cluster state, if exactly one live server believes it leads its term. */
export function currentLeader<C>(cl: ClusterState<C>): NodeId {
  let best = NONE;
  let term = -1;
  for (const n of cl.nodes.values())
    if (n.up && n.server.role === "leader" && n.server.term > term) {
      best = n.server.id;
      term = n.server.term;
    }
  return best;
}
