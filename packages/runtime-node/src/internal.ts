// @adore/runtime-node/internal: pieces of the peer protocol's admission and wire handling that the
// project's fuzzers drive directly. Not a stable API: a service needs none of it.
export { admitPeerMessage, badConfig, shadowingKey } from "./auth/admission.js";
export { ClusterSecret, newNonce } from "./auth/peer-auth.js";
export { MESSAGE_TYPE_SET, MESSAGE_TYPES, show } from "./node/transport.js";
export { validate } from "./wire/codec.js";
