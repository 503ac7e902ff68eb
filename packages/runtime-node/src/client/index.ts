export {
  AdoreClient,
  type AdoreClientOptions,
  type CasResult,
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
  WRITE_OPS,
} from "./protocol.js";
