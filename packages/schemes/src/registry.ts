import { type NodeSet, range, type Scheme } from "@adore/adore-core";
import {
  dynamicQuorum,
  dynamicQuorumLeq,
  dynamicQuorumMembership,
  initialQuorumSize,
  parseQuorumSize,
  type QuorumSizeConfig,
} from "./dynamic-quorum.js";
import {
  initialPrimaryBackup,
  type PrimaryBackupConfig,
  primaryBackupMembership,
  parsePrimaryBackup,
  primaryBackup,
} from "./primary-backup.js";
import {
  initialPrimaries,
  type PrimariesConfig,
  parsePrimaries,
  primariesBackups,
  primariesBackupsMembership,
} from "./primaries-backups.js";
import {
  initialJoint,
  type JointConfig,
  parseJoint,
  raftJoint,
  raftJointAsPrinted,
  raftJointMembership,
} from "./raft-joint.js";
import { type MembershipOps, noMembership } from "./membership.js";
import { initialRaftSingle, parseMemberSet, raftSingle, raftSingleMembership } from "./raft-single.js";
import { staticMajority, staticMembership } from "./static.js";
import { ConfigSyntaxError } from "./syntax.js";
import { anyChangeMajority, halfQuorumStatic } from "./unsafe.js";
import {
  initialWeights,
  parseWeights,
  type Weights,
  weightedLeq,
  weightedMajority,
  weightedMembership,
} from "./weighted-majority.js";

export { ConfigSyntaxError, parseNodeSet } from "./syntax.js";

/**
 * A scheme as the CLI and tests use it: the scheme, a configuration parser (printing is the
 * scheme's `print`), a default initial configuration and the scheme's membership helpers.
 */
export interface RegisteredScheme<C> {
  readonly scheme: Scheme<C>;
  /** Parses the scheme's configuration syntax, e.g. `{1,2,3}`; throws ConfigSyntaxError. */
  parse(text: string): C;
  /** Add/remove a voter, finish a joint change (absent: configurations are only given explicitly). */
  readonly membership?: MembershipOps<C>;
  /** The initial configuration over nodes 1..n. */
  initial(nodes: number): C;
  /** An example of the configuration syntax. */
  readonly syntax: string;
  /** What the scheme is, in one line. */
  readonly summary: string;
}

function entry<C>(e: RegisteredScheme<C>): RegisteredScheme<never> {
  return e as unknown as RegisteredScheme<never>;
}

const sets = (
  s: Scheme<NodeSet>,
  summary: string,
  membership: MembershipOps<NodeSet> = raftSingleMembership,
): RegisteredScheme<never> =>
  entry<NodeSet>({
    scheme: s,
    membership,
    parse: (t) => parseMemberSet(s.name, t),
    initial: initialRaftSingle,
    syntax: "{1,2,3} or {1..5}",
    summary,
  });

const quorumSizes = (s: Scheme<QuorumSizeConfig>, summary: string): RegisteredScheme<never> =>
  entry<QuorumSizeConfig>({
    scheme: s,
    membership: dynamicQuorumMembership,
    parse: (t) => parseQuorumSize(s.name, t),
    initial: initialQuorumSize,
    syntax: "(q=3,{1..5})",
    summary,
  });

const weighted = (s: Scheme<Weights>, summary: string): RegisteredScheme<never> =>
  entry<Weights>({
    scheme: s,
    membership: weightedMembership(s),
    parse: (t) => parseWeights(s.name, t),
    initial: initialWeights,
    syntax: "{1:2,2,3} (node:weight, weight 1 if left out)",
    summary,
  });

const joint = (s: Scheme<JointConfig>, summary: string): RegisteredScheme<never> =>
  entry<JointConfig>({
    scheme: s,
    membership: raftJointMembership,
    parse: (t) => parseJoint(s.name, t),
    initial: initialJoint,
    syntax: "{1,2,3} or ({1,2,3},{3,4,5})",
    summary,
  });

