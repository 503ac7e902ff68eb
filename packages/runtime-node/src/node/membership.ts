// Membership shortcuts (add/remove a voter) for the schemes whose configurations have an obvious
// "with/without node n" form. Anything else goes through an explicit configuration in the scheme's
// syntax (RaftNode.setConfig), which every scheme supports.
import type { NodeId } from "@adore/adore-core";
import type { SchemeAdapter } from "@adore/raft-net";

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** The configuration with `id` added as a voter, or undefined if the scheme has no such rule. */
export function withVoter<C>(adapter: SchemeAdapter<C>, cf: C, id: NodeId): C | undefined {
  const bit = 1 << id;
  if (adapter.addVoter) return adapter.addVoter(cf, id);
  if (isObj(cf) && "P" in cf && "backups" in cf && typeof cf.backups === "number")
    return { ...cf, backups: cf.backups | bit } as C; // primary-backup, primaries-backups: a new backup
  return undefined;
}

/** The configuration without voter `id`, or undefined if the scheme has no such rule. */
export function withoutVoter<C>(schemeName: string, cf: C, id: NodeId): C | undefined {
  const bit = 1 << id;
  if (typeof cf === "number") return (cf & ~bit) as C;
  if (!isObj(cf)) return undefined;
  if ("old" in cf && "next" in cf && typeof cf.old === "number")
    return cf.next === null ? ({ old: cf.old, next: cf.old & ~bit } as C) : undefined;
  if (typeof cf.P === "number" && typeof cf.backups === "number") {
    // primary-backup: P is the primary's id (it never changes); primaries-backups: P is a set
    if (schemeName === "primary-backup")
      return cf.P === id ? undefined : ({ ...cf, backups: cf.backups & ~bit } as C);
    return { P: cf.P & ~bit, backups: cf.backups & ~bit } as C;
  }
  return undefined;
}
