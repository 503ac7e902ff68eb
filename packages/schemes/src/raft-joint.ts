import { type NodeId, type NodeSet, range, renameSet, type Scheme, subsets } from "@adore/adore-core";
import { isMajority } from "./majority.js";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { parseMemberSet } from "./raft-single.js";
import { printSet, tupleParts } from "./syntax.js";

/** Section 6, Raft joint consensus: Config ≜ Set(N_nid) * Option(Set(N_nid)); `next: null` is ⊥. */
export interface JointConfig {
  readonly old: NodeSet;
  readonly next: NodeSet | null;
}

const isJoint = (c: JointConfig): c is { readonly old: NodeSet; readonly next: NodeSet } => c.next !== null;

/**
 * R1⁺ exactly as printed in section 6:
 * ∃old. (C = (old, ⊥) ∧ C' = (old, _)) ∨ ∃new. (C = (_, new) ∧ C' = (new, ⊥)).
 */
export function jointR1plusAsPrinted(c: JointConfig, d: JointConfig): boolean {
  if (!isJoint(c)) return d.old === c.old;
  return d.old === c.next && d.next === null;
}

/** isQuorum(S, (old, new)) ≜ |old| < 2·|S ∩ old| ∧ (new = ⊥ ∨ |new| < 2·|S ∩ new|) (section 6). */
function jointQuorum(s: NodeSet, c: JointConfig): boolean {
  return isMajority(s, c.old) && (c.next === null || isMajority(s, c.next));
}

const equalsJoint = (a: JointConfig, b: JointConfig): boolean => a.old === b.old && a.next === b.next;

export function printJoint(c: JointConfig): string {
  return c.next === null ? printSet(c.old) : `(${printSet(c.old)},${printSet(c.next)})`;
}

function jointConfigs(universe: NodeSet): JointConfig[] {
  const sets = subsets(universe).filter((s) => s !== 0);
  const out: JointConfig[] = sets.map((old) => ({ old, next: null }));
  for (const old of sets) for (const next of sets) out.push({ old, next });
  return out;
}

const base = {
  mbrs: (c: JointConfig) => c.old | (c.next ?? 0),
  isQuorum: jointQuorum,
  equals: equalsJoint,
  hash: (c: JointConfig) => (c.next === null ? String(c.old) : `${c.old}:${c.next}`),
  print: printJoint,
  validConfigs: jointConfigs,
  rename: (c: JointConfig, perm: readonly NodeId[]): JointConfig => ({
    old: renameSet(c.old, perm),
    next: c.next === null ? null : renameSet(c.next, perm),
  }),
};

/**
 * Raft joint consensus (section 6) with R1⁺ closed under reflexivity: the printed formula is
 * false for R1⁺((old,new),(old,new)) when new ≠ ⊥, so it breaks Fig. 7's REFLEXIVE (the overlap
 * checker finds this); adding `C = C'` restores REFLEXIVE and keeps OVERLAP, since the quorums of
 * a joint configuration are majorities of `old`, which intersect.
 */
export const raftJoint: Scheme<JointConfig> = {
  name: "raft-joint",
  ...base,
  R1plus: (c, d) => equalsJoint(c, d) || jointR1plusAsPrinted(c, d),
};

/** The section 6 formula verbatim: a negative fixture that the checker rejects for REFLEXIVE (not OVERLAP). */
export const raftJointAsPrinted: Scheme<JointConfig> = {
  name: "raft-joint-as-printed",
  ...base,
  R1plus: jointR1plusAsPrinted,
};

const SHAPE = "({1,2,3},{3,4,5})";

/** `{1,2,3}` is (old, ⊥); `({1,2,3},{3,4,5})` is the joint configuration (old, new). */
export function parseJoint(schemeName: string, text: string): JointConfig {
  const t = text.trim();
  if (t.startsWith("{")) return { old: parseMemberSet(schemeName, text), next: null };
  const [o, n] = tupleParts(schemeName, text, 2, SHAPE) as [string, string];
  const old = parseMemberSet(schemeName, text, o, "old");
  if (n === "⊥" || n === "_") return { old, next: null };
  return { old, next: parseMemberSet(schemeName, text, n, "new") };
}

export const initialJoint = (nodes: number): JointConfig => ({ old: range(nodes), next: null });

const inJoint = (op: "addVoter" | "removeVoter", c: JointConfig) =>
  refused(
    op,
    "JointInProgress",
    `${printJoint(c)} is a joint configuration: it is finished to its new half first`,
  );

/**
 * Membership of Raft joint consensus: a change goes through a joint phase,
 * (old) → (old, old ∪ {n}) → (old ∪ {n}) for an added voter and (old) → (old, old ∖ {n}) → (old ∖ {n})
 * for a removed one; `finish` is the second step, (old, new) ↦ (new, ⊥), which the leader
 * appends once the joint configuration is committed. Both steps satisfy R1⁺.
 */
export const raftJointMembership: MembershipOps<JointConfig> = membershipOps<JointConfig>({
  voters: base.mbrs,
  addVoter: (c, id) =>
    isJoint(c) ? inJoint("addVoter", c) : changed({ old: c.old, next: c.old | (1 << id) }),
  removeVoter: (c, id) => {
    if (isJoint(c)) return inJoint("removeVoter", c);
    if (c.old === 1 << id)
      return refused(
        "removeVoter",
        "LastMember",
        `node ${id} is the only voter; a configuration needs at least one`,
      );
    return changed({ old: c.old, next: c.old & ~(1 << id) });
  },
  finish: (c) => (isJoint(c) ? { old: c.next, next: null } : undefined),
});
