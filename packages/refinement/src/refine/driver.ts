import { members, type NodeId, type NodeSet } from "@adore/adore-core";
import {
  type ActionKind,
  adapterFor,
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
  HUNT_WEIGHTS,
  type Input,
  type Membership,
  type Message,
  type Rejection,
  newCluster,
  params as makeParams,
  type RaftParams,
  Rng,
  restart,
  type SimOptions,
  setPartition,
  showMessage,
} from "@adore/raft-net";

/**
 * One step of a raft-net cluster run: the action the driver chose, the effects it had (one per
 * driven input; empty when nothing was driven, e.g. a drop), and the cluster state afterwards.
 */
export interface RaftStep<C> {
  /** 1-based step number (the same numbering as raft-net's `simulate` transcript). */
  readonly n: number;
  readonly action: string;
  readonly effects: readonly Effect<C>[];
  readonly cluster: ClusterState<C>;
  /** The inputs driven in this step, in order (what the Raft → SRaft reduction reads). */
  readonly driven: readonly Driven<C>[];
  /** raft-net's own invariant check (ghost state, commit monotonicity) after this step, if it failed. */
  readonly raftViolation?: string;
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

/** Driver-level emulations of protocol changes (raft-net itself is unchanged). */
export interface DriverOptions {
  /** Never ask a leader for a configuration that excludes it (the step issues nothing). */
  readonly noSelfRemoval?: boolean;
}

/** A recorded run: the initial cluster and every step. */
export interface RaftTrace<C> {
  readonly initial: ClusterState<C>;
  readonly steps: readonly RaftStep<C>[];
  readonly params: RaftParams<C>;
  readonly options: SimOptions<C>;
}

const DEFAULT_WEIGHTS: Record<ActionKind, number> = {
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

/** The params raft-net's `simulate` uses for a seed (so runs here replay `simulate` runs exactly). */
export function simParams<C>(o: SimOptions<C>): RaftParams<C> {
  return makeParams({
    scheme: o.scheme,
    options: {
      electionTick: 6,
      heartbeatTick: 2,
      maxEntriesPerMessage: 1 + (o.seed % 4),
      maxInflight: 4,
      ...o.options,
      mutations: o.mutations ?? {},
    },
  });
}

/**
 * A copy of raft-net's `simulate` loop (same random choices for the same seed, so its transcripts
 * are the same) that hands every step to `onStep`; `onStep` returning false stops the run. Nothing
 * in raft-net is changed: the loop only calls its exported cluster functions.
 */
export function runCluster<C>(
  o: SimOptions<C>,
  onStep?: (s: RaftStep<C>) => boolean,
  record = false,
  dopts: DriverOptions = {},
): { trace: RaftTrace<C>; stoppedAt: number | undefined } {
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
  for (const id of universe)
    if (!cl.nodes.has(id)) cl = addNode(cl, id, { config: o.initial, learners: 0 }, p, o.seed);
  const initial = cl;
  const configs = o.scheme.validConfigs(o.universe);
  const steps: RaftStep<C>[] = [];
  let cmd = 0;
  let req = 0;
  let effects: Effect<C>[] = [];
  let driven: Driven<C>[] = [];
  const noted = (id: NodeId, input: Input<C>, before: ClusterState<C>, eff: Effect<C>) => {
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
    effects.push(r.effect);
    noted(id, input, b, r.effect);
  };
  let stoppedAt: number | undefined;
  for (let n = 1; n <= o.steps; n++) {
    const before = cl;
    effects = [];
    driven = [];
    let action = "";
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
        action = `deliver ${showMessage(cl.network[i]!, show)}`;
        const m = cl.network[i]!;
        const b = cl;
        const r = deliver(cl, i, p, show);
        cl = r.cluster;
        if (r.effect) {
          effects.push(r.effect);
          noted(m.to, { type: "receive", msg: m }, b, r.effect);
        }
        break;
      }
      case "tick": {
        const id = rng.pick(up());
        action = `tick S${id}`;
        step(id, { type: "tick" });
        break;
      }
      case "campaign": {
        const id = rng.pick(up());
        action = `campaign S${id}`;
        step(id, { type: "campaign" });
        break;
      }
      case "propose": {
        const id = pickTarget();
        const k = 1 + rng.int(3);
        const commands = Array.from({ length: k }, () => `c${++cmd}`);
        action = `propose S${id} ${commands.join(",")}`;
        step(id, { type: "propose", commands });
        break;
      }
      case "reconfigure": {
        const id = pickTarget();
        const cur = cl.nodes.get(id)!.server.config.membership.config;
        const allowed = configs.filter((c) => !o.scheme.equals(c, cur) && o.scheme.R1plus(cur, c));
        const next = allowed.length > 0 && rng.chance(0.9) ? rng.pick(allowed) : rng.pick(configs);
        action = `reconfigure S${id} ${show(cur)} -> ${show(next)}`;
        const finished = adapterFor(o.scheme).finish?.(next) ?? next;
        if (dopts.noSelfRemoval && !(o.scheme.mbrs(next) & o.scheme.mbrs(finished) & (1 << id))) {
          action += " (not issued: it removes the target)";
          break;
        }
        step(id, { type: "reconfigure", membership: { config: next, learners: 0 }, requestId: ++req });
        break;
      }
      case "drop": {
        if (cl.network.length === 0) break;
        const i = rng.int(cl.network.length);
        action = `drop ${showMessage(cl.network[i]!, show)}`;
        cl = drop(cl, i);
        break;
      }
      case "duplicate": {
        if (cl.network.length === 0) break;
        const i = rng.int(cl.network.length);
        action = `duplicate ${showMessage(cl.network[i]!, show)}`;
        cl = duplicate(cl, i);
        break;
      }
      case "crash": {
        const down = universe.length - up().length;
        if (down >= maxDown) break;
        const id = rng.pick(up());
        action = `crash S${id}`;
        cl = crash(cl, id);
        driven.push({ kind: "crash", id });
        break;
      }
      case "restart": {
        const downIds = universe.filter((id) => !cl.nodes.get(id)!.up);
        if (downIds.length === 0) break;
        const id = rng.pick(downIds);
        action = `restart S${id}`;
        const r = restart(cl, id, p, show, o.seed + n);
        cl = r.cluster;
        if (r.effect) effects.push(r.effect);
        driven.push({ kind: "restart", id, seed: o.seed + n });
        break;
      }
      case "partition": {
        let a: NodeSet = 0;
        for (const id of universe) if (rng.chance(0.5)) a |= 1 << id;
        const b = o.universe & ~a;
        if (a === 0 || b === 0) break;
        action = `partition ${members(a).join(",")} | ${members(b).join(",")}`;
        cl = setPartition(cl, [a, b]);
        break;
      }
      case "heal":
        if (cl.partition.length === 0) break;
        action = "heal";
        cl = setPartition(cl, []);
        break;
      case "read": {
        const id = pickTarget();
        action = `read S${id}`;
        step(id, { type: "read", requestId: ++req });
        break;
      }
      case "transfer": {
        const ls = leaders();
        if (ls.length === 0) break;
        const id = rng.pick(ls);
        const to = rng.pick(universe.filter((y) => y !== id));
        action = `transfer S${id} -> S${to}`;
        step(id, { type: "transferLeadership", to });
        break;
      }
      case "compact": {
        const id = rng.pick(up());
        const s = cl.nodes.get(id)!.server;
        if (s.applied - s.log.snapshotIndex < 4) break;
        action = `compact S${id} at ${s.applied}`;
        step(id, { type: "snapshot", index: s.applied, data: `state@${s.applied}` });
        break;
      }
    }
    const bad = checkCluster(cl) ?? commitMonotone(before, cl);
    const st: RaftStep<C> = bad
      ? { n, action, effects, cluster: cl, driven, raftViolation: bad }
      : { n, action, effects, cluster: cl, driven };
    if (record) steps.push(st);
    if (onStep && !onStep(st)) {
      stoppedAt = n;
      break;
    }
  }
  return { trace: { initial, steps, params: p, options: o }, stoppedAt };
}

/** The default bug-hunting profile (raft-net's HUNT_WEIGHTS). */
export const HUNT = HUNT_WEIGHTS;
