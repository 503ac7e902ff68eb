// Public API of @adore/harness: the evidence gathered on real node processes — the Jepsen-style
// fault harness (proxies for partitions, a seeded nemesis, a recorded workload, linearizability,
// lost-write and trace checks), fuzzers for hostile input, the service benchmark against etcd,
// and the paper's reconfiguration experiment (section 7, Fig. 16).
export * from "./faults/index.js";
export * from "./fuzz/index.js";
export {
  type EtcdCluster,
  etcdBinary,
  startEtcdCluster,
} from "./bench/etcd.js";
export { type LoadOptions, type LoadResult, runLoad } from "./bench/load.js";
export { runServiceBench, type ServiceBenchOptions, type ServiceBenchResult } from "./bench/service.js";
export { formatSummary, type LatencySummary, summarize } from "./bench/stats.js";
export {
  type ExperimentOptions,
  type ExperimentReport,
  type PhaseReport,
  runExperiment,
} from "./experiment.js";
