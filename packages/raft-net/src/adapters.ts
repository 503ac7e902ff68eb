import type { NodeId, NodeSet, Scheme } from "@adore/adore-core";
import { getScheme, type JointConfig } from "@adore/schemes";
import type { SchemeAdapter } from "./options.js";

/**
 * The follow-up steps raft-net needs per scheme, beyond Fig. 7: how a committed configuration is
 * finished (joint consensus leaves the joint phase) and how a learner becomes a voter.
 */
export function adapterFor<C>(scheme: Scheme<C>): SchemeAdapter<C> {
  switch (scheme.name) {
    case "raft-single":
    case "static":
      return {
        scheme,
        addVoter: ((cf: NodeSet, id: NodeId) => cf | (1 << id)) as unknown as (cf: C, id: NodeId) => C,
      };
    case "raft-joint":
    case "raft-joint-as-printed":
      return {
        scheme,
        finish: ((c: JointConfig) =>
          c.next === null ? undefined : { old: c.next, next: null }) as unknown as (c: C) => C | undefined,
        // a learner joins through a joint phase: (old) → (old, old ∪ {id}) → (old ∪ {id})
        addVoter: ((c: JointConfig, id: NodeId) =>
          c.next === null ? { old: c.old, next: c.old | (1 << id) } : undefined) as unknown as (
          cf: C,
          id: NodeId,
        ) => C | undefined,
      };
    default:
      return { scheme };
  }
}

/** The adapter of a registered scheme, by name (throws on an unknown name, like getScheme). */
export function adapterByName(name: string): SchemeAdapter<unknown> {
  return adapterFor(getScheme(name).scheme as Scheme<unknown>);
}
