// The fault harness's client workload: K concurrent clients over a small, rotating key space doing
// get / put (unique values) / cas, plus puts to write-once keys, each operation recorded with its
// invocation and completion time (process.hrtime, one monotonic clock for every client) and its
// outcome — ok, fail (the service said it was not performed) or unknown (a time-out, a connection
// lost mid-request: it may have taken effect) — in the NDJSON history format of
// @adore/refinement (parse-ndjson.ts), where "unknown" is Jepsen's :info.
//
// Keys rotate: each of the `keys` slots is used for `opsPerKey` operations and then replaced by a
// fresh key (Jepsen's "independent" keys), which bounds every partition of the history the checker
// has to search however long the run.

import type { NdjsonRecord } from "@adore/lincheck";
import { AdoreClient } from "@adore/runtime-node";
import { AdoreError } from "@adore/runtime-node";
import type { FaultRng } from "./rng.js";

export type OpKind = "get" | "put" | "cas" | "once";
export type Outcome = "ok" | "fail" | "unknown";

/** A recorded history: NDJSON records on one nanosecond clock starting at construction. */
export class History {
  private readonly t0 = process.hrtime.bigint();
  readonly records: NdjsonRecord[] = [];
  /** Nanoseconds since the history began. */
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }
  add(r: NdjsonRecord): void {
    this.records.push(r);
  }
  /** The history as NDJSON (one line per operation), the format `parseNdjson` reads. */
  toNdjson(): string {
    return this.records.map((r) => `${JSON.stringify(r)}\n`).join("");
  }
}

export interface OpCounts {
  ok: number;
  fail: number;
  unknown: number;
}

export interface WorkloadStats {
  readonly ops: Record<OpKind, OpCounts>;
  casSwapped: number;
  casNotSwapped: number;
}

export interface WorkloadOptions {
  /** Client addresses of every node; client i tries node i mod n first (its "home"). */
  readonly endpoints: readonly string[];
  readonly clients: number;
  /** Keys in use at any time (default 3). */
  readonly keys?: number;
  /** Operations on a key before its slot moves to a fresh key (default 120). */
  readonly opsPerKey?: number;
  /** Share of operations that are puts to write-once keys (default 0.05). */
  readonly writeOnceRatio?: number;
  /** Largest pause between two operations of one client, ms (default 10). */
  readonly thinkMs?: number;
  /** Most operations per client (default 1 000 000). */
  readonly maxOpsPerClient?: number;
  readonly attemptTimeoutMs?: number;
  readonly timeoutMs?: number;
  readonly rng: FaultRng;
  readonly history: History;
}

/** Client number of the final reads in the history. */
export const FINAL_READER = 1_000_000;

const READ_CLASS: ReadonlySet<string> = new Set(["get"]);
/** Write errors that say the write was not performed. Everything else is an unknown outcome. */
const DEFINITE_WRITE_ERRORS: ReadonlySet<string> = new Set(["BadRequest", "Stale", "Unsupported"]);

