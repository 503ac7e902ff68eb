import { type LatencySummary, summarize } from "./stats.js";

export interface LoadOptions {
  /** Concurrent clients (each issues its next request when the previous one completes). */
  readonly clients: number;
  readonly seconds: number;
  /** Issues one request for client `c`, its `n`-th; resolves when acknowledged. */
  readonly op: (c: number, n: number) => Promise<void>;
}

export interface LoadResult {
  readonly ops: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly seconds: number;
  readonly opsPerSecond: number;
  readonly latency: LatencySummary;
}

/** A closed-loop load generator: N clients, each with one request in flight, for a fixed time. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + o.seconds * 1000;
  const client = async (c: number) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const t0 = performance.now();
      try {
        await o.op(c, n);
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  const seconds = (performance.now() - start) / 1000;
  return {
    ops: latencies.length,
    errors,
    firstError,
    seconds,
    opsPerSecond: latencies.length / seconds,
    latency: summarize(latencies),
  };
}
