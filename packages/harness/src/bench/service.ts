import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdoreClient } from "@adore/runtime-node";
import { LocalCluster } from "@adore/runtime-node";
import { etcdBinary, startEtcdCluster } from "./etcd.js";
import { type LoadResult, runLoad } from "./load.js";
import { formatSummary } from "./stats.js";

export interface ServiceBenchOptions {
  readonly clients: number;
  readonly seconds: number;
  readonly valueSize: number;
  readonly keys: number;
  /** Skip the etcd peer even when it is installed. */
  readonly noEtcd?: boolean;
  readonly out?: (line: string) => void;
}

export interface ServiceBenchResult {
  readonly adore: LoadResult;
  readonly etcd: LoadResult | undefined;
  /** ours / etcd writes per second (undefined without etcd). */
  readonly ratio: number | undefined;
}

const value = (n: number) => "v".repeat(n);

type Etcd3Class = typeof import("etcd3").Etcd3;

/**
 * The etcd client, an optional peer dependency of this package (the workspace installs it): loaded
 * only when etcd is measured, with a message saying how to install it when it is missing.
 */
async function loadEtcdClient(): Promise<Etcd3Class> {
  try {
    return (await import("etcd3")).Etcd3;
  } catch (e) {
    const x = e as NodeJS.ErrnoException;
    if (x.code === "ERR_MODULE_NOT_FOUND" && /['"]etcd3['"]/.test(x.message))
      throw new Error(
        "the etcd client package etcd3 is not installed (an optional peer dependency of @adore/runtime-node): " +
          "install it with `pnpm add etcd3@1.1.2`, or pass --no-etcd",
      );
    throw e;
  }
}

async function waitForLeader(c: AdoreClient, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      await c.put("__bench_warmup", "1");
      return;
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * `adore bench`: the same closed-loop load generator (N concurrent clients, random keys from a
 * fixed key space, values of one size) against (a) a 3-node adore cluster of separate processes on
 * loopback and (b) a 3-member etcd cluster on loopback, both with fsync on, in the same run.
 */
export async function runServiceBench(o: ServiceBenchOptions): Promise<ServiceBenchResult> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  // the etcd client is loaded first, so that a missing or broken one fails before the long adore run
  const bin = o.noEtcd ? undefined : etcdBinary();
  const Etcd3 = bin ? await loadEtcdClient() : undefined;
  const v = value(o.valueSize);
  const dir = mkdtempSync(join(tmpdir(), "adore-bench-"));
  out(
    `load: ${o.clients} concurrent clients, ${o.seconds} s, puts of ${o.valueSize}-byte values over ${o.keys} keys`,
  );
  let adore: LoadResult;
  const cluster = await LocalCluster.start({ ids: [1, 2, 3], dir, logLevel: "warn", clusterId: "bench" });
  try {
    const client = new AdoreClient({
      endpoints: cluster.endpoints,
      attemptTimeoutMs: 5000,
      timeoutMs: 30_000,
    });
    await waitForLeader(client);
    // warm up the JIT and the connections
    await runLoad({
      clients: o.clients,
      seconds: 1,
      op: (c, n) => client.put(`k${(c * 7919 + n) % o.keys}`, v).then(() => {}),
    });
    adore = await runLoad({
      clients: o.clients,
      seconds: o.seconds,
      op: (c, n) => client.put(`k${(c * 7919 + n) % o.keys}`, v).then(() => {}),
    });
    client.close();
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  out(
    `adore (3 nodes, raft-single): ${Math.round(adore.opsPerSecond)} writes/s  ${formatSummary(adore.latency)}  errors=${adore.errors}`,
  );

  let etcd: LoadResult | undefined;
  if (o.noEtcd) out("etcd: skipped (--no-etcd)");
  else if (!Etcd3)
    out("etcd: not installed — skipped (install it with scripts/install-etcd.sh, or set ETCD_BIN)");
  else {
    const ec = await startEtcdCluster(3, bin);
    try {
      const client = new Etcd3({ hosts: [...ec.endpoints] });
      for (let i = 0; ; i++) {
        try {
          await client.put("__bench_warmup").value("1");
          break;
        } catch (e) {
          if (i > 100) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await runLoad({
        clients: o.clients,
        seconds: 1,
        op: (c, n) =>
          client
            .put(`k${(c * 7919 + n) % o.keys}`)
            .value(v)
            .then(() => {}),
      });
      etcd = await runLoad({
        clients: o.clients,
        seconds: o.seconds,
        op: (c, n) =>
          client
            .put(`k${(c * 7919 + n) % o.keys}`)
            .value(v)
            .then(() => {}),
      });
      client.close();
    } finally {
      await ec.stop();
    }
    out(
      `etcd 3.4 (3 members):          ${Math.round(etcd.opsPerSecond)} writes/s  ${formatSummary(etcd.latency)}  errors=${etcd.errors}`,
    );
  }
  const ratio = etcd ? adore.opsPerSecond / etcd.opsPerSecond : undefined;
  if (etcd && ratio !== undefined)
    out(
      `ratio ours/etcd: writes/s ${ratio.toFixed(2)}×, p50 ${(adore.latency.p50 / etcd.latency.p50).toFixed(2)}×, p99 ${(adore.latency.p99 / etcd.latency.p99).toFixed(2)}× (lower latency ratio is better)`,
    );
  return { adore, etcd, ratio };
}
