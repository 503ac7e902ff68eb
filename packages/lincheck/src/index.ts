// Public API of @adore/lincheck: a linearizability checker (Wing–Gong/Lowe search, per-key
// partitions), its models (register, key-value) and the history formats it reads.
export type {
  Operation,
  CompletedOperation,
  PendingOperation,
  Model,
  StepResult,
  Partition,
} from "./types.js";
export { accept, REJECT } from "./types.js";
export type { SearchOutcome, SearchOptions } from "./search.js";
export { DEFAULT_MAX_VISITED, searchLinearization } from "./search.js";
export type { Explanation } from "./shrink.js";
export { explainViolation } from "./shrink.js";
export type { CheckOptions, CheckResult, Fragment, Verdict } from "./checker.js";
export { check, isLinearizable, partitionHistory, relevantOperations } from "./checker.js";
export type { RegisterValue, RegisterState, RegisterInput, RegisterOutput } from "./register.js";
export { registerModel, showRegisterValue } from "./register.js";
export type { KvState, KvInput, KvOutput, KvEntry, KvModelOptions } from "./kv.js";
export { kvModel, partitionKv } from "./kv.js";
export type { GeneratedKvHistory, GeneratedKvOperation, KvHistoryOptions } from "./generate.js";
export { formatEdnKv, generateKvHistory } from "./generate.js";
export type { HistoryFormat } from "./parse-error.js";
export { HISTORY_FORMATS, HistoryParseError } from "./parse-error.js";
export type { Edn } from "./edn.js";
export { EdnSyntaxError, readEdn, showEdn } from "./edn.js";
export type { RegisterOperation } from "./parse-jepsen.js";
export { parseJepsenRegister } from "./parse-jepsen.js";
export type { KvOperation } from "./parse-edn-kv.js";
export { parseEdnKv } from "./parse-edn-kv.js";
export type {
  KvServiceInput,
  KvServiceOperation,
  NdjsonOp,
  NdjsonOutcome,
  NdjsonRecord,
} from "./parse-ndjson.js";
export { formatNdjson, NDJSON_FIELDS, parseNdjson } from "./parse-ndjson.js";
export type { RenderOptions, TimeUnit } from "./render.js";
export { renderFragment, renderOperations, renderResult } from "./render.js";
export type { HistoryCheck, HistoryReport, ParsedHistory } from "./formats.js";
export {
  checkParsedHistory,
  ednKvModel,
  parseHistory,
  serviceKvModel,
  timeUnitOf,
} from "./formats.js";
