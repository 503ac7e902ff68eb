import { type Cache, type Cid, cacheGt } from "./cache.js";
import { has, isSubset, members, type NodeId, type NodeSet, showSet } from "./nodeset.js";
import type { Scheme } from "./scheme.js";
import {
  type AdoreState,
  activeCache,
  addLeaf,
  insertBtw,
  isLeader,
  lastCommit,
  mostRecent,
  R2violation,
  R3,
  type Recency,
  setTimes,
} from "./tree.js";

/**
 * One ADORE step with every oracle choice explicit (Figs. 10–11). `cmax`/`qok` are the oracle's
 * other outputs: they are determined by its validity conditions, so they may be omitted
 * (computed) or given (checked).
 */
export type AdoreStep<C> =
  | {
      readonly op: "pull";
      readonly nid: NodeId;
      readonly Q: NodeSet;
      readonly t: number;
      readonly cmax?: Cid;
      readonly qok?: boolean;
    }
  | { readonly op: "invoke"; readonly nid: NodeId; readonly method: string }
  | { readonly op: "reconfig"; readonly nid: NodeId; readonly ncf: C }
  | {
      readonly op: "push";
      readonly nid: NodeId;
      readonly Q: NodeSet;
      readonly cm: Cid;
      readonly qok?: boolean;
    }
  /** The NOOP rules: the oracle returns Fail (or the operation gives up); the state is unchanged. */
  | { readonly op: "fail"; readonly nid: NodeId; readonly of: "pull" | "invoke" | "reconfig" | "push" };

/** The rule of Figs. 10–11 (and the appendix's NOOP rules) that a successful step applied. */
export type AdoreRule =
  | "PULLOK"
  | "PULLOK/¬Qok" // non-quorum Q: only times change
  | "INVOKEOK"
  | "RECONFIGOK"
  | "PUSHOK"
  | "PUSHOK/¬Qok"
  | "PULLNOOP"
  | "INVOKENOOP"
  | "RECONFIGNOOP"
  | "PUSHNOOP";

/** The premise of a rule or oracle condition that did not hold. */
export type AdorePremise =
  | "nid"
  | "validSupp"
  | "times<t"
  | "times≤t"
  | "mostRecent"
  | "Qok"
  | "activeCache"
  | "isLeader"
  | "canCommit"
  | "R1plus"
  | "R2"
  | "R3"
  | "cid";

export interface Rejection {
  readonly rule: "VALIDPULLORACLE" | "VALIDPUSHORACLE" | "INVOKEOK" | "RECONFIGOK" | "FAIL";
  readonly premise: AdorePremise;
  /** e.g. `validSupp: 4 ∉ mbrs(conf(C_max))` */
  readonly message: string;
}

export type StepResult<S, R extends string = string, E = Rejection> =
  | { readonly ok: true; readonly next: S; readonly rule: R }
  | { readonly ok: false; readonly reason: E };

/**
 * Ablations for mutants (design §3). The defaults are the paper's rules; each flag set to
 * false drops one: R1⁺, R2, R3, the Q_ok test (every Q counts as a quorum), or weakens the
 * pull's `times < t` to `≤`. `recency: "raft-log"` is the variant of pull whose mostRecent
 * ignores ECaches.
 */
export interface AdoreOptions {
  readonly r1plus: boolean;
  readonly r2: boolean;
  readonly r3: boolean;
  readonly qok: boolean;
  readonly strictTime: boolean;
  readonly recency: Recency;
}

export const PAPER_RULES: AdoreOptions = {
  r1plus: true,
  r2: true,
  r3: true,
  qok: true,
  strictTime: true,
  recency: "adore",
};

/** A configured ADORE instance: a scheme (Fig. 7), the root configuration, and the rules in force. */
export interface AdoreModel<C> {
  readonly scheme: Scheme<C>;
  readonly conf0: C;
  readonly options: AdoreOptions;
}

