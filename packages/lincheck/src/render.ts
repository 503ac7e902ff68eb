// Readable output: verdicts and non-linearisable fragments as a table with a timeline.

import type { CheckResult, Fragment } from "./checker.js";
import type { Model, Operation } from "./types.js";

/** How times read: line numbers of the history file, or nanoseconds. */
export type TimeUnit = "line" | "ns";

export interface RenderOptions {
  readonly time?: TimeUnit;
}

const pad = (s: string, w: number): string => s + " ".repeat(Math.max(0, w - [...s].length));

const showTime = (t: number | undefined, unit: TimeUnit): string =>
  t === undefined ? "unknown" : unit === "line" ? `line ${t}` : `${t} ns`;

/**
 * One row per operation in call order: client, call and return times, the operation, what it
 * returned, and a timeline in which every distinct event time is one step (so overlaps show);
 * `[` is the call, `]` the return, and an unknown outcome runs on to the end (`>`).
 */
export function renderOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  options: RenderOptions = {},
): string[] {
  const unit = options.time ?? "line";
  const sorted = [...ops].sort((a, b) => a.call - b.call);
  const times = [
    ...new Set(sorted.flatMap((op) => (op.ret === undefined ? [op.call] : [op.call, op.ret]))),
  ].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const width = times.length * 2 + 1;
  const rows = sorted.map((op, i) => {
    const from = rank.get(op.call)! * 2;
    const to = op.ret === undefined ? width - 1 : rank.get(op.ret)! * 2;
    let bar = " ".repeat(from);
    bar +=
      op.ret === undefined ? `[${"-".repeat(Math.max(0, to - from - 1))}>` : `[${"-".repeat(to - from - 1)}]`;
    return [
      `#${i + 1}`,
      String(op.client),
      showTime(op.call, unit),
      showTime(op.ret, unit),
      model.describeInput(op.input),
      op.output === undefined ? "?" : model.describeOutput(op.output),
      bar,
    ];
  });
  const header = ["op", "client", "call", "return", "operation", "returned", "timeline"];
  const cols = header.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...r[c]!].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : pad(cell, cols[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A fragment under a heading that says where it comes from and whether it is minimal. */
export function renderFragment<S, I, O>(
  model: Model<S, I, O>,
  fragment: Fragment<I, O>,
  options: RenderOptions = {},
): string[] {
  const n = fragment.operations.length;
  const what = fragment.minimal
    ? `a minimal non-linearizable fragment (forgetting the result of any one of its operations makes it linearizable)`
    : `a non-linearizable fragment (shrinking stopped early, it may not be minimal)`;
  return [
    `${fragment.partition}: ${what}: ${n} of its ${fragment.partitionSize} operation${fragment.partitionSize === 1 ? "" : "s"}`,
    ...renderOperations(model, fragment.operations, options).map((l) => `  ${l}`),
    ...(fragment.context.length === 0
      ? []
      : [
          `  (it fails whatever the other ${fragment.context.length} state-changing operation${
            fragment.context.length === 1 ? "" : "s"
          } called before its last return did: each taken to have had effect ${
            fragment.contextRepeats ? "any number of times" : "once or never"
          }, at any time after its call)`,
        ]),
  ];
}

/** The verdict line (`linearizable`, `not linearizable` or `unknown`) and the details under it. */
export function renderResult<S, I, O>(
  model: Model<S, I, O>,
  result: CheckResult<I, O>,
  options: RenderOptions = {},
): string[] {
  const size = `${result.operations} operation${result.operations === 1 ? "" : "s"} in ${result.partitions} partition${
    result.partitions === 1 ? "" : "s"
  } (model: ${model.name})`;
  switch (result.verdict) {
    case "linearizable":
      return ["linearizable", `  ${size}`];
    case "not-linearizable": {
      const others = result.failing.length - 1;
      return [
        "not linearizable",
        `  ${size}; failing: ${result.failing.slice(0, 8).join(", ")}${result.failing.length > 8 ? ", …" : ""}`,
        ...renderFragment(model, result.fragment, options).map((l) => `  ${l}`),
        ...(others > 0 ? [`  (${others} other failing partition${others === 1 ? "" : "s"} not shown)`] : []),
      ];
    }
    case "unknown":
      return [
        "unknown",
        `  ${size}; the time limit left undecided: ${result.undecided.slice(0, 8).join(", ")}${
          result.undecided.length > 8 ? ", …" : ""
        }`,
      ];
  }
}
