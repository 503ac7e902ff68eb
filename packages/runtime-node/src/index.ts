// Public API of @adore/runtime-node: the raft-net core wired to TCP, disk and timers — one
// replica (RaftNode) with its write-ahead log, snapshots, peer transport and authentication, the
// key-value state machine, the client library, and local multi-process clusters.
// Helpers for tests: @adore/runtime-node/testing. Pieces for the project's own fuzzers: ./internal.

// Wire: length-prefixed frames and the msgpack codec.
export {
  CodecError,
  type CodecErrorCode,
  DEFAULT_MAX_FRAME_SIZE,
  decode,
  encode,
  encodeFrame,
  FRAME_VERSION,
  FrameDecoder,
  FrameError,
  type FrameErrorCode,
  type FrameOptions,
  isCodecError,
  MAX_DECODE_DEPTH,
} from "./wire/index.js";
// Storage: write-ahead log, snapshots, data directory.
export {
  crc32,
  crc32c,
  DataDirError,
  type DataDirErrorCode,
  type DataDirIdentity,
  DataDirMismatchError,
  DEFAULT_SEGMENT_SIZE,
  ensureDataDir,
  type SnapshotLoad,
  SnapshotStore,
  type StoredSnapshot,
  type TornTail,
  Wal,
  WalCorruptError,
  WalFailedError,
  type WalHardState,
  type WalOptions,
  type WalRecord,
  type WalRecovered,
  type WalSnapshotMeta,
  type WalStats,
} from "./storage/index.js";
// The key-value state machine.
export {
  type KvCommand,
  type KvError,
  type KvErrorCode,
  type KvLimits,
  type KvRequest,
  type KvResult,
  KvSnapshotError,
  KvStateMachine,
} from "./kv/index.js";
// The replicated key-value service: one replica (RaftNode), its storage, transport and metrics.
export {
  type ClientBackend,
  type ConfigChangeResult,
  type Logger,
  type LogOptions,
  type MembershipOptions,
  makeLogger,
  NodeMetrics,
  type NodeStatus,
  PEER_PROTOCOL_VERSION,
  type PeerAddress,
  type PeerDirectory,
  type PeerProgressStatus,
  type PeerRejection,
  type PeerRejectReason,
  PeerTransport,
  parseHostPort,
  RaftNode,
  type RaftNodeOptions,
  RecoveryError,
  type RecoveryReport,
  StorageAdapter,
  type TransportOptions,
} from "./node/index.js";
export { ConfigFileError, expandConfigFile } from "./node/config-file.js";
// Local clusters of node processes on loopback.
export {
  allocatePorts,
  describeExit,
  LocalCluster,
  type LocalClusterOptions,
  type NodeAddresses,
  nodeEntry,
} from "./cluster/local.js";
export {
  type NodeFlags,
  nodeCommand,
  nodeOptionsFrom,
  parsePeers,
  runNode,
  withNodeOptions,
} from "./node/args.js";
// The client library and the client protocol.
export {
  AdoreClient,
  type AdoreClientOptions,
  AdoreError,
  type AdoreErrorCode,
  type CasResult,
  CLIENT_OPS,
  CLIENT_PROTOCOL_VERSION,
  type ClientOp,
  type ClientRequest,
  type ClientResponse,
  type ConfigSummary,
  describeRejection,
  type DirectoryEntry,
  type FaultTolerance,
  type LeaderHint,
  type MemberChangeOptions,
  type MemberChangeResult,
  type MemberList,
  type MemberUpdateResult,
  type PutResult,
  type RangeResult,
  type WireError,
} from "./client/index.js";