export function adoreModel<C>(
  scheme: Scheme<C>,
  conf0: C,
  options: Partial<AdoreOptions> = {},
): AdoreModel<C> {
  return { scheme, conf0, options: { ...PAPER_RULES, ...options } };
}

type Result<C> = StepResult<AdoreState<C>, AdoreRule>;

const reject = <C>(rule: Rejection["rule"], premise: AdorePremise, message: string): Result<C> => ({
  ok: false,
  reason: { rule, premise, message },
});

/** validSupp(nid, Q, C) ≜ nid ∈ Q ∧ Q ⊆ mbrs(conf(C)) (Fig. 9); returns the failing part, if any. */
function validSuppFailure<C>(
  m: AdoreModel<C>,
  nid: NodeId,
  q: NodeSet,
  c: Cache<C>,
  name: string,
): string | undefined {
  if (!has(q, nid)) return `validSupp: ${nid} ∉ Q = ${showSet(q)}`;
  const mb = m.scheme.mbrs(c.conf);
  if (!isSubset(q, mb)) {
    const out = members(q & ~mb)[0];
    return `validSupp: ${out} ∉ mbrs(conf(${name})) = ${showSet(mb)}`;
  }
  return undefined;
}

function checkNid<C>(st: AdoreState<C>, nid: NodeId, rule: Rejection["rule"]): Result<C> | undefined {
  if (!Number.isInteger(nid) || nid < 1 || nid >= st.times.length)
    return reject(rule, "nid", `nid: ${nid} is not a node (1..${st.times.length - 1})`);
  return undefined;
}

// Fig. 10 PULLOK with Fig. 11 VALIDPULLORACLE.
function pull<C>(m: AdoreModel<C>, st: AdoreState<C>, a: Extract<AdoreStep<C>, { op: "pull" }>): Result<C> {
  const R = "VALIDPULLORACLE";
  const bad = checkNid(st, a.nid, R);
  if (bad) return bad;
  if (a.Q === 0 || (a.Q & 1) !== 0 || a.Q >>> st.times.length !== 0)
    return reject(
      R,
      "validSupp",
      `validSupp: Q = ${showSet(a.Q)} is not a set of nodes 1..${st.times.length - 1}`,
    );
  const cmax = mostRecent(st, a.Q, m.options.recency);
  if (a.cmax !== undefined && a.cmax !== cmax)
    return reject(
      R,
      "mostRecent",
      `mostRecent: C_max = #${a.cmax}, but mostRecent(tree, ${showSet(a.Q)}) = #${cmax}`,
    );
  const cm = st.caches[cmax]!;
  const vs = validSuppFailure(m, a.nid, a.Q, cm, "C_max");
  if (vs) return reject(R, "validSupp", vs);
  for (let s = 1; s < st.times.length; s++) {
    if (!(a.Q & (1 << s))) continue;
    const ts = st.times[s]!;
    if (m.options.strictTime ? !(ts < a.t) : !(ts <= a.t))
      return m.options.strictTime
        ? reject(R, "times<t", `times<t: times[${s}] = ${ts} ≮ t = ${a.t}`)
        : reject(R, "times≤t", `times≤t: times[${s}] = ${ts} > t = ${a.t}`);
  }
  const qok = !m.options.qok || m.scheme.isQuorum(a.Q, cm.conf);
  if (a.qok !== undefined && a.qok !== qok)
    return reject(R, "Qok", `Qok: isQuorum(${showSet(a.Q)}, conf(C_max)) is ${qok}, not ${a.qok}`);
  const st2 = setTimes(st, a.Q, a.t);
  if (!qok) return { ok: true, next: st2, rule: "PULLOK/¬Qok" };
  return {
    ok: true,
    next: addLeaf(st2, cmax, {
      kind: "ECache",
      caller: a.nid,
      time: a.t,
      versn: 0,
      supporters: a.Q,
      conf: cm.conf,
    }),
    rule: "PULLOK",
  };
}