/** Every scheme the CLI knows, by name (section 6 and beyond). */
const SCHEMES: Readonly<Record<string, RegisteredScheme<never>>> = {
  "raft-single": sets(raftSingle, "Raft single-node: majority quorums, one node added or removed at a time"),
  "raft-joint": joint(
    raftJoint,
    "Raft joint consensus: (old) → (old,new) → (new), majorities of both while joint",
  ),
  "primary-backup": entry<PrimaryBackupConfig>({
    scheme: primaryBackup,
    membership: primaryBackupMembership,
    parse: parsePrimaryBackup,
    initial: initialPrimaryBackup,
    syntax: "(P=1,{2,3})",
    summary: "primary backup: a quorum contains the primary, which never changes; backups change freely",
  }),
  "dynamic-quorum": quorumSizes(
    dynamicQuorum,
    "dynamic quorum sizes: quorums of q members, |C'| < q + q' across a change",
  ),
  "primaries-backups": entry<PrimariesConfig>({
    scheme: primariesBackups,
    membership: primariesBackupsMembership,
    parse: parsePrimaries,
    initial: initialPrimaries,
    syntax: "(P={1,2,3},{4,5})",
    summary: "primaries + passive backups: majorities of the primaries, one primary changed at a time",
  }),
  static: sets(staticMajority, "static: majority quorums, R1⁺ is equality (CADO)", staticMembership),
  "weighted-majority": weighted(
    weightedMajority,
    "weighted majority: more than half the weight; moved weight < margin(w) + margin(w')",
  ),
};

/** Deliberately unsafe schemes: negative fixtures that the overlap checker and the explorer must reject. */
const FIXTURES: Readonly<Record<string, RegisteredScheme<never>>> = {
  "unsafe-any-change": sets(anyChangeMajority, "UNSAFE: majority quorums, any configuration may follow any"),
  "unsafe-dynamic-quorum-leq": quorumSizes(dynamicQuorumLeq, "UNSAFE: dynamic quorum sizes with ≤ for <"),
  "unsafe-weighted-leq": weighted(weightedLeq, "UNSAFE: weighted majority with moved ≤ margin + margin'"),
  "unsafe-half-quorum": sets(
    halfQuorumStatic,
    "UNSAFE: static, quorums of half the members",
    noMembership((c) => c, "unsafe-half-quorum: R1⁺ is equality, so the members never change"),
  ),
  "raft-joint-as-printed": joint(
    raftJointAsPrinted,
    "raft joint consensus with R1⁺ exactly as printed (not REFLEXIVE on joint configurations)",
  ),
};

export class UnknownSchemeError extends RangeError {
  constructor(readonly schemeName: string) {
    super(
      `unknown scheme ${JSON.stringify(schemeName)}; valid: ${Object.keys(SCHEMES).join(", ")} ` +
        `(negative fixtures: ${Object.keys(FIXTURES).join(", ")})`,
    );
    this.name = "UnknownSchemeError";
  }
}

/** Looks a scheme (or a negative fixture) up by its CLI name (`raft-single`, …). */
export function getScheme(name: string): RegisteredScheme<unknown> {
  const e = Object.hasOwn(SCHEMES, name)
    ? SCHEMES[name]
    : Object.hasOwn(FIXTURES, name)
      ? FIXTURES[name]
      : undefined;
  if (!e) throw new UnknownSchemeError(name);
  return e as unknown as RegisteredScheme<unknown>;
}

/**
 * The registry entry of this very scheme object (not merely one of the same name), if it is
 * registered: how raft-net and the runtime find a scheme's parser and membership helpers.
 */
export function registeredOf<C>(scheme: Scheme<C>): RegisteredScheme<C> | undefined {
  const e = Object.hasOwn(SCHEMES, scheme.name)
    ? SCHEMES[scheme.name]
    : Object.hasOwn(FIXTURES, scheme.name)
      ? FIXTURES[scheme.name]
      : undefined;
  // identity, not the name: a user's scheme may reuse a registered name with other rules
  return e !== undefined && (e.scheme as unknown) === scheme
    ? (e as unknown as RegisteredScheme<C>)
    : undefined;
}

