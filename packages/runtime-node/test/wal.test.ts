import { spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  crc32,
  crc32c,
  DataDirError,
  DataDirMismatchError,
  SnapshotStore,
  segmentName,
  Wal,
  WalCorruptError,
  WalFailedError,
  type WalOptions,
} from "../src/storage/index.js";

const root = mkdtempSync(join(tmpdir(), "adore-wal-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `d${counter++}`);
const ID = { clusterId: "c1", nodeId: 1 } as const;
const opts = (extra: Partial<WalOptions> = {}): WalOptions => ({ ...ID, ...extra });
const bytes = (s: string): Buffer => Buffer.from(s);
const text = (m: Map<number, Uint8Array>): Record<number, string> =>
  Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString()]));

/** Copies a data directory (flat) so each damage experiment starts from the same bytes. */
function cloneDir(src: string): string {
  const dst = freshDir();
  mkdirSync(dst);
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dst, f));
  return dst;
}

function lastSegment(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.startsWith("wal-"))
    .sort()
    .at(-1)!;
}

describe("crc", () => {
  it("matches known vectors", () => {
    expect(crc32(bytes("123456789"))).toBe(0xcbf43926);
    expect(crc32c(bytes("123456789"))).toBe(0xe3069283);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(bytes("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it("agrees with a bitwise reference and composes over splits", () => {
    const ref = (d: Uint8Array): number => {
      let c = 0xffffffff;
      for (const b of d) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (d, cut) => {
        const k = cut % (d.length + 1);
        expect(crc32c(d)).toBe(ref(d));
        expect(crc32c(d.subarray(k), crc32c(d.subarray(0, k)))).toBe(ref(d));
      }),
    );
  });
});

describe("Wal", () => {
  it("round-trips entries, hard state and snapshot markers", async () => {
    const dir = freshDir();
    const { wal, recovered } = await Wal.open(dir, opts());
    expect(recovered.lastIndex).toBe(0);
    expect(recovered.hardState).toBeUndefined();
    wal.appendEntries(1, [bytes("a"), bytes("b"), bytes("")]);
    wal.setHardState({ term: 3, votedFor: 2, commit: 1 });
    wal.appendEntries(4, [bytes("d")]);
    wal.setHardState({ term: 4, votedFor: 0, commit: 3 });
    await wal.sync();
    await wal.close();
    const { wal: w2, recovered: r } = await Wal.open(dir, opts());
    expect(text(r.entries)).toEqual({ 1: "a", 2: "b", 3: "", 4: "d" });
    expect([r.firstIndex, r.lastIndex]).toEqual([1, 4]);
    expect(r.hardState).toEqual({ term: 4, votedFor: 0, commit: 3 });
    expect(r.tornTail).toBeUndefined();
    // Appending continues where recovery left off.
    w2.appendEntries(5, [bytes("e")]);
    await w2.close();
    const { wal: w3, recovered: r3 } = await Wal.open(dir, opts());
    expect(r3.lastIndex).toBe(5);
    await w3.close();
  });

  it("honours truncate markers, overwriting appends and snapshot markers", async () => {
    const dir = freshDir();
    const { wal } = await Wal.open(dir, opts());
    wal.appendEntries(
      1,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => bytes(`v${i}`)),
    );
    wal.truncateFrom(6);
    expect(wal.lastIndex).toBe(5);
    wal.appendEntries(6, [bytes("n6"), bytes("n7")]);
    wal.appendEntries(3, [bytes("m3")]); // replaces 3 and everything after
    wal.appendEntries(4, [bytes("m4")]);
    expect(() => wal.appendEntries(9, [bytes("gap")])).toThrow(RangeError);
    wal.markSnapshot({ index: 2, term: 1 });
    await wal.close();
    const { wal: w2, recovered: r } = await Wal.open(dir, opts());
    expect(text(r.entries)).toEqual({ 3: "m3", 4: "m4" });
    expect([r.firstIndex, r.lastIndex]).toEqual([3, 4]);
    expect(r.snapshot).toEqual({ index: 2, term: 1 });
    await w2.close();
  });

  describe("damage", () => {
    /** A directory with two records per segment content and the byte range of the last record. */
    async function prepared(): Promise<{ dir: string; lastStart: number; size: number }> {
      const dir = freshDir();
      const { wal } = await Wal.open(dir, opts());
      wal.appendEntries(1, [bytes("one"), bytes("two")]);
      wal.setHardState({ term: 1, votedFor: 1, commit: 1 });
      wal.appendEntries(3, [bytes("three")]);
      await wal.sync();
      const lastStart = wal.stats.bytes;
      wal.appendEntries(4, [bytes("four"), bytes("five")]);
      await wal.close();
      const size = wal.stats.bytes;
      return { dir, lastStart, size };
    }

    it("cuts a torn last record at every byte offset and recovers the prefix", async () => {
      const { dir, lastStart, size } = await prepared();
      const seg = lastSegment(dir);
      const full = readFileSync(join(dir, seg));
      expect(full.length).toBe(size);
      for (let cut = lastStart; cut < size; cut++) {
        const d = cloneDir(dir);
        writeFileSync(join(d, seg), full.subarray(0, cut));
        const { wal, recovered } = await Wal.open(d, opts());
        expect(text(recovered.entries)).toEqual({ 1: "one", 2: "two", 3: "three" });
        expect(recovered.hardState).toEqual({ term: 1, votedFor: 1, commit: 1 });
        if (cut > lastStart) expect(recovered.tornTail).toMatchObject({ file: seg, offset: lastStart });
        else expect(recovered.tornTail).toBeUndefined();
        expect(readFileSync(join(d, seg)).length).toBe(lastStart);
        // The log is usable after the cut.
        wal.appendEntries(4, [bytes("again")]);
        await wal.close();
        const { wal: w2, recovered: r2 } = await Wal.open(d, opts());
        expect(text(r2.entries)[4]).toBe("again");
        expect(r2.tornTail).toBeUndefined();
        await w2.close();
      }
    });

    it("treats a bit flip anywhere in the tail record as a torn write", async () => {
      const { dir, lastStart, size } = await prepared();
      const seg = lastSegment(dir);
      const full = readFileSync(join(dir, seg));
      for (let at = lastStart; at < size; at++) {
        const d = cloneDir(dir);
        const damaged = Buffer.from(full);
        damaged[at]! ^= 1 << (at % 8);
        writeFileSync(join(d, seg), damaged);
        const { wal, recovered } = await Wal.open(d, opts());
        expect(recovered.lastIndex).toBe(3);
        expect(recovered.tornTail?.offset).toBe(lastStart);
        await wal.close();
      }
    });

    it("refuses a bit flip in any earlier record with WalCorruptError", async () => {
      const { dir, lastStart } = await prepared();
      const seg = lastSegment(dir);
      const full = readFileSync(join(dir, seg));
      for (let at = 0; at < lastStart; at++) {
        const d = cloneDir(dir);
        const damaged = Buffer.from(full);
        damaged[at]! ^= 1 << (at % 8);
        writeFileSync(join(d, seg), damaged);
        const err = await Wal.open(d, opts()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WalCorruptError);
        expect((err as WalCorruptError).file).toBe(seg);
        expect((err as WalCorruptError).offset).toBeLessThan(lastStart);
      }
    });

    it("refuses damage in a non-last segment, even at its end", async () => {
      const dir = freshDir();
      const { wal } = await Wal.open(dir, opts({ segmentSize: 128 }));
      for (let i = 1; i <= 20; i++) wal.appendEntries(i, [Buffer.alloc(40, i)]);
      await wal.close();
      const segs = wal.segmentNames();
      expect(segs.length).toBeGreaterThan(2);
      const first = join(dir, segs[0]!);
      const full = readFileSync(first);
      const cut = cloneDir(dir);
      writeFileSync(join(cut, segs[0]!), full.subarray(0, full.length - 1));
      await expect(Wal.open(cut, opts({ segmentSize: 128 }))).rejects.toBeInstanceOf(WalCorruptError);
      const flipped = cloneDir(dir);
      const damaged = Buffer.from(full);
      damaged[full.length - 1]! ^= 0x80;
      writeFileSync(join(flipped, segs[0]!), damaged);
      await expect(Wal.open(flipped, opts({ segmentSize: 128 }))).rejects.toThrow(/corrupt write-ahead log/);
    });

    it("cuts a zero-filled tail", async () => {
      const { dir, size } = await prepared();
      const seg = lastSegment(dir);
      writeFileSync(join(dir, seg), Buffer.concat([readFileSync(join(dir, seg)), Buffer.alloc(4096)]));
      const { wal, recovered } = await Wal.open(dir, opts());
      expect(recovered.lastIndex).toBe(5);
      expect(recovered.tornTail).toMatchObject({ offset: size, bytesCut: 4096 });
      await wal.close();
    });
  });

  it("rotates segments and compacts those covered by a snapshot", async () => {
    const dir = freshDir();
    const o = opts({ segmentSize: 256 });
    const { wal } = await Wal.open(dir, o);
    for (let i = 1; i <= 60; i++) {
      wal.appendEntries(i, [bytes(`entry-${i}`.padEnd(30, "."))]);
      wal.setHardState({ term: 2, votedFor: 3, commit: i - 1 });
      if (i % 7 === 0) await wal.sync();
    }
    await wal.sync();
    const segs = wal.segmentNames();
    expect(segs.length).toBeGreaterThan(5);
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith("wal-"))
        .sort(),
    ).toEqual(segs);
    expect([...segs].sort()).toEqual(segs);
    expect(segs[0]).toBe(segmentName(1));
    await expect(wal.compact(40)).rejects.toThrow(RangeError); // no snapshot yet
    wal.markSnapshot({ index: 40, term: 2 });
    const removed = await wal.compact(40);
    expect(removed.length).toBeGreaterThan(0);
    expect(removed).toEqual(segs.slice(0, removed.length));
    await wal.close();
    const { wal: w2, recovered: r } = await Wal.open(dir, o);
    expect(r.segments[0]).toBe(segs[removed.length]);
    expect([r.firstIndex, r.lastIndex]).toEqual([41, 60]);
    expect(Buffer.from(r.entries.get(41)!).toString()).toMatch(/^entry-41\./);
    expect(r.hardState).toEqual({ term: 2, votedFor: 3, commit: 59 });
    expect(r.snapshot).toEqual({ index: 40, term: 2 });
    // Compacting everything but the live segment keeps hard state via segment headers.
    w2.markSnapshot({ index: 60, term: 2 });
    await w2.compact(60);
    for (let i = 61; i <= 70; i++) w2.appendEntries(i, [bytes(`entry-${i}`.padEnd(30, "."))]);
    await w2.compact(60);
    await w2.close();
    const { wal: w3, recovered: r3 } = await Wal.open(dir, o);
    expect([r3.firstIndex, r3.lastIndex]).toEqual([61, 70]);
    expect(r3.hardState).toEqual({ term: 2, votedFor: 3, commit: 59 });
    await w3.close();
  });

  it("keeps segment names increasing across truncations", async () => {
    const dir = freshDir();
    const o = opts({ segmentSize: 128 });
    const { wal } = await Wal.open(dir, o);
    for (let i = 1; i <= 10; i++) wal.appendEntries(i, [Buffer.alloc(50, i)]);
    wal.truncateFrom(3);
    for (let i = 3; i <= 12; i++) wal.appendEntries(i, [Buffer.alloc(50, 100 + i)]);
    await wal.close();
    const segs = wal.segmentNames();
    expect(new Set(segs).size).toBe(segs.length);
    expect([...segs].sort()).toEqual(segs);
    const { wal: w2, recovered: r } = await Wal.open(dir, o);
    expect([r.firstIndex, r.lastIndex]).toEqual([1, 12]);
    expect(r.entries.get(3)![0]).toBe(103);
    expect(r.entries.get(2)![0]).toBe(2);
    await w2.close();
  });

  it("group commit: concurrent syncs share fsyncs", async () => {
    const dir = freshDir();
    let fsyncs = 0;
    const syncFile = async (fh: FileHandle) => {
      fsyncs++;
      await new Promise((r) => setTimeout(r, 15));
      await fh.datasync();
    };
    const { wal } = await Wal.open(dir, opts({ syncFile }));
    const N = 100;
    await Promise.all(
      Array.from({ length: N }, (_, k) => {
        wal.appendEntries(k + 1, [bytes(`e${k + 1}`)]);
        return wal.sync();
      }),
    );
    expect(fsyncs).toBe(1);
    // Callers arriving while an fsync is in flight all share the next one.
    wal.appendEntries(N + 1, [bytes("x")]);
    const first = wal.sync();
    await new Promise((r) => setTimeout(r, 2));
    const late = Array.from({ length: 20 }, (_, k) => {
      wal.appendEntries(N + 2 + k, [bytes("y")]);
      return wal.sync();
    });
    await Promise.all([first, ...late]);
    expect(fsyncs).toBe(3);
    expect(wal.stats.fsyncs).toBe(3);
    // Nothing new: sync resolves without an fsync.
    await wal.sync();
    expect(fsyncs).toBe(3);
    await wal.close();
    const { wal: w2, recovered } = await Wal.open(dir, opts());
    expect(recovered.lastIndex).toBe(N + 21);
    await w2.close();
  });

  it("fails loudly and permanently after an fsync error", async () => {
    const dir = freshDir();
    let fail = false;
    const syncFile = async (fh: FileHandle) => {
      if (fail) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
      await fh.datasync();
    };
    const { wal } = await Wal.open(dir, opts({ syncFile }));
    wal.appendEntries(1, [bytes("a")]);
    await wal.sync();
    fail = true;
    wal.appendEntries(2, [bytes("b")]);
    await expect(wal.sync()).rejects.toBeInstanceOf(WalFailedError);
    expect(() => wal.appendEntries(3, [bytes("c")])).toThrow(WalFailedError);
    await expect(wal.sync()).rejects.toBeInstanceOf(WalFailedError);
    await wal.close();
  });

  it("checks the data directory identity and usability", async () => {
    const dir = freshDir();
    const { wal } = await Wal.open(dir, opts());
    await wal.close();
    expect(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"))).toEqual({ ...ID, version: 1 });
    await expect(Wal.open(dir, { clusterId: "other", nodeId: 1 })).rejects.toBeInstanceOf(
      DataDirMismatchError,
    );
    await expect(Wal.open(dir, { clusterId: "c1", nodeId: 2 })).rejects.toBeInstanceOf(DataDirMismatchError);
    const file = join(root, `file${counter++}`);
    writeFileSync(file, "not a dir");
    await expect(Wal.open(file, opts())).rejects.toMatchObject({
      name: "DataDirError",
      code: "NotADirectory",
    });
    await expect(Wal.open(join(file, "sub"), opts())).rejects.toBeInstanceOf(DataDirError);
    const bad = freshDir();
    mkdirSync(bad);
    writeFileSync(join(bad, "meta.json"), "{oops");
    await expect(Wal.open(bad, opts())).rejects.toMatchObject({ code: "BadMeta" });
  });

  it.skipIf(process.getuid?.() === 0)("reports a read-only directory as a typed error", async () => {
    const dir = freshDir();
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      await expect(Wal.open(dir, opts())).rejects.toMatchObject({ code: "NotWritable" });
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it("survives SIGKILL: every acknowledged index is recovered", async () => {
    const dir = freshDir();
    const fixture = new URL("./fixtures/wal-writer.ts", import.meta.url).pathname;
    const child = spawn(process.execPath, ["--import", "tsx", fixture, dir, "8192"], {
      cwd: new URL("..", import.meta.url).pathname,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`writer never acknowledged: ${err}`)), 15_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        clearTimeout(t);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGKILL");
    await exited;
    const acked = out
      .split("\n")
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    expect(acked.length).toBeGreaterThan(10);
    const { wal, recovered } = await Wal.open(dir, { clusterId: "kill-test", nodeId: 1, segmentSize: 8192 });
    for (const i of acked) {
      expect(Buffer.from(recovered.entries.get(i) ?? []).toString()).toMatch(new RegExp(`^entry-${i}-`));
    }
    expect(recovered.hardState!.commit).toBeGreaterThanOrEqual(Math.max(...acked));
    await wal.close();
  });
});

describe("SnapshotStore", () => {
  it("saves atomically, loads the newest valid one and skips damaged ones", async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const store = new SnapshotStore(dir);
    expect((await store.loadLatest()).snapshot).toBeUndefined();
    await store.save(10, 1, bytes("ten"));
    const newest = await store.save(20, 2, bytes("twenty"));
    writeFileSync(join(dir, "snap-0000000000000030.bin.tmp"), "half-written");
    let r = await store.loadLatest();
    expect(r.snapshot).toMatchObject({ index: 20, term: 2 });
    expect(Buffer.from(r.snapshot!.data).toString()).toBe("twenty");
    expect(readdirSync(dir).some((n) => n.endsWith(".tmp"))).toBe(false);
    const damaged = readFileSync(join(dir, newest));
    damaged[damaged.length - 1]! ^= 1;
    writeFileSync(join(dir, newest), damaged);
    r = await store.loadLatest();
    expect(r.snapshot).toMatchObject({ index: 10, term: 1 });
    expect(r.skipped).toEqual([{ file: newest, reason: expect.stringMatching(/checksum/) }]);
    expect(await store.pruneBefore(20)).toEqual(["snap-0000000000000010.bin"]);
  });
});

