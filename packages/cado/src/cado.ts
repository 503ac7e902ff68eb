import {
  type AdoreModel,
  type AdoreOptions,
  type AdoreRule,
  type AdoreSpec,
  type AdoreState,
  type AdoreStep,
  adoreModel,
  adoreSpec,
  assertNever,
  type Invariant,
  initialState,
  MAX_NODE_ID,
  range,
  type NodeId,
  type NodeSet,
  type Rejection,
  replicatedStateSafety,
  type Scheme,
  type Spec,
  type StepResult,
  showSet,
  showStep,
  step,
  timesInvariant,
  uniqueTimestamps,
  wellFormed,
} from "@adore/adore-core";

/**
 * CADO's parameters (section 3 without the boxed parts): a configuration type with its members
 * and quorums. No R1⁺ — there is nothing to reconfigure to. Any Scheme is one.
 */
export interface QuorumSystem<C> {
  readonly name: string;
  mbrs(cf: C): NodeSet;
  isQuorum(q: NodeSet, cf: C): boolean;
  equals(a: C, b: C): boolean;
  hash(cf: C): string;
  print(cf: C): string;
  /** Renames node ids (perm[i] is the new id of node i); needed only for symmetry reduction. */
  rename?(cf: C, perm: readonly NodeId[]): C;
}

/** Fig. 10 without RECONFIGOK: every CADO step, with its oracle choices explicit. No step carries a configuration. */
export type CadoStep =
  | {
      readonly op: "pull";
      readonly nid: NodeId;
      readonly Q: NodeSet;
      readonly t: number;
      readonly cmax?: number;
      readonly qok?: boolean;
    }
  | { readonly op: "invoke"; readonly nid: NodeId; readonly method: string }
  | {
      readonly op: "push";
      readonly nid: NodeId;
      readonly Q: NodeSet;
      readonly cm: number;
      readonly qok?: boolean;
    }
  /** PULLNOOP, INVOKENOOP, PUSHNOOP: the oracle fails and the state is unchanged. */
  | { readonly op: "fail"; readonly nid: NodeId; readonly of: "pull" | "invoke" | "push" };

/** The rules of Figs. 10–11 that remain in CADO. */
export type CadoRule = Exclude<AdoreRule, "RECONFIGOK" | "RECONFIGNOOP">;

/** Why CADO rejects a step: a premise of Figs. 10–11 (as ADORE reports it), or an operation CADO does not have. */
export type CadoRejection =
  | Rejection
  | { readonly rule: "CADO"; readonly premise: "op"; readonly message: string };

/** The rule options that survive without reconfiguration: the Q_ok test, `times < t`, and the recency of pull. */
export type CadoOptions = Pick<AdoreOptions, "qok" | "strictTime" | "recency">;

/**
 * A configured CADO instance: the quorum system and the one configuration every cache carries.
 * `adore` is the ADORE model that runs CADO's operations (adore-core's semantics, not a copy).
 */
export interface CadoModel<C> {
  readonly quorums: QuorumSystem<C>;
  readonly conf: C;
  readonly options: CadoOptions;
  readonly adore: AdoreModel<C>;
}

/** A bad argument to CADO (which field, which rule). */
export class CadoInputError extends RangeError {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`${field}: ${why}`);
    this.name = "CadoInputError";
  }
}

/**
 * The scheme under which ADORE runs CADO's operations: the quorum system with one configuration
 * and R1⁺ = equality. RECONFIGOK, the only rule that reads R1⁺, is not a CADO step.
 */
function fixedScheme<C>(qs: QuorumSystem<C>, conf: C): Scheme<C> {
  return {
    name: qs.name,
    mbrs: (c) => qs.mbrs(c),
    isQuorum: (q, c) => qs.isQuorum(q, c),
    R1plus: (a, b) => qs.equals(a, b),
    equals: (a, b) => qs.equals(a, b),
    hash: (c) => qs.hash(c),
    print: (c) => qs.print(c),
    validConfigs: () => [conf],
    ...(qs.rename ? { rename: (c: C, perm: readonly NodeId[]) => qs.rename!(c, perm) } : {}),
  };
}

