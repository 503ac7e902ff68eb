// Micro-benchmark of the pure core alone: a 3-node in-memory cluster, messages delivered FIFO,
// storage "durable" at once (the `persisted` input follows every append), no ghost checks.
// Prints entries committed per second for several batch sizes and the ratio to unbatched.
// Run: pnpm --filter @adore/raft-net bench   (or: npx tsx --conditions @adore/source bench/core.bench.ts)
import { range, type Scheme } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import { type Message, newServer, params, type RaftServer, stepServer } from "../src/index.js";

const scheme = getScheme("raft-single").scheme as unknown as Scheme<number>;

function run(batch: number, seconds: number): { entries: number; perSecond: number } {
  const p = params({ scheme, options: { maxEntriesPerMessage: 256, maxInflight: 64 } });
  const servers = new Map<number, RaftServer<number>>();
  for (const id of [1, 2, 3]) servers.set(id, newServer(id, { config: range(3), learners: 0 }, p));
  const queue: Message<number>[] = [];
  let head = 0;
  const feed = (id: number, input: Parameters<typeof stepServer<number>>[1]) => {
    const r = stepServer(servers.get(id)!, input, p);
    let s = r.server;
    const pe = r.outputs.persist?.entries;
    if (pe && pe.entries.length > 0) {
      const last = pe.entries[pe.entries.length - 1]!;
      const r2 = stepServer(s, { type: "persisted", index: last.index, term: last.term }, p);
      s = r2.server;
      for (const m of r2.outputs.messages) queue.push(m);
    }
    servers.set(id, s);
    for (const m of r.outputs.messages) queue.push(m);
  };
  const drain = () => {
    while (head < queue.length) {
      const m = queue[head++]!;
      feed(m.to, { type: "receive", msg: m });
    }
    queue.length = 0;
    head = 0;
  };
  feed(1, { type: "campaign" });
  drain();
  const commands = Array.from({ length: batch }, (_, i) => `put k${i} v${i}`);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const first = servers.get(1)!.commit;
  // keep a few batches in flight so replication pipelines
  while (performance.now() < deadline) {
    for (let i = 0; i < 4; i++) feed(1, { type: "propose", commands });
    drain();
  }
  const elapsed = (performance.now() - start) / 1000;
  const entries = servers.get(1)!.commit - first;
  return { entries, perSecond: entries / elapsed };
}

const seconds = Number(process.argv[2] ?? 3);
run(64, 0.5); // warm up the JIT
const base = run(1, seconds);
console.log(`batch    1: ${Math.round(base.perSecond).toLocaleString("en")} entries committed/s`);
for (const b of [16, 64, 256]) {
  const r = run(b, seconds);
  console.log(
    `batch ${String(b).padStart(4)}: ${Math.round(r.perSecond).toLocaleString("en")} entries committed/s (${(r.perSecond / base.perSecond).toFixed(1)}× unbatched)`,
  );
}
