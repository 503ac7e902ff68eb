import { members, type NodeSet, type Scheme, size, subsets } from "@adore/adore-core";

/** Raft single-node changes (section 6): majorities; one node added or removed at a time. */
export const raftSingle: Scheme<NodeSet> = {
  name: "raft-single",
  mbrs: (cf) => cf,
  isQuorum: (q, cf) => size(cf) < 2 * size(q & cf),
  R1plus: (a, b) => {
    const d = a ^ b;
    return d === 0 || ((d & (d - 1)) === 0 && ((a | d) === b || (b | d) === a));
  },
  equals: (a, b) => a === b,
  hash: (cf) => String(cf),
  print: (cf) => `{${members(cf).join(",")}}`,
  validConfigs: (u) => subsets(u).filter((s) => s !== 0),
};
