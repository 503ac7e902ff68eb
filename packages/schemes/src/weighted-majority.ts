import { members, type NodeId, type NodeSet, range, type Scheme } from "@adore/adore-core";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { braceElements, ConfigSyntaxError, parseNodeId, parseRange } from "./syntax.js";

/**
 * A weighted configuration: w[i] is node i's weight, a positive integer for members and 0 for
 * the others. Canonical form: w[0] = 0 and no trailing zeros, so equal configurations are equal arrays.
 */
export type Weights = readonly number[];

/** The largest weight the parser accepts (keeps margin's subset-sum table small). */
export const MAX_WEIGHT = 1000;

export function totalWeight(w: Weights): number {
  let t = 0;
  for (const x of w) t += x;
  return t;
}

/** w(S) = Σ_{i ∈ S} w[i] */
export function weightOf(s: NodeSet, w: Weights): number {
  let t = 0;
  for (let i = 1; i < w.length; i++) if (s & (1 << i)) t += w[i]!;
  return t;
}

/** isQuorum(S, w) ≜ W < 2·w(S), with W the total weight: S holds more than half of the weight. */
export function isWeightedQuorum(s: NodeSet, w: Weights): boolean {
  return totalWeight(w) < 2 * weightOf(s, w);
}

const margins = new WeakMap<Weights, number>();

/**
 * margin(w) ≜ min { 2·w(Q) − W | Q a quorum of w }: how far the lightest quorum is above half the
 * weight (≥ 1 whenever W > 0). Computed by subset sum over the weights, O(|members|·W).
 */
export function margin(w: Weights): number {
  const memo = margins.get(w);
  if (memo !== undefined) return memo;
  const W = totalWeight(w);
  const reach = new Uint8Array(W + 1);
  reach[0] = 1;
  for (let i = 1; i < w.length; i++) {
    const x = w[i]!;
    if (x === 0) continue;
    for (let s = W; s >= x; s--) if (reach[s - x]) reach[s] = 1;
  }
  let m = 0;
  for (let s = Math.floor(W / 2) + 1; s <= W; s++)
    if (reach[s]) {
      m = 2 * s - W;
      break;
    }
  margins.set(w, m);
  return m;
}

/** moved(w, w') ≜ Σ_i |w[i] − w'[i]|: the weight that changes hands (added, removed or shifted). */
export function movedWeight(a: Weights, b: Weights): number {
  let d = 0;
  const n = Math.max(a.length, b.length);
  for (let i = 1; i < n; i++) d += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return d;
}

/**
 * R1⁺(w, w') ≜ moved(w, w') < margin(w) + margin(w').
 *
 * Why it implies OVERLAP: let Q be a quorum of w and Q' one of w' with Q ∩ Q' = ∅. Then
 * 2w'(Q') ≥ W' + margin(w'), and, as w(Q) + w(Q') ≤ W, 2w(Q') ≤ W − margin(w); so
 * 2(w'(Q') − w(Q')) ≥ W' − W + margin(w) + margin(w'). Symmetrically
 * 2(w(Q) − w'(Q)) ≥ W − W' + margin(w) + margin(w'). Adding, and since Q, Q' are disjoint,
 * moved(w, w') ≥ (w'(Q') − w(Q')) + (w(Q) − w'(Q)) ≥ margin(w) + margin(w'): contradiction.
 * REFLEXIVE: moved(w, w) = 0 < 2·margin(w) when W > 0.
 */
export function weightedR1plus(a: Weights, b: Weights): boolean {
  return movedWeight(a, b) < margin(a) + margin(b);
}

function equalsWeights(a: Weights, b: Weights): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `{1:2,2,3}`: node 1 has weight 2, nodes 2 and 3 weight 1 (a weight of 1 is left out). */
export function printWeights(w: Weights): string {
  const parts: string[] = [];
  for (let i = 1; i < w.length; i++) {
    const x = w[i]!;
    if (x > 0) parts.push(x === 1 ? String(i) : `${i}:${x}`);
  }
  return `{${parts.join(",")}}`;
}

/** The canonical array for a weight assignment (drops trailing zeros). */
export function weights(entries: Iterable<readonly [NodeId, number]>): Weights {
  const w: number[] = [0];
  for (const [id, x] of entries) {
    while (w.length <= id) w.push(0);
    w[id] = x;
  }
  while (w.length > 1 && w[w.length - 1] === 0) w.pop();
  return w;
}

/** Every assignment of weights 0..maxWeight to the universe's nodes with at least one member. */
function weightConfigs(universe: NodeSet, maxWeight: number): Weights[] {
  const ids = members(universe);
  const digits = new Array<number>(ids.length).fill(0);
  const out: Weights[] = [];
  for (;;) {
    let k = 0;
    while (k < digits.length && digits[k] === maxWeight) digits[k++] = 0;
    if (k === digits.length) break;
    digits[k]!++;
    out.push(weights(ids.map((id, j) => [id, digits[j]!] as const)));
  }
  return out;
}