/** The safe schemes, in the order of section 6. */
export function schemeNames(): string[] {
  return Object.keys(SCHEMES);
}

/** The deliberately unsafe negative fixtures. */
export function fixtureNames(): string[] {
  return Object.keys(FIXTURES);
}

/**
 * Registers a user-defined scheme for the tools. Without `parse`, a configuration is read by
 * matching its printed form among validConfigs(universe); without `initial`, the initial
 * configuration over n nodes is the first valid one whose members are exactly 1..n.
 */
export function userScheme<C>(
  scheme: Scheme<C>,
  universe: NodeSet,
  options: {
    parse?: (text: string) => C;
    initial?: (nodes: number) => C;
    summary?: string;
    membership?: MembershipOps<C>;
  } = {},
): RegisteredScheme<C> {
  const squash = (s: string) => s.replace(/\s+/g, "");
  const parse =
    options.parse ??
    ((text: string): C => {
      const want = squash(text);
      const hit = scheme.validConfigs(universe).find((c) => squash(scheme.print(c)) === want);
      if (hit === undefined)
        throw new ConfigSyntaxError(
          scheme.name,
          text,
          "no configuration of validConfigs over the universe prints like this (export a parse function to read others)",
        );
      return hit;
    });
  const initial =
    options.initial ??
    ((nodes: number): C => {
      const hit = scheme.validConfigs(range(nodes)).find((c) => scheme.mbrs(c) === range(nodes));
      if (hit === undefined)
        throw new ConfigSyntaxError(
          scheme.name,
          `nodes 1..${nodes}`,
          "no valid configuration has exactly these members; give an initial configuration",
        );
      return hit;
    });
  return {
    scheme,
    parse,
    initial,
    syntax: "as the scheme prints its configurations",
    summary: options.summary ?? `user-defined scheme ${scheme.name}`,
    ...(options.membership ? { membership: options.membership } : {}),
  };
}

/** A module that does not hold a usable scheme; `why` names the missing or mistyped export. */
export class SchemeModuleError extends TypeError {
  constructor(readonly why: string) {
    super(`not a scheme module: ${why}`);
    this.name = "SchemeModuleError";
  }
}

const SCHEME_FUNCTIONS = ["mbrs", "isQuorum", "R1plus", "equals", "hash", "print", "validConfigs"] as const;

/**
 * A user-defined scheme from the exports of its module (`scheme`, or a default export, and
 * optionally `parse(text)` and `initial(n)`), checked for the functions of Fig. 7's Scheme
 * before use; then as `userScheme(scheme, universe, …)`. Throws SchemeModuleError.
 */
export function userSchemeFromModule(
  mod: Readonly<Record<string, unknown>>,
  universe: NodeSet,
): RegisteredScheme<unknown> {
  const value = mod.scheme ?? mod.default;
  if (typeof value !== "object" || value === null)
    throw new SchemeModuleError("the module exports no `scheme` object (nor a default export)");
  const s = value as Record<string, unknown>;
  if (typeof s.name !== "string" || s.name === "")
    throw new SchemeModuleError("the scheme has no `name` string");
  const missing = SCHEME_FUNCTIONS.filter((f) => typeof s[f] !== "function");
  if (missing.length)
    throw new SchemeModuleError(
      `the scheme ${s.name} lacks the function(s) ${missing.join(", ")} (see Scheme in @adore/adore-core)`,
    );
  if (s.rename !== undefined && typeof s.rename !== "function")
    throw new SchemeModuleError(`rename of ${s.name} is not a function`);
  const fn = (k: string) => (typeof mod[k] === "function" ? (mod[k] as (x: never) => unknown) : undefined);
  const parse = fn("parse");
  const initial = fn("initial");
  return userScheme(value as Scheme<unknown>, universe, {
    ...(parse ? { parse: parse as (t: string) => unknown } : {}),
    ...(initial ? { initial: initial as (n: number) => unknown } : {}),
  });
}
