// Wire decoder fuzzing: random and mutated byte streams through FrameDecoder (in random chunks)
// and decode(). Properties: nothing throws; chunking does not change what is decoded; a payload
// decodes to a value exactly when the validator accepts it; a failed decoder stays failed.
import { CodecError, decode, encode } from "@adore/runtime-node";
import { validate } from "@adore/runtime-node/internal";
import { FRAME_VERSION, FrameDecoder, FrameError } from "@adore/runtime-node";
import { FuzzRng, type FuzzFailure, Outcomes } from "./rng.js";
import { nastyValue, randomValue } from "./values.js";
import { randomMessage } from "./messages.js";

/** The frame size limit of the fuzzed decoders (small, so "oversized" is cheap to reach). */
export const FUZZ_MAX_FRAME = 64 * 1024;

const frame = (payload: Uint8Array, version = FRAME_VERSION): Buffer => {
  const out = Buffer.alloc(5 + payload.length);
  out.writeUInt32BE(payload.length + 1, 0);
  out[4] = version;
  out.set(payload, 5);
  return out;
};

/** Nested containers: `depth` one-element arrays or maps around nil. */
function nested(r: FuzzRng, depth: number): Uint8Array {
  const parts: number[] = [];
  for (let i = 0; i < depth; i++) {
    if (r.chance(0.5)) parts.push(0x91);
    else parts.push(0x81, 0xa1, 0x61);
  }
  parts.push(0xc0);
  return Uint8Array.from(parts);
}

/** A byte soup of msgpack tokens with random (often lying) lengths. */
function tokenSoup(r: FuzzRng): Uint8Array {
  const out: number[] = [];
  for (let i = r.int(12) + 1; i > 0; i--) {
    const t = r.pick([
      0xc4,
      0xc5,
      0xc6,
      0xc7,
      0xc8,
      0xc9,
      0xd4,
      0xd5,
      0xd6,
      0xd7,
      0xd8,
      0xd9,
      0xda,
      0xdb,
      0xdc,
      0xdd,
      0xde,
      0xdf,
      0xc1,
      0xca,
      0xcb,
      0xcf,
      0xd3,
      0x80 | r.int(16),
      0x90 | r.int(16),
      0xa0 | r.int(32),
      r.int(256),
    ]);
    out.push(t);
    for (let k = r.int(6); k > 0; k--) out.push(r.chance(0.3) ? 0xff : r.int(256));
  }
  return Uint8Array.from(out);
}

/** msgpack of `v`, or (for values msgpackr refuses, e.g. a non-function toJSON) random bytes. */
function enc(r: FuzzRng, v: unknown): Uint8Array {
  try {
    return encode(v);
  } catch {
    return r.bytes(r.int(32));
  }
}

/** A payload: valid msgpack of something, or trouble. */
function payload(r: FuzzRng): Uint8Array {
  switch (r.int(10)) {
    case 0:
      return r.bytes(r.int(48));
    case 1:
      return enc(r, randomValue(r));
    case 2:
      return enc(r, randomMessage(r, 1, r.int(10)));
    case 3:
      return enc(r, nastyValue(r));
    case 4:
      return nested(r, r.pick([1, 10, 63, 64, 65, 100, 1000, 5000]));
    case 5: {
      // containers and strings claiming 2^32 - 1 elements / bytes
      const head = r.pick([0xdd, 0xdf, 0xdb, 0xc6, 0xc9]);
      return Uint8Array.from([head, 0xff, 0xff, 0xff, r.int(256), ...r.bytes(r.int(8))]);
    }
    case 6:
      return tokenSoup(r);
    case 7:
      // the "__proto__" key msgpackr would rename
      return Uint8Array.from([0x81, 0xa9, ...Buffer.from("__proto__"), 0x01]);
    default: {
      const b = Buffer.from(enc(r, randomMessage(r, 1, r.int(10))));
      mutateBytes(r, b);
      return b;
    }
  }
}

function mutateBytes(r: FuzzRng, b: Uint8Array): void {
  for (let k = r.int(4) + 1; k > 0 && b.length > 0; k--) {
    const at = r.int(b.length);
    if (r.chance(0.5)) b[at]! ^= 1 << r.int(8);
    else b[at] = r.int(256);
  }
}

