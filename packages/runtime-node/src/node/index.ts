export type { ClientBackend, MembershipOptions } from "./client-backend.js";
export { ClientServer, dispatch } from "./client-server.js";
export { type Logger, type LogOptions, makeLogger } from "./log.js";
export {
  DEFAULT_MAX_VOTER_LAG,
  faultTolerance,
  type LeaderKnowledge,
  type MembershipPlan,
  type Planned,
  planAddLearner,
  planAddVoter,
  planRemove,
  planSetConfig,
  planUpdate,
  toleranceWarnings,
} from "./membership.js";
export { NodeMetrics } from "./metrics.js";
export {
  type ConfigChangeResult,
  type NodeStatus,
  type PeerAddress,
  type PeerDirectory,
  type PeerProgressStatus,
  RaftNode,
  type RaftNodeOptions,
} from "./raft-node.js";
export {
  decodeEntry,
  encodeEntry,
  RecoveryError,
  type RecoveryReport,
  StorageAdapter,
  type StorageOpenOptions,
} from "./storage-adapter.js";
export {
  PEER_PROTOCOL_VERSION,
  type PeerRejection,
  type PeerRejectReason,
  PeerTransport,
  parseHostPort,
  type TransportOptions,
  type TransportStats,
} from "./transport.js";
