// The golden-file loop shared by every datadriven test (etcd-raft's datadriven.RunTest): each
// `.txt` file of a directory is run block by block and compared with its expected output;
// `REWRITE=1` writes the actual outputs back instead (then read the diff).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type BlockResult,
  mismatchesOf,
  rewriteScript,
  ScriptError,
} from "../src/testing/interaction/script.js";

const REWRITE = process.env.REWRITE === "1";

/** The `.txt` files of a testdata directory, sorted. */
export function goldenFiles(dir: URL): string[] {
  return readdirSync(fileURLToPath(dir))
    .filter((f) => f.endsWith(".txt"))
    .sort();
}

/** One test per file of `dir`; `run` runs a whole file (one fresh state per file). */
export function describeGoldens(
  title: string,
  dir: URL,
  run: (text: string, file: string) => BlockResult[],
): void {
  const files = goldenFiles(dir);
  describe(title, () => {
    it("has testdata files", () => {
      expect(files.length).toBeGreaterThan(0);
    });
    for (const f of files) {
      it(f, () => {
        const path = join(fileURLToPath(dir), f);
        const text = readFileSync(path, "utf8");
        const results = run(text, f);
        if (REWRITE) {
          const actual = rewriteScript(results);
          if (actual !== text) writeFileSync(path, actual);
          return;
        }
        const mismatches = mismatchesOf(results);
        for (const m of mismatches)
          expect(
            m.actual,
            `${f}:${m.line}: ${m.command}\n--- expected\n${m.expected}\n--- actual\n${m.actual}`,
          ).toBe(m.expected);
        expect(mismatches).toEqual([]);
      });
    }
  });
}

/** Expects `run` to refuse a script with a ScriptError naming `file`, `line` and matching `re`. */
export function expectScriptError(run: () => unknown, file: string, line: number, re: RegExp): void {
  expect(run).toThrow(ScriptError);
  expect(run).toThrow(new RegExp(`${file.replace(/\./g, "\\.")}:${line}: .*${re.source}`));
}