export function cadoModel<C>(
  quorums: QuorumSystem<C>,
  conf: C,
  options: Partial<CadoOptions> = {},
): CadoModel<C> {
  const opts: CadoOptions = {
    qok: options.qok ?? true,
    strictTime: options.strictTime ?? true,
    recency: options.recency ?? "adore",
  };
  return { quorums, conf, options: opts, adore: adoreModel(fixedScheme(quorums, conf), conf, opts) };
}

/** The ADORE step a CADO step is (CADO's steps are a subset of ADORE's). */
export function toAdoreStep<C>(a: CadoStep): AdoreStep<C> {
  return a;
}

/** The CADO step an ADORE step is, or undefined for reconfig (and its NOOP). */
export function fromAdoreStep<C>(a: AdoreStep<C>): CadoStep | undefined {
  switch (a.op) {
    case "pull":
    case "invoke":
    case "push":
      return a;
    case "reconfig":
      return undefined;
    case "fail":
      return a.of === "reconfig" ? undefined : { op: "fail", nid: a.nid, of: a.of };
    default:
      return assertNever(a);
  }
}

function isCadoRule(r: AdoreRule): r is CadoRule {
  return r !== "RECONFIGOK" && r !== "RECONFIGNOOP";
}

// Figs. 10–11 without the boxed parts: PULLOK, INVOKEOK, PUSHOK and the NOOP rules, run by adore-core.
export function cadoStep<C>(
  m: CadoModel<C>,
  st: AdoreState<C>,
  a: CadoStep,
): StepResult<AdoreState<C>, CadoRule, CadoRejection> {
  const noSuchOp = (what: string): StepResult<AdoreState<C>, CadoRule, CadoRejection> => ({
    ok: false,
    reason: {
      rule: "CADO",
      premise: "op",
      message: `op: CADO has no operation ${what} (section 3: reconfiguration is removed)`,
    },
  });
  switch (a.op) {
    case "pull":
    case "invoke":
    case "push":
      break;
    case "fail":
      if ((a.of as string) === "reconfig") return noSuchOp("reconfig (fail)");
      break;
    default:
      return noSuchOp(JSON.stringify((a as { op?: unknown }).op));
  }
  const r = step(m.adore, st, toAdoreStep<C>(a));
  if (!r.ok) return r;
  if (!isCadoRule(r.rule)) throw new Error(`CADO step ${JSON.stringify(a)} fired ADORE rule ${r.rule}`);
  return { ok: true, next: r.next, rule: r.rule };
}

/** Bounds that make CADO's choices finite: as ADORE's, without reconfigurations. */
export interface CadoBounds {
  /** Number of nodes: ids 1..nodes. */
  readonly nodes: number;
  /** pull chooses t from 1 + max(times[Q]) up to maxTime. */
  readonly maxTime: number;
  /** At most this many MCaches in a tree. */
  readonly maxMethods: number;
  /** Also enumerate pulls/pushes with a non-quorum Q, which change only times (default true). */
  readonly nonQuorum?: boolean;
  /** Also enumerate the explicit NOOP (oracle Fail) steps (default false). */
  readonly failSteps?: boolean;
}

export type CadoSpec<C> = Spec<AdoreState<C>, CadoStep, CadoBounds> & { readonly model: CadoModel<C> };

/**
 * No RCache, and every cache carries the root's configuration (section 3: CADO's caches). The
 * root's is CADO's configuration — up to a renaming of nodes when the explorer reduces symmetry,
 * which is why the check compares with the root rather than with `m.conf`.
 */
