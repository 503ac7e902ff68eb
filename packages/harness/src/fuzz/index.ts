// Fuzzers for hostile input (issue 7): the wire decoder, the message handler, a live node.
export {
  type FuzzState,
  fingerprint,
  fuzzMessages,
  fuzzStates,
  type MessageFuzzOptions,
  mutatedMessage,
  randomMessage,
  validLooking,
} from "./messages.js";
export { fuzzLiveNode, type LiveFuzzOptions } from "./live.js";
export { FuzzRng, type FuzzFailure, Outcomes } from "./rng.js";
export { FUZZ_MAX_FRAME, fuzzWire, type WireFuzzOptions, wireInput } from "./wire.js";
