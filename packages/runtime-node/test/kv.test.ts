import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type KvCommand,
  type KvRequest,
  type KvResult,
  KvSnapshotError,
  KvStateMachine,
} from "../src/kv/index.js";
import { encode } from "../src/wire/codec.js";

const req = (clientId: string, seq: number, cmd: KvCommand): KvRequest => ({ clientId, seq, ...cmd });

describe("KvStateMachine commands", () => {
  it("put / get / delete / cas / range", () => {
    const kv = new KvStateMachine();
    let seq = 0;
    const run = (cmd: KvCommand): KvResult => kv.apply(req("c", ++seq, cmd));
    expect(run({ op: "get", key: "a" })).toEqual({ ok: true, op: "get", value: null });
    expect(run({ op: "put", key: "a", value: "1" })).toEqual({ ok: true, op: "put", prev: null });
    expect(run({ op: "put", key: "a", value: "2" })).toEqual({ ok: true, op: "put", prev: "1" });
    expect(run({ op: "cas", key: "a", expected: "1", value: "3" })).toEqual({
      ok: true,
      op: "cas",
      swapped: false,
      current: "2",
    });
    expect(run({ op: "cas", key: "a", expected: "2", value: "3" })).toMatchObject({
      swapped: true,
      current: "3",
    });
    expect(run({ op: "cas", key: "b", expected: null, value: "b0" })).toMatchObject({ swapped: true });
    expect(run({ op: "cas", key: "b", expected: null, value: "b1" })).toMatchObject({
      swapped: false,
      current: "b0",
    });
    for (const k of ["p/3", "p/1", "q", "p/2", "p"]) run({ op: "put", key: k, value: k.toUpperCase() });
    expect(run({ op: "range", prefix: "p/", limit: 2 })).toEqual({
      ok: true,
      op: "range",
      items: [
        ["p/1", "P/1"],
        ["p/2", "P/2"],
      ],
      more: true,
    });
    expect(run({ op: "range", prefix: "p", limit: 10 })).toMatchObject({
      items: [
        ["p", "P"],
        ["p/1", "P/1"],
        ["p/2", "P/2"],
        ["p/3", "P/3"],
      ],
      more: false,
    });
    expect(run({ op: "range", prefix: "", limit: 100 })).toMatchObject({ more: false });
    expect(run({ op: "delete", key: "p/2" })).toEqual({ ok: true, op: "delete", prev: "P/2" });
    expect(run({ op: "delete", key: "p/2" })).toEqual({ ok: true, op: "delete", prev: null });
    expect(run({ op: "range", prefix: "p/", limit: 10 })).toMatchObject({
      items: [
        ["p/1", "P/1"],
        ["p/3", "P/3"],
      ],
    });
    expect(kv.size).toBe(6);
  });

  it("refuses bad commands with the field and the rule", () => {
    const kv = new KvStateMachine({ maxKeyLength: 4, maxRangeLimit: 10 });
    const cases: Array<[unknown, string]> = [
      [null, "(request)"],
      [[1], "(request)"],
      [{ seq: 1, op: "get", key: "a" }, "clientId"],
      [{ clientId: "", seq: 1, op: "get", key: "a" }, "clientId"],
      [{ clientId: "c", seq: 0, op: "get", key: "a" }, "seq"],
      [{ clientId: "c", seq: 1.5, op: "get", key: "a" }, "seq"],
      [{ clientId: "c", seq: 2, op: "frobnicate" }, "op"],
      [{ clientId: "c", seq: 3, op: "get" }, "key"],
      [{ clientId: "c", seq: 4, op: "get", key: "" }, "key"],
      [{ clientId: "c", seq: 5, op: "get", key: "toolong" }, "key"],
      [{ clientId: "c", seq: 6, op: "put", key: "a", value: 7 }, "value"],
      [{ clientId: "c", seq: 7, op: "cas", key: "a", value: "v" }, "expected"],
      [{ clientId: "c", seq: 8, op: "cas", key: "a", expected: 1, value: "v" }, "expected"],
      [{ clientId: "c", seq: 9, op: "range", prefix: "a", limit: 0 }, "limit"],
      [{ clientId: "c", seq: 10, op: "range", prefix: "a", limit: 11 }, "limit"],
      [{ clientId: "c", seq: 11, op: "range", prefix: "a" }, "limit"],
    ];
    for (const [r, field] of cases) {
      const out = kv.apply(r);
      expect(out.ok, JSON.stringify(r)).toBe(false);
      if (!out.ok) {
        expect(out.error.code).toBe("BadCommand");
        expect(out.error.field).toBe(field);
        expect(out.error.rule.length).toBeGreaterThan(0);
      }
    }
    expect(kv.size).toBe(0);
    expect(kv.applyEncoded(Buffer.from([0xc1]))).toMatchObject({ ok: false, error: { field: "(encoding)" } });
    expect(kv.applyEncoded(encode(req("z", 1, { op: "put", key: "k", value: "v" })))).toMatchObject({
      ok: true,
    });
  });
});

