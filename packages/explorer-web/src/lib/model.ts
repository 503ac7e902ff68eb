import {
  type AdoreBounds,
  type AdoreOptions,
  type AdoreSpec,
  adoreInvariants,
  adoreModel,
  adoreSpec,
  type ExploreOptions,
  type Recency,
  range,
  showSet,
} from "@adore/adore-core";
import {
  ConfigSyntaxError,
  getScheme,
  type RegisteredScheme,
  SchemeModuleError,
  schemeNames,
  UnknownSchemeError,
  userSchemeFromModule,
} from "@adore/schemes";

/** The scheme field's value for a pasted user-defined scheme (its source is `userSource`). */
export const USER_SCHEME = "user";

/** What the page checks: the model (scheme, nodes, rules) and the explorer's bounds. Plain data, kept in the URL. */
export interface ModelConfig {
  /** A registered scheme name (`raft-single`, …) or `user` for the pasted module in `userSource`. */
  readonly scheme: string;
  readonly userSource?: string;
  readonly nodes: number;
  /** Initial configuration in the scheme's syntax; absent: the scheme's over all nodes. */
  readonly conf0?: string;
  readonly depth: number;
  readonly maxTime: number;
  readonly methods: number;
  readonly reconfigs: number;
  /** Enumerate pulls/pushes with a non-quorum Q (they raise times only). */
  readonly nonQuorum: boolean;
  readonly symmetry: boolean;
  /** `all` or one invariant's name. */
  readonly invariant: string;
  readonly rules: AdoreOptions;
}

/** The Fig. 12 scenario's model: Raft single-node over 4 nodes, the raft-log pull, R3 off. */
export const FIG12_CONFIG: ModelConfig = {
  scheme: "raft-single",
  nodes: 4,
  depth: 8,
  maxTime: 3,
  methods: 1,
  reconfigs: 2,
  nonQuorum: false,
  symmetry: true,
  invariant: "ReplicatedStateSafety",
  rules: { r1plus: true, r2: true, r3: false, qok: true, strictTime: true, recency: "raft-log" },
};

/** A bad field of the page's model: which field and which rule (never a crash). */
export class ModelConfigError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`${field}: ${why}`);
    this.name = "ModelConfigError";
  }
}

/** [least, largest] of each numeric field (the CLI's `adore check` limits). */
export const LIMITS = {
  nodes: [1, 8],
  depth: [1, 1000],
  maxTime: [1, 1000],
  methods: [0, 100],
  reconfigs: [0, 100],
} as const;

/** Everything a check needs, built from a validated ModelConfig. */
export interface BuiltModel {
  readonly config: ModelConfig;
  readonly entry: RegisteredScheme<unknown>;
  readonly conf0: unknown;
  readonly spec: AdoreSpec<unknown>;
  readonly bounds: AdoreBounds<unknown>;
  readonly explore: Omit<ExploreOptions<AdoreBounds<unknown>>, "onProgress">;
}

function checkInt(field: keyof typeof LIMITS, v: unknown): number {
  const [lo, hi] = LIMITS[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw new ModelConfigError(field, `${JSON.stringify(v)} is not an integer in ${lo}..${hi}`);
  return v;
}

/**
 * Validates the config as a whole and builds the spec; `userModule` holds the exports of the
 * pasted scheme module (the page imports it; tests pass the exports directly). Throws ModelConfigError.
 */
export function buildModel(config: ModelConfig, userModule?: Readonly<Record<string, unknown>>): BuiltModel {
  const nodes = checkInt("nodes", config.nodes);
  const depth = checkInt("depth", config.depth);
  const maxTime = checkInt("maxTime", config.maxTime);
  const methods = checkInt("methods", config.methods);
  const reconfigs = checkInt("reconfigs", config.reconfigs);
  const recency: Recency = config.rules.recency;
  if (recency !== "adore" && recency !== "raft-log")
    throw new ModelConfigError("recency", `${JSON.stringify(recency)} is not one of adore, raft-log`);
  let entry: RegisteredScheme<unknown>;
  if (config.scheme === USER_SCHEME) {
    if (!userModule) throw new ModelConfigError("userSource", "paste a scheme module first");
    try {
      entry = userSchemeFromModule(userModule, range(nodes));
    } catch (e) {
      if (!(e instanceof SchemeModuleError)) throw e;
      throw new ModelConfigError("userSource", e.why);
    }
  } else
    try {
      entry = getScheme(config.scheme);
    } catch (e) {
      if (!(e instanceof UnknownSchemeError)) throw e;
      throw new ModelConfigError(
        "scheme",
        `unknown scheme ${JSON.stringify(config.scheme)}; valid: ${schemeNames().join(", ")}, ${USER_SCHEME}`,
      );
    }
  const { scheme } = entry;
  let conf0: unknown;
  try {
    conf0 = config.conf0 !== undefined ? entry.parse(config.conf0) : entry.initial(nodes);
  } catch (e) {
    if (!(e instanceof ConfigSyntaxError)) throw e;
    throw new ModelConfigError(
      "conf0",
      config.conf0 !== undefined
        ? `${JSON.stringify(config.conf0)} is not a ${scheme.name} configuration: ${e.why} (syntax: ${entry.syntax})`
        : `${scheme.name} has no initial configuration over nodes 1..${nodes}: ${e.why}`,
    );
  }
  const outside = scheme.mbrs(conf0) & ~range(nodes);
  if (outside !== 0)
    throw new ModelConfigError(
      "conf0",
      `${scheme.print(conf0)} names ${showSet(outside)}, not among the nodes 1..${nodes}`,
    );
  const invariantNames = adoreInvariants(scheme).map((i) => i.name);
  if (config.invariant !== "all" && !invariantNames.includes(config.invariant))
    throw new ModelConfigError(
      "invariant",
      `unknown invariant ${JSON.stringify(config.invariant)}; valid: all, ${invariantNames.join(", ")}`,
    );
  if (config.symmetry && !scheme.rename)
    throw new ModelConfigError(
      "symmetry",
      `${scheme.name} has no rename function, so states cannot be identified up to node renaming`,
    );
  const spec = adoreSpec(adoreModel(scheme, conf0, config.rules));
  const bounds: AdoreBounds<unknown> = {
    nodes,
    maxTime,
    maxMethods: methods,
    maxReconfigs: reconfigs,
    nonQuorum: config.nonQuorum,
  };
  return {
    config,
    entry,
    conf0,
    spec,
    bounds,
    explore: {
      bounds,
      maxDepth: depth,
      symmetry: config.symmetry,
      ...(config.invariant !== "all" ? { invariants: [config.invariant] } : {}),
    },
  };
}
