// Public API of @adore/adore-core.
export type { NodeId, NodeSet } from "./nodeset.js";
export {
  ALL_NODES,
  EMPTY,
  MAX_NODE_ID,
  NodeIdError,
  nodeSet,
  range,
  has,
  size,
  members,
  union,
  intersect,
  minus,
  isSubset,
  subsets,
  showSet,
  renameSet,
} from "./nodeset.js";
export type { Scheme } from "./scheme.js";
export type { Cache, CacheKind, Cid, ECache, MCache, RCache, CCache, Method } from "./cache.js";
export { supporters, cacheGt, compareCaches, assertNever } from "./cache.js";
export { Rng } from "./rng.js";
export type { AdoreState, Tree, Recency } from "./tree.js";
export {
  initialState,
  nodeCount,
  getCache,
  addLeaf,
  insertBtw,
  setTimes,
  isAncestor,
  branch,
  children,
  commonAncestor,
  mostRecent,
  activeCache,
  lastCommit,
  isLeader,
  R2,
  R3,
  rdist,
  rdistTree,
  ccaches,
  committedLog,
  depthOf,
} from "./tree.js";
export type {
  AdoreStep,
  AdoreRule,
  AdorePremise,
  Rejection,
  StepResult,
  AdoreOptions,
  AdoreModel,
} from "./semantics.js";
export { PAPER_RULES, adoreModel, step, canReconf, canCommit, showStep } from "./semantics.js";
export type { Invariant } from "./invariants.js";
export {
  adoreInvariants,
  replicatedStateSafety,
  safetyWitness,
  uniqueTimestamps,
  lemma44,
  wellFormed,
  timesInvariant,
} from "./invariants.js";
export type { KeySink, Spec } from "./spec.js";
export {
  ExploreOptionError,
  checkInteger,
  checkBoolean,
  checkRecord,
  checkNodeList,
  checkWithin,
} from "./bounds.js";
export { stateKey } from "./spec.js";
export type { AdoreBounds, AdoreSpec } from "./adore-spec.js";
export { adoreSpec } from "./adore-spec.js";
export type {
  Trace,
  TraceStep,
  Violation,
  ExploreOptions,
  ExploreProgress,
  ExploreResult,
  WalkOptions,
  WalkResult,
} from "./explorer.js";
export {
  explore,
  checkExploreOptions,
  randomWalk,
  traceArbitrary,
  replay,
  checkInvariants,
  finalState,
  InvalidStepError,
} from "./explorer.js";
export type { RenderOptions } from "./render.js";
export { describeCache, renderAscii, renderDot, renderSvg } from "./render.js";
export type { FixtureStep, FixtureOutcome } from "./fixtures/fig12.js";
export { FIG12_CONF0, FIG12_PAPER, FIG12_WITH_R3, replayFixture } from "./fixtures/fig12.js";
