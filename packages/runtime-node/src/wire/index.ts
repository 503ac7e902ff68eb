export {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  FrameDecoder,
  FrameError,
  type FrameErrorCode,
  type FrameOptions,
} from "./frame.js";
export {
  CodecError,
  type CodecErrorCode,
  decode,
  encode,
  isCodecError,
  MAX_DECODE_DEPTH,
  validate,
} from "./codec.js";
