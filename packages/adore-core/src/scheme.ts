import type { NodeId, NodeSet } from "./nodeset.js";

/**
 * The configuration/quorum parameters of Fig. 7. A scheme must satisfy
 * REFLEXIVE: R1plus(cf, cf), and
 * OVERLAP:   R1plus(cf, cf') ∧ isQuorum(Q, cf) ∧ isQuorum(Q', cf') ⟹ Q ∩ Q' ≠ ∅.
 * (The schemes package checks both exhaustively on small universes.)
 */
export interface Scheme<C> {
  readonly name: string;
  /** mbrs(cf): the nodes of a configuration. */
  mbrs(cf: C): NodeSet;
  /** isQuorum(Q, cf) */
  isQuorum(q: NodeSet, cf: C): boolean;
  /** R1⁺(cf, cf'): may a leader under cf propose cf'? */
  R1plus(cf: C, next: C): boolean;
  equals(a: C, b: C): boolean;
  /** A canonical string: equal configurations hash equal. */
  hash(cf: C): string;
  print(cf: C): string;
  /** Every configuration over a universe of nodes, for exhaustive enumeration. */
  validConfigs(universe: NodeSet): readonly C[];
  /** Renames node ids (perm[i] is the new id of node i); needed only for symmetry reduction. */
  rename?(cf: C, perm: readonly NodeId[]): C;
}
