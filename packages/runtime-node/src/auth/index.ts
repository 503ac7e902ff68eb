export {
  CLIENT_AUTH_ID,
  CLIENT_AUTH_OP,
  type ClientAuthFailure,
  ClientToken,
  UNAUTHENTICATED,
} from "./client-auth.js";
export {
  ClusterSecret,
  type HandshakeBinding,
  isNonce,
  NONCE_BYTES,
  newNonce,
  PROOF_BYTES,
  type PeerRole,
} from "./peer-auth.js";
export { readSecret, readTlsFiles } from "./secrets.js";
export { admitPeerMessage, badConfig, shadowingKey } from "./admission.js";
