import type { ClusterState, Effect, RaftParams } from "@adore/raft-net";
import { type Driven, HUNT_WEIGHTS, runSimulation, type SimOptions } from "@adore/raft-net/testing";

export type { Driven } from "@adore/raft-net/testing";
/** The params raft-net's `simulate` uses for a seed (so runs here replay `simulate` runs exactly). */
export { simParams } from "@adore/raft-net/testing";

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

/** A recorded run: the initial cluster and every step. */
export interface RaftTrace<C> {
  readonly initial: ClusterState<C>;
  readonly steps: readonly RaftStep<C>[];
  readonly params: RaftParams<C>;
  readonly options: SimOptions<C>;
}

/**
 * raft-net's `simulate` loop (same random choices for the same seed, so its transcripts are the
 * same), going on past raft-net's own invariant failures, that hands every step to `onStep`;
 * `onStep` returning false stops the run.
 */
export function runCluster<C>(
  o: SimOptions<C>,
  onStep?: (s: RaftStep<C>) => boolean,
  record = false,
): { trace: RaftTrace<C>; stoppedAt: number | undefined } {
  const steps: RaftStep<C>[] = [];
  const run = runSimulation(o, {
    pastViolations: true,
    onStep: ({ n, action, effects, cluster, driven, violation }) => {
      const st: RaftStep<C> =
        violation !== undefined
          ? { n, action, effects, cluster, driven, raftViolation: violation }
          : { n, action, effects, cluster, driven };
      if (record) steps.push(st);
      return onStep ? onStep(st) : true;
    },
  });
  return { trace: { initial: run.initial, steps, params: run.params, options: o }, stoppedAt: run.stoppedAt };
}

/** The default bug-hunting profile (raft-net's HUNT_WEIGHTS). */
export const HUNT = HUNT_WEIGHTS;