/** The shared premises of INVOKEOK and RECONFIGOK: the active cache exists and its time is the caller's. */
function leaderActive<C>(st: AdoreState<C>, nid: NodeId, rule: "INVOKEOK" | "RECONFIGOK"): Result<C> | Cid {
  const bad = checkNid(st, nid, rule);
  if (bad) return bad;
  const ca = activeCache(st, nid);
  if (ca === undefined)
    return reject(rule, "activeCache", `activeCache: node ${nid} has no cache (it was never elected)`);
  const c = st.caches[ca]!;
  if (!isLeader(st, nid, c.time))
    return reject(
      rule,
      "isLeader",
      `isLeader: times[${nid}] = ${st.times[nid]} ≠ time(C_A) = ${c.time} (preempted)`,
    );
  return ca;
}

// Fig. 10 INVOKEOK.
function invoke<C>(st: AdoreState<C>, a: Extract<AdoreStep<C>, { op: "invoke" }>): Result<C> {
  const ca = leaderActive(st, a.nid, "INVOKEOK");
  if (typeof ca !== "number") return ca;
  const c = st.caches[ca]!;
  return {
    ok: true,
    next: addLeaf(st, ca, {
      kind: "MCache",
      caller: a.nid,
      time: c.time,
      versn: c.versn + 1,
      method: a.method,
      conf: c.conf,
    }),
    rule: "INVOKEOK",
  };
}

/** canReconf(tr, C, ncf) ≜ R1⁺(conf(C), ncf) ∧ R2(tr, C) ∧ R3(tr, C) (Fig. 7), under the model's ablations. */
export function canReconf<C>(m: AdoreModel<C>, st: AdoreState<C>, ca: Cid, ncf: C): Rejection | undefined {
  const c = st.caches[ca]!;
  const S = m.scheme;
  if (m.options.r1plus && !S.R1plus(c.conf, ncf))
    return {
      rule: "RECONFIGOK",
      premise: "R1plus",
      message: `R1plus: ${S.print(c.conf)} → ${S.print(ncf)} is not allowed by ${S.name}`,
    };
  if (m.options.r2) {
    const r = R2violation(st, ca);
    if (r !== undefined)
      return {
        rule: "RECONFIGOK",
        premise: "R2",
        message: `R2: RCache #${r} on the active branch is not committed`,
      };
  }
  if (m.options.r3 && !R3(st, ca))
    return {
      rule: "RECONFIGOK",
      premise: "R3",
      message: `R3: no CCache with time ${c.time} on the active branch`,
    };
  return undefined;
}

// Fig. 10 RECONFIGOK.
function reconfig<C>(
  m: AdoreModel<C>,
  st: AdoreState<C>,
  a: Extract<AdoreStep<C>, { op: "reconfig" }>,
): Result<C> {
  const ca = leaderActive(st, a.nid, "RECONFIGOK");
  if (typeof ca !== "number") return ca;
  const why = canReconf(m, st, ca, a.ncf);
  if (why) return { ok: false, reason: why };
  const c = st.caches[ca]!;
  return {
    ok: true,
    next: addLeaf(st, ca, { kind: "RCache", caller: a.nid, time: c.time, versn: c.versn + 1, conf: a.ncf }),
    rule: "RECONFIGOK",
  };
}

/**
 * canCommit(C, nid, st) ≜ (C = MCache ∨ C = RCache) ∧ caller(C) = nid ∧ isLeader(st, nid, time(C))
 * ∧ C > lastCommit(tree(st), nid) (Fig. 9). Returns the failing part, if any.
 */
export function canCommitFailure<C>(st: AdoreState<C>, cm: Cid, nid: NodeId): string | undefined {
  const c = st.caches[cm];
  if (c === undefined) return `canCommit: no cache #${cm}`;
  if (c.kind !== "MCache" && c.kind !== "RCache")
    return `canCommit: #${cm} is an ${c.kind}, not an MCache or RCache`;
  if (c.caller !== nid) return `canCommit: caller(#${cm}) = ${c.caller} ≠ ${nid}`;
  if (!isLeader(st, nid, c.time))
    return `canCommit: times[${nid}] = ${st.times[nid]} ≠ time(#${cm}) = ${c.time}`;
  const lc = lastCommit(st, nid);
  if (!cacheGt(c, st.caches[lc]!)) {
    const l = st.caches[lc]!;
    return `canCommit: #${cm} (${c.time},${c.versn}) ≯ lastCommit = #${lc} (${l.time},${l.versn})`;
  }
  return undefined;
}

