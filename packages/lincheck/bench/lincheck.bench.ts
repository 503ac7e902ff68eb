// Linearizability checker benchmark: time per external history (ms) and totals per set.
//   pnpm --filter @adore/refinement bench:lincheck        (or: npx tsx bench/lincheck.bench.ts)
// Each history is parsed, then checked as `adore lincheck` does (shrinking a violation to a
// minimal fragment, 2 s budget) and without shrinking (the verdict alone).

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkParsedHistory, parseHistory } from "../src/formats.js";
import { type HistoryFormat, HistoryParseError } from "../src/parse-error.js";

// <repo>/../shared/data/linearizability, or ADORE_LINEARIZABILITY_DATA
const DATA =
  process.env.ADORE_LINEARIZABILITY_DATA ??
  fileURLToPath(new URL("../../../../shared/data/linearizability/", import.meta.url));
const SETS: readonly { dir: string; format: HistoryFormat }[] = [
  { dir: "etcd-jepsen", format: "jepsen-register" },
  { dir: "kv", format: "edn-kv" },
];

if (!existsSync(DATA)) {
  console.log(`${DATA} is absent: nothing to benchmark`);
  process.exit(0);
}

let allOk = true;
for (const { dir, format } of SETS) {
  const list = readFileSync(`${DATA}${dir}/verdicts.tsv`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t") as [string, string]);
  console.log(`\n${dir} (${format})`);
  console.log("history          ops  verdict           ms (verdict)  ms (with shrink)  fragment");
  let total = 0;
  let totalShrink = 0;
  let right = 0;
  for (const [file, expected] of list) {
    const parsed = parseHistory(format, readFileSync(`${DATA}${dir}/${file}`, "utf8"));
    if (parsed instanceof HistoryParseError) throw parsed;
    const t0 = performance.now();
    const plain = checkParsedHistory(parsed, { shrink: false });
    const t1 = performance.now();
    const full = checkParsedHistory(parsed);
    const t2 = performance.now();
    total += t1 - t0;
    totalShrink += t2 - t1;
    const ok = plain.verdict === expected && full.verdict === expected;
    if (ok) right++;
    else allOk = false;
    const r = full.check.result;
    const fragment =
      r.verdict === "not-linearizable"
        ? `${r.fragment.operations.length} ops${r.fragment.minimal ? "" : " (not minimal)"}`
        : "";
    console.log(
      `${file.padEnd(15)} ${String(parsed.operations.length).padStart(4)}  ${full.verdict.padEnd(16)} ${(
        t1 - t0
      )
        .toFixed(1)
        .padStart(
          13,
        )} ${(t2 - t1).toFixed(1).padStart(17)}  ${fragment}${ok ? "" : `  WRONG, expected ${expected}`}`,
    );
  }
  console.log(
    `${dir}: ${right}/${list.length} verdicts reproduced; total ${(total / 1000).toFixed(3)} s for the verdicts, ` +
      `${(totalShrink / 1000).toFixed(3)} s with shrinking`,
  );
}
process.exitCode = allOk ? 0 : 1;
