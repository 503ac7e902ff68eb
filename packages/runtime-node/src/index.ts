// Public API of @adore/runtime-node. The replicated key-value service lands with its issue;
// for now the package hosts the `adore` command line (src/cli).
export { buildProgram } from "./cli/program.js";

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