/** The outcome an error leaves an operation with. */
export function outcomeOf(op: string, e: unknown): "fail" | "unknown" {
  if (READ_CLASS.has(op)) return "fail"; // a read that returned nothing had no effect
  if (e instanceof AdoreError && DEFINITE_WRITE_ERRORS.has(e.code)) return "fail";
  return "unknown";
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 200);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Workload {
  readonly stats: WorkloadStats = {
    ops: {
      get: { ok: 0, fail: 0, unknown: 0 },
      put: { ok: 0, fail: 0, unknown: 0 },
      cas: { ok: 0, fail: 0, unknown: 0 },
      once: { ok: 0, fail: 0, unknown: 0 },
    },
    casSwapped: 0,
    casNotSwapped: 0,
  };
  /** Every rotating key used. */
  readonly keysUsed = new Set<string>();
  /** Write-once keys: the value written and the outcome of the put. */
  readonly onceKeys = new Map<string, { value: string; outcome: Outcome }>();
  private readonly slots: Array<{ gen: number; used: number }>;
  /** The latest value seen per key (what cas expects). */
  private readonly latest = new Map<string, string | null>();
  private readonly clients: AdoreClient[] = [];
  private loops: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly o: WorkloadOptions) {
    this.slots = Array.from({ length: o.keys ?? 3 }, () => ({ gen: 0, used: 0 }));
  }

  private client(home: number): AdoreClient {
    const n = this.o.endpoints.length;
    const endpoints = Array.from({ length: n }, (_, k) => this.o.endpoints[(home + k) % n]!);
    const c = new AdoreClient({
      endpoints,
      attemptTimeoutMs: this.o.attemptTimeoutMs ?? 1000,
      timeoutMs: this.o.timeoutMs ?? 2500,
      backoffMaxMs: 200,
    });
    this.clients.push(c);
    return c;
  }

  private key(rng: FaultRng): string {
    const s = rng.range(0, this.slots.length - 1);
    const slot = this.slots[s]!;
    if (slot.used >= (this.o.opsPerKey ?? 120)) {
      slot.gen++;
      slot.used = 0;
    }
    slot.used++;
    const k = `k${s}.${slot.gen}`;
    this.keysUsed.add(k);
    return k;
  }

  start(): void {
    for (let i = 0; i < this.o.clients; i++) this.loops.push(this.run(i, this.o.rng.fork()));
  }

  /** Stops every client after its current operation and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.loops = [];
  }

  close(): void {
    this.stopped = true;
    for (const c of this.clients) c.close();
  }

  private async run(i: number, rng: FaultRng): Promise<void> {
    const n = Math.max(1, this.o.endpoints.length);
    // reads and writes on separate connections: a write's redirect to the leader must not move the
    // reads off their home node (a node that serves stale reads is then read from; see the test)
    const writer = this.client(i % n);
    const reader = this.client(i % n);
    const h = this.o.history;
    let gen = 0;
    const max = this.o.maxOpsPerClient ?? 1_000_000;
    const onceRatio = this.o.writeOnceRatio ?? 0.05;
    for (let seq = 0; seq < max && !this.stopped; seq++) {
      const client = i + this.o.clients * gen;
      const value = `v${i}-${seq}`;
      const r = rng.next();
      let outcome: Outcome;
      if (r < onceRatio) {
        const key = `once/${i}/${seq}`;
        outcome = await this.exec(h, "once", client, { op: "put", key, value }, async () => {
          await writer.put(key, value);
          return undefined;
        });
        this.onceKeys.set(key, { value, outcome });
      } else {
        const key = this.key(rng);
        const r2 = rng.next();
        if (r2 < 0.5)
          outcome = await this.exec(h, "get", client, { op: "get", key }, async () => {
            const v = await reader.get(key);
            this.latest.set(key, v);
            return v;
          });
        else if (r2 < 0.75)
          outcome = await this.exec(h, "put", client, { op: "put", key, value }, async () => {
            await writer.put(key, value);
            this.latest.set(key, value);
            return undefined;
          });
        else {
          const expected = this.latest.get(key) ?? null;
          outcome = await this.exec(h, "cas", client, { op: "cas", key, expected, value }, async () => {
            const res = await writer.cas(key, expected, value);
            if (res.swapped) this.stats.casSwapped++;
            else this.stats.casNotSwapped++;
            this.latest.set(key, res.swapped ? value : res.current);
            return res.swapped;
          });
        }
      }
      // after an unknown outcome the client is a new process, as in Jepsen (the old one may linger)
      if (outcome === "unknown") gen++;
      const think = this.o.thinkMs ?? 10;
      if (think > 0) await sleep(rng.range(0, think));
    }
  }

  private async exec(
    h: History,
    kind: OpKind,
    client: number,
    fields: Pick<NdjsonRecord, "op" | "key" | "value" | "expected">,
    f: () => Promise<string | null | boolean | undefined>,
  ): Promise<Outcome> {
    const call = h.now();
    try {
      const result = await f();
      const ret = h.now();
      h.add({
        client,
        ...fields,
        call,
        return: ret,
        outcome: "ok",
        ...(result !== undefined ? { result } : {}),
      });
      this.stats.ops[kind].ok++;
      return "ok";
    } catch (e) {
      const ret = h.now();
      const outcome = outcomeOf(fields.op, e);
      h.add({ client, ...fields, call, return: ret, outcome, error: errText(e) });
      this.stats.ops[kind][outcome]++;
      return outcome;
    }
  }
}
