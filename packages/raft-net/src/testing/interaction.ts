// The etcd-style datadriven interaction runner (testdata/*.txt): the script format is
// interaction/script.ts, argument parsing interaction/args.ts, printers interaction/show.ts, the
// session interaction/session.ts, the commands interaction/commands/*.ts, and the dispatch table
// interaction/interpreter.ts. The interpreter drives an in-memory cluster (cluster.ts) exactly as
// the simulator does.
import { Interpreter } from "./interaction/interpreter.js";
import {
  type BlockResult,
  type Mismatch,
  mismatchesOf,
  rewriteScript,
  runBlocksWith,
  type ScriptOptions,
} from "./interaction/script.js";

export { COMMANDS, Interpreter } from "./interaction/interpreter.js";
export {
  type BlockResult,
  type CommandTable,
  type Fail,
  type Mismatch,
  mismatchesOf,
  parseScript,
  printScript,
  rewriteScript,
  runBlocksWith,
  runCommand,
  runTableBlocks,
  type ScriptBlock,
  ScriptError,
  type ScriptOptions,
  type TableCommand,
} from "./interaction/script.js";

/** Runs every block of a script on one fresh interpreter. */
export function runBlocks(text: string, opts: ScriptOptions = {}): BlockResult[] {
  const it = new Interpreter(opts);
  return runBlocksWith(text, opts.file ?? "", (command, line) => it.run(command, line));
}

/** Runs a script; returns it with every block's output replaced by what the command printed. */
export function runScript(text: string, opts: ScriptOptions = {}): string {
  return rewriteScript(runBlocks(text, opts));
}

/** The blocks whose actual output differs from the expected one. */
export function compareScript(text: string, opts: ScriptOptions = {}): Mismatch[] {
  return mismatchesOf(runBlocks(text, opts));
}
