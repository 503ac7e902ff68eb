// WAL benchmark: fsyncs/s and records/s with group commit.
//   npx tsx packages/runtime-node/bench/wal.bench.ts [seconds per scenario] [payload bytes]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wal } from "../src/storage/wal.js";

const seconds = Number(process.argv[2] ?? 2);
const payloadBytes = Number(process.argv[3] ?? 128);
const root = mkdtempSync(join(tmpdir(), "adore-wal-bench-"));

interface Result {
  scenario: string;
  records: number;
  fsyncs: number;
  secs: number;
}

async function scenario(name: string, writers: number, batch: number): Promise<Result> {
  const dir = join(root, name.replace(/\W+/g, "-"));
  const { wal } = await Wal.open(dir, { clusterId: "bench", nodeId: 1 });
  const payload = Buffer.alloc(payloadBytes, 0x61);
  const batchPayloads = Array.from({ length: batch }, () => payload);
  let next = 1;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const from = next;
      next += batch;
      wal.appendEntries(from, batchPayloads);
      await wal.sync();
    }
  };
  await Promise.all(Array.from({ length: writers }, worker));
  const secs = (performance.now() - start) / 1000;
  const fsyncs = wal.stats.fsyncs;
  await wal.close();
  return { scenario: name, records: next - 1, fsyncs, secs };
}

const results: Result[] = [];
results.push(await scenario("1 writer, 1 entry/sync (no sharing)", 1, 1));
results.push(await scenario("16 writers, 1 entry/sync (group commit)", 16, 1));
results.push(await scenario("128 writers, 1 entry/sync (group commit)", 128, 1));
results.push(await scenario("4 writers, 256 entries/sync (batched)", 4, 256));
rmSync(root, { recursive: true, force: true });

console.log(`WAL bench: ${payloadBytes}-byte entries, ${seconds}s per scenario, dir under ${tmpdir()}`);
for (const r of results) {
  console.log(
    `${r.scenario.padEnd(42)} ${Math.round(r.records / r.secs)
      .toString()
      .padStart(9)} records/s ${Math.round(r.fsyncs / r.secs)
      .toString()
      .padStart(7)} fsyncs/s ${(r.records / Math.max(1, r.fsyncs)).toFixed(1).padStart(8)} records/fsync`,
  );
}
