// Explaining a violation: a small set of operations whose calls, returns and results cannot be
// linearised, however the rest of the history behaves.
//
// Simply dropping operations while the history stays non-linearisable gives misleading answers:
// drop the write of 3 and a read of 3 is a violation on its own, whatever really happened.
// Linearisability is not preserved by taking sub-histories, only by *weakenings*: if H is
// linearisable, it stays so when we
//   - drop a completed operation that changes nothing (a read: its place in H's linearisation
//     simply disappears), or
//   - forget a completed operation's return and result, making it pending (it may then take
//     effect at any time after its call, or never — in particular where it did in H).
// So the checker looks for a fragment F of completed operations such that the history
// H_F = F ∪ {every other state-changing operation, pending} is still not linearisable. That
// proves H is not (H_F is a weakening of H), and F alone is not linearisable either (dropping a
// pending operation can only remove options). F is shrunk by delta debugging until it is
// 1-minimal: forgetting the return and result of any one of its operations makes H_F
// linearisable.
//
// The context — the pending state-changing operations called before F's last return — is
// reported with F. The ones called later can take effect after all of F, so they cannot matter.

import { type SearchOptions, searchLinearization } from "./search.js";
import type { Model, Operation, PendingOperation } from "./types.js";

export interface Explanation<I, O> {
  /** Completed operations whose returns and results together admit no linearisation (by call). */
  readonly fragment: readonly Operation<I, O>[];
  /**
   * The other state-changing operations called before the fragment's last return, as recorded:
   * the fragment fails even when each of these may take effect at any time after its call, or
   * never. (Sorted by call.)
   */
  readonly context: readonly Operation<I, O>[];
  /**
   * True: the fragment fails even when each context operation may take effect any number of
   * times; false: at most once each (the violation depends on it).
   */
  readonly contextRepeats: boolean;
  /** True when no operation of the fragment can be relaxed; false if the deadline cut it short. */
  readonly minimal: boolean;
}

/** How long explaining may take. */
export interface ExplainOptions {
  /** Stop shrinking (keeping what is left: `minimal` false) once this `performance.now()` time passes. */
  readonly deadline?: number;
  /**
   * Search steps allowed for one candidate fragment (default 2^18, a few hundred milliseconds at
   * most); a candidate whose search runs out is kept as it is (`minimal` false).
   */
  readonly maxStepsPerSearch?: number;
}

const DEFAULT_STEPS = 1 << 18;
/** Steps for the quick try with repeatable context operations. */
const REPEAT_STEPS = 1 << 12;

const byCall = <I, O>(a: Operation<I, O>, b: Operation<I, O>): number => a.call - b.call;

const relax = <I, O>(op: Operation<I, O>): PendingOperation<I> =>
  op.ret === undefined
    ? op
    : { client: op.client, call: op.call, ret: undefined, input: op.input, output: undefined };

/**
 * Explain why `ops` (one partition, which `model` does not linearise) is not linearisable: a
 * 1-minimal fragment and its context (see the module comment). `ops` should already be without
 * pending read-only operations. Bounded by `options` (see ExplainOptions); without a deadline
 * every search is still bounded by its step budget, so explaining always ends.
 */
export function explainViolation<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  options: ExplainOptions = {},
): Explanation<I, O> {
  const sorted = [...ops].sort(byCall);
  const mutating = sorted.filter((op) => !model.isReadOnly(op.input));
  const base: SearchOptions = {
    maxSteps: options.maxStepsPerSearch ?? DEFAULT_STEPS,
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  };
  const outOfTime = (): boolean => options.deadline !== undefined && performance.now() > options.deadline;

  /** The context of fragment F: every other state-changing operation called by F's last return. */
  const contextOf = (fragment: readonly Operation<I, O>[]): Operation<I, O>[] => {
    const inF = new Set(fragment);
    const end = fragment.reduce((t, op) => Math.max(t, op.ret ?? Number.POSITIVE_INFINITY), -Infinity);
    return mutating.filter((op) => !inF.has(op) && op.call <= end);
  };

  let complete = true;
  const search = (fragment: readonly Operation<I, O>[], opts: SearchOptions) =>
    searchLinearization(model, [...fragment, ...contextOf(fragment).map(relax)], opts);
  const once = base;
  const repeatedly: SearchOptions = {
    ...base,
    pendingMayRepeat: true,
    maxSteps: Math.min(base.maxSteps ?? DEFAULT_STEPS, REPEAT_STEPS),
  };
  /**
   * Does F fail with its context (each at most once)? Tried first with the context repeatable:
   * an over-approximation whose search is usually much smaller, so a failure there is a quick
   * proof. (With a model whose states are unbounded, such as appends, that search may not end:
   * it has few steps.)
   */
  const fails = (fragment: readonly Operation<I, O>[]): boolean => {
    if (outOfTime()) {
      complete = false;
      return false;
    }
    if (search(fragment, repeatedly) === "not-linearizable") return true;
    const r = search(fragment, once);
    if (r === "unknown") complete = false;
    return r === "not-linearizable";
  };
  const completed = sorted.filter((op) => op.ret !== undefined);

  // 1. Cut the history at the earliest time T it fails by: keep the operations that returned by
  //    T (the ones still running at T join the context). Failing by T implies failing by any later
  //    time (the cut history is a weakening), so T is found by bisection over the return times.
  const byReturn = [...completed].sort((a, b) => (a.ret ?? 0) - (b.ret ?? 0));
  const upTo = (k: number): Operation<I, O>[] => byReturn.slice(0, k).sort(byCall);
  let lo = 1;
  let hi = byReturn.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(upTo(mid))) hi = mid;
    else lo = mid + 1;
  }
  // (upTo(byReturn.length) is the whole partition, known to fail; any other hi was seen failing)
  let cur = upTo(hi);

  // 2. Delta debugging over what is left: relax chunks of consecutive operations (halving the
  //    chunk size) while the rest stays non-linearisable, then single operations until a whole
  //    pass relaxes nothing — then the fragment is 1-minimal, unless a search of that last pass
  //    ran out of steps. Read-only operations go first: dropping them adds nothing to the
  //    context, so those searches stay small and the fragment shrinks before the costly part.
  const ddmin = (removable: (op: Operation<I, O>) => boolean): void => {
    let chunk = Math.max(1, cur.filter(removable).length >> 1);
    for (;;) {
      let changed = false;
      complete = true;
      for (let start = 0; start < cur.length && !outOfTime(); ) {
        // the next `chunk` removable operations from `start` on
        const drop = new Set<Operation<I, O>>();
        let end = start;
        for (; end < cur.length && drop.size < chunk; end++) if (removable(cur[end]!)) drop.add(cur[end]!);
        if (drop.size === 0) break;
        const candidate = cur.filter((op) => !drop.has(op));
        if (candidate.length > 0 && fails(candidate)) {
          cur = candidate;
          changed = true;
        } else start = end;
      }
      if (outOfTime()) {
        complete = false;
        return;
      }
      if (chunk > 1) chunk = Math.max(1, chunk >> 1);
      else if (!changed) return;
    }
  };
  ddmin((op) => model.isReadOnly(op.input));
  ddmin(() => true);
  const contextRepeats = search(cur, repeatedly) === "not-linearizable";
  return { fragment: cur, context: contextOf(cur), contextRepeats, minimal: complete };
}