export function canCommit<C>(st: AdoreState<C>, cm: Cid, nid: NodeId): boolean {
  return canCommitFailure(st, cm, nid) === undefined;
}

// Fig. 10 PUSHOK with Fig. 11 VALIDPUSHORACLE.
function push<C>(m: AdoreModel<C>, st: AdoreState<C>, a: Extract<AdoreStep<C>, { op: "push" }>): Result<C> {
  const R = "VALIDPUSHORACLE";
  const bad = checkNid(st, a.nid, R);
  if (bad) return bad;
  const c = st.caches[a.cm];
  if (c === undefined || !Number.isInteger(a.cm)) return reject(R, "cid", `cid: no cache #${a.cm}`);
  const cc = canCommitFailure(st, a.cm, a.nid);
  if (cc) return reject(R, "canCommit", cc);
  const vs = validSuppFailure(m, a.nid, a.Q, c, "C_M");
  if (vs) return reject(R, "validSupp", vs);
  for (let s = 1; s < st.times.length; s++) {
    if (!(a.Q & (1 << s))) continue;
    const ts = st.times[s]!;
    if (!(ts <= c.time)) return reject(R, "times≤t", `times≤t: times[${s}] = ${ts} > time(C_M) = ${c.time}`);
  }
  const qok = !m.options.qok || m.scheme.isQuorum(a.Q, c.conf);
  if (a.qok !== undefined && a.qok !== qok)
    return reject(R, "Qok", `Qok: isQuorum(${showSet(a.Q)}, conf(C_M)) is ${qok}, not ${a.qok}`);
  const st2 = setTimes(st, a.Q, c.time);
  if (!qok) return { ok: true, next: st2, rule: "PUSHOK/¬Qok" };
  return {
    ok: true,
    next: insertBtw(st2, a.cm, {
      kind: "CCache",
      caller: a.nid,
      time: c.time,
      versn: c.versn,
      supporters: a.Q,
      conf: c.conf,
    }),
    rule: "PUSHOK",
  };
}

const NOOP = { pull: "PULLNOOP", invoke: "INVOKENOOP", reconfig: "RECONFIGNOOP", push: "PUSHNOOP" } as const;

/** One ADORE transition 𝕆 ⊢ op : st ⇝ st' (Fig. 10), or the premise that rules it out. */
export function step<C>(m: AdoreModel<C>, st: AdoreState<C>, a: AdoreStep<C>): Result<C> {
  switch (a.op) {
    case "pull":
      return pull(m, st, a);
    case "invoke":
      return invoke(st, a);
    case "reconfig":
      return reconfig(m, st, a);
    case "push":
      return push(m, st, a);
    case "fail": {
      const bad = checkNid(st, a.nid, "FAIL");
      return bad ?? { ok: true, next: st, rule: NOOP[a.of] };
    }
    default: {
      const never: never = a;
      throw new Error(`unknown ADORE step ${JSON.stringify(never)}`);
    }
  }
}

export function showStep<C>(scheme: Scheme<C>, a: AdoreStep<C>): string {
  switch (a.op) {
    case "pull":
      return `pull(S${a.nid}, Q=${showSet(a.Q)}, t=${a.t})`;
    case "invoke":
      return `invoke(S${a.nid}, ${a.method})`;
    case "reconfig":
      return `reconfig(S${a.nid}, ${scheme.print(a.ncf)})`;
    case "push":
      return `push(S${a.nid}, Q=${showSet(a.Q)}, C_M=#${a.cm})`;
    case "fail":
      return `${a.of}(S${a.nid}) fails`;
    default: {
      const never: never = a;
      return String(never);
    }
  }
}
