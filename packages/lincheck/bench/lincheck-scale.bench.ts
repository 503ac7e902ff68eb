// The checker at scale: 50 concurrent clients, tens of thousands of operations (the size of
// Porcupine's c50 histories). Each history is checked in a child process of its own, as
// `adore lincheck` checks it (parse, partition by key, search, shrink a violation), and the child
// reports time and peak memory (maxRSS).
//   npx tsx bench/lincheck-scale.bench.ts                       (generated histories, seed 1)
//   npx tsx bench/lincheck-scale.bench.ts gen <out.txt> <seed> <clients> <opsPerClient> <keys> [bad]
//                                                              (write one generated EDN kv history)
//   npx tsx bench/lincheck-scale.bench.ts file <history> <format> [timeoutMs]   (check one file)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkParsedHistory, parseHistory } from "../src/formats.js";
import { type HistoryFormat, HistoryParseError } from "../src/parse-error.js";
import { formatEdnKv, generateKvHistory } from "../src/generate.js";

const [mode, ...args] = process.argv.slice(2);

function gen(out: string, seed: number, clients: number, per: number, keys: number, bad: boolean): number {
  const h = generateKvHistory({ seed, clients, opsPerClient: per, keys, violation: bad });
  writeFileSync(out, formatEdnKv(h.operations));
  return h.operations.length;
}

if (mode === "gen") {
  const [out, seed, clients, per, keys, bad] = args;
  const n = gen(out!, Number(seed), Number(clients), Number(per), Number(keys), bad === "bad");
  console.log(`${out}: ${n} operations`);
} else if (mode === "file") {
  const [file, format, timeout] = args;
  const raw = readFileSync(file!);
  const text = (file!.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const t0 = performance.now();
  const parsed = parseHistory(format as HistoryFormat, text);
  if (parsed instanceof HistoryParseError) throw parsed;
  const t1 = performance.now();
  const report = checkParsedHistory(parsed, timeout === undefined ? {} : { timeoutMs: Number(timeout) });
  const t2 = performance.now();
  console.log(
    JSON.stringify({
      ops: parsed.operations.length,
      verdict: report.verdict,
      parseMs: Math.round(t1 - t0),
      checkMs: Math.round(t2 - t1),
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      first: report.lines.slice(0, 2),
    }),
  );
} else {
  const dir = mkdtempSync(join(tmpdir(), "adore-lincheck-scale-"));
  const self = fileURLToPath(import.meta.url);
  console.log("history                         ops  verdict           parse s  check s  peak RSS MiB");
  try {
    for (const [name, bad] of [
      ["c50-ok (seed 1)", false],
      ["c50-bad (seed 1)", true],
    ] as const) {
      const f = join(dir, `${bad ? "bad" : "ok"}.txt`);
      gen(f, 1, 50, 400, 10, bad);
      const r = spawnSync(process.execPath, ["--import", "tsx", self, "file", f, "edn-kv"], {
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(r.stderr);
      const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number | string>;
      console.log(
        `${name.padEnd(28)} ${String(m.ops).padStart(6)}  ${String(m.verdict).padEnd(16)} ${(Number(m.parseMs) / 1000).toFixed(1).padStart(8)} ${(Number(m.checkMs) / 1000).toFixed(1).padStart(8)} ${String(m.maxRssMiB).padStart(13)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
