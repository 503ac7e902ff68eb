import {
  checkInteger,
  checkNodeList,
  checkWithin,
  ExploreOptionError,
  type NodeId,
  type NodeSet,
  type Scheme,
} from "@adore/adore-core";

/** The bounds SRaft and the network model share: the nodes, the initial configuration, the counters. */
export interface ClusterBounds<C> {
  readonly nodes: readonly NodeId[];
  readonly initial: C;
  readonly maxTerm: number;
  /** Most entries in any log. */
  readonly maxLog: number;
  readonly maxInvokes: number;
  readonly maxReconfigs: number;
  readonly maxCrashes: number;
}

/**
 * Checks ClusterBounds as a whole (they may come from untyped callers): the node list, the initial
 * configuration within it, the counters; throws ExploreOptionError naming the field.
 */
export function checkClusterBounds<C>(scheme: Scheme<C>, b: ClusterBounds<C>): NodeSet {
  const nodes = checkNodeList("bounds.nodes", b.nodes);
  if (b.initial === undefined)
    throw new ExploreOptionError("bounds.initial", "missing: expected a configuration");
  const mb = scheme.mbrs(b.initial);
  checkWithin("bounds.initial", scheme.print(b.initial), mb, nodes, "bounds.nodes");
  if (mb === 0) throw new ExploreOptionError("bounds.initial", `${scheme.print(b.initial)} has no members`);
  checkInteger("bounds.maxTerm", b.maxTerm, 0, 0xffff);
  checkInteger("bounds.maxLog", b.maxLog, 0, 0xffff);
  checkInteger("bounds.maxInvokes", b.maxInvokes, 0, 0xffff);
  checkInteger("bounds.maxReconfigs", b.maxReconfigs, 0, 0xffff);
  checkInteger("bounds.maxCrashes", b.maxCrashes, 0, 0xffff);
  return nodes;
}
