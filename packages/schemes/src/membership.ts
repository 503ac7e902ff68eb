import { has, MAX_NODE_ID, type NodeId, type NodeSet } from "@adore/adore-core";

/**
 * Why a scheme's membership helper gives no configuration:
 * - `BadNodeId`: the id is not an integer in 1..MAX_NODE_ID;
 * - `AlreadyVoter` / `NotVoter`: the node already is / is not a voter of the configuration;
 * - `LastMember`: the change would leave a configuration without members (or primaries), so no quorum;
 * - `JointInProgress`: the configuration is joint; it has to be finished first;
 * - `FixedMember`: the scheme never changes this member (primary backup's primary);
 * - `NotR1plus`: the natural one-step change is not allowed by the scheme's R1⁺;
 * - `Unsupported`: the scheme has no rule for this change (static: R1⁺ is equality).
 */
export type MembershipRefusalCode =
  | "BadNodeId"
  | "AlreadyVoter"
  | "NotVoter"
  | "LastMember"
  | "JointInProgress"
  | "FixedMember"
  | "NotR1plus"
  | "Unsupported";

export type MembershipOp = "addVoter" | "removeVoter";

export interface MembershipRefusal {
  readonly kind: "refused";
  readonly op: MembershipOp;
  readonly code: MembershipRefusalCode;
  /** One sentence for people: which node, which rule. */
  readonly why: string;
}

/** The configuration a membership helper gives, or why it gives none. */
export type MembershipChange<C> = { readonly kind: "changed"; readonly config: C } | MembershipRefusal;

/**
 * A scheme's membership helpers: configuration arithmetic for "add voter n", "remove voter n" and
 * "finish a joint change", so that tools and the runtime never inspect a configuration's shape.
 * Each change a helper gives is one reconfiguration step: R1⁺(c, change) holds (checked for every
 * registered scheme in test/membership.test.ts).
 */
export interface MembershipOps<C> {
  /** The members of `c` that vote (the scheme's mbrs). */
  voters(c: C): NodeSet;
  /** `c` with node `id` as an additional voter. */
  addVoter(c: C, id: NodeId): MembershipChange<C>;
  /** `c` without voter `id`. */
  removeVoter(c: C, id: NodeId): MembershipChange<C>;
  /**
   * The configuration a leader appends once `c` is committed to complete a multi-step change
   * (raft-joint: (old, new) ↦ (new, ⊥)); undefined when `c` is final.
   */
  finish(c: C): C | undefined;
}

export const changed = <C>(config: C): MembershipChange<C> => ({ kind: "changed", config });

export const refused = (op: MembershipOp, code: MembershipRefusalCode, why: string): MembershipRefusal => ({
  kind: "refused",
  op,
  code,
  why,
});

/** The configuration of a change, or undefined if the helper refused it. */
export function changedConfig<C>(r: MembershipChange<C>): C | undefined {
  return r.kind === "changed" ? r.config : undefined;
}

/** The scheme-specific parts of MembershipOps; `membershipOps` adds the checks every scheme shares. */
export interface MembershipRules<C> {
  readonly voters: (c: C) => NodeSet;
  /** Called only for a valid id that is not a voter of `c`. */
  readonly addVoter: (c: C, id: NodeId) => MembershipChange<C>;
  /** Called only for a voter of `c`. */
  readonly removeVoter: (c: C, id: NodeId) => MembershipChange<C>;
  readonly finish?: (c: C) => C | undefined;
}

/** MembershipOps from a scheme's rules, refusing bad ids, adding a voter twice and removing a non-voter. */
export function membershipOps<C>(rules: MembershipRules<C>): MembershipOps<C> {
  const badId = (op: MembershipOp, id: NodeId): MembershipRefusal | undefined =>
    Number.isInteger(id) && id >= 1 && id <= MAX_NODE_ID
      ? undefined
      : refused(op, "BadNodeId", `node id ${String(id)} is not an integer in 1..${MAX_NODE_ID}`);
  return {
    voters: rules.voters,
    addVoter: (c, id) =>
      badId("addVoter", id) ??
      (has(rules.voters(c), id)
        ? refused("addVoter", "AlreadyVoter", `node ${id} is already a voter`)
        : rules.addVoter(c, id)),
    removeVoter: (c, id) =>
      badId("removeVoter", id) ??
      (has(rules.voters(c), id)
        ? rules.removeVoter(c, id)
        : refused("removeVoter", "NotVoter", `node ${id} is not a voter`)),
    finish: rules.finish ?? (() => undefined),
  };
}

/** A scheme without membership helpers, with the reason given for both changes. */
export function noMembership<C>(voters: (c: C) => NodeSet, why: string): MembershipOps<C> {
  return membershipOps<C>({
    voters,
    addVoter: () => refused("addVoter", "Unsupported", why),
    removeVoter: () => refused("removeVoter", "Unsupported", why),
  });
}
