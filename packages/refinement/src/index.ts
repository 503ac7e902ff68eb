// Public API of @adore/refinement.

// --- Linearizability checker (src/lincheck; see README.md "Linearizability checker") ---
export type {
  Operation,
  CompletedOperation,
  PendingOperation,
  Model,
  StepResult,
  Partition,
} from "./lincheck/types.js";
export { accept, REJECT } from "./lincheck/types.js";
export type { SearchOutcome, SearchOptions } from "./lincheck/search.js";
export { DEFAULT_MAX_VISITED, searchLinearization } from "./lincheck/search.js";
export type { Explanation } from "./lincheck/shrink.js";
export { explainViolation } from "./lincheck/shrink.js";
export type { CheckOptions, CheckResult, Fragment, Verdict } from "./lincheck/checker.js";
export { check, isLinearizable, partitionHistory, relevantOperations } from "./lincheck/checker.js";
export type { RegisterValue, RegisterState, RegisterInput, RegisterOutput } from "./lincheck/register.js";
export { registerModel, showRegisterValue } from "./lincheck/register.js";
export type { KvState, KvInput, KvOutput, KvEntry, KvModelOptions } from "./lincheck/kv.js";
export { kvModel, partitionKv } from "./lincheck/kv.js";
export type { GeneratedKvHistory, GeneratedKvOperation, KvHistoryOptions } from "./lincheck/generate.js";
export { formatEdnKv, generateKvHistory } from "./lincheck/generate.js";
export type { HistoryFormat } from "./lincheck/parse-error.js";
export { HISTORY_FORMATS, HistoryParseError } from "./lincheck/parse-error.js";
export type { Edn } from "./lincheck/edn.js";
export { EdnSyntaxError, readEdn, showEdn } from "./lincheck/edn.js";
export type { RegisterOperation } from "./lincheck/parse-jepsen.js";
export { parseJepsenRegister } from "./lincheck/parse-jepsen.js";
export type { KvOperation } from "./lincheck/parse-edn-kv.js";
export { parseEdnKv } from "./lincheck/parse-edn-kv.js";
export type {
  KvServiceInput,
  KvServiceOperation,
  NdjsonOp,
  NdjsonOutcome,
  NdjsonRecord,
} from "./lincheck/parse-ndjson.js";
export { formatNdjson, NDJSON_FIELDS, parseNdjson } from "./lincheck/parse-ndjson.js";
export type { RenderOptions, TimeUnit } from "./lincheck/render.js";
export { renderFragment, renderOperations, renderResult } from "./lincheck/render.js";
export type { HistoryCheck, HistoryReport, ParsedHistory } from "./lincheck/formats.js";
export {
  checkParsedHistory,
  ednKvModel,
  parseHistory,
  serviceKvModel,
  timeUnitOf,
} from "./lincheck/formats.js";

// --- Raft → ADORE refinement, first stage (src/refine; see docs/elections.md) ---
export type { RaftStep, RaftTrace } from "./refine/driver.js";
export { runCluster, simParams } from "./refine/driver.js";
export type {
  RefinementResult,
  CommitMapping,
  Failure,
  FailureKind,
  MappedStep,
  PullCause,
  RefineOptions,
} from "./refine/mapping.js";
export { checkRun, RefinementChecker, refineOptionsFor } from "./refine/mapping.js";
export type { HuntSummary, RunOutcome, RunSpec } from "./refine/hunt.js";
export { checkSeed, hunt, isKnownGap, reasonOf, showOutcome } from "./refine/hunt.js";

// --- Validation of recorded runtime-node traces (src/validate) ---
export type { NodeTraceReport, TraceReport } from "./validate/traces.js";
export { TraceFormatError, validateTraceDir } from "./validate/traces.js";
export type { GlobalFailure, GlobalRefinement } from "./validate/global.js";
export { refineTraceDir } from "./validate/global.js";

// --- Stage 2: Raft → SRaft reduction, SRaft/Raft → ADORE with lagging times (src/refine) ---
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
} from "./refine/lagging.js";
export { LaggingRefiner, M1, M2, M3, M4, MAPPINGS } from "./refine/lagging.js";
export type { LagGap, LagHuntSummary, LagOutcome } from "./refine/lag-hunt.js";
export { lagCheckSeed, lagGap, lagHunt, lagReason, showLagOutcome } from "./refine/lag-hunt.js";
export type { Reduction, ReductionStats } from "./refine/reduce.js";
export { diffClusters, reduce, replaySRaft, serverImage } from "./refine/reduce.js";
export type { ProductState } from "./refine/product.js";
export { productSpec, showProductTrace } from "./refine/product.js";
export type { LeaderStep } from "./validate/traces.js";
export type { AdoreView } from "./validate/adore.js";
export { adoreViewOfTraces, renderRunSvg, summarizeTree } from "./validate/adore.js";
// SRaft itself, for callers of productSpec that do not depend on @adore/sraft
export { sraftSpec } from "@adore/sraft";
