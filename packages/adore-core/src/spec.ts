import type { Invariant } from "./invariants.js";

/** Receives the numbers of a state's canonical encoding (a string key or a 64-bit fingerprint is built from them). */
export interface KeySink {
  add(n: number): void;
}

/**
 * The typed step interface shared by every layer (design §2): a labelled transition system with
 * explicit nondeterminism. `A` is a discriminated union whose payload carries every oracle choice;
 * `B` are the bounds that make `enabled` finite.
 */
export interface Spec<S, A, B> {
  readonly name: string;
  /**
   * Checks the bounds as a whole (they may come from untyped callers): throws ExploreOptionError
   * naming the field (`bounds.nodes`, …) and the rule. The explorer calls it before `init`.
   */
  checkBounds?(bounds: B): void;
  init(bounds: B): S;
  /** Every step enabled in `s` within `bounds` (each is accepted by `step`). */
  enabled(s: S, bounds: B): readonly A[];
  step(
    s: S,
    a: A,
  ):
    | { readonly ok: true; readonly next: S; readonly rule?: string }
    | { readonly ok: false; readonly reason: unknown };
  /**
   * The canonical encoding of a state: states with equal encodings behave identically. With
   * `perm`, the encoding of the state with node i renamed to perm[i] (symmetry reduction).
   */
  encode(s: S, sink: KeySink, perm?: readonly number[]): void;
  /**
   * Optional inverse of `encode`: a state that behaves like the encoded one. With it the explorer
   * keeps its frontier as packed words instead of objects (far less GC work on big searches).
   */
  decode?(words: Int32Array, start: number, end: number): S;
  /**
   * Symmetry reduction: candidate renamings of node ids (perm[i] is the new id of node i). The
   * explorer keeps the least fingerprint of `encode(s, perm)` over them, so the set should be the
   * same for all renamings of `s` (then the least encoding is canonical). Any set is sound:
   * encodings of renamed states are encodings of isomorphic states.
   */
  canonicalPerms?(s: S): readonly (readonly number[])[];
  readonly invariants: readonly Invariant<S>[];
  showStep(a: A): string;
}

/** The exact canonical key of a state (a string of its encoding). */
export function stateKey<S>(spec: Spec<S, unknown, unknown>, s: S, perm?: readonly number[]): string {
  const sink = new WordBuffer();
  spec.encode(s, sink, perm);
  return sink.words.subarray(0, sink.length).join(",");
}

/** Collects an encoding into a growable Int32Array. */
export class WordBuffer implements KeySink {
  words = new Int32Array(256);
  length = 0;
  add(n: number): void {
    if (this.length === this.words.length) {
      const w = new Int32Array(this.words.length * 2);
      w.set(this.words);
      this.words = w;
    }
    this.words[this.length++] = n;
  }
}

/** A 64-bit fingerprint (two 32-bit halves) of words[0, len): TLC-style state hashing. */
export function fingerprintWords(words: Int32Array, len: number, out: Int32Array): void {
  let hi = 0x9747b28c ^ len;
  let lo = 0x1b873593 ^ Math.imul(len, 0x27d4eb2f);
  for (let i = 0; i < len; i++) {
    const n = words[i]!;
    let k = Math.imul(n, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    hi ^= Math.imul(k, 0x1b873593);
    hi = (hi << 13) | (hi >>> 19);
    hi = (Math.imul(hi, 5) + 0xe6546b64) | 0;
    let j = Math.imul(n ^ 0x5bd1e995, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    lo ^= Math.imul(j, 0xc2b2ae35);
    lo = (lo << 11) | (lo >>> 21);
    lo = (Math.imul(lo, 9) + 0x52dce729) | 0;
  }
  hi = fmix(hi ^ lo);
  out[0] = hi;
  out[1] = fmix(lo ^ Math.imul(hi, 0x27d4eb2f));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
