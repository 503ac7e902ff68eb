import { members, type NodeSet, type Scheme, showSet, size } from "@adore/adore-core";

/** A counterexample to Fig. 7's assumptions. */
export type OverlapWitness<C> =
  /** ¬R1⁺(cf, cf) */
  | { readonly rule: "REFLEXIVE"; readonly cf: C }
  /** R1⁺(cf, next) ∧ isQuorum(Q, cf) ∧ isQuorum(Q2, next) ∧ Q ∩ Q2 = ∅ */
  | { readonly rule: "OVERLAP"; readonly cf: C; readonly next: C; readonly Q: NodeSet; readonly Q2: NodeSet };

export interface OverlapStats {
  readonly scheme: string;
  readonly universe: NodeSet;
  /** |validConfigs(universe)| */
  readonly configs: number;
  /** Candidate quorums per configuration: every subset of the universe. */
  readonly candidates: number;
  /** (configuration, quorum) pairs found. */
  readonly quorums: number;
  /** Ordered pairs (cf, cf') examined for R1⁺, and those related by it. */
  readonly pairs: number;
  readonly relatedPairs: number;
  /** Configurations breaking REFLEXIVE; related pairs with two disjoint quorums. */
  readonly reflexiveFailures: number;
  readonly overlapFailures: number;
  readonly elapsedMs: number;
}

/**
 * The verdict of the exhaustive check: `holds` (REFLEXIVE and OVERLAP hold for every
 * configuration and quorum over the universe), `fails` (with the first witness in enumeration
 * order, smallest quorums first), or `time-bound` (stopped at maxSeconds before finding a witness).
 */
export type OverlapReport<C> = OverlapStats &
  (
    | { readonly verdict: "holds" }
    | { readonly verdict: "fails"; readonly witness: OverlapWitness<C> }
    | { readonly verdict: "time-bound" }
  );

export interface OverlapOptions {
  /** Stop after this many seconds (verdict `time-bound` unless a witness was found). */
  readonly maxSeconds?: number;
  /** Stop at the first witness instead of counting every failure. */
  readonly stopAtFirst?: boolean;
}

/** Exhaustive checking enumerates 2^|universe| candidate quorums per configuration. */
export const MAX_OVERLAP_UNIVERSE = 8;

/** A bad argument to the checker (which argument, which rule). */
export class OverlapInputError extends RangeError {
  constructor(
    readonly argument: string,
    why: string,
  ) {
    super(`${argument}: ${why}`);
    this.name = "OverlapInputError";
  }
}

