// The one value codec of the runtime (wire messages, snapshots, commands): MessagePack via msgpackr.
//
// Decoding never throws: input is first walked by a small iterative validator (structure, lengths,
// nesting depth, allowed extension types), then handed to msgpackr inside a try/catch. The
// validator rejects claimed container sizes larger than the bytes left, so a 5-byte input cannot
// make the decoder allocate a 4-billion-element array, and it bounds nesting so recursion in the
// decoder cannot overflow the stack.

import { Packr } from "msgpackr";

export type CodecErrorCode = "Malformed" | "Truncated" | "TooDeep" | "Unsupported" | "Unencodable";

/** A codec failure: returned by {@link decode}, thrown by {@link encode} (which only sees local data). */
export class CodecError extends Error {
  override readonly name = "CodecError";
  constructor(
    readonly code: CodecErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** Deepest container nesting accepted by {@link decode}. */
export const MAX_DECODE_DEPTH = 64;

const packr = new Packr({
  useRecords: false,
  // Plain objects stay plain objects (string keys), and `undefined` survives (as msgpack ext 0).
  mapsAsObjects: true,
  encodeUndefinedAsNil: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  // Decoded byte strings must not alias the input buffer.
  copyBuffers: true,
  int64AsType: "number",
});

/**
 * Encodes a value (JSON-like: objects, arrays, strings, numbers, booleans, null, undefined, bytes).
 * As in JSON, -0 comes back as 0.
 */
export function encode(value: unknown): Buffer {
  try {
    return packr.pack(value);
  } catch (e) {
    throw new CodecError("Unencodable", e instanceof Error ? e.message : String(e));
  }
}

/**
 * Decodes one value occupying all of `buf`, or returns a {@link CodecError}. Never throws.
 * A map key "__proto__" is refused ("Unsupported"): msgpackr would rename it to guard against
 * prototype pollution, and a codec that silently alters data is worse than one that refuses it.
 */
export function decode(buf: Uint8Array, maxDepth: number = MAX_DECODE_DEPTH): unknown {
  const bad = validate(buf, maxDepth);
  if (bad) return bad;
  try {
    return packr.unpack(buf);
  } catch (e) {
    return new CodecError("Malformed", e instanceof Error ? e.message : String(e));
  }
}

/** Type guard: is `v` a {@link CodecError}? */
export function isCodecError(v: unknown): v is CodecError {
  return v instanceof CodecError;
}

/**
 * Walks one MessagePack value spanning all of `b` without building it. Returns an error or
 * undefined. Accepted extension types: 0 (undefined, as msgpackr writes it) and -1 (timestamp).
 */
export function validate(b: Uint8Array, maxDepth: number = MAX_DECODE_DEPTH): CodecError | undefined {
  const len = b.length;
  let pos = 0;
  /** Items still expected by each open container (a map of n pairs expects 2n). */
  const open: number[] = [];
  /** Whether each open container is a map (its items alternate key, value). */
  const isMap: boolean[] = [];
  const be = (at: number, n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[at + i]!;
    return v;
  };
  for (;;) {
    if (pos >= len) return new CodecError("Truncated", `value expected at byte ${pos} of ${len}`);
    const t = b[pos]!;
    const top0 = open.length - 1;
    if (top0 >= 0 && isMap[top0] && open[top0]! % 2 === 0 && isProtoKey(b, pos)) {
      // msgpackr would silently rename it (a prototype-pollution guard); refuse rather than alter data.
      return new CodecError("Unsupported", `"__proto__" map key at byte ${pos}`);
    }
    let skip = 0; // bytes after the token (fixed scalars, lengths, payloads)
    let items = -1; // ≥ 0 for containers
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) {
      skip = 0;
    } else if (t >= 0x80 && t <= 0x8f) {
      items = (t & 0x0f) * 2;
    } else if (t >= 0x90 && t <= 0x9f) {
      items = t & 0x0f;
    } else if (t >= 0xa0 && t <= 0xbf) {
      skip = t & 0x1f;
    } else {
      // Tokens with a length or count field of w bytes.
      const lenField = (w: number): number | CodecError => {
        if (pos + 1 + w > len) return new CodecError("Truncated", `length field cut at byte ${pos}`);
        return be(pos + 1, w);
      };
      switch (t) {
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xd9:
        case 0xda:
        case 0xdb: {
          const w = t === 0xc4 || t === 0xd9 ? 1 : t === 0xc5 || t === 0xda ? 2 : 4;
          const n = lenField(w);
          if (n instanceof CodecError) return n;
          skip = w + n;
          break;
        }
        case 0xc7:
        case 0xc8:
        case 0xc9: {
          const w = t === 0xc7 ? 1 : t === 0xc8 ? 2 : 4;
          const n = lenField(w);
          if (n instanceof CodecError) return n;
          if (pos + 1 + w + 1 > len) return new CodecError("Truncated", `extension type cut at byte ${pos}`);
          const bad = checkExt(b[pos + 1 + w]!, n, pos);
          if (bad) return bad;
          skip = w + 1 + n;
          break;
        }
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8: {
          const n = 1 << (t - 0xd4);
          if (pos + 2 > len) return new CodecError("Truncated", `extension type cut at byte ${pos}`);
          const bad = checkExt(b[pos + 1]!, n, pos);
          if (bad) return bad;
          skip = 1 + n;
          break;
        }
        case 0xca:
          skip = 4;
          break;
        case 0xcb:
          skip = 8;
          break;
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf: {
          const w = t === 0xdc || t === 0xde ? 2 : 4;
          const n = lenField(w);
          if (n instanceof CodecError) return n;
          skip = w;
          items = t >= 0xde ? n * 2 : n;
          break;
        }
        default:
          return new CodecError("Malformed", `invalid token 0x${t.toString(16)} at byte ${pos}`);
      }
    }
    if (pos + 1 + skip > len) {
      return new CodecError(
        "Truncated",
        `token at byte ${pos} needs ${skip} more bytes, ${len - pos - 1} left`,
      );
    }
    pos += 1 + skip;
    if (items > 0) {
      if (items > len - pos) {
        return new CodecError("Malformed", `container claims ${items} items with ${len - pos} bytes left`);
      }
      if (open.length >= maxDepth) return new CodecError("TooDeep", `nesting deeper than ${maxDepth}`);
      open.push(items);
      isMap.push(t === 0xde || t === 0xdf || (t >= 0x80 && t <= 0x8f));
      continue;
    }
    // A value is complete: close every container it completes.
    for (;;) {
      const top = open.length - 1;
      if (top < 0) {
        if (pos !== len) return new CodecError("Malformed", `${len - pos} trailing bytes after the value`);
        return undefined;
      }
      const left = open[top]! - 1;
      if (left > 0) {
        open[top] = left;
        break;
      }
      open.pop();
      isMap.pop();
    }
  }
}

const PROTO = Buffer.from("__proto__");
/** The string headers that can introduce a 9-byte string: fixstr, str8, str16, str32. */
const PROTO_HEADERS = [[0xa9], [0xd9, 9], [0xda, 0, 9], [0xdb, 0, 0, 0, 9]];

function isProtoKey(b: Uint8Array, pos: number): boolean {
  outer: for (const h of PROTO_HEADERS) {
    if (pos + h.length + PROTO.length > b.length) continue;
    for (let i = 0; i < h.length; i++) if (b[pos + i] !== h[i]) continue outer;
    for (let i = 0; i < PROTO.length; i++) if (b[pos + h.length + i] !== PROTO[i]) continue outer;
    return true;
  }
  return false;
}

function checkExt(type: number, size: number, pos: number): CodecError | undefined {
  if (type === 0) {
    return size === 1 ? undefined : new CodecError("Unsupported", `bad undefined extension at byte ${pos}`);
  }
  if (type === 0xff) {
    return size === 4 || size === 8 || size === 12
      ? undefined
      : new CodecError("Unsupported", `bad timestamp extension size ${size} at byte ${pos}`);
  }
  return new CodecError("Unsupported", `extension type ${type} at byte ${pos}`);
}
