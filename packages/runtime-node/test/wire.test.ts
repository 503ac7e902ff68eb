import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  DEFAULT_MAX_FRAME_SIZE,
  decode,
  encode,
  encodeFrame,
  FrameDecoder,
  FrameError,
  MAX_DECODE_DEPTH,
} from "../src/wire/index.js";

/** Splits `buf` at the given cut points (sorted, deduplicated, clamped). */
function split(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** -0 encodes as the integer 0 (as in JSON): compare against the JSON-normalized value. */
const jsonNormal = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function feedAll(dec: FrameDecoder, chunks: Uint8Array[]): Array<Uint8Array | FrameError> {
  return chunks.flatMap((c) => dec.push(c));
}

describe("codec", () => {
  it("round-trips JSON-like values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        fc.pre(!JSON.stringify(v).includes('"__proto__":'));
        const back = decode(encode(v));
        expect(back).not.toBeInstanceOf(CodecError);
        expect(back).toEqual(jsonNormal(v));
      }),
    );
  });

  it("round-trips objects with optional (undefined) fields, bytes and nested arrays", () => {
    const v = { a: 1, b: undefined, c: [1, undefined, null], d: { e: "x" }, f: new Uint8Array([1, 2, 3]) };
    const back = decode(encode(v)) as typeof v;
    expect(Object.hasOwn(back, "b")).toBe(true);
    expect(back.b).toBeUndefined();
    expect(back.c).toEqual([1, undefined, null]);
    expect(new Uint8Array(back.f)).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.d).toEqual({ e: "x" });
  });

  it("decoded bytes do not alias the input", () => {
    const buf = encode({ f: new Uint8Array([7, 7]) });
    const back = decode(buf) as { f: Uint8Array };
    buf.fill(0);
    expect([...back.f]).toEqual([7, 7]);
  });

  it("rejects garbage, truncation, trailing bytes and unknown extensions with typed errors", () => {
    const ok = encode({ hello: ["world", 1, 2, 3] });
    for (let i = 0; i < ok.length; i++) {
      const r = decode(ok.subarray(0, i));
      expect(r).toBeInstanceOf(CodecError);
    }
    expect((decode(Buffer.concat([ok, Buffer.from([0])])) as CodecError).code).toBe("Malformed");
    expect((decode(Buffer.from([0xc1])) as CodecError).code).toBe("Malformed");
    expect((decode(Buffer.from([0xd4, 0x72, 0x00])) as CodecError).code).toBe("Unsupported");
    // A 4-billion-element array claimed by 5 bytes.
    expect((decode(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])) as CodecError).code).toBe("Malformed");
    expect((decode(Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff])) as CodecError).code).toBe("Truncated");
  });

  it('refuses a "__proto__" key instead of renaming it', () => {
    const r = decode(encode(JSON.parse('{"a":{"__proto__":1}}')));
    expect((r as CodecError).code).toBe("Unsupported");
    expect(decode(encode({ a: "__proto__" }))).toEqual({ a: "__proto__" });
    const str8 = Buffer.concat([Buffer.from([0x81, 0xd9, 9]), Buffer.from("__proto__"), Buffer.from([1])]);
    expect((decode(str8) as CodecError).code).toBe("Unsupported");
  });

  it("rejects nesting deeper than the limit (and accepts it at the limit)", () => {
    const nested = (d: number): Buffer => {
      const b = Buffer.alloc(d + 1, 0x91);
      b[d] = 0xc0;
      return b;
    };
    expect(decode(nested(MAX_DECODE_DEPTH))).not.toBeInstanceOf(CodecError);
    expect((decode(nested(MAX_DECODE_DEPTH + 1)) as CodecError).code).toBe("TooDeep");
    expect((decode(nested(200_000)) as CodecError).code).toBe("TooDeep");
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        decode(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("frames", () => {
  it("round-trips payloads across arbitrary chunk boundaries", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
          const dec = new FrameDecoder();
          const out = feedAll(dec, split(stream, cuts));
          expect(out.map((p) => Buffer.from(p as Uint8Array))).toEqual(payloads.map((p) => Buffer.from(p)));
          expect(dec.end()).toBeUndefined();
          expect(dec.pending).toBe(0);
        },
      ),
    );
  });

  it("carries codec values end to end, byte by byte", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (values) => {
        const stream = Buffer.concat(values.map((v) => encodeFrame(encode(v))));
        const dec = new FrameDecoder();
        const out: unknown[] = [];
        for (let i = 0; i < stream.length; i++) {
          for (const p of dec.push(stream.subarray(i, i + 1))) out.push(decode(p as Uint8Array));
        }
        expect(out).toEqual(values.map(jsonNormal));
      }),
      { numRuns: 50 },
    );
  });

  it("reports an oversized claim before buffering or allocating the payload", () => {
    const dec = new FrameDecoder({ maxFrameSize: 1024 });
    const header = Buffer.from([0xff, 0xff, 0xff, 0xff, 1]);
    const out = dec.push(header);
    expect(out).toHaveLength(1);
    const e = out[0] as FrameError;
    expect(e).toBeInstanceOf(FrameError);
    expect(e.code).toBe("Oversized");
    expect(dec.pending).toBe(0);
    // Failed decoders stay failed.
    expect(dec.push(encodeFrame(Buffer.from("x")))).toEqual([e]);
    expect(dec.end()).toBe(e);
  });

  it("honours the limit exactly, and the default is 16 MiB", () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(16 * 1024 * 1024);
    const dec = new FrameDecoder({ maxFrameSize: 4 });
    expect(dec.push(encodeFrame(Buffer.from("abcd"), { maxFrameSize: 4 }))).toHaveLength(1);
    expect(() => encodeFrame(Buffer.from("abcde"), { maxFrameSize: 4 })).toThrow(FrameError);
    const big = Buffer.alloc(5);
    big.writeUInt32BE(6, 0);
    big[4] = 1;
    expect((dec.push(big)[0] as FrameError).code).toBe("Oversized");
  });

  it("reports bad versions, zero lengths and truncation", () => {
    const v2 = encodeFrame(Buffer.from("hi"), { version: 2 });
    expect((new FrameDecoder().push(v2)[0] as FrameError).code).toBe("BadVersion");
    expect((new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 1]))[0] as FrameError).code).toBe("Malformed");
    const good = encodeFrame(Buffer.from("hello"));
    for (let i = 1; i < good.length; i++) {
      const dec = new FrameDecoder();
      expect(dec.push(good.subarray(0, i))).toEqual([]);
      expect(dec.end()?.code).toBe("Truncated");
    }
    // Payloads before the cut are still delivered.
    const dec = new FrameDecoder();
    const out = dec.push(Buffer.concat([good, good.subarray(0, 3)]));
    expect(out.map((p) => Buffer.from(p as Uint8Array).toString())).toEqual(["hello"]);
    expect(dec.end()?.code).toBe("Truncated");
  });

  it("never throws on 10k random garbage frames", () => {
    // A seeded xorshift32 stream: cheap, reproducible garbage.
    let x = 0x9e3779b9;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const samples = Array.from({ length: 10_000 }, () => {
      const b = new Uint8Array(next() % 65);
      for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
      // Half of them get a plausible header so the payload path is exercised too.
      if (b.length >= 5 && next() % 2 === 0) {
        new DataView(b.buffer).setUint32(0, b.length - 4);
        b[4] = 1;
      }
      return b;
    });
    let errors = 0;
    for (const garbage of samples) {
      const dec = new FrameDecoder({ maxFrameSize: 1 << 20 });
      for (const item of dec.push(garbage)) {
        if (item instanceof FrameError) errors++;
        else expect(decode(item)).toBeDefined();
      }
      dec.end();
      // Garbage framed correctly must not break the codec either.
      const framed = new FrameDecoder().push(encodeFrame(garbage));
      expect(framed).toHaveLength(1);
      decode(framed[0] as Uint8Array);
    }
    expect(errors).toBeGreaterThan(0);
  });
});
