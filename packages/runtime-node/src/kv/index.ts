export {
  type KvCommand,
  type KvError,
  type KvErrorCode,
  type KvLimits,
  type KvRequest,
  type KvResult,
  KvSnapshotError,
  KvStateMachine,
} from "./kv.js";
