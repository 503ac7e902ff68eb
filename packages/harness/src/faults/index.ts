// The fault harness (issue 7): proxies for partitions, a recorded client workload, a seeded
// nemesis, and the end-of-run checks. See harness.ts.
export type { FaultRunOptions, FaultSummary, SettleReport, WriteOnceReport } from "./harness.js";
export { runFaultHarness } from "./harness.js";
export type {
  FaultEvent,
  FaultKind,
  LeaderView,
  NemesisStats,
  NemesisTarget,
  ReconfigEvent,
  ReconfigKind,
  Schedule,
  ScheduleOptions,
} from "./nemesis.js";
export { FAULT_KINDS, makeSchedule, Nemesis, RECONFIG_KINDS } from "./nemesis.js";
export type { NetworkStats } from "./network.js";
export { Network, UNKNOWN_SOURCE } from "./network.js";
export { FaultRng } from "./rng.js";
export { formatFaultSummary } from "./summary.js";
export type { OpCounts, OpKind, Outcome, WorkloadOptions, WorkloadStats } from "./workload.js";
export { FINAL_READER, History, outcomeOf, Workload } from "./workload.js";
