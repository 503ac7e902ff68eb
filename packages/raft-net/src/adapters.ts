import type { Scheme } from "@adore/adore-core";
import { changedConfig, getScheme, registeredOf } from "@adore/schemes";
import type { SchemeAdapter } from "./options.js";

/**
 * What raft-net needs of a scheme beyond Fig. 7, from the scheme's own registry entry: its
 * membership helpers (how a committed joint configuration is finished, how a learner becomes a
 * voter) and a check for configurations that arrive from the wire. A scheme that is not
 * registered (a user's) has only the generic checks and no helpers.
 */
export function adapterFor<C>(scheme: Scheme<C>): SchemeAdapter<C> {
  const reg = registeredOf(scheme);
  const membership = reg?.membership;
  return {
    scheme,
    validConfig: configValidator(scheme, reg?.parse),
    ...(membership
      ? {
          membership,
          finish: membership.finish,
          addVoter: (cf: C, id: number) => changedConfig(membership.addVoter(cf, id)),
        }
      : {}),
  };
}

/**
 * A check for configuration values that arrive from the wire: for a registered scheme the value
 * must print and parse back to itself; for any scheme its members must form a node set and the
 * scheme's own functions must accept it without throwing.
 */
function configValidator<C>(
  scheme: Scheme<C>,
  parse: ((text: string) => C) | undefined,
): (c: unknown) => string | undefined {
  return (c) => {
    if (c === null || c === undefined) return "missing";
    try {
      const m = scheme.mbrs(c as C);
      if (!Number.isSafeInteger(m) || m <= 0 || (m & 1) !== 0) return "its members are not a node set";
      const text = scheme.print(c as C);
      if (typeof text !== "string") return "it does not print";
      if (!scheme.equals(c as C, c as C)) return "it is not equal to itself";
      if (typeof scheme.isQuorum(m, c as C) !== "boolean") return "isQuorum does not answer";
      if (parse && !scheme.equals(parse(text), c as C)) return `it does not read back from ${text}`;
      return undefined;
    } catch (e) {
      return `not a ${scheme.name} configuration (${e instanceof Error ? e.message : "invalid"})`;
    }
  };
}

/** The adapter of a registered scheme, by name (throws on an unknown name, like getScheme). */
export function adapterByName(name: string): SchemeAdapter<unknown> {
  return adapterFor(getScheme(name).scheme);
}
