// Seeded generator of concurrent key-value histories (get / put / append, the EDN kv histories'
// operations), for checking the checker at scale — the size of Porcupine's c50 histories.
//
// The history is recorded from a simulated atomic store: every operation gets a call time, a
// linearisation point and a return time (call < point < return), the store applies operations in
// the order of their points, and each completed operation reports what the store answered. So
// the history is linearisable by construction (the points are a witness).
//
// With `violation: true` exactly one get's answer is replaced by a stale value, chosen so that no
// linearisation can explain it: an append A to the same key returned before the get was called,
// so A precedes the get in every linearisation; no put to the key can be linearised between A
// and the get (every put either returns before A is called or is called after the get returns),
// so the key's value at the get contains A's value (append values are unique); the stale value —
// the key's value just before A took effect — does not.

import type { KvInput, KvOutput } from "./kv.js";
import type { Operation } from "./types.js";

export type GeneratedKvOperation = Operation<KvInput, KvOutput>;

export interface KvHistoryOptions {
  readonly seed: number;
  readonly clients: number;
  /** Operations per client. */
  readonly opsPerClient: number;
  /** Distinct keys ("0" … keys−1). */
  readonly keys: number;
  /** Inject exactly one stale read (see above). */
  readonly violation?: boolean;
  /** Share of gets (default 0.5); the rest are split between put (1/5) and append (4/5). */
  readonly readRatio?: number;
}

export interface GeneratedKvHistory {
  /** Sorted by call; times are distinct integers (an event order). */
  readonly operations: readonly GeneratedKvOperation[];
  /** For a history with a violation: the index (in `operations`) of the stale get. */
  readonly violationAt?: number;
}

/** splitmix32: a small seeded generator, uniform in [0, 1). */
const rng = (seed: number): (() => number) => {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return ((t ^ (t >>> 15)) >>> 0) / 4294967296;
  };
};

interface Planned {
  readonly client: number;
  readonly call: number;
  readonly point: number;
  readonly ret: number;
  readonly input: Extract<KvInput, { f: "get" | "put" | "append" }>;
  output?: KvOutput;
  /** The key's value just before the point. */
  before?: string;
}

/** A linearisable (or, with `violation`, exactly-once-broken) concurrent kv history. */
export function generateKvHistory(o: KvHistoryOptions): GeneratedKvHistory {
  if (!(o.clients >= 1 && o.opsPerClient >= 1 && o.keys >= 1))
    throw new RangeError("generateKvHistory: clients, opsPerClient and keys must be at least 1");
  const rand = rng(o.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const readRatio = o.readRatio ?? 0.5;
  // time in fine ticks; each event gets a tick of its own (ties broken by a random fraction)
  const planned: Planned[] = [];
  for (let c = 0; c < o.clients; c++) {
    let t = int(1000);
    for (let n = 0; n < o.opsPerClient; n++) {
      const call = t + rand();
      const point = call + 1 + int(100) + rand();
      const ret = point + 1 + int(100) + rand();
      t = Math.ceil(ret) + int(50);
      const key = String(int(o.keys));
      const r = rand();
      const input: Planned["input"] =
        r < readRatio
          ? { f: "get", key }
          : r < readRatio + (1 - readRatio) / 5
            ? { f: "put", key, value: `p ${c} ${n} q` }
            : { f: "append", key, value: `x ${c} ${n} y` };
      planned.push({ client: c, call, point, ret, input });
    }
  }
  const store = new Map<string, string>();
  for (const p of [...planned].sort((a, b) => a.point - b.point)) {
    const cur = store.get(p.input.key) ?? "";
    p.before = cur;
    switch (p.input.f) {
      case "get":
        p.output = { f: "get", value: cur };
        break;
      case "put":
        store.set(p.input.key, p.input.value);
        p.output = { f: "put" };
        break;
      case "append":
        store.set(p.input.key, cur + p.input.value);
        p.output = { f: "append" };
        break;
    }
  }
  // event times → ranks (distinct integers from 1)
  const times = planned.flatMap((p) => [p.call, p.ret]).sort((a, b) => a - b);
  const rankOf = new Map(times.map((t, i) => [t, i + 1]));
  const byCall = [...planned].sort((a, b) => a.call - b.call);
  let violationAt: number | undefined;
  if (o.violation === true) {
    const putsOf = new Map<string, Planned[]>();
    for (const p of byCall)
      if (p.input.f === "put") {
        const l = putsOf.get(p.input.key);
        if (l) l.push(p);
        else putsOf.set(p.input.key, [p]);
      }
    const start = int(byCall.length);
    for (let k = 0; k < byCall.length && violationAt === undefined; k++) {
      const gi = (start + k) % byCall.length;
      const g = byCall[gi]!;
      if (g.input.f !== "get") continue;
      const key = g.input.key;
      const puts = putsOf.get(key) ?? [];
      // the latest append to the key that returned before g's call, with no put in between
      const a = byCall
        .filter((p) => p.input.f === "append" && p.input.key === key && p.ret < g.call)
        .sort((x, y) => y.ret - x.ret)
        .find((p) => puts.every((q) => q.ret < p.call || q.call > g.ret));
      if (a === undefined || a.before === undefined) continue;
      g.output = { f: "get", value: a.before };
      violationAt = gi;
    }
    if (violationAt === undefined)
      throw new RangeError("generateKvHistory: no get fits a violation; use more operations");
  }
  const operations = byCall.map(
    (p): GeneratedKvOperation => ({
      client: p.client,
      call: rankOf.get(p.call)!,
      ret: rankOf.get(p.ret)!,
      input: p.input,
      output: p.output!,
    }),
  );
  return violationAt === undefined ? { operations } : { operations, violationAt };
}

/** An EDN kv history (`edn-kv`, Porcupine's format): one line per event, in time order. */
export function formatEdnKv(ops: readonly GeneratedKvOperation[]): string {
  const events: [time: number, line: string][] = [];
  const q = (s: string): string => JSON.stringify(s);
  for (const op of ops) {
    const { input } = op;
    if (input.f !== "get" && input.f !== "put" && input.f !== "append")
      throw new RangeError(`formatEdnKv: ${input.f} has no EDN kv form`);
    const head = `{:process ${op.client}, :type`;
    const f = `:f :${input.f}, :key ${q(input.key)}`;
    const invokeValue = input.f === "get" ? "nil" : q(input.value);
    events.push([op.call, `${head} :invoke, ${f}, :value ${invokeValue}}`]);
    if (op.ret === undefined) continue;
    const okValue =
      input.f === "get" ? (op.output?.f === "get" ? q(op.output.value ?? "") : "nil") : q(input.value);
    events.push([op.ret, `${head} :ok, ${f}, :value ${okValue}}`]);
  }
  return events
    .sort((a, b) => a[0] - b[0])
    .map(([, l]) => `${l}\n`)
    .join("");
}
