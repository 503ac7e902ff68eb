// Public API of @adore/refinement.

// --- Raft → ADORE: the refiner and its driver (src/refine; see README "Refinement") ---
export type { RaftStep, RaftTrace } from "./refine/driver.js";
export { runCluster, simParams } from "./refine/driver.js";

// --- Validation of recorded runtime-node traces (src/validate) ---
export type { NodeTraceReport, TraceReport } from "./validate/traces.js";
export { TraceFormatError, validateTraceDir } from "./validate/traces.js";
export type { GlobalFailure, GlobalRefinement } from "./validate/global.js";
export { refineTraceDir } from "./validate/global.js";

// --- Raft → SRaft reduction; the refiner: SRaft/Raft → ADORE with lagging times (src/refine) ---
export type { Driven } from "./refine/driver.js";
export type {
  LagFailure,
  LagFailureKind,
  LagOptions,
  MappedAdoreStep,
  MappingName,
  ObservedStep,
  PullQ,
  PullWhen,
  RelationClause,
} from "./refine/lagging.js";
export {
  LaggingRefiner,
  M1,
  M2,
  M3,
  M4,
  MAPPINGS,
  RELATION_CLAUSES,
  relationClause,
} from "./refine/lagging.js";
export type { LagGap, LagHuntSummary, LagOutcome, RunSpec } from "./refine/search.js";
export { lagCheckSeed, lagGap, lagHunt, lagReason, showLagOutcome } from "./refine/search.js";
export type { MappedStep } from "./refine/show.js";
export type { Reduction, ReductionStats } from "./refine/reduce.js";
export { diffClusters, reduce, replaySRaft, serverImage } from "./refine/reduce.js";
export type { ProductState } from "./refine/product.js";
export { productSpec, showProductTrace } from "./refine/product.js";
export type { LeaderStep } from "./validate/traces.js";
export type { AdoreView } from "./validate/adore.js";
export { adoreViewOfTraces, renderRunSvg, summarizeTree } from "./validate/adore.js";
// SRaft itself, for callers of productSpec that do not depend on @adore/sraft
export { sraftSpec } from "@adore/sraft";
