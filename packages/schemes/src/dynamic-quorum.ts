import { isSubset, type NodeSet, range, renameSet, type Scheme, size, subsets } from "@adore/adore-core";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { parseMemberSet } from "./raft-single.js";
import { ConfigSyntaxError, keyed, printSet, tupleParts } from "./syntax.js";

/** Section 6, dynamic quorum sizes: Config ≜ N * Set(N_nid) — the quorum size q and the members C. */
export interface QuorumSizeConfig {
  readonly q: number;
  readonly C: NodeSet;
}

/** R1⁺((q, C), (q', C')) ≜ (C ⊆ C' ∧ |C'| < q + q') ∨ (C' ⊆ C ∧ |C| < q + q') (section 6). */
export function quorumSizeR1plus(a: QuorumSizeConfig, b: QuorumSizeConfig): boolean {
  const sum = a.q + b.q;
  return (isSubset(a.C, b.C) && size(b.C) < sum) || (isSubset(b.C, a.C) && size(a.C) < sum);
}

/**
 * The configurations the scheme is meant for: C ≠ ∅ and |C|/2 < q ≤ |C|. A smaller q breaks
 * REFLEXIVE (R1⁺((q,C),(q,C)) ≜ |C| < 2q) and lets two quorums of C be disjoint; a larger q
 * leaves C without any quorum.
 */
export function quorumSizeConfigs(universe: NodeSet): QuorumSizeConfig[] {
  const out: QuorumSizeConfig[] = [];
  for (const C of subsets(universe)) {
    const n = size(C);
    for (let q = Math.floor(n / 2) + 1; q <= n; q++) out.push({ q, C });
  }
  return out;
}

const base = {
  mbrs: (c: QuorumSizeConfig) => c.C,
  isQuorum: (s: NodeSet, c: QuorumSizeConfig) => c.q <= size(s & c.C),
  equals: (a: QuorumSizeConfig, b: QuorumSizeConfig) => a.q === b.q && a.C === b.C,
  hash: (c: QuorumSizeConfig) => `${c.q}:${c.C}`,
  print: (c: QuorumSizeConfig) => `(q=${c.q},${printSet(c.C)})`,
  validConfigs: quorumSizeConfigs,
  rename: (c: QuorumSizeConfig, perm: readonly number[]): QuorumSizeConfig => ({
    q: c.q,
    C: renameSet(c.C, perm),
  }),
};

/** Dynamic quorum sizes (section 6, after Vertical Paxos): isQuorum(S, (q, C)) ≜ q ≤ |S ∩ C|. */
export const dynamicQuorum: Scheme<QuorumSizeConfig> = {
  name: "dynamic-quorum",
  ...base,
  R1plus: quorumSizeR1plus,
};

/**
 * Negative fixture: dynamic quorum sizes with `≤` in place of `<` in R1⁺. Unsafe: (q=2,{1,2,3})
 * may move to (q=2,{1,2,3,4}), whose quorum {3,4} misses the old quorum {1,2}.
 */
export const dynamicQuorumLeq: Scheme<QuorumSizeConfig> = {
  name: "unsafe-dynamic-quorum-leq",
  ...base,
  R1plus: (a, b) => {
    const sum = a.q + b.q;
    return (isSubset(a.C, b.C) && size(b.C) <= sum) || (isSubset(b.C, a.C) && size(a.C) <= sum);
  },
};

const SHAPE = "(q=3,{1..5})";

/** `(q=3,{1..5})`: quorums are 3 of the 5 members; q must satisfy |C|/2 < q ≤ |C|. */
export function parseQuorumSize(schemeName: string, text: string): QuorumSizeConfig {
  const [qs, cs] = tupleParts(schemeName, text, 2, SHAPE) as [string, string];
  const qt = keyed(schemeName, text, qs, "q", SHAPE);
  if (!/^\d+$/.test(qt))
    throw new ConfigSyntaxError(schemeName, text, `q: ${JSON.stringify(qt)} is not a number`);
  const q = Number(qt);
  const C = parseMemberSet(schemeName, text, cs, "C");
  const n = size(C);
  if (q > n)
    throw new ConfigSyntaxError(
      schemeName,
      text,
      `q: q=${q} exceeds |C|=${n}, so no set of members is a quorum`,
    );
  if (2 * q <= n)
    throw new ConfigSyntaxError(
      schemeName,
      text,
      `q: q=${q} must exceed |C|/2=${n / 2} (REFLEXIVE: R1⁺((q,C),(q,C)) requires |C| < 2q; else two quorums of C can be disjoint)`,
    );
  return { q, C };
}

/** Majority quorums over nodes 1..n: q = ⌊n/2⌋ + 1. */
export const initialQuorumSize = (nodes: number): QuorumSizeConfig => ({
  q: Math.floor(nodes / 2) + 1,
  C: range(nodes),
});

const majorityOf = (C: NodeSet): QuorumSizeConfig => ({ q: Math.floor(size(C) / 2) + 1, C });

/**
 * Membership of dynamic quorum sizes: the members gain or lose the node and the quorum size
 * becomes a majority of the new members. R1⁺ holds: with q > |C|/2 and q' = ⌊|C'|/2⌋ + 1,
 * q + q' exceeds the larger of |C| and |C'| when they differ by one node.
 */
export const dynamicQuorumMembership: MembershipOps<QuorumSizeConfig> = membershipOps<QuorumSizeConfig>({
  voters: base.mbrs,
  addVoter: (c, id) => changed(majorityOf(c.C | (1 << id))),
  removeVoter: (c, id) =>
    c.C === 1 << id
      ? refused(
          "removeVoter",
          "LastMember",
          `node ${id} is the only member; a configuration needs at least one`,
        )
      : changed(majorityOf(c.C & ~(1 << id))),
});
