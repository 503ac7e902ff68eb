// The search at the heart of the checker: Wing & Gong's backtracking over the operations that may
// take effect next, in Lowe's "just-in-time linearisation" form, with memoisation of (set of
// linearised operations, model state) so that every configuration is explored at most once.
//
// Completed operations form an ordered doubly-linked list of call and return events. Scanning it
// from the front, every call event before the first return event is a candidate: if the model
// accepts the operation in the current state and the configuration (linearised set ∪ {op}, new
// state) was never seen, the operation is linearised — its events are unlinked (dancing links)
// and the search goes on from the new configuration. The operation of the first return event must
// take effect before anything else that is left, so when every candidate has been tried the last
// choice is undone and the next candidate of the configuration before it is tried. The history is
// linearisable iff the list empties; running out of choices to undo proves it is not.
//
// Two things keep the search small on long, highly concurrent histories (50 clients):
// - Forced moves. A completed read-only candidate (`isReadOnly`: it never changes the state) that
//   the model accepts may be linearised first without loss of generality: moving it to the front
//   of any linearisation of the rest keeps every state and every real-time order (no operation
//   left returned before its call). So it is taken with no alternative tried, and if its
//   configuration was seen before, the current one fails at once.
// - Earliest return first. The other completed candidates are tried in the order of their returns:
//   the operation that must take effect soonest first, which is how real services order them.
//
// Operations with an unknown outcome never return (they return at +∞): they are candidates from
// their call on, and linearising one after every completed operation is the same as never
// applying it. They sit in a second list, sorted by call, and are tried only after the completed
// candidates of the same configuration (the order in which candidates are tried does not change
// the verdict, only how soon a linearisation is found: most timed-out operations either took
// effect late or not at all). Once every completed operation is linearised the pending ones can
// all follow — the model accepts an operation whose outcome is unknown — so the search stops.

import type { Model, Operation } from "./types.js";

export type SearchOutcome = "linearizable" | "not-linearizable" | "unknown";

export interface SearchOptions {
  /** Give up with "unknown" once this time (a `performance.now()` value) has passed. */
  readonly deadline?: number;
  /**
   * Let every pending operation take effect any number of times (after its call) instead of at
   * most once. An over-approximation: what is not linearisable so is not linearisable at all. The
   * configurations shrink to (completed operations linearised, state), which makes the search
   * fast when most operations are pending (explaining violations, see shrink.ts).
   */
  readonly pendingMayRepeat?: boolean;
  /** Give up with "unknown" after this many search steps (default: no limit). */
  readonly maxSteps?: number;
  /**
   * Most configurations the visited set holds (rounded down to a power of two; default 2^22, some
   * 70 MiB without pending operations; never more than 512 MiB whatever the pending bits take).
   * Past it, old configurations are forgotten: memory stays bounded, the search may repeat work.
   */
  readonly maxVisited?: number;
}

const NIL = -1;
/** Time is looked at every this many search steps. */
const CLOCK_EVERY = 1 << 12;
/** Slots probed per insertion into the visited set before it grows or evicts. */
const PROBE = 16;
/** Default bound of the visited set: 2^22 slots (64 MiB for partitions without pending operations). */
export const DEFAULT_MAX_VISITED = 1 << 22;
/** Whatever `maxVisited` says, the visited set of one search never takes more than this. */
const MAX_VISITED_BYTES = 512 * 2 ** 20;

