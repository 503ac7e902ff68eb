import fc from "fast-check";
import { checkBoolean, checkInteger, checkRecord, ExploreOptionError } from "./bounds.js";
import type { Invariant } from "./invariants.js";
import { FingerprintSet } from "./fpset.js";
import { Rng } from "./rng.js";
import { fingerprintWords, type Spec, WordBuffer } from "./spec.js";

/** One step of a trace: the step taken, the rule that fired, and the state after it. */
export interface TraceStep<S, A> {
  readonly step: A;
  readonly rule: string | undefined;
  readonly state: S;
}

export interface Trace<S, A> {
  readonly initial: S;
  readonly steps: readonly TraceStep<S, A>[];
}

export interface Violation<S, A> {
  readonly invariant: string;
  readonly message: string;
  readonly trace: Trace<S, A>;
}

export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly frontier: number;
  readonly elapsedMs: number;
  readonly statesPerSec: number;
}

export interface ExploreOptions<B> {
  readonly bounds: B;
  readonly maxDepth: number;
  readonly maxStates?: number;
  /** Deduplicate states up to node renaming (needs `spec.symmetricKey`). */
  readonly symmetry?: boolean;
  /** Names of the invariants to check (default: all of the spec's). */
  readonly invariants?: readonly string[];
  /** Stop (status `time-bound`) after this many seconds. */
  readonly maxSeconds?: number;
  /** Deduplicate on exact string keys instead of 64-bit fingerprints (slower, more memory). */
  readonly exact?: boolean;
  readonly onProgress?: (p: ExploreProgress) => void;
  readonly progressIntervalMs?: number;
}

export interface ExploreResult<S, A> {
  /**
   * `violation`: an invariant failed (the trace is a shortest one); `complete`: every reachable
   * state within the spec's bounds was explored; `depth-bound`/`state-bound`/`time-bound`: stopped at a bound.
   */
  readonly status: "violation" | "complete" | "depth-bound" | "state-bound" | "time-bound";
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
  readonly statesPerSec: number;
  readonly transitionsPerSec: number;
  readonly violation?: Violation<S, A>;
}

export class InvalidStepError extends Error {
  constructor(
    readonly index: number,
    readonly stepText: string,
    readonly reason: unknown,
  ) {
    super(`step ${index + 1} (${stepText}) was rejected: ${describeReason(reason)}`);
    this.name = "InvalidStepError";
  }
}

function describeReason(r: unknown): string {
  if (r && typeof r === "object" && "message" in r) return String((r as { message: unknown }).message);
  return JSON.stringify(r);
}

export function checkInvariants<S>(
  invs: readonly Invariant<S>[],
  s: S,
): { invariant: string; message: string } | undefined {
  for (const inv of invs) {
    const m = inv.check(s);
    if (m !== null) return { invariant: inv.name, message: m };
  }
  return undefined;
}

/** Replays steps from a state; throws InvalidStepError naming the first step the spec rejects. */
export function replay<S, A, B>(spec: Spec<S, A, B>, initial: S, steps: Iterable<A>): Trace<S, A> {
  const out: TraceStep<S, A>[] = [];
  let s = initial;
  let i = 0;
  for (const a of steps) {
    const r = spec.step(s, a);
    if (!r.ok) throw new InvalidStepError(i, spec.showStep(a), r.reason);
    s = r.next;
    out.push({ step: a, rule: r.rule, state: s });
    i++;
  }
  return { initial, steps: out };
}

