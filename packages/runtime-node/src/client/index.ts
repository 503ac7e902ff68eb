export {
  AdoreClient,
  type AdoreClientOptions,
  type CasResult,
  type MemberChangeOptions,
  type PutResult,
  type RangeResult,
} from "./client.js";
export {
  AdoreError,
  type AdoreErrorCode,
  describeRejection,
  type LeaderHint,
  rejectionError,
  type WireError,
} from "./errors.js";
export {
  CLIENT_OPS,
  CLIENT_PROTOCOL_VERSION,
  type ClientOp,
  type ClientRequest,
  type ClientResponse,
  type ConfigSummary,
  type DirectoryEntry,
  type FaultTolerance,
  type MemberChangeResult,
  type MemberList,
  type MemberUpdateResult,
  type NodeStatus,
  type PeerAddress,
  type PeerProgressStatus,
  WRITE_OPS,
} from "./protocol.js";
