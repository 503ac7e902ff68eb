import type { NodeSet, Scheme } from "@adore/adore-core";
import { size } from "@adore/adore-core";
import { isMajority } from "./majority.js";
import { raftSingle } from "./raft-single.js";

/**
 * Negative fixture: majority quorums, and any configuration may follow any (R1⁺ ≡ true).
 * Unsafe: {1} → {2} has the disjoint quorums {1} and {2}.
 */
export const anyChangeMajority: Scheme<NodeSet> = {
  ...raftSingle,
  name: "unsafe-any-change",
  isQuorum: isMajority,
  R1plus: () => true,
};

/**
 * Negative fixture: a fixed configuration whose quorums are half of the members (|C| ≤ 2·|S ∩ C|)
 * rather than a strict majority. Unsafe even without reconfiguration: {1,2} has quorums {1} and {2}.
 */
export const halfQuorumStatic: Scheme<NodeSet> = {
  ...raftSingle,
  name: "unsafe-half-quorum",
  isQuorum: (s, c) => size(c) <= 2 * size(s & c),
  R1plus: (a, b) => a === b,
};
