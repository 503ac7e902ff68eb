import {
  type AdoreRule,
  type AdoreState,
  type AdoreStep,
  type Cid,
  branch,
  checkInvariants,
  commonAncestor,
  mostRecent,
  type Rejection,
  safetyWitness,
  showSet,
  step,
} from "@adore/adore-core";
import type { BuiltModel } from "./model.js";
import { parseStep } from "./steps.js";

/** One step tried on a state: accepted (the rule that fired) or rejected (the premise that failed; state unchanged). */
export interface Attempt {
  readonly step: AdoreStep<unknown>;
  /** The step as `showStep` prints it. */
  readonly text: string;
  readonly outcome:
    | { readonly ok: true; readonly rule: AdoreRule }
    | { readonly ok: false; readonly reason: Rejection };
  readonly before: AdoreState<unknown>;
  readonly after: AdoreState<unknown>;
  /** What the step stands for (the Fig. 12 example's narration). */
  readonly note?: string;
}

/** A walk through the state space: the initial state and the steps tried from it, in order. */
export interface Walk {
  readonly initial: AdoreState<unknown>;
  readonly attempts: readonly Attempt[];
}

/** Tries `a` on `st` under the model's rules (adore-core's `step`): the attempt, accepted or not. */
export function attempt(m: BuiltModel, st: AdoreState<unknown>, a: AdoreStep<unknown>): Attempt {
  const r = step(m.spec.model, st, a);
  const text = m.spec.showStep(a);
  return r.ok
    ? { step: a, text, outcome: { ok: true, rule: r.rule }, before: st, after: r.next }
    : { step: a, text, outcome: { ok: false, reason: r.reason }, before: st, after: st };
}

/** Replays steps from the model's initial state; a rejected step is kept (state unchanged) and the replay goes on. */
export function replaySteps(m: BuiltModel, steps: Iterable<AdoreStep<unknown>>): Walk {
  const initial = m.spec.init(m.bounds);
  const attempts: Attempt[] = [];
  let st = initial;
  for (const a of steps) {
    const at = attempt(m, st, a);
    attempts.push(at);
    st = at.after;
  }
  return { initial, attempts };
}

/** The same from step texts (a shared link's trace); a text that does not read throws StepSyntaxError. */
export function replayTexts(m: BuiltModel, texts: readonly string[]): Walk {
  return replaySteps(
    m,
    texts.map((t) => parseStep(m.entry, t)),
  );
}

/** The walk with `a` tried after its first `upTo` steps (the rest dropped): manual mode's "take this step". */
export function extend(m: BuiltModel, w: Walk, upTo: number, a: AdoreStep<unknown>): Walk {
  const kept = w.attempts.slice(0, upTo);
  const st = kept.length ? kept[kept.length - 1]!.after : w.initial;
  return { initial: w.initial, attempts: [...kept, attempt(m, st, a)] };
}

/** The two branches that break Replicated State Safety: from their fork (exclusive) down to each CCache. */
export interface Conflict {
  readonly a: Cid;
  readonly b: Cid;
  readonly fork: Cid;
  readonly branchA: readonly Cid[];
  readonly branchB: readonly Cid[];
}

export function conflictOf(st: AdoreState<unknown>): Conflict | undefined {
  const w = safetyWitness(st);
  if (w === null) return undefined;
  const [a, b] = w;
  const fork = commonAncestor(st, a, b);
  const below = (x: Cid) => {
    const p = branch(st, x);
    return p.slice(p.indexOf(fork) + 1);
  };
  return { a, b, fork, branchA: below(a), branchB: below(b) };
}

/** What the stepper shows at one position: 0 is the initial state, i the state after step i. */
export interface Frame {
  readonly index: number;
  readonly total: number;
  readonly state: AdoreState<unknown>;
  readonly attempt?: Attempt;
  /** The step's oracle choices, one `name = value` each (including the ones the model computes). */
  readonly oracle: readonly string[];
  /** The cache this step added (a new leaf, or the CCache a push inserted). */
  readonly added?: Cid;
  /** The first invariant (of those checked) the state violates. */
  readonly violation?: { readonly invariant: string; readonly message: string };
  readonly conflict?: Conflict;
}

/** The oracle's choices of a step on `st`, as the figures name them. */
export function oracleChoices(m: BuiltModel, st: AdoreState<unknown>, a: AdoreStep<unknown>): string[] {
  const { scheme, options } = m.spec.model;
  const qok = (q: number, conf: unknown) =>
    options.qok ? String(scheme.isQuorum(q, conf)) : "true (Q_ok test dropped)";
  switch (a.op) {
    case "pull": {
      const cmax = mostRecent(st, a.Q, options.recency);
      const c = st.caches[cmax]!;
      return [
        `Q = ${showSet(a.Q)}`,
        `t = ${a.t}`,
        `C_max = mostRecent(tree, Q) = #${cmax} (conf ${scheme.print(c.conf)}${options.recency === "raft-log" ? ", raft-log recency" : ""})`,
        `Q_ok = isQuorum(Q, conf(C_max)) = ${qok(a.Q, c.conf)}`,
      ];
    }
    case "push": {
      const c = st.caches[a.cm];
      return [
        `Q = ${showSet(a.Q)}`,
        `C_M = #${a.cm}`,
        ...(c ? [`Q_ok = isQuorum(Q, conf(C_M)) = ${qok(a.Q, c.conf)}`] : []),
      ];
    }
    case "invoke":
      return [`method = ${a.method}`];
    case "reconfig":
      return [`ncf = ${scheme.print(a.ncf)}`];
    case "fail":
      return ["oracle = Fail"];
    default: {
      const never: never = a;
      return [String(never)];
    }
  }
}

export function frameAt(m: BuiltModel, w: Walk, index: number): Frame {
  const total = w.attempts.length;
  const i = Math.max(0, Math.min(total, Math.trunc(index)));
  const at = i > 0 ? w.attempts[i - 1] : undefined;
  const state = at ? at.after : w.initial;
  const invs = m.explore.invariants
    ? m.spec.invariants.filter((v) => m.explore.invariants!.includes(v.name))
    : m.spec.invariants;
  const violation = checkInvariants(invs, state);
  const conflict = conflictOf(state);
  const added =
    at && at.after.caches.length > at.before.caches.length ? at.after.caches.length - 1 : undefined;
  return {
    index: i,
    total,
    state,
    ...(at ? { attempt: at } : {}),
    oracle: at ? oracleChoices(m, at.before, at.step) : [],
    ...(added !== undefined ? { added } : {}),
    ...(violation ? { violation } : {}),
    ...(conflict ? { conflict } : {}),
  };
}

/** The stepper's keyboard: → / j / l forward, ← / k / h back, Home and End; other keys leave it. */
export function keyStep(index: number, total: number, key: string): number {
  switch (key) {
    case "ArrowRight":
    case "l":
    case "j":
      return Math.min(total, index + 1);
    case "ArrowLeft":
    case "h":
    case "k":
      return Math.max(0, index - 1);
    case "Home":
      return 0;
    case "End":
      return total;
    default:
      return index;
  }
}
