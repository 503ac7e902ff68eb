// The datadriven script format of etcd-raft's testdata/*.txt: a file of blocks separated by blank
// lines, each a command line, `----`, and the output the command is expected to print. Lines
// starting with `#` before a command are comments (kept when a file is rewritten). Shared by the
// interaction runner and the core's datadriven tests (quorum, confchange, progress), each of which
// brings its own command table (runCommand, runTableBlocks).
import { Args, tokenize } from "./args.js";

/** A bad script: an unknown command, a bad argument, a malformed block. Names the line. */
export class ScriptError extends Error {
  constructor(
    readonly line: number,
    readonly command: string,
    readonly why: string,
    readonly file = "",
  ) {
    super(`${file ? `${file}:` : "line "}${line}: ${command ? `${command}: ` : ""}${why}`);
    this.name = "ScriptError";
  }
}

export interface ScriptBlock {
  /** 1-based line number of the command line. */
  readonly line: number;
  /** Comment lines (with their `#`) before the command. */
  readonly comments: readonly string[];
  readonly command: string;
  /** The expected output (lines joined by "\n", no trailing newline; "" for none). */
  readonly expected: string;
}

export interface ScriptOptions {
  /** File name used in errors. */
  readonly file?: string;
  /** Most deliveries `stabilize` makes before giving up (default 10,000). */
  readonly maxDeliveries?: number;
}

export interface BlockResult {
  readonly block: ScriptBlock;
  readonly actual: string;
}

export interface Mismatch {
  readonly line: number;
  readonly command: string;
  readonly expected: string;
  readonly actual: string;
}

const SEP = "----";

/** Splits a script into its blocks (throws ScriptError on a block without `----`). */
export function parseScript(text: string, file = ""): ScriptBlock[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks: ScriptBlock[] = [];
  let i = 0;
  let comments: string[] = [];
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === "") {
      i++;
      continue;
    }
    if (l.startsWith("#")) {
      comments.push(l);
      i++;
      continue;
    }
    const line = i + 1;
    const command = l.trim();
    if (lines[i + 1] !== SEP)
      throw new ScriptError(line, command, `expected "${SEP}" on the next line`, file);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") out.push(lines[i++]!);
    blocks.push({ line, comments, command, expected: out.join("\n") });
    comments = [];
  }
  return blocks;
}

/** Prints blocks back as a script (the canonical layout REWRITE=1 produces). */
export function printScript(blocks: readonly { block: ScriptBlock; output: string }[]): string {
  const parts = blocks.map(({ block, output }) =>
    [...block.comments, block.command, SEP, ...(output === "" ? [] : [output])].join("\n"),
  );
  return `${parts.join("\n\n")}\n`;
}

/** Runs every block of a script through `run` (one command line → its output), in order. */
export function runBlocksWith(
  text: string,
  file: string,
  run: (command: string, line: number) => string,
): BlockResult[] {
  return parseScript(text, file).map((block) => ({ block, actual: run(block.command, block.line) }));
}

/** A failure of the current command (throws the ScriptError naming its line). */
export type Fail = (why: string) => never;

/** One command of a table: reads its arguments, works on the script's state `S`, prints to `out`. */
export type TableCommand<S> = (state: S, a: Args, out: string[], fail: Fail, name: string) => void;

/** A script's commands by the name it uses them under (an unknown command lists them in this order). */
export type CommandTable<S> = Readonly<Record<string, TableCommand<S>>>;

/** Runs one command line of `table` on `state`; returns its output (throws ScriptError on a bad command). */
export function runCommand<S>(
  table: CommandTable<S>,
  state: S,
  command: string,
  line: number,
  file: string,
): string {
  const tokens = tokenize(command);
  const name = tokens[0] ?? "";
  const fail: Fail = (why) => {
    throw new ScriptError(line, name, why, file);
  };
  const cmd = Object.hasOwn(table, name) ? table[name] : undefined;
  if (cmd === undefined) return fail(`unknown command (known: ${Object.keys(table).join(", ")})`);
  const out: string[] = [];
  cmd(state, new Args(tokens.slice(1), fail), out, fail, name);
  return out.join("\n");
}

/** Runs every block of a script through `table`, all on one `state`. */
export function runTableBlocks<S>(
  text: string,
  file: string,
  table: CommandTable<S>,
  state: S,
): BlockResult[] {
  return runBlocksWith(text, file, (command, line) => runCommand(table, state, command, line, file));
}

/** The blocks whose actual output differs from the expected one. */
export function mismatchesOf(results: readonly BlockResult[]): Mismatch[] {
  const out: Mismatch[] = [];
  for (const { block, actual } of results)
    if (actual !== block.expected)
      out.push({ line: block.line, command: block.command, expected: block.expected, actual });
  return out;
}

/** The script with every block's output replaced by what its command printed (REWRITE=1). */
export function rewriteScript(results: readonly BlockResult[]): string {
  return printScript(results.map((r) => ({ block: r.block, output: r.actual })));
}