/** A growable Int32Array. */
class IntList {
  data = new Int32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

/**
 * Packed state encodings in fixed-size chunks (no copying as a level grows). Chunks of an
 * expanded level go back to a pool for the next one: fresh memory is slow to touch.
 */
class PackedStates {
  private static readonly CHUNK = 1 << 20;
  constructor(private readonly pool: Int32Array[]) {}
  readonly chunks: Int32Array[] = [];
  /** chunk index, start and end of each state */
  readonly where = new IntList();
  private cur: Int32Array | undefined;
  private used = 0;
  get count(): number {
    return this.where.length / 3;
  }
  add(src: Int32Array, len: number): void {
    if (this.cur === undefined || this.used + len > this.cur.length) {
      this.cur =
        (len <= PackedStates.CHUNK ? this.pool.pop() : undefined) ??
        new Int32Array(Math.max(PackedStates.CHUNK, len));
      this.chunks.push(this.cur);
      this.used = 0;
    }
    const dst = this.cur;
    let k = this.used;
    for (let i = 0; i < len; i++) dst[k++] = src[i]!;
    this.where.push(this.chunks.length - 1);
    this.where.push(this.used);
    this.where.push(k);
    this.used = k;
  }
  /** Returns this level's chunks to the pool. */
  release(): void {
    for (const c of this.chunks) if (c.length === PackedStates.CHUNK) this.pool.push(c);
    this.chunks.length = 0;
  }
}

/** Exact keys: a Map that grows past V8's per-Map entry limit (2^24) by sharding. */
class KeySet {
  private maps: Map<string, number>[] = [new Map()];
  getOrAdd(k: string, id: number): number {
    for (const m of this.maps) {
      const v = m.get(k);
      if (v !== undefined) return v;
    }
    let last = this.maps[this.maps.length - 1]!;
    if (last.size >= 1 << 23) this.maps.push((last = new Map()));
    last.set(k, id);
    return -1;
  }
}

/** The invariants named by `field` must be a list of the spec's invariant names. */
function checkInvariantNames(spec: Spec<unknown, unknown, unknown>, field: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((n) => typeof n !== "string"))
    throw new ExploreOptionError(field, "expected a list of invariant names");
  const unknown = (v as string[]).filter((n) => !spec.invariants.some((i) => i.name === n));
  if (unknown.length)
    throw new ExploreOptionError(
      field,
      `unknown invariant(s) ${unknown.join(", ")} of ${spec.name}; valid: ${spec.invariants.map((i) => i.name).join(", ")}`,
    );
}

/**
 * Checks the explorer's options and the spec's bounds as a whole, before anything is explored:
 * throws ExploreOptionError naming the first bad field and the rule it breaks.
 */