/**
 * The configurations seen so far. A configuration is (Lc, Lp, state): the completed and the
 * pending operations linearised, and the model state. (Lc, Lp, s) *dominates* (Lc, Lp', s) when
 * Lp ⊆ Lp': whatever the second can still do, the first can do too, leaving the extra pending
 * operations for never (they have no return that forces them in). So a configuration is skipped
 * when a configuration seen before dominates it — with no pending operations, when it was seen.
 *
 * (Why this is complete: if the search ends without success while some visited configuration can
 * still succeed, take such a V with the shortest way to success; its next configuration W on that
 * way was neither visited — W would be a closer one — nor skipped: the configuration D that
 * dominated W was visited and, by the simulation above, is as close to success as W.)
 *
 * Compact by design: a fixed-capacity open-addressing table of fingerprints in typed arrays — Lc
 * by its 64-bit Zobrist hash, the state by a 64-bit hash of its key — with Lp kept as bits for
 * the dominance test. It starts small and doubles up to `maxSlots`; once full, a new
 * configuration overwrites one in its probe window. Forgetting a configuration only means it may
 * be explored again (the search still terminates: every step linearises one more operation), so
 * the bound costs time, never correctness. Two configurations share a fingerprint with
 * probability about 2^-128 per pair.
 */
class VisitedSet {
  readonly lc: Uint32Array;
  readonly lp: Uint32Array;
  private slots: number;
  private keys: Int32Array;
  private lps: Uint32Array;
  private used: Uint8Array;
  private count = 0;
  evictions = 0;

  private readonly maxSlots: number;

  constructor(completed: number, pending: number, maxSlots: number) {
    this.lc = new Uint32Array(Math.ceil(completed / 32));
    this.lp = new Uint32Array(Math.ceil(pending / 32));
    // a slot takes 17 bytes plus 4 per word of pending bits: at most MAX_VISITED_BYTES in all
    const bySize = MAX_VISITED_BYTES / (17 + 4 * this.lp.length);
    let cap = 1 << 4;
    while (cap * 2 <= Math.min(maxSlots, bySize)) cap *= 2;
    this.maxSlots = cap;
    this.slots = Math.min(1 << 12, cap);
    this.keys = new Int32Array(4 * this.slots);
    this.lps = new Uint32Array(this.lp.length * this.slots);
    this.used = new Uint8Array(this.slots);
  }

  get size(): number {
    return this.count;
  }

  private static bucket(h1: number, s1: number): number {
    let x = (h1 ^ Math.imul(s1, 0x85ebca6b)) | 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    return x ^ (x >>> 15);
  }

  /** Record the current (Lc, Lp, state) unless a recorded configuration dominates it. */
  insert(h1: number, h2: number, s1: number, s2: number): boolean {
    const pw = this.lp.length;
    for (;;) {
      const mask = this.slots - 1;
      const b = VisitedSet.bucket(h1, s1);
      let free = -1;
      for (let p = 0; p < PROBE; p++) {
        const k = (b + p) & mask;
        if (this.used[k] === 0) {
          if (free === -1) free = k;
          break;
        }
        const q = 4 * k;
        if (
          this.keys[q] !== h1 ||
          this.keys[q + 1] !== h2 ||
          this.keys[q + 2] !== s1 ||
          this.keys[q + 3] !== s2
        )
          continue;
        let dominated = true;
        for (let j = 0, base = k * pw; j < pw; j++)
          if ((this.lps[base + j]! & ~this.lp[j]!) !== 0) {
            dominated = false;
            break;
          }
        if (dominated) return false;
      }
      if (free === -1 && this.slots < this.maxSlots && this.count * 2 >= this.slots) {
        this.grow();
        continue;
      }
      if (free === -1) {
        free = (b + ((h2 >>> 0) % PROBE)) & mask;
        this.evictions++;
      } else this.count++;
      this.store(free, h1, h2, s1, s2, this.lp, 0);
      return true;
    }
  }

  private store(
    k: number,
    h1: number,
    h2: number,
    s1: number,
    s2: number,
    lp: Uint32Array,
    at: number,
  ): void {
    const q = 4 * k;
    this.keys[q] = h1;
    this.keys[q + 1] = h2;
    this.keys[q + 2] = s1;
    this.keys[q + 3] = s2;
    const pw = this.lp.length;
    for (let j = 0; j < pw; j++) this.lps[k * pw + j] = lp[at + j]!;
    this.used[k] = 1;
  }

