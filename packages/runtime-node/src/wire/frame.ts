// Length-prefixed frames for the TCP transport.
//
//   [u32 length, big-endian][u8 version][payload: length - 1 bytes]
//
// `length` counts the version byte and the payload, so a well-formed frame has length ≥ 1.
// The decoder is streaming (any chunk boundaries), never throws on hostile input, and checks the
// claimed size against the limit before allocating anything for the payload.

/** The only frame version this build speaks. */
export const FRAME_VERSION = 1;
/** Bytes before the payload: the u32 length and the u8 version. */
export const FRAME_HEADER_BYTES = 5;
/** Default cap on a frame's payload: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

export type FrameErrorCode = "Oversized" | "BadVersion" | "Truncated" | "Malformed";

/** A framing failure. Returned (never thrown) by {@link FrameDecoder}; the stream is unusable after it. */
export class FrameError extends Error {
  override readonly name = "FrameError";
  constructor(
    readonly code: FrameErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface FrameOptions {
  /** Largest accepted payload in bytes (default 16 MiB). */
  readonly maxFrameSize?: number;
  /** Version byte written and required (default {@link FRAME_VERSION}). */
  readonly version?: number;
}

function resolve(opts: FrameOptions | undefined): { max: number; version: number } {
  const max = opts?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const version = opts?.version ?? FRAME_VERSION;
  if (!Number.isInteger(max) || max < 0 || max > 0xffff_fffe) {
    throw new RangeError(`maxFrameSize must be an integer in [0, 2^32 - 2], got ${max}`);
  }
  if (!Number.isInteger(version) || version < 0 || version > 255) {
    throw new RangeError(`version must be a byte, got ${version}`);
  }
  return { max, version };
}

/** Frames `payload`. Throws a {@link FrameError} ("Oversized") if it exceeds the limit: that is a local bug. */
export function encodeFrame(payload: Uint8Array, opts?: FrameOptions): Buffer {
  const { max, version } = resolve(opts);
  if (payload.length > max) {
    throw new FrameError("Oversized", `payload of ${payload.length} bytes exceeds the limit of ${max}`);
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length + 1, 0);
  out[4] = version;
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Streaming frame decoder. Feed it chunks with {@link push}; it returns the complete payloads, in
 * order, and at most one {@link FrameError} as the last element, after which the decoder is failed
 * (framing is lost) and every later call returns that same error.
 */
export class FrameDecoder {
  private readonly max: number;
  private readonly version: number;
  /** Unconsumed chunks; `head` bytes of chunks[0] are already consumed. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private buffered = 0;
  /** Payload length of the frame being read, once its header is in (-1: header not read yet). */
  private want = -1;
  private failed: FrameError | undefined;

  constructor(opts?: FrameOptions) {
    const r = resolve(opts);
    this.max = r.max;
    this.version = r.version;
  }

  /** Bytes held, waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  /** The error the decoder failed with, if any. */
  get error(): FrameError | undefined {
    return this.failed;
  }

  push(chunk: Uint8Array): Array<Uint8Array | FrameError> {
    if (this.failed) return [this.failed];
    const out: Array<Uint8Array | FrameError> = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.want < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const header = this.take(FRAME_HEADER_BYTES);
        const length = ((header[0]! << 24) >>> 0) + (header[1]! << 16) + (header[2]! << 8) + header[3]!;
        const version = header[4]!;
        if (length === 0)
          return this.fail(out, new FrameError("Malformed", "frame length 0 (no version byte)"));
        if (version !== this.version) {
          return this.fail(out, new FrameError("BadVersion", `version ${version}, expected ${this.version}`));
        }
        if (length - 1 > this.max) {
          return this.fail(
            out,
            new FrameError(
              "Oversized",
              `claimed payload of ${length - 1} bytes exceeds the limit of ${this.max}`,
            ),
          );
        }
        this.want = length - 1;
      }
      if (this.buffered < this.want) break;
      out.push(this.take(this.want));
      this.want = -1;
    }
    return out;
  }

  /**
   * The peer closed the stream: returns a "Truncated" error if a frame was cut short, the failure
   * if the decoder had failed, else undefined.
   */
  end(): FrameError | undefined {
    if (this.failed) return this.failed;
    if (this.buffered > 0 || this.want >= 0) {
      const detail =
        this.want >= 0
          ? `stream ended with ${this.buffered} of ${this.want} payload bytes`
          : `stream ended inside a frame header (${this.buffered} of ${FRAME_HEADER_BYTES} bytes)`;
      this.failed = new FrameError("Truncated", detail);
      this.release();
      return this.failed;
    }
    return undefined;
  }

  private fail(out: Array<Uint8Array | FrameError>, e: FrameError): Array<Uint8Array | FrameError> {
    this.failed = e;
    this.release();
    out.push(e);
    return out;
  }

  private release(): void {
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
    this.want = -1;
  }

  /** Removes and returns the next `n` buffered bytes (n ≤ buffered); zero-copy when one chunk holds them. */
  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first && first.length - this.head >= n) {
      const slice = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return slice;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const c = this.chunks[i]!;
      const k = Math.min(n - filled, c.length - this.head);
      out.set(c.subarray(this.head, this.head + k), filled);
      filled += k;
      this.head += k;
      if (this.head === c.length) {
        i++;
        this.head = 0;
      }
    }
    this.chunks.splice(0, i);
    return out;
  }
}
