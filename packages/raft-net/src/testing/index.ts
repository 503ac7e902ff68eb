// @adore/raft-net/testing: the seeded simulator (every invariant after every step), the network
// spec of Fig. 13 for the explorer, and the etcd-style datadriven interaction runner.
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
  runSimulation,
  showMessage,
  simParams,
  simulate,
  universeOf,
} from "./sim.js";
export type { NetBounds, NetSpecOptions, NetState, NetStep } from "./spec.js";
export { describeNetStep, netSpec } from "./spec.js";
export { compareScript, runScript, ScriptError } from "./interaction.js";
