// Ad-hoc: write throughput of a fresh in-process 3-node cluster with N concurrent clients.
//   node --conditions=@adore/source --import tsx test/fixtures/bench-throughput.ts [clients] [ms]
import { AdoreClient } from "@adore/runtime-node";
import { TestCluster } from "@adore/runtime-node/testing";

const n = Number(process.argv[2] ?? 50);
const ms = Number(process.argv[3] ?? 3000);
const cluster = await TestCluster.start(3);
const leader = await cluster.waitLeader();
const clients = Array.from({ length: n }, () => new AdoreClient({ endpoints: cluster.endpoints() }));
await clients[0]!.put("warm", "up");
let done = 0;
const lat: number[] = [];
const t0 = Date.now();
await Promise.all(
  clients.map(async (c, i) => {
    for (let j = 0; Date.now() - t0 < ms; j++) {
      const s = performance.now();
      await c.put(`bench/${i}`, String(j));
      lat.push(performance.now() - s);
      done++;
    }
  }),
);
const secs = (Date.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const text = await leader.metrics.registry.metrics();
const fsyncs = Number(/adore_fsync_seconds_count\{node="\d+"\} (\d+)/.exec(text)?.[1]);
const fsyncSum = Number(/adore_fsync_seconds_sum\{node="\d+"\} ([\d.e-]+)/.exec(text)?.[1]);
console.log(
  JSON.stringify({
    clients: n,
    writesPerSec: Math.round(done / secs),
    p50ms: lat[Math.floor(lat.length * 0.5)]?.toFixed(2),
    p99ms: lat[Math.floor(lat.length * 0.99)]?.toFixed(2),
    leaderFsyncs: fsyncs,
    writesPerFsync: (done / fsyncs).toFixed(1),
    meanFsyncMs: ((fsyncSum / fsyncs) * 1000).toFixed(2),
  }),
);
for (const c of clients) c.close();
await cluster.close();
