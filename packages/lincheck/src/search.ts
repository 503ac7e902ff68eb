// The search at the heart of the checker: Wing & Gong's backtracking over the operations that may
// take effect next, in Lowe's "just-in-time linearisation" form, with memoisation of (set of
// linearised operations, model state) so that every configuration is explored at most once.
//
// Completed operations form an ordered doubly-linked list of call and return events. Scanning it
// from the front, every call event before the first return event is a candidate: if the model
// accepts the operation in the current state and the configuration (linearised set ∪ {op}, new
// state) was never seen, the operation is linearised — its events are unlinked (dancing links)
// and the scan restarts at the front. At the first return event, the operation it belongs to must
// take effect before anything else that is left: the candidates are exhausted, the last choice is
// undone and the scan resumes after it. The history is linearisable iff the list empties; running
// out of choices to undo proves it is not.
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
}

const NIL = -1;
/** Time is looked at every this many search steps. */
const CLOCK_EVERY = 1 << 12;

/** A growable bitset store: `count` sets of `width` 32-bit words each. */
class BitsetStore {
  data: Uint32Array;
  constructor(readonly width: number) {
    this.data = new Uint32Array(Math.max(1, width) * 1024);
  }
  put(k: number, bits: Uint32Array): void {
    if ((k + 1) * this.width > this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(bits, k * this.width);
  }
}

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
 * Stored as a hash table on Lc's Zobrist hash (h1 for the bucket with the state id, h2 to
 * compare) with Lc and Lp kept for exact comparison. It also holds the current Lc and Lp.
 */
class Memo {
  readonly lc: Uint32Array;
  readonly lp: Uint32Array;
  private readonly heads = new Map<number, number>();
  private readonly chain: number[] = [];
  private readonly h2s: number[] = [];
  private readonly stateIds: number[] = [];
  private readonly lcs: BitsetStore;
  private readonly lps: BitsetStore;
  private size = 0;

  constructor(completed: number, pending: number) {
    this.lc = new Uint32Array(Math.ceil(completed / 32));
    this.lp = new Uint32Array(Math.ceil(pending / 32));
    this.lcs = new BitsetStore(this.lc.length);
    this.lps = new BitsetStore(this.lp.length);
  }

  /** Record the current (Lc, Lp, state) unless a recorded configuration dominates it. */
  insert(h1: number, h2: number, stateId: number): boolean {
    const bucket = (h1 ^ Math.imul(stateId, 0x85ebca6b)) | 0;
    const first = this.heads.get(bucket) ?? -1;
    const cw = this.lc.length;
    const pw = this.lp.length;
    const lcs = this.lcs.data;
    const lps = this.lps.data;
    search: for (let k = first; k !== -1; k = this.chain[k]!) {
      if (this.h2s[k] !== h2 || this.stateIds[k] !== stateId) continue;
      for (let j = 0, base = k * cw; j < cw; j++) if (lcs[base + j] !== this.lc[j]) continue search;
      for (let j = 0, base = k * pw; j < pw; j++) if ((lps[base + j]! & ~this.lp[j]!) !== 0) continue search;
      return false;
    }
    const k = this.size++;
    this.lcs.put(k, this.lc);
    this.lps.put(k, this.lp);
    this.chain.push(first);
    this.h2s.push(h2);
    this.stateIds.push(stateId);
    this.heads.set(bucket, k);
    return true;
  }
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
  const memo = new Memo(completed, repeat ? 0 : pendingCount);
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
  const stateIds = new Map<string, number>();
  const idOf = (st: S): number => {
    const key = model.stateKey(st);
    let id = stateIds.get(key);
    if (id === undefined) stateIds.set(key, (id = stateIds.size));
    return id;
  };

  // (with repeatable pending operations the stack may grow beyond n)
  const stackOp: number[] = [];
  const stackStateId: number[] = [];
  const stackLimit: number[] = [];
  const stackState: S[] = [];
  let depth = 0;
  let state = model.init;
  let stateId = idOf(state);
  let h1 = 0;
  let h2 = 0;
  // The scan: e in the completed list, or (pending) in the pending list up to rank `limit`, the
  // rank of the first return event left.
  let e = next[HEAD]!;
  let pending = false;
  let limit = 0;
  let steps = 0;
  const deadline = options.deadline;
  const maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;

  while (next[HEAD] !== NIL) {
    if (++steps % CLOCK_EVERY === 0) {
      if (deadline !== undefined && performance.now() > deadline) return "unknown";
      if (steps >= maxSteps) return "unknown";
    }
    if (!pending && (e & 1) === 1) {
      // the first return event: the completed candidates are exhausted, on to the pending ones
      limit = rank[e]!;
      pending = true;
      e = next[PHEAD]!;
      continue;
    }
    if (pending && (e === NIL || rank[e]! > limit)) {
      // every candidate tried: undo the last choice and try the next candidate after it
      if (depth === 0) return "not-linearizable";
      depth--;
      const i = stackOp[depth]!;
      state = stackState[depth]!;
      stateId = stackStateId[depth]!;
      h1 ^= z1[i]!;
      h2 ^= z2[i]!;
      unmark(i);
      const c = 2 * i;
      if (ops[i]!.ret !== undefined) {
        relink(c + 1);
        relink(c);
        pending = false;
      } else {
        if (!repeat) relink(c);
        limit = stackLimit[depth]!;
      }
      e = next[c]!;
      continue;
    }
    // e is the call event of a candidate
    const i = e >> 1;
    if (pending && twinWaiting(i)) {
      e = next[e]!;
      continue;
    }
    const op = ops[i]!;
    const r = model.step(state, op.input, op.output);
    if (r.ok) {
      const sid = r.state === state ? stateId : idOf(r.state);
      mark(i);
      if (memo.insert(h1 ^ z1[i]!, h2 ^ z2[i]!, sid)) {
        stackOp[depth] = i;
        stackStateId[depth] = stateId;
        stackLimit[depth] = limit;
        stackState[depth] = state;
        depth++;
        state = r.state;
        stateId = sid;
        h1 ^= z1[i]!;
        h2 ^= z2[i]!;
        if (op.ret !== undefined) {
          unlink(e);
          unlink(e + 1);
        } else if (!repeat) unlink(e);
        e = next[HEAD]!;
        pending = false;
        continue;
      }
      unmark(i);
    }
    e = next[e]!;
  }
  return "linearizable";
}
