import type { NodeId, NodeSet, Scheme } from "@adore/adore-core";
import { getScheme, type JointConfig } from "@adore/schemes";
import type { SchemeAdapter } from "./options.js";

/**
 * The follow-up steps raft-net needs per scheme, beyond Fig. 7: how a committed configuration is
 * finished (joint consensus leaves the joint phase) and how a learner becomes a voter.
 */
export function adapterFor<C>(scheme: Scheme<C>): SchemeAdapter<C> {
  const validConfig = configValidator(scheme);
  return { ...followUps(scheme), validConfig };
}

/**
 * A check for configuration values that arrive from the wire: for a registered scheme the value
 * must print and parse back to itself; for any scheme its members must form a node set and the
 * scheme's own functions must accept it without throwing.
 */
function configValidator<C>(scheme: Scheme<C>): (c: unknown) => string | undefined {
  let parse: ((text: string) => unknown) | undefined;
  try {
    const reg = getScheme(scheme.name);
    if (reg.scheme === (scheme as unknown)) parse = reg.parse;
  } catch {
    // a user-defined scheme: the generic checks only
  }
  return (c) => {
    if (c === null || c === undefined) return "missing";
    try {
      const m = scheme.mbrs(c as C);
      if (!Number.isSafeInteger(m) || m <= 0 || (m & 1) !== 0) return "its members are not a node set";
      const text = scheme.print(c as C);
      if (typeof text !== "string") return "it does not print";
      if (!scheme.equals(c as C, c as C)) return "it is not equal to itself";
      if (typeof scheme.isQuorum(m, c as C) !== "boolean") return "isQuorum does not answer";
      if (parse && !scheme.equals(parse(text) as C, c as C)) return `it does not read back from ${text}`;
      return undefined;
    } catch (e) {
      return `not a ${scheme.name} configuration (${e instanceof Error ? e.message : "invalid"})`;
    }
  };
}

function followUps<C>(scheme: Scheme<C>): SchemeAdapter<C> {
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