export function checkExploreOptions<S, A, B>(spec: Spec<S, A, B>, opts: ExploreOptions<B>): void {
  const o = checkRecord("options", opts);
  checkInteger("maxDepth", o.maxDepth, 0, 2 ** 31 - 1);
  if (o.maxStates !== undefined) checkInteger("maxStates", o.maxStates, 1, Number.MAX_SAFE_INTEGER);
  for (const f of ["maxSeconds", "progressIntervalMs"] as const) {
    const v = o[f];
    if (v !== undefined && (typeof v !== "number" || !(v >= 0)))
      throw new ExploreOptionError(f, `${String(v)} is not a non-negative number`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw new ExploreOptionError("onProgress", "expected a function");
  checkBoolean("symmetry", o.symmetry);
  checkBoolean("exact", o.exact);
  if (o.symmetry && !spec.canonicalPerms)
    throw new ExploreOptionError("symmetry", `${spec.name} does not support symmetry reduction`);
  checkInvariantNames(spec as Spec<unknown, unknown, unknown>, "invariants", o.invariants);
  checkRecord("bounds", o.bounds);
  spec.checkBounds?.(opts.bounds);
}

/**
 * The one generic explorer (design §2): breadth-first search with deduplication on the spec's
 * canonical encoding (optionally up to node renaming), depth/state/time bounds, a progress
 * callback, and a shortest trace to a violated invariant.
 *
 * By default states are deduplicated on 64-bit fingerprints of their encodings, as TLC does
 * (the chance of a collision among 10^7 states is about 3·10^-6); `exact: true` keeps full keys.
 */
export function explore<S, A, B>(spec: Spec<S, A, B>, opts: ExploreOptions<B>): ExploreResult<S, A> {
  const t0 = performance.now();
  checkExploreOptions(spec, opts);
  const invs = opts.invariants
    ? spec.invariants.filter((i) => opts.invariants!.includes(i.name))
    : spec.invariants;
  const permsOf = opts.symmetry ? spec.canonicalPerms!.bind(spec) : undefined;
  const maxStates = opts.maxStates ?? Number.POSITIVE_INFINITY;
  const deadline = opts.maxSeconds !== undefined ? t0 + opts.maxSeconds * 1000 : Number.POSITIVE_INFINITY;
  const interval = opts.progressIntervalMs ?? 1000;

  const init = spec.init(opts.bounds);
  let buf = new WordBuffer();
  let alt = new WordBuffer();
  const fp = new Int32Array(2);
  const fpAlt = new Int32Array(2);
  /**
   * Encodes s into buf and fingerprints it into fp; with symmetry, the least fingerprint over the
   * spec's candidate renamings (and its encoding).
   */
  const fingerprint = (s: S): void => {
    buf.length = 0;
    if (!permsOf) {
      spec.encode(s, buf);
      fingerprintWords(buf.words, buf.length, fp);
      return;
    }
    const perms = permsOf(s);
    spec.encode(s, buf, perms[0]);
    fingerprintWords(buf.words, buf.length, fp);
    for (let k = 1; k < perms.length; k++) {
      alt.length = 0;
      spec.encode(s, alt, perms[k]);
      fingerprintWords(alt.words, alt.length, fpAlt);
      if (fpAlt[0]! < fp[0]! || (fpAlt[0] === fp[0] && fpAlt[1]! < fp[1]!)) {
        fp[0] = fpAlt[0]!;
        fp[1] = fpAlt[1]!;
        const t = buf;
        buf = alt;
        alt = t;
      }
    }
  };

  const fps = new FingerprintSet(16);
  const keys = opts.exact ? new KeySet() : undefined;
  const parents = new IntList();
  const his = new IntList();
  const los = new IntList();
  /** Registers s as a new state with the given parent unless seen (its encoding is left in buf). */
  const admit = (s: S, parent: number): boolean => {
    const id = parents.length;
    fingerprint(s);
    if (keys) {
      if (keys.getOrAdd(buf.words.subarray(0, buf.length).join(","), id) !== -1) return false;
    } else if (fps.getOrAdd(fp[0]!, fp[1]!, id) !== -1) return false;
    parents.push(parent);
    his.push(fp[0]!);
    los.push(fp[1]!);
    return true;
  };

  let transitions = 0;
  let depth = 0;
  let lastReport = t0;
  const finish = (
    status: ExploreResult<S, A>["status"],
    violation?: Violation<S, A>,
  ): ExploreResult<S, A> => {
    const elapsedMs = performance.now() - t0;
    const secs = Math.max(elapsedMs, 1e-3) / 1000;
    return {
      status,
      states: parents.length,
      transitions,
      depth,
      elapsedMs,
      statesPerSec: parents.length / secs,
      transitionsPerSec: transitions / secs,
      ...(violation ? { violation } : {}),
    };
  };
  /**
   * Rebuilds the path to state `id` by replaying from the initial state, matching each state's
   * stored fingerprint. Undefined if a renaming class was not canonical enough to match.
   */
  const traceTo = (id: number): Trace<S, A> | undefined => {
    const chain: number[] = [];
    for (let x = id; x > 0; x = parents.get(x)) chain.push(x);
    chain.reverse();
    const steps: TraceStep<S, A>[] = [];
    let s = init;
    for (const x of chain) {
      let found = false;
      for (const a of spec.enabled(s, opts.bounds)) {
        const r = spec.step(s, a);
        if (!r.ok) continue;
        fingerprint(r.next);
        if (fp[0] === his.get(x) && fp[1] === los.get(x)) {
          steps.push({ step: a, rule: r.rule, state: r.next });
          s = r.next;
          found = true;
          break;
        }
      }
      if (!found) return undefined;
    }
    return { initial: init, steps };
  };

  admit(init, -1);
  const bad0 = checkInvariants(invs, init);
  if (bad0) return finish("violation", { ...bad0, trace: { initial: init, steps: [] } });

  /**
   * The frontier of the current level: packed encodings when the spec can decode them (no
   * per-state objects survive a level), else the state objects.
   */
  const decode = spec.decode?.bind(spec);
  let objs: S[] = [init];
  const pool: Int32Array[] = [];
  let packed = new PackedStates(pool);
  let ids = new IntList();
  ids.push(0);
  while (ids.length > 0) {
    if (depth >= opts.maxDepth) return finish("depth-bound");
    const nextObjs: S[] = [];
    const nextPacked = new PackedStates(pool);
    const nextIds = new IntList();
    for (let i = 0; i < ids.length; i++) {
      let s: S;
      if (decode && depth > 0) {
        const w = packed.where.data;
        s = decode(packed.chunks[w[3 * i]!]!, w[3 * i + 1]!, w[3 * i + 2]!);
      } else {
        s = objs[i]!;
        objs[i] = undefined as unknown as S; // let expanded states be collected
      }
      const sid = ids.get(i);
      const en = spec.enabled(s, opts.bounds);
      for (let j = 0; j < en.length; j++) {
        transitions++;
        const r = spec.step(s, en[j]!);
        if (!r.ok) continue;
        if (!admit(r.next, sid)) continue;
        const id = parents.length - 1;
        const bad = checkInvariants(invs, r.next);
        if (bad) {
          depth++;
          const trace = traceTo(id);
          if (trace === undefined) {
            // symmetry's renaming was not canonical for this state: find the same-depth
            // counterexample again without symmetry (BFS depths do not depend on it)
            const again = explore(spec, { ...opts, symmetry: false, maxDepth: depth, onProgress: () => {} });
            if (!again.violation)
              throw new Error(`explorer: lost the counterexample of ${bad.invariant} at depth ${depth}`);
            return finish("violation", again.violation);
          }
          const last = trace.steps.length ? trace.steps[trace.steps.length - 1]!.state : init;
          const again = checkInvariants(invs, last) ?? bad;
          return finish("violation", { ...again, trace });
        }
        if (decode) nextPacked.add(buf.words, buf.length);
        else nextObjs.push(r.next);
        nextIds.push(id);
        if (parents.length >= maxStates) {
          depth++;
          return finish("state-bound");
        }
        if ((id & 1023) === 0) {
          const now = performance.now();
          if (now > deadline) {
            depth++;
            return finish("time-bound");
          }
          if (opts.onProgress && now - lastReport >= interval) {
            lastReport = now;
            const el = now - t0;
            opts.onProgress({
              states: parents.length,
              transitions,
              depth: depth + 1,
              frontier: nextIds.length,
              elapsedMs: el,
              statesPerSec: parents.length / (el / 1000),
            });
          }
        }
      }
    }
    objs = nextObjs;
    packed.release();
    packed = nextPacked;
    ids = nextIds;
    if (ids.length > 0) depth++;
  }
  return finish("complete");
}

export interface WalkOptions<B> {
  readonly bounds: B;
  readonly seed: number;
  /** Number of independent walks from the initial state. */
  readonly walks: number;
  /** Steps per walk at most (a walk also ends where nothing is enabled). */
  readonly depth: number;
  readonly invariants?: readonly string[];
}

export interface WalkResult<S, A> {
  readonly walks: number;
  readonly steps: number;
  readonly violation?: Violation<S, A>;
}

/** A seeded random walker: picks uniformly among enabled steps; checks invariants after every step. */
export function randomWalk<S, A, B>(spec: Spec<S, A, B>, opts: WalkOptions<B>): WalkResult<S, A> {
  checkInvariantNames(spec as Spec<unknown, unknown, unknown>, "invariants", opts.invariants);
  checkRecord("bounds", opts.bounds);
  spec.checkBounds?.(opts.bounds);
  const rng = new Rng(opts.seed);
  const invs = opts.invariants
    ? spec.invariants.filter((i) => opts.invariants!.includes(i.name))
    : spec.invariants;
  let total = 0;
  for (let w = 0; w < opts.walks; w++) {
    const init = spec.init(opts.bounds);
    let s = init;
    const steps: TraceStep<S, A>[] = [];
    for (let d = 0; d < opts.depth; d++) {
      const en = spec.enabled(s, opts.bounds);
      if (en.length === 0) break;
      const a = rng.pick(en);
      const r = spec.step(s, a);
      if (!r.ok) throw new InvalidStepError(steps.length, spec.showStep(a), r.reason);
      s = r.next;
      steps.push({ step: a, rule: r.rule, state: s });
      total++;
      const bad = checkInvariants(invs, s);
      if (bad) return { walks: w + 1, steps: total, violation: { ...bad, trace: { initial: init, steps } } };
    }
  }
  return { walks: opts.walks, steps: total };
}

/**
 * A fast-check arbitrary of valid traces: a list of choice numbers, each picking one of the steps
 * enabled at that point. Shrinking the list shrinks the trace, so failures come out small.
 */
export function traceArbitrary<S, A, B>(
  spec: Spec<S, A, B>,
  bounds: B,
  opts: { readonly maxLength: number; readonly minLength?: number },
): fc.Arbitrary<Trace<S, A>> {
  checkRecord("bounds", bounds);
  spec.checkBounds?.(bounds);
  return fc.array(fc.nat(), { minLength: opts.minLength ?? 0, maxLength: opts.maxLength }).map((choices) => {
    const init = spec.init(bounds);
    let s = init;
    const steps: TraceStep<S, A>[] = [];
    for (const c of choices) {
      const en = spec.enabled(s, bounds);
      if (en.length === 0) break;
      const a = en[c % en.length]!;
      const r = spec.step(s, a);
      if (!r.ok) throw new InvalidStepError(steps.length, spec.showStep(a), r.reason);
      s = r.next;
      steps.push({ step: a, rule: r.rule, state: s });
    }
    return { initial: init, steps };
  });
}

export function finalState<S, A>(t: Trace<S, A>): S {
  return t.steps.length ? t.steps[t.steps.length - 1]!.state : t.initial;
}