describe("exactly-once sessions", () => {
  it("returns the cached result for a retry and changes nothing", () => {
    const kv = new KvStateMachine();
    const first = kv.apply(req("c", 1, { op: "put", key: "a", value: "1" }));
    kv.apply(req("d", 1, { op: "put", key: "a", value: "2" }));
    const before = kv.snapshot();
    expect(kv.apply(req("c", 1, { op: "put", key: "a", value: "1" }))).toEqual(first);
    expect(kv.snapshot()).toEqual(before);
    kv.apply(req("c", 2, { op: "get", key: "a" }));
    const older = kv.apply(req("c", 1, { op: "put", key: "a", value: "1" }));
    expect(older).toMatchObject({ ok: false, error: { code: "Stale", field: "seq" } });
    expect(kv.peek("a")).toBe("2");
  });

  it("a retried bad command gets the same refusal", () => {
    const kv = new KvStateMachine();
    const r = kv.apply({ clientId: "c", seq: 1, op: "nope" });
    expect(kv.apply({ clientId: "c", seq: 1, op: "nope" })).toEqual(r);
  });

  it("expires the least recently active sessions, deterministically", () => {
    const kv = new KvStateMachine({ maxSessions: 2 });
    kv.apply(req("a", 1, { op: "put", key: "x", value: "1" }));
    kv.apply(req("b", 1, { op: "get", key: "x" }));
    kv.apply(req("a", 2, { op: "get", key: "x" })); // a is now the most recent
    kv.apply(req("c", 1, { op: "get", key: "x" })); // evicts b
    expect(kv.sessionCount).toBe(2);
    // a's session survived: its retry is deduplicated.
    expect(kv.apply(req("a", 2, { op: "put", key: "x", value: "ignored" }))).toMatchObject({ op: "get" });
    // b's session expired: its retry is applied again (the documented cost of expiry).
    expect(kv.apply(req("b", 1, { op: "put", key: "x", value: "again" }))).toMatchObject({ op: "put" });
    expect(kv.peek("x")).toBe("again");
  });
});

// --- properties -------------------------------------------------------------------------------

const keyArb = fc.constantFrom("a", "ab", "abc", "b", "ba", "c");
const valueArb = fc.constantFrom("0", "1", "2", "");
const cmdArb: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant("put" as const), key: keyArb, value: valueArb }),
  fc.record({ op: fc.constant("get" as const), key: keyArb }),
  fc.record({ op: fc.constant("delete" as const), key: keyArb }),
  fc.record({ op: fc.constant("cas" as const), key: keyArb, expected: fc.option(valueArb), value: valueArb }),
  fc.record({
    op: fc.constant("range" as const),
    prefix: fc.constantFrom("", "a", "b", "ab"),
    limit: fc.integer({ min: 1, max: 4 }),
  }),
);

