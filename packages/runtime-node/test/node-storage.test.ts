import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Entry, Membership } from "@adore/raft-net";
import { afterAll, describe, expect, it } from "vitest";
import { RecoveryError, StorageAdapter } from "../src/node/storage-adapter.js";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "adore-storage-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const boot: Membership<number> = { config: 0b1110, learners: 0 };
const id = { clusterId: "c", nodeId: 1 };
const cmd = (index: number, term: number, command = `c${index}`): Entry<number> => ({
  kind: "command",
  index,
  term,
  versn: index,
  command,
});

describe("StorageAdapter", () => {
  it("recovers the bootstrap state of a fresh directory", async () => {
    const { storage, durable, report } = await StorageAdapter.open<number>(fresh(), id, boot);
    expect(report.fresh).toBe(true);
    expect(durable.hardState).toEqual({ term: 0, votedFor: 0, commit: 0 });
    expect(durable.snapshot).toMatchObject({ index: 0, membership: boot });
    expect(durable.entries).toEqual([]);
    await storage.close();
  });

  it("persists entries, truncations, hard state and snapshots, and recovers them", async () => {
    const dir = fresh();
    let { storage } = await StorageAdapter.open<number>(dir, id, boot);
    expect(
      await storage.write(
        {
          entries: { from: 1, entries: [cmd(1, 1), cmd(2, 1), cmd(3, 1)] },
          hardState: { term: 1, votedFor: 1, commit: 0 },
        },
        3,
      ),
    ).toBe(true);
    // a conflicting suffix replaces entries ≥ 3
    await storage.write({ entries: { from: 3, entries: [cmd(3, 2, "x"), cmd(4, 2)] } }, 4);
    // commit-only hard state does not need a sync before messages
    expect(await storage.write({ hardState: { term: 1, votedFor: 1, commit: 2 } }, 4)).toBe(false);
    await storage.sync();
    await storage.close();
    let r = await StorageAdapter.open<number>(dir, id, boot);
    expect(r.durable.entries.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]);
    expect(r.durable.hardState).toEqual({ term: 1, votedFor: 1, commit: 2 });
    storage = r.storage;
    // compaction: a snapshot at 2 keeps 3..4
    await storage.write(
      { snapshot: { index: 2, term: 1, membership: boot, configIndex: 0, data: "state@2" } },
      4,
    );
    await storage.sync();
    await storage.compact(2);
    await storage.close();
    r = await StorageAdapter.open<number>(dir, id, boot);
    expect(r.durable.snapshot).toMatchObject({ index: 2, term: 1, data: "state@2" });
    expect(r.durable.entries.map((e) => e.index)).toEqual([3, 4]);
    // an installed snapshot that disagrees with the log replaces it entirely
    await r.storage.write(
      { snapshot: { index: 3, term: 5, membership: boot, configIndex: 0, data: "state@3" } },
      3,
    );
    await r.storage.sync();
    await r.storage.close();
    r = await StorageAdapter.open<number>(dir, id, boot);
    expect(r.durable.snapshot).toMatchObject({ index: 3, term: 5 });
    expect(r.durable.entries).toEqual([]);
    await r.storage.write({ entries: { from: 4, entries: [cmd(4, 5)] } }, 4);
    await r.storage.sync();
    await r.storage.close();
    r = await StorageAdapter.open<number>(dir, id, boot);
    expect(r.durable.entries.map((e) => [e.index, e.term])).toEqual([[4, 5]]);
    await r.storage.close();
  });

  it("refuses a directory of another node", async () => {
    const dir = fresh();
    const { storage } = await StorageAdapter.open<number>(dir, id, boot);
    await storage.close();
    await expect(StorageAdapter.open<number>(dir, { clusterId: "c", nodeId: 2 }, boot)).rejects.toThrow(
      /belongs to cluster/,
    );
    expect(RecoveryError).toBeDefined();
  });
});
