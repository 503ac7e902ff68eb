import {
  isSubset,
  type NodeId,
  type NodeSet,
  renameSet,
  type Scheme,
  showSet,
  size,
  subsets,
} from "@adore/adore-core";

/**
 * Raft single-node (section 6): Config ≜ Set(N_nid);
 * R1⁺(C, C') ≜ C = C' ∨ ∃s. C = C' ∪ {s} ∨ C' = C ∪ {s};  isQuorum(S, C) ≜ |C| < 2·|S ∩ C|.
 */
export const raftSingle: Scheme<NodeSet> = {
  name: "raft-single",
  mbrs: (c) => c,
  isQuorum: (s, c) => size(c) < 2 * size(s & c),
  R1plus: (c, d) =>
    c === d || (isSubset(d, c) && size(c & ~d) === 1) || (isSubset(c, d) && size(d & ~c) === 1),
  equals: (a, b) => a === b,
  hash: (c) => String(c),
  print: showSet,
  validConfigs: (universe) => subsets(universe).filter((s) => s !== 0),
  rename: (c: NodeSet, perm: readonly NodeId[]) => renameSet(c, perm),
};