describe("Wal recovery of damaged segment files (property)", () => {
  /** Payload of entry i: self-describing, so a corrupted record could never pass for a real one. */
  const payloadOf = (i: number, len: number) =>
    Buffer.from(`entry-${i}-`.padEnd(len, String.fromCharCode(97 + (i % 26))));

  /** A log written across several segments; returns the directory and every acknowledged record. */
  async function written(
    seed: number,
  ): Promise<{ dir: string; payloads: Map<number, Buffer>; hard: string[] }> {
    const dir = freshDir();
    const { wal } = await Wal.open(dir, opts({ segmentSize: 300 }));
    const payloads = new Map<number, Buffer>();
    const hard: string[] = [];
    const n = 12 + (seed % 10);
    for (let i = 1; i <= n; i++) {
      const p = payloadOf(i, 12 + ((seed * 7 + i * 13) % 40));
      payloads.set(i, p);
      wal.appendEntries(i, [p]);
      if (i % 3 === 0) {
        const hs = { term: 1 + Math.floor(i / 5), votedFor: 1, commit: i - 1 };
        hard.push(JSON.stringify(hs));
        wal.setHardState(hs);
      }
      if (i % 4 === 0) await wal.sync();
    }
    await wal.close();
    return { dir, payloads, hard };
  }

  it("recovers a valid prefix of the acknowledged records, or refuses with WalCorruptError — never a corrupted record", async () => {
    const bases = await Promise.all([1, 2, 3].map((s) => written(s)));
    let recovered = 0;
    let refused = 0;
    let leadingGaps = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bases.length - 1 }),
        fc.array(
          fc.record({
            segment: fc.nat(),
            kind: fc.constantFrom("flip", "truncate", "byte", "garbage"),
            at: fc.nat(),
            bit: fc.nat({ max: 7 }),
            value: fc.nat({ max: 255 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (which, damage) => {
          const base = bases[which]!;
          const d = cloneDir(base.dir);
          const segs = readdirSync(d)
            .filter((f) => f.startsWith("wal-"))
            .sort();
          for (const dmg of damage) {
            const file = join(d, segs[dmg.segment % segs.length]!);
            const buf = Buffer.from(readFileSync(file));
            if (buf.length === 0) continue;
            const at = dmg.at % buf.length;
            if (dmg.kind === "flip") buf[at]! ^= 1 << dmg.bit;
            else if (dmg.kind === "byte") buf[at] = dmg.value;
            if (dmg.kind === "truncate") writeFileSync(file, buf.subarray(0, at));
            else if (dmg.kind === "garbage")
              writeFileSync(file, Buffer.concat([buf, Buffer.alloc(1 + (dmg.value % 64), dmg.value)]));
            else writeFileSync(file, buf);
          }
          let res: Awaited<ReturnType<typeof Wal.open>>;
          try {
            res = await Wal.open(d, opts({ segmentSize: 300 }));
          } catch (e) {
            // a clear, typed refusal naming the file and offset
            expect(e).toBeInstanceOf(WalCorruptError);
            expect((e as WalCorruptError).message).toMatch(
              /corrupt write-ahead log wal-\d{16}\.log at byte \d+/,
            );
            refused++;
            return;
          }
          const r = res.recovered;
          // a prefix 1..k of the acknowledged entries, each byte-identical (a leading segment cut to
          // 0 bytes, found by this property, is now refused as corrupt; leadingGaps stays 0)
          const first = r.lastIndex > 0 ? r.firstIndex : 1;
          if (first > 1) {
            expect(r.snapshot).toBeUndefined();
            leadingGaps++;
          }
          expect(r.lastIndex).toBeLessThanOrEqual(base.payloads.size);
          expect(r.entries.size).toBe(r.lastIndex === 0 ? 0 : r.lastIndex - first + 1);
          for (let i = first; i <= r.lastIndex; i++)
            expect(Buffer.from(r.entries.get(i)!).equals(base.payloads.get(i)!)).toBe(true);
          // the hard state is one that was written (or none)
          if (r.hardState) expect(base.hard).toContain(JSON.stringify(r.hardState));
          await res.wal.close();
          recovered++;
        },
      ),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 150) },
    );
    expect(recovered + refused).toBeGreaterThan(0);
    expect(leadingGaps).toBe(0);
  });
});
