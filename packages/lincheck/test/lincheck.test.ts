import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  check,
  checkParsedHistory,
  explainViolation,
  formatEdnKv,
  generateKvHistory,
  type HistoryFormat,
  HistoryParseError,
  isLinearizable,
  type KvInput,
  type KvOutput,
  kvModel,
  type Model,
  type Operation,
  parseEdnKv,
  parseHistory,
  parseJepsenRegister,
  parseNdjson,
  partitionHistory,
  type RegisterInput,
  type RegisterOutput,
  type RegisterState,
  registerModel,
  renderResult,
  searchLinearization,
} from "../src/index.js";

// --- the external histories (Porcupine's test data, see <repo>/../shared/data/linearizability) ---

// <repo>/../shared/data/linearizability (vitest.shared.ts finds it)
const DATA = process.env.ADORE_LINEARIZABILITY_DATA ?? "";
const SETS: readonly { dir: string; format: HistoryFormat }[] = [
  { dir: "etcd-jepsen", format: "jepsen-register" },
  { dir: "kv", format: "edn-kv" },
];
const haveData = SETS.every((s) => existsSync(`${DATA}${s.dir}/verdicts.tsv`));
if (!haveData)
  console.warn(`\n*** lincheck: ${DATA} is absent: the external linearizability histories are SKIPPED ***\n`);

const verdicts = (dir: string): [file: string, verdict: string][] =>
  haveData
    ? readFileSync(`${DATA}${dir}/verdicts.tsv`, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => l.split("\t") as [string, string])
    : [];

describe("external histories reproduce their known verdicts", () => {
  it.skipIf(!haveData)("the data set is complete (70 etcd + 4 kv histories)", () => {
    expect(verdicts("etcd-jepsen")).toHaveLength(70);
    expect(verdicts("kv")).toHaveLength(4);
  });

  for (const { dir, format } of SETS) {
    const list = verdicts(dir);
    if (list.length === 0) it.skip(`${dir}: skipped, ${DATA} is absent`, () => {});
    for (const [file, expected] of list)
      it(`${dir}/${file}: ${expected}`, () => {
        const parsed = parseHistory(format, readFileSync(`${DATA}${dir}/${file}`, "utf8"));
        if (parsed instanceof HistoryParseError) throw parsed;
        // a budget so that a regression fails instead of hanging; shrinking kept short
        const report = checkParsedHistory(parsed, { timeoutMs: 20_000, shrinkTimeoutMs: 500 });
        expect(report.verdict).toBe(expected);
        expect(report.lines[0]).toBe(expected === "linearizable" ? "linearizable" : "not linearizable");
        const result = report.check.result;
        if (result.verdict === "not-linearizable") {
          expect(result.fragment.operations.length).toBeGreaterThan(0);
          expect(result.fragment.operations.length).toBeLessThanOrEqual(result.fragment.partitionSize);
        }
      });
  }

  // (c10-bad whole takes some 5 s more: left to the benchmark, `pnpm bench:lincheck`)
  it.skipIf(!haveData)("kv: checking key by key gives the same verdict as checking whole", () => {
    for (const [file, expected] of verdicts("kv").filter(([f]) => f !== "c10-bad.txt")) {
      const ops = parseEdnKv(readFileSync(`${DATA}kv/${file}`, "utf8"));
      if (ops instanceof HistoryParseError) throw ops;
      const model = kvModel({ absent: "" });
      const byKey = check(model, ops, { shrink: false });
      const whole = check(model, ops, { shrink: false, partition: false, timeoutMs: 10_000 });
      expect(byKey.verdict).toBe(expected);
      expect(whole.verdict).toBe(expected);
      expect(byKey.partitions).toBeGreaterThan(1);
    }
  });

  it.skipIf(!haveData)("etcd_057 (once a hang) is decided fast, and its fragment really fails", () => {
    const ops = parseJepsenRegister(readFileSync(`${DATA}etcd-jepsen/etcd_057.log`, "utf8"));
    if (ops instanceof HistoryParseError) throw ops;
    const t0 = performance.now();
    expect(isLinearizable(registerModel, ops)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
    const r = check(registerModel, ops, { shrinkTimeoutMs: 3000 });
    expect(r.verdict).toBe("not-linearizable");
    if (r.verdict !== "not-linearizable") return;
    expect(r.fragment.operations.length).toBeLessThan(r.fragment.partitionSize);
    // the fragment with its context relaxed (unknown outcomes) is still not linearisable
    const relaxed = r.fragment.context.map(
      (op): Operation<RegisterInput, RegisterOutput> => ({ ...op, ret: undefined, output: undefined }),
    );
    expect(searchLinearization(registerModel, [...r.fragment.operations, ...relaxed])).toBe(
      "not-linearizable",
    );
  });
});

// --- 50 concurrent clients (the size class of Porcupine's c50 histories) ---

const fixture = (name: string): string =>
  gunzipSync(readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)))).toString("utf8");

