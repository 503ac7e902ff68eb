import {
  has,
  members,
  type NodeId,
  type NodeSet,
  range,
  renameSet,
  type Scheme,
  subsets,
} from "@adore/adore-core";
import { changed, type MembershipOps, membershipOps, refused } from "./membership.js";
import { ConfigSyntaxError, keyed, parseNodeId, parseNodeSet, printSet, tupleParts } from "./syntax.js";

/** Section 6, primary backup: Config ≜ N_nid * Set(N_nid) — the primary P and the passive backups (P ∉ backups). */
export interface PrimaryBackupConfig {
  readonly P: NodeId;
  readonly backups: NodeSet;
}

/** Primary backup (section 6): R1⁺((P, _), (P', _)) ≜ P = P';  isQuorum(S, (P, _)) ≜ P ∈ S. */
export const primaryBackup: Scheme<PrimaryBackupConfig> = {
  name: "primary-backup",
  mbrs: (c) => (1 << c.P) | c.backups,
  isQuorum: (s, c) => has(s, c.P),
  R1plus: (c, d) => c.P === d.P,
  equals: (a, b) => a.P === b.P && a.backups === b.backups,
  hash: (c) => `${c.P}:${c.backups}`,
  print: (c) => `(P=${c.P},${printSet(c.backups)})`,
  validConfigs: (universe) =>
    members(universe).flatMap((P) => subsets(universe & ~(1 << P)).map((backups) => ({ P, backups }))),
  rename: (c, perm) => ({ P: perm[c.P] ?? c.P, backups: renameSet(c.backups, perm) }),
};

const SHAPE = "(P=1,{2,3})";

/** `(P=1,{2,3})`: primary 1, backups 2 and 3. */
export function parsePrimaryBackup(text: string): PrimaryBackupConfig {
  const name = primaryBackup.name;
  const [p, b] = tupleParts(name, text, 2, SHAPE) as [string, string];
  const P = parseNodeId(name, text, keyed(name, text, p, "P", SHAPE), "P");
  const backups = parseNodeSet(name, text, b, "backups");
  if (has(backups, P))
    throw new ConfigSyntaxError(name, text, `backups: the primary ${P} cannot also be a passive backup`);
  return { P, backups };
}

/** Primary 1, backups 2..n. */
export const initialPrimaryBackup = (nodes: number): PrimaryBackupConfig => ({
  P: 1,
  backups: range(nodes) & ~(1 << 1),
});

/**
 * Membership of primary backup: a node joins or leaves as a passive backup (R1⁺ only fixes the
 * primary); the primary itself never changes.
 */
export const primaryBackupMembership: MembershipOps<PrimaryBackupConfig> = membershipOps<PrimaryBackupConfig>(
  {
    voters: primaryBackup.mbrs,
    addVoter: (c, id) => changed({ P: c.P, backups: c.backups | (1 << id) }),
    removeVoter: (c, id) =>
      c.P === id
        ? refused(
            "removeVoter",
            "FixedMember",
            `node ${id} is the primary, which primary backup never changes`,
          )
        : changed({ P: c.P, backups: c.backups & ~(1 << id) }),
  },
);
