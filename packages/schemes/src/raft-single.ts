import { type NodeId, type NodeSet, range, renameSet, type Scheme, subsets } from "@adore/adore-core";
import { differByAtMostOne, isMajority } from "./majority.js";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { ConfigSyntaxError, parseNodeSet, printSet } from "./syntax.js";

/**
 * Raft single-node (section 6): Config ≜ Set(N_nid);
 * R1⁺(C, C') ≜ C = C' ∨ ∃s. C = C' ∪ {s} ∨ C' = C ∪ {s};  isQuorum(S, C) ≜ |C| < 2·|S ∩ C|.
 */
export const raftSingle: Scheme<NodeSet> = {
  name: "raft-single",
  mbrs: (c) => c,
  isQuorum: isMajority,
  R1plus: differByAtMostOne,
  equals: (a, b) => a === b,
  hash: (c) => String(c),
  print: printSet,
  validConfigs: (universe) => subsets(universe).filter((s) => s !== 0),
  rename: (c: NodeSet, perm: readonly NodeId[]) => renameSet(c, perm),
};

/** A non-empty set of nodes `{1,2,3}` / `{1..5}`: the syntax of every set-valued configuration. */
export function parseMemberSet(schemeName: string, text: string, part = text, field = "members"): NodeSet {
  const s = parseNodeSet(schemeName, text, part, field);
  if (s === 0)
    throw new ConfigSyntaxError(schemeName, text, `${field}: a configuration needs at least one member`);
  return s;
}

export const parseRaftSingle = (text: string): NodeSet => parseMemberSet("raft-single", text);
export const initialRaftSingle = (nodes: number): NodeSet => range(nodes);

/**
 * Membership of Raft single-node (and every set-valued configuration): add or remove the node
 * itself, one node per step as R1⁺ requires; the last voter is never removed.
 */
export const raftSingleMembership: MembershipOps<NodeSet> = membershipOps<NodeSet>({
  voters: (c) => c,
  addVoter: (c, id) => changed(c | (1 << id)),
  removeVoter: (c, id) =>
    c === 1 << id
      ? refused(
          "removeVoter",
          "LastMember",
          `node ${id} is the only voter; a configuration needs at least one`,
        )
      : changed(c & ~(1 << id)),
});
