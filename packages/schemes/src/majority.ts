import { type NodeSet, size } from "@adore/adore-core";

/** isQuorum(S, C) ≜ |C| < 2·|S ∩ C| (section 6, Raft single-node): S holds a strict majority of C. */
export function isMajority(s: NodeSet, c: NodeSet): boolean {
  return size(c) < 2 * size(s & c);
}

/** R1⁺ of Raft single-node (section 6): C = C' ∨ ∃s. C = C' ∪ {s} ∨ C' = C ∪ {s}. */
export function differByAtMostOne(c: NodeSet, d: NodeSet): boolean {
  const diff = c ^ d;
  // c and d differ in at most one node, and that node is on one side only (always true for one node)
  return (diff & (diff - 1)) === 0;
}