/** Commands from a few clients, each client's seqs increasing (with gaps allowed). */
const historyArb: fc.Arbitrary<KvRequest[]> = fc
  .array(fc.tuple(fc.constantFrom("c1", "c2", "c3", "c4"), fc.integer({ min: 1, max: 2 }), cmdArb), {
    maxLength: 60,
  })
  .map((steps) => {
    const seqs = new Map<string, number>();
    return steps.map(([client, step, cmd]) => {
      const seq = (seqs.get(client) ?? 0) + step;
      seqs.set(client, seq);
      return req(client, seq, cmd);
    });
  });

describe("properties", () => {
  it("applying with random duplicates equals applying deduplicated", () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(fc.tuple(fc.nat(), fc.nat())),
        fc.integer({ min: 1, max: 5 }),
        (hist, dups, maxSessions) => {
          // Retransmissions: request hist[j] delivered again right after hist[i], for j ≤ i.
          const after = new Map<number, number[]>();
          for (const [a, b] of dups) {
            if (hist.length === 0) break;
            const i = a % hist.length;
            const j = b % (i + 1);
            after.set(i, [...(after.get(i) ?? []), j]);
          }
          const clean = new KvStateMachine({ maxSessions: 10 });
          const expected = hist.map((r) => clean.apply(r));
          const noisy = new KvStateMachine({ maxSessions: 10 });
          hist.forEach((r, i) => {
            expect(noisy.apply(r)).toEqual(expected[i]);
            for (const j of after.get(i) ?? []) {
              const before = noisy.snapshot();
              const out = noisy.apply(hist[j]!);
              // The latest request of that client gets its cached result; older ones are Stale.
              const latest = hist.slice(0, i + 1).findLast((x) => x.clientId === hist[j]!.clientId)!;
              if (latest.seq === hist[j]!.seq) expect(out).toEqual(expected[hist.indexOf(latest)]);
              else expect(out).toMatchObject({ ok: false, error: { code: "Stale" } });
              expect(noisy.snapshot()).toEqual(before);
            }
          });
          expect(noisy.snapshot()).toEqual(clean.snapshot());
          // Determinism under session expiry: two replicas agree byte for byte.
          const r1 = new KvStateMachine({ maxSessions });
          const r2 = new KvStateMachine({ maxSessions });
          for (const r of hist) expect(r1.apply(r)).toEqual(r2.apply(r));
          expect(r1.snapshot()).toEqual(r2.snapshot());
          expect(r1.sessionCount).toBeLessThanOrEqual(maxSessions);
        },
      ),
    );
  });

  it("snapshot / restore is equivalent to the original, for later commands and retries", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (hist, cut) => {
        const k = cut % (hist.length + 1);
        const a = new KvStateMachine({ maxSessions: 3 });
        for (const r of hist.slice(0, k)) a.apply(r);
        const b = new KvStateMachine({ maxSessions: 3 });
        b.apply(req("junk", 1, { op: "put", key: "zzz", value: "replaced by restore" }));
        expect(b.restore(a.snapshot())).toBeUndefined();
        expect(b.snapshot()).toEqual(a.snapshot());
        // Retries of the prefix and the rest of the history behave identically.
        for (const r of [...hist.slice(0, k), ...hist.slice(k)]) expect(b.apply(r)).toEqual(a.apply(r));
        expect(b.snapshot()).toEqual(a.snapshot());
      }),
    );
  });

  it("refuses bad snapshots and keeps its state", () => {
    const kv = new KvStateMachine();
    kv.apply(req("c", 1, { op: "put", key: "a", value: "1" }));
    const snap = kv.snapshot();
    const bads = [
      Buffer.from([0xc1]),
      encode({ v: 2, kv: [], sessions: [] }),
      encode({ v: 1, kv: ["a"], sessions: [] }),
      encode({ v: 1, kv: ["b", "1", "a", "2"], sessions: [] }),
      encode({ v: 1, kv: [], sessions: [["c", 0, { ok: true }]] }),
      encode({ v: 1, kv: [], sessions: [["c", 1, null]] }),
      snap.subarray(0, snap.length - 1),
    ];
    for (const b of bads) expect(kv.restore(b)).toBeInstanceOf(KvSnapshotError);
    expect(kv.snapshot()).toEqual(snap);
  });
});
