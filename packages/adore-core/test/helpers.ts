import {
  isSubset,
  type NodeSet,
  nodeSet,
  renameSet,
  type Scheme,
  showSet,
  size,
  subsets,
} from "../src/index.js";

/**
 * A local copy of Raft's single-node scheme (section 6) for adore-core's own tests: adore-core
 * cannot depend on @adore/schemes, which depends on it.
 */
export const majority: Scheme<NodeSet> = {
  name: "majority",
  mbrs: (c) => c,
  isQuorum: (s, c) => size(c) < 2 * size(s & c),
  R1plus: (c, d) =>
    c === d || (isSubset(d, c) && size(c & ~d) === 1) || (isSubset(c, d) && size(d & ~c) === 1),
  equals: (a, b) => a === b,
  hash: (c) => String(c),
  print: showSet,
  validConfigs: (u) => subsets(u).filter((s) => s !== 0),
  rename: (c, perm) => renameSet(c, perm),
};

export const N = (...ids: number[]): NodeSet => nodeSet(ids);
