// Public API of @adore/raft-net: the pure Raft core (server.ts) and its quorum and
// reconfiguration rules (core/), its log, options and types, the in-memory cluster (cluster.ts)
// and its state encoder. The simulator, the network spec (Fig. 13) and the interaction runner
// are @adore/raft-net/testing.
export type * from "./types.js";
export { mayPrecedePersist, NONE } from "./types.js";
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
// core/: quorum arithmetic (commit index with the two-configuration rule, vote tally) and the
// leader's guards on a configuration change (R1⁺, R2, R3 of Fig. 7 and the others), each a pure
// named function; the server applies them in refuseReconfig's order.
export type { CommitInput, Committed, QuorumScheme, VoteResult } from "./core/quorum.js";
export { commitIndex, commitQuorum, voteResult } from "./core/quorum.js";
export type { AcceptedStep, ReconfigView } from "./core/confchange.js";
export {
  acceptedStep,
  configIdMismatch,
  malformedMembership,
  notLeader,
  reconfigView,
  refuseReconfig,
  removesLeader,
  transferInProgress,
  violatesR1plus,
  violatesR2,
  violatesR3,
} from "./core/confchange.js";
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
export type { ClusterBounds } from "./bounds.js";
export { checkClusterBounds } from "./bounds.js";
export type { EncodeParts } from "./encoder.js";
export { ClusterEncoder } from "./encoder.js";
export type { TraceBody, TraceInput, TraceOutput, TraceRecord, TraceStart } from "./trace.js";
export {
  checkTraceRecord,
  formatTraceRecord,
  TRACE_KINDS,
  traceFileName,
  traceFileNode,
} from "./trace.js";
