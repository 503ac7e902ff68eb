// The history and model vocabulary of the linearizability checker.

/** A completed call: it returned `output` at time `ret` (ret ≥ call). */
export interface CompletedOperation<I, O> {
  readonly client: number;
  readonly call: number;
  readonly ret: number;
  readonly input: I;
  readonly output: O;
}

/**
 * A call whose outcome is unknown (a time-out, Jepsen's `:info`): it may have taken effect at any
 * time after `call`, or never. The checker treats it as pending until the end of the history.
 */
export interface PendingOperation<I> {
  readonly client: number;
  readonly call: number;
  readonly ret: undefined;
  readonly input: I;
  readonly output: undefined;
}

/**
 * One operation of a client history. `call` and `ret` are times on one clock (line numbers for the
 * Jepsen and EDN formats, nanoseconds for NDJSON); `ret` is undefined exactly when the outcome is
 * unknown. Two operations whose return and call carry the same time count as concurrent.
 */
export type Operation<I, O> = CompletedOperation<I, O> | PendingOperation<I>;

export type StepResult<S> = { readonly ok: true; readonly state: S } | { readonly ok: false };

export const REJECT: StepResult<never> = { ok: false };
export const accept = <S>(state: S): StepResult<S> => ({ ok: true, state });

/** A group of operations that the checker may decide on its own (P-compositionality). */
export interface Partition<I, O> {
  /** A readable name: `key "x"`, or the keys of a group joined by range operations. */
  readonly label: string;
  /** The keys the group covers (empty for a model without keys). */
  readonly keys: readonly string[];
  readonly operations: readonly Operation<I, O>[];
}

/**
 * A sequential specification. Models are pure: `step` never mutates `state`, and two states with
 * the same `stateKey` must behave identically (the checker memoises on it).
 */
export interface Model<S, I, O> {
  readonly name: string;
  readonly init: S;
  /**
   * Apply `input` to `state`. With a known `output`, reject if the specification cannot produce it;
   * with `output === undefined` (unknown outcome) always accept, with the state the operation
   * would leave whatever it returned — an operation can always take effect. (The checker relies
   * on it: a pending operation linearised after everything else is one that never took effect.)
   */
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /** A canonical string for memoisation: equal keys ⇔ equivalent states. */
  stateKey(state: S): string;
  /**
   * Optional: a canonical string for an input, equal exactly for equal inputs. With it the search
   * treats pending operations with the same input as interchangeable (it only ever applies the
   * earliest-called unused one), which keeps histories with many unknown outcomes tractable.
   */
  inputKey?(input: I): string;
  /**
   * Optional pruning. May the read-only `input`, which returned `output`, still be linearised after
   * applying some of `writes` (any subset, in any order, each any number of times) to `state`?
   * Answer false only when certainly not; the search then abandons the configuration (the read's
   * return comes first, so only these writes can still precede it).
   */
  mayReach?(state: S, input: I, output: O, writes: readonly I[]): boolean;
  /** True for operations that never change the state (reads): pending ones are dropped. */
  isReadOnly(input: I): boolean;
  /**
   * Split a history into independently checkable groups (no operation of one group can observe or
   * affect another). Absent: the history is one object and is checked whole.
   */
  partition?(operations: readonly Operation<I, O>[]): readonly Partition<I, O>[];
  describeInput(input: I): string;
  describeOutput(output: O): string;
}