/** A scheme function threw; the checker reports which one, on what, instead of crashing. */
export class SchemeCallError extends Error {
  constructor(
    readonly scheme: string,
    readonly fn: string,
    readonly args: string,
    override readonly cause: unknown,
  ) {
    super(`${scheme}.${fn}(${args}) threw: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "SchemeCallError";
  }
}

export function checkUniverse(universe: NodeSet, max = MAX_OVERLAP_UNIVERSE): void {
  if (!Number.isInteger(universe) || universe <= 0 || (universe & 1) !== 0)
    throw new OverlapInputError("universe", `${universe} is not a non-empty set of node ids 1..30`);
  if (size(universe) > max)
    throw new OverlapInputError(
      "universe",
      `${showSet(universe)} has ${size(universe)} nodes; exhaustive checking takes at most ${max} (2^n candidate quorums per configuration)`,
    );
}

/** Calls a scheme function, turning an exception into a SchemeCallError that names it. */
export function guard<T>(schemeName: string, fn: string, args: () => string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SchemeCallError) throw e;
    let shown: string;
    try {
      shown = args();
    } catch {
      shown = "…";
    }
    throw new SchemeCallError(schemeName, fn, shown, e);
  }
}

/** Subsets of the universe in compact form: index bit k ⇔ the k-th member; maskOf maps an index to its NodeSet. */
function compactSubsets(universe: NodeSet): { n: number; full: number; maskOf: Int32Array } {
  const ids = members(universe);
  const n = ids.length;
  const maskOf = new Int32Array(1 << n);
  for (let i = 1; i < 1 << n; i++) {
    const low = i & -i;
    maskOf[i] = maskOf[i ^ low]! | (1 << ids[31 - Math.clz32(low)]!);
  }
  return { n, full: (1 << n) - 1, maskOf };
}

/** A configuration's quorums over the universe: `down[i]` ⇔ some quorum ⊆ i; `minimal` are the ⊆-minimal quorums, smallest first. */
interface QuorumTable {
  readonly count: number;
  readonly down: Uint8Array;
  readonly minimal: readonly number[];
}

function quorumTable<C>(scheme: Scheme<C>, cf: C, n: number, maskOf: Int32Array): QuorumTable {
  const len = 1 << n;
  const q = new Uint8Array(len);
  let count = 0;
  for (let i = 0; i < len; i++) {
    const m = maskOf[i]!;
    if (
      guard(
        scheme.name,
        "isQuorum",
        () => `${showSet(m)}, ${scheme.print(cf)}`,
        () => scheme.isQuorum(m, cf),
      )
    ) {
      q[i] = 1;
      count++;
    }
  }
  const down = q.slice();
  for (let b = 0; b < n; b++) {
    const bit = 1 << b;
    for (let i = 0; i < len; i++) if (i & bit && down[i ^ bit]) down[i] = 1;
  }
  const minimal: number[] = [];
  for (let i = 0; i < len; i++) {
    if (!q[i]) continue;
    let min = true;
    for (let r = i; r && min; r &= r - 1) if (down[i ^ (r & -r)]) min = false;
    if (min) minimal.push(i);
  }
  minimal.sort((x, y) => size(x) - size(y) || x - y);
  return { count, down, minimal };
}

/** A quorum of `a` and one of `b` that are disjoint (compact indices), if any. */
function disjointPair(a: QuorumTable, b: QuorumTable, full: number): [number, number] | undefined {
  for (const qa of a.minimal) {
    if (!b.down[full ^ qa]) continue;
    for (const qb of b.minimal) if ((qa & qb) === 0) return [qa, qb];
  }
  return undefined;
}

/**
 * Decides Fig. 7's REFLEXIVE and OVERLAP for a scheme over a universe exhaustively: every
 * configuration of validConfigs(universe), every ordered pair of them related by R1⁺, and every
 * pair of candidate quorums (all subsets of the universe: Fig. 7 quantifies over all sets).
 */
export function checkOverlap<C>(
  scheme: Scheme<C>,
  universe: NodeSet,
  options: OverlapOptions = {},
): OverlapReport<C> {
  const t0 = performance.now();
  checkUniverse(universe);
  const deadline = options.maxSeconds !== undefined ? t0 + options.maxSeconds * 1000 : Infinity;
  const S = scheme.name;
  const configs = guard(
    S,
    "validConfigs",
    () => showSet(universe),
    () => scheme.validConfigs(universe),
  );
  if (!Array.isArray(configs))
    throw new SchemeCallError(scheme.name, "validConfigs", showSet(universe), "did not return an array");
  const { n, full, maskOf } = compactSubsets(universe);
  const tables = configs.map((cf) => quorumTable(scheme, cf, n, maskOf));
  const show = (cf: C) =>
    guard(
      S,
      "print",
      () => "…",
      () => scheme.print(cf),
    );
  const R1 = (a: C, b: C) =>
    guard(
      S,
      "R1plus",
      () => `${show(a)}, ${show(b)}`,
      () => scheme.R1plus(a, b),
    );

  let witness: OverlapWitness<C> | undefined;
  let reflexiveFailures = 0;
  let overlapFailures = 0;
  let pairs = 0;
  let relatedPairs = 0;
  let timedOut = false;
  const stats = (): OverlapStats => ({
    scheme: scheme.name,
    universe,
    configs: configs.length,
    candidates: 1 << n,
    quorums: tables.reduce((s, t) => s + t.count, 0),
    pairs,
    relatedPairs,
    reflexiveFailures,
    overlapFailures,
    elapsedMs: performance.now() - t0,
  });

  // Fig. 7 (REFLEXIVE): R1⁺(cf, cf)
  let firstOverlap: OverlapWitness<C> | undefined;
  for (const cf of configs)
    if (!R1(cf, cf)) {
      reflexiveFailures++;
      witness ??= { rule: "REFLEXIVE", cf };
    }
  if (!(witness && options.stopAtFirst))
    // Fig. 7 (OVERLAP): R1⁺(cf, cf') ∧ isQuorum(Q, cf) ∧ isQuorum(Q', cf') ⟹ Q ∩ Q' ≠ ∅
    outer: for (let i = 0; i < configs.length; i++) {
      const a = configs[i]!;
      const ta = tables[i]!;
      for (let j = 0; j < configs.length; j++) {
        pairs++;
        if ((pairs & 0xff) === 0 && performance.now() > deadline) {
          timedOut = true;
          break outer;
        }
        const b = configs[j]!;
        if (!R1(a, b)) continue;
        relatedPairs++;
        const d = disjointPair(ta, tables[j]!, full);
        if (d === undefined) continue;
        overlapFailures++;
        firstOverlap ??= { rule: "OVERLAP", cf: a, next: b, Q: maskOf[d[0]]!, Q2: maskOf[d[1]]! };
        if (options.stopAtFirst) break outer;
      }
    }
  witness ??= firstOverlap;
  if (witness) return { ...stats(), verdict: "fails", witness };
  if (timedOut) return { ...stats(), verdict: "time-bound" };
  return { ...stats(), verdict: "holds" };
}

/**
 * OVERLAP for one pair of configurations: two disjoint quorums (subsets of the universe), or
 * undefined. For property tests on universes beyond the exhaustive bound (2^|universe| work).
 */
export function overlapWitness<C>(
  scheme: Scheme<C>,
  cf: C,
  next: C,
  universe: NodeSet,
): OverlapWitness<C> | undefined {
  checkUniverse(universe, 20);
  const { n, full, maskOf } = compactSubsets(universe);
  const d = disjointPair(quorumTable(scheme, cf, n, maskOf), quorumTable(scheme, next, n, maskOf), full);
  return d && { rule: "OVERLAP", cf, next, Q: maskOf[d[0]]!, Q2: maskOf[d[1]]! };
}

/** One line describing a witness, e.g. `OVERLAP fails: R1⁺({1}, {2}) holds, but …`. */
export function describeWitness<C>(scheme: Scheme<C>, w: OverlapWitness<C>): string {
  switch (w.rule) {
    case "REFLEXIVE":
      return `REFLEXIVE fails: R1⁺(cf, cf) is false for cf = ${scheme.print(w.cf)}`;
    case "OVERLAP":
      return (
        `OVERLAP fails: R1⁺(${scheme.print(w.cf)}, ${scheme.print(w.next)}) holds, ` +
        `Q = ${showSet(w.Q)} is a quorum of ${scheme.print(w.cf)}, Q' = ${showSet(w.Q2)} is a quorum of ${scheme.print(w.next)}, and Q ∩ Q' = ∅`
      );
    default: {
      const never: never = w;
      return String(never);
    }
  }
}

/** A one-line summary of a report. */
export function describeReport<C>(scheme: Scheme<C>, r: OverlapReport<C>): string {
  const head =
    `${r.scheme} over ${showSet(r.universe)}: ${r.configs.toLocaleString("en-US")} configurations, ` +
    `${r.relatedPairs.toLocaleString("en-US")} of ${r.pairs.toLocaleString("en-US")} ordered pairs related by R1⁺, ` +
    `${r.candidates} candidate quorums each, ${r.elapsedMs.toFixed(0)} ms`;
  switch (r.verdict) {
    case "holds":
      return `REFLEXIVE and OVERLAP hold: ${head}`;
    case "time-bound":
      return `no witness before the time limit (inconclusive): ${head}`;
    case "fails":
      return (
        `${describeWitness(scheme, r.witness)} ` +
        `(${r.reflexiveFailures} configurations break REFLEXIVE, ${r.overlapFailures} related pairs break OVERLAP; ${head})`
      );
    default: {
      const never: never = r;
      return String(never);
    }
  }
}