/** One input: a byte stream of zero or more (damaged) frames. */
export function wireInput(r: FuzzRng): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let n = r.chance(0.7) ? 1 : r.int(4) + 1; n > 0; n--) {
    const p = payload(r);
    let f: Uint8Array = frame(p);
    switch (r.int(12)) {
      case 0: // truncated
        f = f.subarray(0, r.int(f.length));
        break;
      case 1: // wrong version
        f = frame(p, r.pick([0, 2, 0x7f, 0xff]));
        break;
      case 2: {
        // a lying length: huge, zero, one, off by a little
        const b = Buffer.from(f);
        b.writeUInt32BE(
          r.pick([
            0,
            1,
            2,
            0xffff_ffff,
            0x8000_0000,
            FUZZ_MAX_FRAME + 1,
            FUZZ_MAX_FRAME + 2,
            p.length + 2,
            p.length,
          ]) >>> 0,
          0,
        );
        f = b;
        break;
      }
      case 3: {
        // oversized for real
        f = frame(new Uint8Array(FUZZ_MAX_FRAME + 1 + r.int(100)));
        break;
      }
      case 4: {
        const b = Buffer.from(f);
        mutateBytes(r, b);
        f = b;
        break;
      }
      case 5:
        f = r.bytes(r.int(24));
        break;
      default:
        break;
    }
    parts.push(f);
  }
  return Buffer.concat(parts);
}

type Item = { ok: true; bytes: string; value: string } | { ok: false; code: string };

function describeValue(v: unknown): string {
  if (v instanceof CodecError) return `CodecError:${v.code}`;
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v;
}

/** Decodes a stream pushed in the given chunks; records outcomes. */
function run(stream: Uint8Array, cuts: number[], out: Outcomes | undefined): Item[] {
  const dec = new FrameDecoder({ maxFrameSize: FUZZ_MAX_FRAME });
  const items: Item[] = [];
  let at = 0;
  const feed = (chunk: Uint8Array) => {
    // a failed decoder answers every later push with the same error: record it once
    if (dec.error) return;
    for (const f of dec.push(chunk)) {
      if (f instanceof FrameError) {
        items.push({ ok: false, code: f.code });
        out?.add(`frame:${f.code}`);
        continue;
      }
      const v = decode(f);
      const bad = validate(f);
      if (bad !== undefined && !(v instanceof CodecError))
        throw new Error(`decode accepted what validate refused: ${Buffer.from(f).toString("hex")}`);
      // the validator accepted and msgpackr still refused: not a crash, but worth counting
      if (bad === undefined && v instanceof CodecError) out?.add("payload:validator-gap");
      const d = describeValue(v);
      out?.add(`payload:${d}`);
      items.push({ ok: true, bytes: Buffer.from(f).toString("hex"), value: d });
    }
  };
  for (const c of cuts) {
    feed(stream.subarray(at, c));
    at = c;
  }
  feed(stream.subarray(at));
  const end = dec.end();
  if (end) {
    items.push({ ok: false, code: `end:${end.code}` });
    out?.add(`end:${end.code}`);
  }
  // a failed decoder stays failed
  if (dec.error && !(dec.push(Uint8Array.of(0, 0, 0, 1, 1))[0] instanceof FrameError))
    throw new Error("a failed decoder accepted more input");
  return items;
}

export interface WireFuzzOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly onFailure?: (f: FuzzFailure) => void;
}

/** Runs the wire fuzzer; returns the outcome counts and the failures (which the test expects empty). */
export function fuzzWire(o: WireFuzzOptions): { outcomes: Outcomes; failures: FuzzFailure[] } {
  const outcomes = new Outcomes();
  const failures: FuzzFailure[] = [];
  const r = new FuzzRng(o.seed);
  for (let i = 0; i < o.inputs; i++) {
    const stream = wireInput(r);
    const cuts: number[] = [];
    for (let k = r.int(4); k > 0; k--) cuts.push(r.int(stream.length + 1));
    cuts.sort((a, b) => a - b);
    outcomes.inputs++;
    try {
      const whole = run(stream, [], outcomes);
      const chunked = run(stream, cuts, undefined);
      if (JSON.stringify(whole) !== JSON.stringify(chunked))
        throw new Error(
          `chunking changed the result: ${JSON.stringify(whole)} vs ${JSON.stringify(chunked)}`,
        );
      if (whole.length === 0) outcomes.add("incomplete");
    } catch (e) {
      outcomes.add("THREW");
      const f: FuzzFailure = {
        what: "wire",
        seed: o.seed,
        input: i,
        detail: `${e instanceof Error ? e.message : String(e)} — stream ${Buffer.from(stream).toString("hex").slice(0, 400)}`,
      };
      failures.push(f);
      o.onFailure?.(f);
    }
  }
  return { outcomes, failures };
}