const C50 = [
  ["lincheck-c50-ok.edn.gz", "linearizable"],
  ["lincheck-c50-bad.edn.gz", "not-linearizable"],
] as const;
const ednModel = kvModel({ absent: "" });
const fixtureOps = (name: string) => {
  const ops = parseEdnKv(fixture(name));
  if (ops instanceof HistoryParseError) throw ops;
  return ops;
};

describe("50-client kv histories are decided (was: 72 s, then 'Map maximum size exceeded')", () => {
  // generated by bench/lincheck-scale.bench.ts gen <out> 3 50 60 10 [bad]: 3000 operations
  it("a linearizable one", () => {
    const parsed = parseHistory("edn-kv", fixture("lincheck-c50-ok.edn.gz"));
    if (parsed instanceof HistoryParseError) throw parsed;
    expect(new Set(parsed.operations.map((op) => op.client)).size).toBe(50);
    expect(checkParsedHistory(parsed, { timeoutMs: 15_000 }).verdict).toBe("linearizable");
  });
  it("one with a single stale read, found in its key", () => {
    const parsed = parseHistory("edn-kv", fixture("lincheck-c50-bad.edn.gz"));
    if (parsed instanceof HistoryParseError) throw parsed;
    const report = checkParsedHistory(parsed, { timeoutMs: 15_000, shrinkTimeoutMs: 500 });
    expect(report.verdict).toBe("not-linearizable");
    const r = report.check.result;
    if (r.verdict === "not-linearizable") expect(r.failing).toEqual(['key "4"']);
  });
  it("each key within a budget of 400,000 search steps (the search before needed more than 800,000 on one)", () => {
    for (const [name, expected] of C50) {
      const ops = fixtureOps(name);
      const verdicts = partitionHistory(ednModel, ops).map((p) =>
        searchLinearization(ednModel, p.operations, { maxSteps: 400_000 }),
      );
      expect(verdicts).not.toContain("unknown");
      expect(verdicts.filter((v) => v === "not-linearizable")).toHaveLength(
        expected === "linearizable" ? 0 : 1,
      );
    }
  });
  it("with the visited set bounded far below the configurations seen, the verdicts stay the same", () => {
    for (const [name, expected] of C50) {
      const ops = fixtureOps(name);
      const verdicts = partitionHistory(ednModel, ops).map((p) =>
        searchLinearization(ednModel, p.operations, {
          maxVisited: 1 << 8,
          deadline: performance.now() + 20_000,
        }),
      );
      expect(verdicts.includes("not-linearizable") ? "not-linearizable" : verdicts[0]).toBe(expected);
      expect(verdicts).not.toContain("unknown");
    }
  });
  it("the generator: linearizable by construction; with a violation, exactly that history fails", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const o = { seed, clients: 8, opsPerClient: 25, keys: 2 };
      const ok = generateKvHistory(o);
      const bad = generateKvHistory({ ...o, violation: true });
      const model = kvModel({ absent: "" });
      expect(check(model, ok.operations, { shrink: false }).verdict).toBe("linearizable");
      expect(check(model, bad.operations, { shrink: false }).verdict).toBe("not-linearizable");
      // only the one read differs, and the EDN form reads back as the same history
      const differing = ok.operations.filter(
        (op, i) => JSON.stringify(op) !== JSON.stringify(bad.operations[i]),
      );
      expect(differing).toHaveLength(1);
      expect(differing[0]!.input.f).toBe("get");
      const back = parseEdnKv(formatEdnKv(bad.operations));
      if (back instanceof HistoryParseError) throw back;
      expect(check(model, back, { shrink: false }).verdict).toBe("not-linearizable");
    }
  });
});

