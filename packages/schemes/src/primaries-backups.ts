import { type NodeSet, range, renameSet, type Scheme, subsets } from "@adore/adore-core";
import { differByAtMostOne, isMajority } from "./majority.js";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { parseMemberSet } from "./raft-single.js";
import { ConfigSyntaxError, keyed, parseNodeSet, printSet, tupleParts } from "./syntax.js";

/** Section 6, "a more reliable alternative": a set of primaries P and disjoint passive backups. */
export interface PrimariesConfig {
  readonly P: NodeSet;
  readonly backups: NodeSet;
}

/**
 * Primaries + passive backups (section 6, after primary backup): the primaries are managed as in
 * Raft single-node and the backups change freely;
 * R1⁺((P, B), (P', B')) ≜ P = P' ∨ ∃s. P = P' ∪ {s} ∨ P' = P ∪ {s};  isQuorum(S, (P, B)) ≜ |P| < 2·|S ∩ P|.
 */
export const primariesBackups: Scheme<PrimariesConfig> = {
  name: "primaries-backups",
  mbrs: (c) => c.P | c.backups,
  isQuorum: (s, c) => isMajority(s, c.P),
  R1plus: (c, d) => differByAtMostOne(c.P, d.P),
  equals: (a, b) => a.P === b.P && a.backups === b.backups,
  hash: (c) => `${c.P}:${c.backups}`,
  print: (c) => `(P=${printSet(c.P)},${printSet(c.backups)})`,
  validConfigs: (universe) =>
    subsets(universe)
      .filter((P) => P !== 0)
      .flatMap((P) => subsets(universe & ~P).map((backups) => ({ P, backups }))),
  rename: (c, perm) => ({ P: renameSet(c.P, perm), backups: renameSet(c.backups, perm) }),
};

const SHAPE = "(P={1,2,3},{4,5})";

/** `(P={1,2,3},{4,5})`: primaries 1–3, passive backups 4 and 5 (disjoint). */
export function parsePrimaries(text: string): PrimariesConfig {
  const name = primariesBackups.name;
  const [p, b] = tupleParts(name, text, 2, SHAPE) as [string, string];
  const P = parseMemberSet(name, text, keyed(name, text, p, "P", SHAPE), "P");
  const backups = parseNodeSet(name, text, b, "backups");
  if ((P & backups) !== 0)
    throw new ConfigSyntaxError(
      name,
      text,
      `backups: ${printSet(P & backups)} cannot be both primary and passive backup`,
    );
  return { P, backups };
}

/** Primaries 1..min(n,3), backups the rest. */
export function initialPrimaries(nodes: number): PrimariesConfig {
  const P = range(Math.min(nodes, 3));
  return { P, backups: range(nodes) & ~P };
}

/**
 * Membership of primaries + passive backups: a node joins as a passive backup (R1⁺ leaves the
 * backups free); a removed node leaves the primaries or the backups, one primary per step as R1⁺
 * requires. The last primary is never removed: without primaries there is no quorum.
 */
export const primariesBackupsMembership: MembershipOps<PrimariesConfig> = membershipOps<PrimariesConfig>({
  voters: primariesBackups.mbrs,
  addVoter: (c, id) => changed({ P: c.P, backups: c.backups | (1 << id) }),
  removeVoter: (c, id) =>
    c.P === 1 << id
      ? refused(
          "removeVoter",
          "LastMember",
          `node ${id} is the only primary; without primaries no set of nodes is a quorum`,
        )
      : changed({ P: c.P & ~(1 << id), backups: c.backups & ~(1 << id) }),
});
