// The checker's entry point: drop what cannot matter, partition (P-compositionality), search each
// partition, and shrink the first failing one to a minimal fragment.

import { searchLinearization } from "./search.js";
import { explainViolation } from "./shrink.js";
import type { Model, Operation, Partition } from "./types.js";

export interface CheckOptions {
  /** Check each partition of the model on its own (default true); false checks the history whole. */
  readonly partition?: boolean;
  /** Shrink the first failing partition to a minimal fragment (default true). */
  readonly shrink?: boolean;
  /**
   * Time budget per history: give up with verdict "unknown" after this many milliseconds
   * (default: no limit). Shrinking stops at this deadline too.
   */
  readonly timeoutMs?: number;
  /**
   * Time budget for shrinking a violation, in milliseconds (default 2000); when it runs out the
   * fragment found so far is reported, marked as possibly not minimal.
   */
  readonly shrinkTimeoutMs?: number;
}

const DEFAULT_SHRINK_MS = 2000;

/**
 * Why a partition is not linearisable (see `explainViolation`): completed operations whose calls,
 * returns and results admit no linearisation even if every other state-changing operation of the
 * partition (`context`) may take effect at any time after its call, or never.
 */
export interface Fragment<I, O> {
  /** The partition it comes from (`key "x"`, or "history" when checked whole). */
  readonly partition: string;
  /** The fragment, sorted by call time. */
  readonly operations: readonly Operation<I, O>[];
  /** The state-changing operations called before the fragment's last return, as recorded. */
  readonly context: readonly Operation<I, O>[];
  /** The fragment fails even if each context operation may take effect any number of times. */
  readonly contextRepeats: boolean;
  /** How many operations the partition had (after dropping pending reads). */
  readonly partitionSize: number;
  /** True when relaxing any one operation of the fragment makes it linearisable. */
  readonly minimal: boolean;
}

interface Counts {
  /** Operations checked: the history without pending read-only operations. */
  readonly operations: number;
  readonly partitions: number;
}

export type CheckResult<I, O> =
  | ({ readonly verdict: "linearizable" } & Counts)
  | ({
      readonly verdict: "not-linearizable";
      /** Every failing partition (all are searched), in the model's partition order. */
      readonly failing: readonly string[];
      /** A minimal fragment of the first failing partition. */
      readonly fragment: Fragment<I, O>;
    } & Counts)
  | ({
      readonly verdict: "unknown";
      /** The partitions the time limit left undecided; every other partition is linearisable. */
      readonly undecided: readonly string[];
    } & Counts);

export type Verdict = CheckResult<unknown, unknown>["verdict"];

/** Pending read-only operations can neither be observed nor change anything: drop them. */
export function relevantOperations<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
): Operation<I, O>[] {
  return history.filter((op) => op.ret !== undefined || !model.isReadOnly(op.input));
}

/** The partitions `check` works on: the model's, or the whole history as one. */
export function partitionHistory<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  partition = true,
): readonly Partition<I, O>[] {
  const ops = relevantOperations(model, history);
  if (partition && model.partition) return model.partition(ops);
  return [{ label: "history", keys: [], operations: ops }];
}

/** Decide linearisability of one group of operations, with no partitioning and no shrinking. */
export function isLinearizable<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[]): boolean {
  return searchLinearization(model, relevantOperations(model, history)) === "linearizable";
}

/**
 * Check `history` for linearisability with respect to `model` (which starts in `model.init`).
 * Throws a RangeError for an operation that returns before its call.
 */
export function check<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions = {},
): CheckResult<I, O> {
  const deadline = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
  const search = deadline === undefined ? {} : { deadline };
  const parts = partitionHistory(model, history, options.partition ?? true);
  const counts: Counts = {
    operations: parts.reduce((n, p) => n + p.operations.length, 0),
    partitions: parts.length,
  };
  const failing: Partition<I, O>[] = [];
  const undecided: string[] = [];
  for (const p of parts) {
    const r = searchLinearization(model, p.operations, search);
    switch (r) {
      case "linearizable":
        break;
      case "not-linearizable":
        failing.push(p);
        break;
      case "unknown":
        undecided.push(p.label);
        break;
    }
  }
  const first = failing[0];
  if (first === undefined)
    return undecided.length === 0
      ? { verdict: "linearizable", ...counts }
      : { verdict: "unknown", undecided, ...counts };
  const shrunk =
    options.shrink === false
      ? {
          fragment: [...first.operations].sort((a, b) => a.call - b.call),
          context: [],
          contextRepeats: false,
          minimal: false,
        }
      : explainViolation(model, first.operations, {
          deadline: Math.min(
            deadline ?? Number.POSITIVE_INFINITY,
            performance.now() + (options.shrinkTimeoutMs ?? DEFAULT_SHRINK_MS),
          ),
        });
  return {
    verdict: "not-linearizable",
    failing: failing.map((p) => p.label),
    fragment: {
      partition: first.label,
      operations: shrunk.fragment,
      context: shrunk.context,
      contextRepeats: shrunk.contextRepeats,
      partitionSize: first.operations.length,
      minimal: shrunk.minimal,
    },
    ...counts,
  };
}
