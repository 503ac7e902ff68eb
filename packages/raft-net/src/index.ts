// Public API of @adore/raft-net: the pure Raft core (server.ts), its log, options and types.
export type * from "./types.js";
export { assertNever, mayPrecedePersist, NONE } from "./types.js";
export { RaftLog } from "./log.js";
export type {
  ElectionRule,
  MutationName,
  Mutations,
  RaftOptions,
  RaftParams,
  RaftParamsInit,
  SchemeAdapter,
} from "./options.js";
export {
  DEFAULT_OPTIONS,
  MUTATION_NAMES,
  makeParams,
  OptionsError,
  params,
  RAFT_ELECTION,
} from "./options.js";
export type { PendingRead, Progress, RaftServer, StepResult } from "./server.js";
export {
  bootstrapSnapshot,
  effectiveConfig,
  newServer,
  reconfigRefusal,
  restartServer,
  stepServer,
  voters,
} from "./server.js";
export { validateInput, validateMessage } from "./validate.js";
export { adapterByName, adapterFor } from "./adapters.js";
export { type AcceptedStep, acceptedStep } from "./reconfig-path.js";
export type { ClusterState, Effect, Ghost, NodeState } from "./cluster.js";
export {
  addNode,
  checkCluster,
  commitMonotone,
  crash,
  deliver,
  drive,
  drop,
  duplicate,
  emptyGhost,
  entryIdentity,
  newCluster,
  restart,
  setPartition,
} from "./cluster.js";
export type {
  ActionKind,
  Driven,
  SimHooks,
  SimOptions,
  SimResult,
  SimRun,
  SimStats,
  SimStep,
} from "./sim.js";
export {
  currentLeader,
  DEFAULT_WEIGHTS,
  findFailingSeed,
  HUNT_WEIGHTS,
  Rng,
  runSimulation,
  showMessage,
  simParams,
  simulate,
  universeOf,
} from "./sim.js";
export type { ClusterBounds, EncodeParts, NetBounds, NetSpecOptions, NetState, NetStep } from "./spec.js";
export { ClusterEncoder, checkClusterBounds, describeNetStep, netSpec } from "./spec.js";
export { compareScript, runScript, ScriptError } from "./interaction.js";