  private grow(): void {
    const { keys, lps, used, slots } = this;
    const pw = this.lp.length;
    this.slots = slots * 2;
    this.keys = new Int32Array(4 * this.slots);
    this.lps = new Uint32Array(pw * this.slots);
    this.used = new Uint8Array(this.slots);
    const mask = this.slots - 1;
    for (let k = 0; k < slots; k++) {
      if (used[k] === 0) continue;
      const b = VisitedSet.bucket(keys[4 * k]!, keys[4 * k + 2]!);
      for (let p = 0; p < PROBE; p++) {
        const t = (b + p) & mask;
        if (this.used[t] === 0) {
          this.store(t, keys[4 * k]!, keys[4 * k + 1]!, keys[4 * k + 2]!, keys[4 * k + 3]!, lps, k * pw);
          break;
        }
      }
    }
  }
}

/** Two independent 32-bit hashes of a string (FNV-1a and a multiplicative one), as a pair. */
function hashString(s: string, out: Int32Array): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x27d4eb2f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b + c, 0x9e3779b1) ^ (b >>> 13);
  }
  a ^= s.length;
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b);
  out[0] = a ^ (a >>> 15);
  out[1] = b ^ (b >>> 13);
}

const setBit = (bits: Uint32Array, j: number): void => {
  bits[j >>> 5]! |= 1 << (j & 31);
};
const clearBit = (bits: Uint32Array, j: number): void => {
  bits[j >>> 5]! &= ~(1 << (j & 31));
};

/** Events sorted by time; at equal times calls come first (touching intervals are concurrent). */
function sortedEvents<I, O>(ops: readonly Operation<I, O>[]): Int32Array {
  const n = ops.length;
  const time = (e: number): number => {
    const op = ops[e >> 1]!;
    return (e & 1) === 0 ? op.call : (op.ret ?? Number.POSITIVE_INFINITY);
  };
  const events = Array.from({ length: 2 * n }, (_, e) => e);
  events.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  return Int32Array.from(events);
}

/** A growable stack of candidate lists (one list per search depth). */
class CandidateArena {
  data = new Int32Array(1024);
  top = 0;
  push(x: number): void {
    if (this.top === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.top++] = x;
  }
}