const base = {
  mbrs: (w: Weights) => {
    let s = 0;
    for (let i = 1; i < w.length; i++) if (w[i]! > 0) s |= 1 << i;
    return s;
  },
  isQuorum: isWeightedQuorum,
  equals: equalsWeights,
  hash: (w: Weights) => w.join(","),
  print: printWeights,
  rename: (w: Weights, perm: readonly NodeId[]): Weights =>
    weights(w.map((x, i) => [i === 0 ? 0 : (perm[i] ?? i), i === 0 ? 0 : x] as const)),
};

/**
 * Weighted majority (beyond the paper): every member carries a positive integer weight, a
 * quorum holds more than half of the total weight, and R1⁺ bounds the weight that may move in
 * one reconfiguration by the two configurations' margins. `maxWeight` only bounds
 * validConfigs (the weights enumerated for exhaustive checks and exploration).
 */
export function weightedMajorityScheme(maxWeight = 2): Scheme<Weights> {
  return {
    name: "weighted-majority",
    ...base,
    R1plus: weightedR1plus,
    validConfigs: (u) => weightConfigs(u, maxWeight),
  };
}

export const weightedMajority: Scheme<Weights> = weightedMajorityScheme(2);

/**
 * Negative fixture: the weighted bound with `≤`. Unsafe: unit weights {1,2,3} → {1,2,4} moves
 * 2 = margin + margin', and the quorums {1,3} and {2,4} are disjoint.
 */
export const weightedLeq: Scheme<Weights> = {
  name: "unsafe-weighted-leq",
  ...base,
  R1plus: (a, b) => movedWeight(a, b) <= margin(a) + margin(b),
  validConfigs: (u) => weightConfigs(u, 2),
};

/** `{1:2,2,3}` / `{1..3:2,4}`: `id` or `lo..hi` for weight 1, `id:w` or `lo..hi:w` for weight w ≥ 1. */
export function parseWeights(schemeName: string, text: string): Weights {
  const seen = new Map<NodeId, number>();
  for (const el of braceElements(schemeName, text, text, "weights")) {
    const m = /^([^:]+?)\s*(?::\s*(.*))?$/.exec(el);
    const who = m?.[1] ?? el;
    const wt = m?.[2];
    let x = 1;
    if (wt !== undefined) {
      if (!/^\d+$/.test(wt))
        throw new ConfigSyntaxError(schemeName, text, `weight: ${JSON.stringify(wt)} is not a number`);
      x = Number(wt);
      if (x < 1 || x > MAX_WEIGHT)
        throw new ConfigSyntaxError(
          schemeName,
          text,
          `weight: ${x} is not in 1..${MAX_WEIGHT} (leave a node out to give it no weight)`,
        );
    }
    const ids = parseRange(schemeName, text, who, "weights") ?? [
      parseNodeId(schemeName, text, who, "weights"),
    ];
    for (const id of ids) {
      if (seen.has(id)) throw new ConfigSyntaxError(schemeName, text, `weights: node ${id} is given twice`);
      seen.set(id, x);
    }
  }
  if (seen.size === 0)
    throw new ConfigSyntaxError(schemeName, text, "weights: a configuration needs at least one member");
  return weights(seen);
}

/** Nodes 1..n, each of weight 1. */
export const initialWeights = (nodes: number): Weights =>
  weights(members(range(nodes)).map((id) => [id, 1] as const));

/**
 * Membership of a weighted scheme: a node joins with weight 1 (moved weight 1, below the two
 * margins, each at least 1); a node leaves with its whole weight when the scheme's R1⁺ allows
 * moving that much at once, and is refused otherwise (lower its weight first with an explicit
 * configuration).
 */
export function weightedMembership(scheme: Scheme<Weights>): MembershipOps<Weights> {
  const entries = (w: Weights) => w.map((x, i) => [i, x] as const).filter(([i, x]) => i > 0 && x > 0);
  return membershipOps<Weights>({
    voters: scheme.mbrs,
    addVoter: (w, id) => {
      const next = weights([...entries(w), [id, 1] as const]);
      return scheme.R1plus(w, next)
        ? changed(next)
        : refused(
            "addVoter",
            "NotR1plus",
            `${scheme.name}: adding node ${id} with weight 1 is not allowed by R1⁺`,
          );
    },
    removeVoter: (w, id) => {
      const rest = entries(w).filter(([i]) => i !== id);
      if (rest.length === 0)
        return refused(
          "removeVoter",
          "LastMember",
          `node ${id} is the only member; a configuration needs at least one`,
        );
      const next = weights(rest);
      if (scheme.R1plus(w, next)) return changed(next);
      return refused(
        "removeVoter",
        "NotR1plus",
        `node ${id} carries weight ${w[id] ?? 0}, more than R1⁺ lets move in one step ` +
          `(margin ${margin(w)} + margin ${margin(next)}); lower its weight first with an explicit configuration`,
      );
    },
  });
}