// --- hand-written histories ---

type RegOp = Operation<RegisterInput, RegisterOutput>;
const w = (client: number, call: number, ret: number | undefined, value: number): RegOp =>
  ret === undefined
    ? { client, call, ret, input: { f: "write", value }, output: undefined }
    : { client, call, ret, input: { f: "write", value }, output: { f: "write" } };
const r = (client: number, call: number, ret: number, value: RegisterState): RegOp => ({
  client,
  call,
  ret,
  input: { f: "read" },
  output: { f: "read", value },
});
const cas = (
  client: number,
  call: number,
  ret: number | undefined,
  from: number | null,
  to: number,
  ok?: boolean,
): RegOp =>
  ret === undefined || ok === undefined
    ? { client, call, ret: undefined, input: { f: "cas", from, to }, output: undefined }
    : { client, call, ret, input: { f: "cas", from, to }, output: { f: "cas", ok } };

describe("register histories", () => {
  it("sequential and overlapping histories that are linearisable", () => {
    expect(isLinearizable(registerModel, [])).toBe(true);
    expect(isLinearizable(registerModel, [r(0, 0, 1, null), w(0, 2, 3, 1), r(0, 4, 5, 1)])).toBe(true);
    // a read overlapping a write may see either value
    expect(isLinearizable(registerModel, [w(0, 0, 10, 1), r(1, 1, 2, null), r(2, 3, 4, 1)])).toBe(true);
    // cas chain
    expect(
      isLinearizable(registerModel, [
        w(0, 0, 1, 1),
        cas(1, 2, 3, 1, 2, true),
        cas(2, 4, 5, 1, 3, false),
        r(0, 6, 7, 2),
      ]),
    ).toBe(true);
    // touching intervals (return and call at the same time) are concurrent
    expect(isLinearizable(registerModel, [w(0, 0, 5, 1), r(1, 5, 6, null)])).toBe(true);
  });

  it("histories that are not", () => {
    // stale read after a completed write
    expect(isLinearizable(registerModel, [w(0, 0, 1, 1), r(1, 2, 3, null)])).toBe(false);
    // new-then-old: reads going back in time
    expect(isLinearizable(registerModel, [w(0, 0, 10, 1), r(1, 1, 2, 1), r(2, 3, 4, null)])).toBe(false);
    // a read of a value nobody wrote
    expect(isLinearizable(registerModel, [r(0, 0, 1, 7)])).toBe(false);
    // a cas that failed though the register held its `from`
    expect(isLinearizable(registerModel, [w(0, 0, 1, 1), cas(0, 2, 3, 1, 2, false), r(0, 4, 5, 1)])).toBe(
      false,
    );
  });

  it("unknown outcomes may take effect at any time after their call, or never, but never before", () => {
    // never took effect
    expect(isLinearizable(registerModel, [w(0, 0, undefined, 1), r(1, 1, 2, null), r(1, 10, 11, null)])).toBe(
      true,
    );
    // took effect late, long after other operations
    expect(isLinearizable(registerModel, [w(0, 0, undefined, 1), r(1, 1, 2, null), r(1, 100, 101, 1)])).toBe(
      true,
    );
    // but not before its call
    expect(isLinearizable(registerModel, [r(1, 0, 1, 1), w(0, 2, undefined, 1)])).toBe(false);
    // and at most once: 1, then 2, then 1 again needs two writes of 1
    expect(
      isLinearizable(registerModel, [w(0, 0, undefined, 1), r(1, 1, 2, 1), w(1, 3, 4, 2), r(1, 5, 6, 1)]),
    ).toBe(false);
    expect(
      isLinearizable(registerModel, [
        w(0, 0, undefined, 1),
        w(2, 0, undefined, 1),
        r(1, 1, 2, 1),
        w(1, 3, 4, 2),
        r(1, 5, 6, 1),
      ]),
    ).toBe(true);
    // an unknown cas that may have swapped
    expect(isLinearizable(registerModel, [w(0, 0, 1, 1), cas(1, 2, undefined, 1, 5), r(0, 10, 11, 5)])).toBe(
      true,
    );
  });

  it("a time budget gives 'unknown' instead of hanging", () => {
    // 40 concurrent writes and a read of a value nobody wrote: exponential without memoisation
    // paying off; a 50 ms budget must stop it.
    const ops: RegOp[] = Array.from({ length: 40 }, (_, i) => w(i, 0, 1000, i));
    for (let i = 0; i < 40; i++) ops.push(r(100 + i, 1 + i, 1000, i));
    ops.push(r(999, 0, 1000, 999_999));
    const t0 = performance.now();
    const res = check(registerModel, ops, { timeoutMs: 50 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(res.verdict).toBe("unknown");
    expect(renderResult(registerModel, res)[0]).toBe("unknown");
  });

  it("explains a violation with a small fragment and renders it", () => {
    const ops = [
      w(0, 0, 1, 1),
      r(1, 2, 3, 1),
      w(0, 4, 5, 2),
      r(2, 6, 7, 2),
      r(1, 8, 9, 1), // stale
      w(0, 10, 11, 3),
      r(2, 12, 13, 3),
    ];
    const res = check(registerModel, ops);
    expect(res.verdict).toBe("not-linearizable");
    if (res.verdict !== "not-linearizable") return;
    expect(res.fragment.minimal).toBe(true);
    const inputs = res.fragment.operations.map((op) => registerModel.describeInput(op.input));
    expect(inputs).toEqual(["write(1)", "write(2)", "read()"]);
    const text = renderResult(registerModel, res).join("\n");
    expect(text).toMatch(/^not linearizable/);
    expect(text).toContain("minimal");
    expect(text).toContain("write(2)");
    expect(text).toMatch(/\[-*\]/);
  });
});

// --- key-value histories ---

type KvOp = Operation<KvInput, KvOutput>;
const put = (client: number, call: number, ret: number | undefined, key: string, value: string): KvOp =>
  ret === undefined
    ? { client, call, ret, input: { f: "put", key, value }, output: undefined }
    : { client, call, ret, input: { f: "put", key, value }, output: { f: "put" } };
const get = (client: number, call: number, ret: number, key: string, value: string | null): KvOp => ({
  client,
  call,
  ret,
  input: { f: "get", key },
  output: { f: "get", value },
});
const app = (client: number, call: number, ret: number | undefined, key: string, value: string): KvOp =>
  ret === undefined
    ? { client, call, ret, input: { f: "append", key, value }, output: undefined }
    : { client, call, ret, input: { f: "append", key, value }, output: { f: "append" } };

describe("key-value histories", () => {
  const kv = kvModel();
  it("per-key partitions and verdicts", () => {
    const ok = [
      put(0, 0, 2, "a", "1"),
      put(1, 1, 3, "b", "2"),
      get(2, 4, 5, "a", "1"),
      get(2, 6, 7, "b", "2"),
    ];
    const res = check(kv, ok);
    expect(res).toMatchObject({ verdict: "linearizable", partitions: 2, operations: 4 });
    const bad = [...ok, get(3, 8, 9, "b", null)];
    const res2 = check(kv, bad);
    expect(res2.verdict).toBe("not-linearizable");
    if (res2.verdict === "not-linearizable") {
      expect(res2.failing).toEqual(['key "b"']);
      expect(res2.fragment.partition).toBe('key "b"');
    }
    expect(check(kv, bad, { partition: false }).verdict).toBe("not-linearizable");
  });

  it("appends, with unknown outcomes", () => {
    const ednKv = kvModel({ absent: "" });
    expect(
      isLinearizable(ednKv, [app(0, 0, 1, "k", "x"), app(1, 2, 3, "k", "y"), get(0, 4, 5, "k", "xy")]),
    ).toBe(true);
    expect(
      isLinearizable(ednKv, [app(0, 0, 1, "k", "x"), app(1, 2, 3, "k", "y"), get(0, 4, 5, "k", "yx")]),
    ).toBe(false);
    // a pending append that took effect, between two completed ones
    expect(
      isLinearizable(ednKv, [
        app(2, 0, undefined, "k", "z"),
        app(0, 1, 2, "k", "x"),
        app(1, 3, 4, "k", "y"),
        get(0, 5, 6, "k", "xzy"),
      ]),
    ).toBe(true);
    // but only once
    expect(
      isLinearizable(ednKv, [
        app(2, 0, undefined, "k", "z"),
        app(0, 1, 2, "k", "x"),
        get(0, 5, 6, "k", "zxz"),
      ]),
    ).toBe(false);
    // an absent key reads as "" here, as null in the service model
    expect(isLinearizable(ednKv, [get(0, 0, 1, "k", "")])).toBe(true);
    expect(isLinearizable(kv, [get(0, 0, 1, "k", "")])).toBe(false);
    expect(
      isLinearizable(kv, [put(0, 0, undefined, "k", "v"), get(0, 1, 2, "k", null), get(0, 3, 4, "k", "v")]),
    ).toBe(true);
  });
});

// --- a brute-force oracle for small histories ---

/** Try every order: linearisable iff some real-time-respecting order of a subset works. */
function bruteForce<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[]): boolean {
  const go = (state: S, left: readonly Operation<I, O>[]): boolean => {
    if (left.every((op) => op.ret === undefined)) return true;
    const firstReturn = Math.min(...left.map((op) => op.ret ?? Number.POSITIVE_INFINITY));
    return left.some((op, i) => {
      if (op.call > firstReturn) return false;
      const s = model.step(state, op.input, op.output);
      return s.ok && go(s.state, [...left.slice(0, i), ...left.slice(i + 1)]);
    });
  };
  return go(model.init, ops);
}

const smallRegisterHistory = fc
  .array(
    fc.record({
      client: fc.nat(3),
      call: fc.nat(12),
      len: fc.nat(6),
      pending: fc.boolean(),
      f: fc.constantFrom("read", "write", "cas"),
      a: fc.option(fc.nat(2), { nil: null }),
      b: fc.nat(2),
      ok: fc.boolean(),
    }),
    { maxLength: 7 },
  )
  .map((specs) =>
    specs.map((s): RegOp => {
      const ret = s.pending && s.f !== "read" ? undefined : s.call + s.len;
      if (s.f === "read") return r(s.client, s.call, s.call + s.len, s.a);
      if (s.f === "write") return w(s.client, s.call, ret, s.b);
      return cas(s.client, s.call, ret, s.a, s.b, s.ok);
    }),
  );

describe("properties", () => {
  it("the search agrees with brute force on small register histories (with unknown outcomes)", () => {
    fc.assert(
      fc.property(smallRegisterHistory, (ops) => {
        expect(isLinearizable(registerModel, ops)).toBe(bruteForce(registerModel, ops));
      }),
      { numRuns: 500 },
    );
  });

  /**
   * Run a sequential model, then give each operation an interval around its linearisation point
   * (random real-time overlap); some outcomes are forgotten. Always linearisable.
   */
  const sequentialRun = fc
    .array(
      fc.record({
        f: fc.constantFrom("read", "write", "cas"),
        a: fc.option(fc.nat(3), { nil: null }),
        b: fc.nat(3),
        before: fc.nat(30),
        after: fc.nat(30),
        forget: fc.nat(9),
      }),
      { minLength: 1, maxLength: 40 },
    )
    .map((specs) => {
      let state: RegisterState = null;
      return specs.map((s, i): RegOp => {
        const point = 10 * (i + 1);
        const call = Math.max(0, point - s.before);
        const ret = point + s.after;
        const input: RegisterInput =
          s.f === "read"
            ? { f: "read" }
            : s.f === "write"
              ? { f: "write", value: s.b }
              : { f: "cas", from: s.a, to: s.b };
        const step = registerModel.step(state, input, undefined);
        if (!step.ok) throw new Error("the register accepts every unknown outcome");
        const output: RegisterOutput =
          input.f === "read"
            ? { f: "read", value: state }
            : input.f === "write"
              ? { f: "write" }
              : { f: "cas", ok: state === input.from };
        state = step.state;
        return s.forget === 0 && input.f !== "read"
          ? { client: i, call, ret: undefined, input, output: undefined }
          : { client: i, call, ret, input, output };
      });
    });

  it("histories of a sequential run with random overlap are linearisable", () => {
    fc.assert(
      fc.property(sequentialRun, (ops) => {
        expect(check(registerModel, ops, { timeoutMs: 10_000 }).verdict).toBe("linearizable");
      }),
    );
  });

  it("…and a read mutated to a value nobody wrote breaks it, with a fragment that shows the read", () => {
    fc.assert(
      fc.property(sequentialRun, fc.nat(), (ops, pick) => {
        const reads = ops.flatMap((op, i) => (op.input.f === "read" && op.ret !== undefined ? [i] : []));
        fc.pre(reads.length > 0);
        const k = reads[pick % reads.length]!;
        const op = ops[k]!;
        const mutated = ops.map(
          (o, i): RegOp =>
            i === k && o.ret !== undefined ? { ...o, output: { f: "read", value: 1000 } } : o,
        );
        const res = check(registerModel, mutated, { timeoutMs: 10_000 });
        expect(res.verdict).toBe("not-linearizable");
        if (res.verdict === "not-linearizable") {
          expect(res.fragment.operations).toHaveLength(1);
          expect(res.fragment.operations[0]!.call).toBe(op.call);
        }
      }),
    );
  });

  it("explanations are fragments whose relaxed context still fails", () => {
    fc.assert(
      fc.property(smallRegisterHistory, (ops) => {
        fc.pre(!isLinearizable(registerModel, ops));
        const e = explainViolation(
          registerModel,
          ops.filter((op) => op.ret !== undefined || op.input.f !== "read"),
        );
        const relaxed = e.context.map((op): RegOp => ({ ...op, ret: undefined, output: undefined }));
        expect(bruteForce(registerModel, [...e.fragment, ...relaxed])).toBe(false);
        expect(e.minimal).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// --- parse errors ---

describe("parse errors are typed, with line and field", () => {
  const expectError = (e: unknown, line: number | undefined, field: string | undefined) => {
    expect(e).toBeInstanceOf(HistoryParseError);
    if (!(e instanceof HistoryParseError)) return;
    expect(e.line).toBe(line);
    expect(e.field).toBe(field);
    expect(e.message).toContain(line === undefined ? "expected" : `line ${line}`);
  };
  const J = "INFO  jepsen.util - ";
  it("jepsen-register", () => {
    expectError(parseJepsenRegister(`${J}0\t:invoke\t:read\tnil\n${J}0\t:ok\t:read\tbanana\n`), 2, "value");
    expectError(parseJepsenRegister(`junk\n${J}0\t:invoke\t:frobnicate\tnil\n`), 2, "f");
    expectError(parseJepsenRegister(`${J}0\t:ok\t:read\t1\n`), 1, "type");
    expectError(parseJepsenRegister("nothing here\n"), undefined, undefined);
    const ok = parseJepsenRegister(`${J}0\t:invoke\t:write\t3\n${J}0\t:info\t:write\t:timed-out\n`);
    expect(ok).toEqual([
      { client: 0, call: 1, ret: undefined, input: { f: "write", value: 3 }, output: undefined },
    ]);
  });
  it.skipIf(!haveData)(
    "jepsen-register: fields separated by runs of spaces, not only tabs (was: 'expected Jepsen operation lines … got none')",
    () => {
      const tabs = readFileSync(`${DATA}etcd-jepsen/etcd_000.log`, "utf8");
      const spaced = tabs.replace(/\t/g, (_, k: number) => " ".repeat(1 + (k % 3)));
      expect(spaced).not.toContain("\t");
      expect(parseJepsenRegister(spaced)).toEqual(parseJepsenRegister(tabs));
    },
  );
  it("jepsen-register: the line shapes of real Jepsen logs (timestamps, threads, extra columns, :nemesis, vectors)", () => {
    const log = [
      "2017-03-02 12:34:56,789{GMT}\tINFO\t[jepsen worker 3] jepsen.util: 3\t:invoke\t:read\tnil",
      "INFO [2017-03-02 12:34:56,801] jepsen worker 1 - jepsen.util 1\t:invoke\t:cas\t[nil 4]",
      "INFO [2017-03-02 12:34:56,802] jepsen nemesis - jepsen.util :nemesis\t:info\t:start\tnil",
      "INFO  jepsen.util - Relative time begins now",
      "2017-03-02 12:34:56,810{GMT}  INFO  [jepsen worker 3] jepsen.util: 3  :ok  :read  nil",
      "INFO  jepsen.util - 1 :ok :cas [nil,  4]",
      "3\t:invoke\t:write\t7",
      "INFO  jepsen.util - 3    :info   :write   7   indeterminate: Read timed out",
      "INFO  jepsen.util - 2 :invoke :cas [4 5]",
      "INFO  jepsen.util - 2 :fail :cas [4 5] :precondition-failed",
    ].join("\n");
    expect(parseJepsenRegister(log)).toEqual([
      { client: 3, call: 1, ret: 5, input: { f: "read" }, output: { f: "read", value: null } },
      { client: 1, call: 2, ret: 6, input: { f: "cas", from: null, to: 4 }, output: { f: "cas", ok: true } },
      { client: 3, call: 7, ret: undefined, input: { f: "write", value: 7 }, output: undefined },
      { client: 2, call: 9, ret: 10, input: { f: "cas", from: 4, to: 5 }, output: { f: "cas", ok: false } },
    ]);
  });
  it("jepsen-register: garbage is a typed error with its line, never skipped", () => {
    expectError(parseJepsenRegister(`${J}0 :invoke :read nil\n${J}0  :ok  :read\n`), 2, undefined);
    expectError(parseJepsenRegister(`${J}0 :invoke :read nil\n${J}0 :ok :read 1x\n`), 2, "value");
    expectError(parseJepsenRegister(`${J}x0 :invoke :read nil\n`), 1, "process");
    expectError(parseJepsenRegister(`${J}0 :invoke :cas [1 2 3]\n`), 1, "value");
    expectError(
      parseJepsenRegister(`${J}0  :invoke  :write  [1 2]\n${J}0  :ok  :write  [1 3]\n`),
      1,
      "value",
    );
  });
  it("edn-kv", () => {
    expectError(
      parseEdnKv('{:process 0, :type :invoke, :f :get, :key "k", :value nil}\n{:process 0, :type :ok'),
      2,
      "column 23",
    );
    expectError(parseEdnKv('{:process 0, :type :invoke, :f :frob, :key "k", :value nil}'), 1, ":f");
    const e = parseHistory("edn-kv", "{:process 0, :type :invoke, :f :get, :value nil}");
    expectError(e, 1, ":key");
  });
  it("ndjson", () => {
    expectError(
      parseNdjson('{"client":0,"op":"get","key":"k","call":5,"return":3,"outcome":"ok","result":null}'),
      1,
      "return",
    );
    expectError(
      parseNdjson('{"client":0,"op":"put","key":"k","value":"v","call":1,"return":2,"outcome":"ok"}\n{oops'),
      2,
      undefined,
    );
    const ok = parseNdjson(
      '{"client":0,"op":"delete","key":"k","call":1,"outcome":"unknown","error":"timeout"}',
    );
    expect(ok).toEqual([
      { client: 0, call: 1, ret: undefined, input: { f: "delete", key: "k" }, output: undefined },
    ]);
  });
});
