// Hostile values: numbers at and past every boundary, wrong types, and objects whose keys shadow
// Object.prototype (a decoded {toString: 1} makes String(x) throw).
import type { FuzzRng } from "./rng.js";

export const NASTY_NUMBERS: readonly number[] = [
  -1,
  -0,
  0.5,
  1.5,
  -1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_SAFE_INTEGER,
  31,
  32,
  1000,
  0xffff_ffff,
];

const PROTO_KEYS = ["toString", "valueOf", "constructor", "hasOwnProperty", "toJSON", "then", "length"];

/** A value of any type, biased towards trouble. */
export function nastyValue(r: FuzzRng, depth = 0): unknown {
  switch (r.int(14)) {
    case 0:
      return r.pick(NASTY_NUMBERS);
    case 1:
      return r.pick([null, undefined, true, false]);
    case 2:
      return r.pick(["", "1", "0x10", "NaN", "__proto__", "constructor", "x".repeat(r.int(300))]);
    case 3:
      return r.int(2 ** 31) * (r.chance(0.5) ? -1 : 1);
    case 4:
      return r.bytes(r.int(40));
    case 5:
      return depth > 3 ? [] : Array.from({ length: r.int(4) }, () => nastyValue(r, depth + 1));
    case 6: {
      // an object whose own keys shadow Object.prototype methods with non-functions
      const o: Record<string, unknown> = {};
      for (let i = r.int(3) + 1; i > 0; i--) o[r.pick(PROTO_KEYS)] = depth > 3 ? 1 : nastyValue(r, depth + 1);
      return o;
    }
    case 7:
      return depth > 3 ? {} : randomValue(r, depth + 1);
    case 8:
      return new Date(r.int(2 ** 40));
    case 9:
      return r.int(64);
    default:
      return r.range(-3, 40);
  }
}

/** A random JSON-like value (what msgpack carries). */
export function randomValue(r: FuzzRng, depth = 0): unknown {
  const k = depth > 4 ? r.int(5) : r.int(9);
  switch (k) {
    case 0:
      return r.chance(0.5) ? r.int(1 << 20) : r.pick(NASTY_NUMBERS);
    case 1:
      return r.pick([null, undefined, true, false]);
    case 2:
      return Buffer.from(r.bytes(r.int(12))).toString("latin1");
    case 3:
      return r.bytes(r.int(16));
    case 4:
      return r.u32() / 7;
    case 5:
    case 6:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        o[r.chance(0.2) ? r.pick(PROTO_KEYS) : `k${r.int(10)}`] = randomValue(r, depth + 1);
      return o;
    }
  }
}