/**
 * Decide whether `ops` (one partition; all of them, or none, may be pending) is linearisable with
 * respect to `model`, starting from `model.init`.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  options: SearchOptions = {},
): SearchOutcome {
  const n = ops.length;
  if (n === 0) return "linearizable";
  for (const op of ops)
    if (op.ret !== undefined && !(op.ret >= op.call))
      throw new RangeError(
        `operation of client ${op.client} returns (${op.ret}) before its call (${op.call})`,
      );

  // Event e: the call of operation e>>1 when e is even, its return when odd. Completed
  // operations' events are listed from HEAD = 2n, pending operations' calls from PHEAD = 2n + 1.
  const HEAD = 2 * n;
  const PHEAD = 2 * n + 1;
  const next = new Int32Array(2 * n + 2);
  const prev = new Int32Array(2 * n + 2);
  const rank = new Int32Array(2 * n);
  const order = sortedEvents(ops);
  let last = HEAD;
  let lastPending = PHEAD;
  for (let r = 0; r < order.length; r++) {
    const e = order[r]!;
    rank[e] = r;
    if (ops[e >> 1]!.ret !== undefined) {
      next[last] = e;
      prev[e] = last;
      last = e;
    } else if ((e & 1) === 0) {
      next[lastPending] = e;
      prev[e] = lastPending;
      lastPending = e;
    }
  }
  next[last] = NIL;
  next[lastPending] = NIL;

  const unlink = (e: number): void => {
    const p = prev[e]!;
    const q = next[e]!;
    next[p] = q;
    if (q !== NIL) prev[q] = p;
  };
  const relink = (e: number): void => {
    const p = prev[e]!;
    const q = next[e]!;
    next[p] = e;
    if (q !== NIL) prev[q] = e;
  };

  // Each operation's bit in Lc or Lp.
  const slot = new Int32Array(n);
  let completed = 0;
  let pendingCount = 0;
  for (let i = 0; i < n; i++) slot[i] = ops[i]!.ret !== undefined ? completed++ : pendingCount++;
  const isPending = (i: number): boolean => ops[i]!.ret === undefined;
  const readOnly = new Uint8Array(n);
  for (let i = 0; i < n; i++) readOnly[i] = !isPending(i) && model.isReadOnly(ops[i]!.input) ? 1 : 0;

  // Zobrist hashing of Lc: two independent 32-bit words per completed operation, xor-ed in and
  // out as operations are linearised and undone.
  const z1 = new Int32Array(n);
  const z2 = new Int32Array(n);
  let seed = 0x9e3779b9;
  const rand = (): number => {
    // splitmix32 with a fixed seed: the search is a pure function of its input
    seed = (seed + 0x9e3779b9) | 0;
    let t = seed ^ (seed >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return t ^ (t >>> 15);
  };
  for (let i = 0; i < n; i++)
    if (!isPending(i)) {
      z1[i] = rand();
      z2[i] = rand();
    }
  // Repeatable pending operations are never used up: configurations are (Lc, state).
  const repeat = options.pendingMayRepeat === true;
  const memo = new VisitedSet(
    completed,
    repeat ? 0 : pendingCount,
    options.maxVisited ?? DEFAULT_MAX_VISITED,
  );
  const mark = (i: number): void => {
    if (!isPending(i)) setBit(memo.lc, slot[i]!);
    else if (!repeat) setBit(memo.lp, slot[i]!);
  };
  const unmark = (i: number): void => {
    if (!isPending(i)) clearBit(memo.lc, slot[i]!);
    else if (!repeat) clearBit(memo.lp, slot[i]!);
  };
  // Pending operations with equal inputs are interchangeable: the earliest called can do whatever
  // a later one can (it has no return to respect). So a pending operation is only tried once the
  // previous pending one with the same input has been used (with repeatable pending operations:
  // never, the earlier one serves for all). `twin[i]`: that previous operation, or NIL.
  const twin = new Int32Array(n).fill(NIL);
  if (model.inputKey !== undefined) {
    const lastOf = new Map<string, number>();
    for (let e = next[PHEAD]!; e !== NIL; e = next[e]!) {
      const i = e >> 1;
      const key = model.inputKey(ops[i]!.input);
      const before = lastOf.get(key);
      if (before !== undefined) twin[i] = before;
      lastOf.set(key, i);
    }
  }
  const lp = memo.lp;
  const twinWaiting = (i: number): boolean => {
    const t = twin[i]!;
    if (t === NIL) return false;
    if (repeat) return true;
    const j = slot[t]!;
    return (lp[j >>> 5]! & (1 << (j & 31))) === 0;
  };
  const hashed = new Int32Array(2);
  const retOf = (i: number): number => ops[i]!.ret ?? Number.POSITIVE_INFINITY;

  // The stack: at depth d, the operation linearised to leave configuration d, configuration d's
  // state (and its hash), and configuration d's candidates: arena[candFrom[d] .. candFrom[d + 1])
  // (for the current depth: up to arena.top), the next one to try at candAt[d].
  const stackOp: number[] = [];
  const stackState: S[] = [];
  const stackS1: number[] = [];
  const stackS2: number[] = [];
  const candFrom: number[] = [];
  const candAt: number[] = [];
  const arena = new CandidateArena();
  let depth = 0;
  let state = model.init;
  hashString(model.stateKey(state), hashed);
  let s1 = hashed[0]!;
  let s2 = hashed[1]!;
  let h1 = 0;
  let h2 = 0;
  let steps = 0;
  const deadline = options.deadline;
  const maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;
  const byReturn = (a: number, b: number): number => retOf(a) - retOf(b) || ops[a]!.call - ops[b]!.call;
  const scratch: number[] = [];
  const writes: I[] = [];
  const mayReach = model.mayReach?.bind(model);

  /** Linearise operation i, leaving configuration `depth` for a new one with state `to`. */
  const push = (i: number, to: S, t1: number, t2: number): void => {
    stackOp[depth] = i;
    stackState[depth] = state;
    stackS1[depth] = s1;
    stackS2[depth] = s2;
    depth++;
    state = to;
    s1 = t1;
    s2 = t2;
    h1 ^= z1[i]!;
    h2 ^= z2[i]!;
    const c = 2 * i;
    if (!isPending(i)) {
      unlink(c);
      unlink(c + 1);
    } else if (!repeat) unlink(c);
  };

  /**
   * Enter configuration `depth`: take a forced move if there is one (true: pushed, enter again),
   * otherwise list the candidates (none when a forced move leads to a configuration seen before).
   */
  const enter = (): boolean => {
    candFrom[depth] = arena.top;
    candAt[depth] = arena.top;
    let e = next[HEAD]!;
    for (; e !== NIL && (e & 1) === 0; e = next[e]!) {
      const i = e >> 1;
      if (readOnly[i] === 0) continue;
      const op = ops[i]!;
      if (!model.step(state, op.input, op.output).ok) continue;
      mark(i);
      if (memo.insert(h1 ^ z1[i]!, h2 ^ z2[i]!, s1, s2)) {
        push(i, state, s1, s2);
        return true;
      }
      unmark(i);
      return false; // the forced move's configuration was seen: this one fails too
    }
    scratch.length = 0;
    for (let c = next[HEAD]!; c !== e; c = next[c]!) if (readOnly[c >> 1] === 0) scratch.push(c >> 1);
    const limit = e === NIL ? Number.POSITIVE_INFINITY : rank[e]!;
    const pendingFrom = scratch.length;
    for (let p = next[PHEAD]!; p !== NIL && rank[p]! < limit; p = next[p]!) scratch.push(p >> 1);
    if (mayReach !== undefined && e !== NIL && readOnly[e >> 1] === 1) {
      // the read that returns first is not accepted now: can the candidates still lead to it?
      const x = ops[e >> 1]!;
      writes.length = 0;
      for (const i of scratch) writes.push(ops[i]!.input);
      if (!mayReach(state, x.input, x.output!, writes)) return false;
    }
    const completedCandidates = scratch.slice(0, pendingFrom).sort(byReturn);
    for (const i of completedCandidates) arena.push(i);
    for (let k = pendingFrom; k < scratch.length; k++) arena.push(scratch[k]!);
    return false;
  };

  while (enter());
  while (next[HEAD] !== NIL) {
    if (++steps % CLOCK_EVERY === 0) {
      if (deadline !== undefined && performance.now() > deadline) return "unknown";
      if (steps >= maxSteps) return "unknown";
    }
    const at = candAt[depth]!;
    if (at === arena.top) {
      // every candidate tried: undo the last choice; its configuration tries its next candidate
      if (depth === 0) return "not-linearizable";
      arena.top = candFrom[depth]!;
      depth--;
      const i = stackOp[depth]!;
      state = stackState[depth]!;
      s1 = stackS1[depth]!;
      s2 = stackS2[depth]!;
      h1 ^= z1[i]!;
      h2 ^= z2[i]!;
      unmark(i);
      const c = 2 * i;
      if (!isPending(i)) {
        relink(c + 1);
        relink(c);
      } else if (!repeat) relink(c);
      continue;
    }
    candAt[depth] = at + 1;
    const i = arena.data[at]!;
    if (isPending(i) && twinWaiting(i)) continue;
    const op = ops[i]!;
    const r = model.step(state, op.input, op.output);
    if (!r.ok) continue;
    let t1 = s1;
    let t2 = s2;
    if (r.state !== state) {
      hashString(model.stateKey(r.state), hashed);
      t1 = hashed[0]!;
      t2 = hashed[1]!;
    }
    mark(i);
    if (!memo.insert(h1 ^ z1[i]!, h2 ^ z2[i]!, t1, t2)) {
      unmark(i);
      continue;
    }
    push(i, r.state, t1, t2);
    while (enter());
  }
  return "linearizable";
}