export function fixedConfiguration<C>(m: CadoModel<C>, st: AdoreState<C>): string | null {
  const root = st.caches[0];
  if (root === undefined) return "the tree has no root";
  for (let cid = 0; cid < st.caches.length; cid++) {
    const c = st.caches[cid]!;
    if (c.kind === "RCache") return `#${cid} is an RCache: CADO has no reconfiguration`;
    if (!m.quorums.equals(c.conf, root.conf))
      return `#${cid} has configuration ${m.quorums.print(c.conf)}, not the root's ${m.quorums.print(root.conf)}`;
  }
  return null;
}

export function cadoInvariants<C>(m: CadoModel<C>): Invariant<AdoreState<C>>[] {
  const scheme = m.adore.scheme;
  return [
    {
      name: "ReplicatedStateSafety",
      description: "Def. 4.1: all CCaches lie on one branch",
      check: (s) => replicatedStateSafety(s),
    },
    {
      name: "UniqueTimestamps",
      description: "(time, versn) is unique among E/M caches, one leader per time",
      check: (s) => uniqueTimestamps(s),
    },
    {
      name: "FixedConfiguration",
      description: "no RCache; every cache carries the root's (CADO's) configuration",
      check: (s) => fixedConfiguration(m, s),
    },
    {
      name: "WellFormed",
      description: "one root, acyclic, parents exist",
      check: (s) => wellFormed(scheme, s),
    },
    {
      name: "Times",
      description: "supporters' times ≥ cache time; times grow along branches",
      check: (s) => timesInvariant(s),
    },
  ];
}

function checkBounds<C>(m: CadoModel<C>, b: CadoBounds): void {
  const int = (field: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new CadoInputError(field, `${v} is not an integer in ${lo}..${hi}`);
  };
  int("nodes", b.nodes, 1, MAX_NODE_ID);
  int("maxTime", b.maxTime, 0, 0xffff);
  int("maxMethods", b.maxMethods, 0, 0xffff);
  const mb = m.quorums.mbrs(m.conf);
  const all = range(b.nodes);
  if ((mb & ~all) !== 0)
    throw new CadoInputError(
      "conf",
      `${m.quorums.print(m.conf)} has members ${showSet(mb & ~all)} outside the nodes 1..${b.nodes}`,
    );
}

/**
 * CADO as a Spec for the generic explorer, random walker and fast-check arbitraries. Its states
 * are ADORE states (the same tree); its steps, its rules and its invariants are CADO's own. The
 * state encoding, symmetry reduction and step enumeration are adore-core's ADORE ones with no
 * reconfigurations allowed.
 */
export function cadoSpec<C>(m: CadoModel<C>): CadoSpec<C> {
  const inner: AdoreSpec<C> = adoreSpec(m.adore);
  const adoreBounds = (b: CadoBounds) => ({
    nodes: b.nodes,
    maxTime: b.maxTime,
    maxMethods: b.maxMethods,
    maxReconfigs: 0,
    configs: [] as C[],
    ...(b.nonQuorum !== undefined ? { nonQuorum: b.nonQuorum } : {}),
    ...(b.failSteps !== undefined ? { failSteps: b.failSteps } : {}),
  });
  return {
    name: `CADO[${m.quorums.name}]`,
    model: m,
    init: (b) => {
      checkBounds(m, b);
      return initialState(m.conf, b.nodes);
    },
    enabled: (s, b) => {
      const out: CadoStep[] = [];
      for (const a of inner.enabled(s, adoreBounds(b))) {
        const c = fromAdoreStep(a);
        if (c !== undefined) out.push(c);
      }
      return out;
    },
    step: (s, a) => cadoStep(m, s, a),
    encode: (s, sink, perm) => inner.encode(s, sink, perm),
    ...(inner.decode ? { decode: inner.decode } : {}),
    ...(inner.canonicalPerms ? { canonicalPerms: inner.canonicalPerms } : {}),
    invariants: cadoInvariants(m),
    showStep: (a) => showStep(m.adore.scheme, toAdoreStep<C>(a)),
  };
}
