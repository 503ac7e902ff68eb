export { crc32, crc32c } from "./crc32.js";
export {
  DATA_DIR_VERSION,
  type DataDirIdentity,
  type DataDirMeta,
  ensureDataDir,
  META_FILE,
} from "./datadir.js";
export {
  DataDirError,
  type DataDirErrorCode,
  DataDirMismatchError,
  WalCorruptError,
  WalFailedError,
} from "./errors.js";
export {
  encodeRecord,
  RECORD_HEADER_BYTES,
  type WalHardState,
  type WalRecord,
  type WalSnapshotMeta,
} from "./record.js";
export {
  decodeSnapshotFile,
  encodeSnapshotFile,
  type SnapshotLoad,
  SnapshotStore,
  type StoredSnapshot,
  snapshotName,
} from "./snapshot.js";
export {
  DEFAULT_SEGMENT_SIZE,
  segmentName,
  type TornTail,
  Wal,
  type WalOptions,
  type WalRecovered,
  type WalStats,
} from "./wal.js";
