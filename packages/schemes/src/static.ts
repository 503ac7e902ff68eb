import type { NodeSet, Scheme } from "@adore/adore-core";
import { type MembershipOps, noMembership } from "./membership.js";
import { raftSingle } from "./raft-single.js";

/**
 * The static version of a scheme: R1⁺(C, C') ≜ C = C' (section 3: with the boxed reconfiguration
 * parts gone, one fixed configuration — CADO). Reconfiguration may only re-propose the current
 * configuration; quorums and members are the base scheme's.
 */
export function staticOf<C>(base: Scheme<C>, name = `static(${base.name})`): Scheme<C> {
  return { ...base, name, R1plus: (a, b) => base.equals(a, b) };
}

/** static: majority quorums over a fixed set of nodes; R1⁺ = equality. */
export const staticMajority: Scheme<NodeSet> = staticOf(raftSingle, "static");

/** static has no membership change: R1⁺ is equality (give a new cluster instead). */
export const staticMembership: MembershipOps<NodeSet> = noMembership<NodeSet>(
  (c) => c,
  "static: R1⁺ is equality, so the members never change",
);
