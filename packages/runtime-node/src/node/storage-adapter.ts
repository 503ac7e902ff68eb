// Persists what the raft-net core asks for (PersistOps) to the write-ahead log and the snapshot
// store, and rebuilds the core's DurableState from them on start.
//
// Layout of the data directory: meta.json (cluster/node identity), wal-*.log segments whose entry
// payloads are codec-encoded raft-net entries, and snap-*.bin files whose data is the codec
// encoding of {membership, configIndex, data} (the rest of a raft-net Snapshot is in the header).
//
// Order of writes for one PersistOps: snapshot file (written and fsynced before anything refers to
// it), then the WAL's snapshot marker, the entries, the hard state. The WAL records are buffered and
// become durable on sync() (one group commit for everything buffered so far).

import { performance } from "node:perf_hooks";
import type { DurableState, Entry, HardState, Membership, PersistOps, Snapshot } from "@adore/raft-net";
import { WalCorruptError } from "../storage/errors.js";
import { SnapshotStore } from "../storage/snapshot.js";
import { type TornTail, Wal, type WalOptions } from "../storage/wal.js";
import { CodecError, decode, encode } from "../wire/codec.js";

/** The durable state could not be rebuilt (a damaged or inconsistent data directory). */
export class RecoveryError extends Error {
  override readonly name = "RecoveryError";
  constructor(
    readonly dir: string,
    readonly detail: string,
  ) {
    super(`cannot recover ${dir}: ${detail}`);
  }
}

export interface StorageOpenOptions {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly segmentSize?: number;
  readonly syncFile?: WalOptions["syncFile"];
}

export interface RecoveryReport {
  readonly tornTail: TornTail | undefined;
  /** Snapshot files that failed validation and were skipped. */
  readonly skippedSnapshots: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  /** WAL entries dropped because they disagree with the snapshot (an interrupted install). */
  readonly droppedEntries: number;
  readonly fresh: boolean;
}

export function encodeEntry<C>(e: Entry<C>): Buffer {
  return encode(e);
}

export function decodeEntry<C>(bytes: Uint8Array, index: number): Entry<C> | string {
  const v = decode(bytes);
  if (v instanceof CodecError) return `entry ${index}: ${v.message}`;
  if (typeof v !== "object" || v === null) return `entry ${index}: not an object`;
  const e = v as Partial<Entry<C>>;
  if (e.index !== index) return `entry at ${index} claims index ${String(e.index)}`;
  if (typeof e.term !== "number" || typeof e.versn !== "number") return `entry ${index}: bad term/versn`;
  if (e.kind !== "noop" && e.kind !== "command" && e.kind !== "config")
    return `entry ${index}: bad kind ${String(e.kind)}`;
  return v as Entry<C>;
}

function encodeSnapshotData<C>(s: Snapshot<C>): Buffer {
  return encode({ membership: s.membership, configIndex: s.configIndex, data: s.data });
}

function decodeSnapshotData<C>(index: number, term: number, bytes: Uint8Array): Snapshot<C> | string {
  const v = decode(bytes);
  if (v instanceof CodecError) return v.message;
  if (typeof v !== "object" || v === null) return "not an object";
  const o = v as { membership?: Membership<C>; configIndex?: unknown; data?: unknown };
  if (typeof o.membership !== "object" || o.membership === null) return "no membership";
  if (typeof o.configIndex !== "number" || typeof o.data !== "string") return "bad configIndex/data";
  return { index, term, membership: o.membership, configIndex: o.configIndex, data: o.data };
}

export class StorageAdapter<C> {
  /** Called with each fsync's duration in seconds (for the metrics histogram). */
  onSync: ((seconds: number) => void) | undefined;
  private dirty = false;
  private hard: HardState;
  private lastSnapshotIndex: number;

  private constructor(
    readonly dir: string,
    readonly wal: Wal,
    readonly snapshots: SnapshotStore,
    hard: HardState,
    snapshotIndex: number,
  ) {
    this.hard = hard;
    this.lastSnapshotIndex = snapshotIndex;
  }

  /**
   * Opens (creating if needed) the data directory and recovers the durable state. A fresh
   * directory yields the bootstrap state: term 0, no vote, the bootstrap membership at index 0.
   */
  static async open<C>(
    dir: string,
    opts: StorageOpenOptions,
    bootstrap: Membership<C>,
  ): Promise<{ storage: StorageAdapter<C>; durable: DurableState<C>; report: RecoveryReport }> {
    const walOpts: WalOptions = {
      clusterId: opts.clusterId,
      nodeId: opts.nodeId,
      ...(opts.segmentSize !== undefined ? { segmentSize: opts.segmentSize } : {}),
      ...(opts.syncFile !== undefined ? { syncFile: opts.syncFile } : {}),
    };
    const { wal, recovered } = await Wal.open(dir, walOpts);
    try {
      const snapshots = new SnapshotStore(dir);
      const loaded = await snapshots.loadLatest();
      let snapshot: Snapshot<C> = { index: 0, term: 0, membership: bootstrap, configIndex: 0, data: "" };
      if (loaded.snapshot) {
        const s = decodeSnapshotData<C>(loaded.snapshot.index, loaded.snapshot.term, loaded.snapshot.data);
        if (typeof s === "string") throw new RecoveryError(dir, `snapshot ${loaded.snapshot.file}: ${s}`);
        snapshot = s;
      }
      const marker = recovered.snapshot;
      if (marker && marker.index > snapshot.index)
        throw new RecoveryError(
          dir,
          `the log says a snapshot through ${marker.index} was saved, but the newest valid snapshot file is at ${snapshot.index}`,
        );
      const entries: Entry<C>[] = [];
      let dropped = 0;
      if (recovered.lastIndex > snapshot.index) {
        // the WAL must reach back to the snapshot (or to the entry right after it)
        if (recovered.firstIndex > snapshot.index + 1)
          throw new RecoveryError(
            dir,
            `log starts at ${recovered.firstIndex}, after the snapshot at ${snapshot.index} (missing entries)`,
          );
        const at = recovered.entries.get(snapshot.index);
        let agrees = true;
        if (at !== undefined && snapshot.index > 0) {
          const e = decodeEntry<C>(at, snapshot.index);
          if (typeof e === "string") throw new WalCorruptError("(entries)", 0, e);
          agrees = e.term === snapshot.term;
        }
        if (agrees) {
          for (let i = snapshot.index + 1; i <= recovered.lastIndex; i++) {
            const bytes = recovered.entries.get(i);
            if (!bytes) throw new RecoveryError(dir, `entry ${i} missing`);
            const e = decodeEntry<C>(bytes, i);
            if (typeof e === "string") throw new WalCorruptError("(entries)", 0, e);
            entries.push(e);
          }
        } else dropped = recovered.lastIndex - snapshot.index;
      }
      const hs = recovered.hardState;
      const hardState: HardState = hs
        ? { term: hs.term, votedFor: hs.votedFor, commit: hs.commit }
        : { term: 0, votedFor: 0, commit: 0 };
      const storage = new StorageAdapter<C>(dir, wal, snapshots, hardState, snapshot.index);
      if (dropped > 0) storage.wal.truncateFrom(snapshot.index + 1);
      return {
        storage,
        durable: { hardState, snapshot, entries },
        report: {
          tornTail: recovered.tornTail,
          skippedSnapshots: loaded.skipped,
          droppedEntries: dropped,
          fresh: !hs && recovered.lastIndex === 0 && !loaded.snapshot,
        },
      };
    } catch (e) {
      await wal.close().catch(() => undefined);
      throw e;
    }
  }

  /** Whether records were buffered since the last sync (e.g. commit-only hard states). */
  get hasUnsynced(): boolean {
    return this.dirty;
  }

  /**
   * Buffers `ops` in the WAL (after saving a snapshot file durably, if there is one).
   * `logLastIndex` is the core's last log index after the step: WAL entries beyond it are dropped
   * (a snapshot install that replaced a disagreeing log). Returns whether the caller must sync
   * before releasing messages or acknowledging (new entries, snapshot, term or vote changed).
   */
  async write(ops: PersistOps<C>, logLastIndex: number): Promise<boolean> {
    let mustSync = false;
    if (ops.snapshot) {
      const s = ops.snapshot;
      await this.snapshots.save(s.index, s.term, encodeSnapshotData(s));
      this.wal.markSnapshot({ index: s.index, term: s.term });
      this.lastSnapshotIndex = s.index;
      mustSync = true;
    }
    if (ops.entries) {
      const { from, entries } = ops.entries;
      if (entries.length > 0) this.wal.appendEntries(from, entries.map(encodeEntry));
      else if (from <= this.wal.lastIndex) this.wal.truncateFrom(from);
      mustSync = true;
    }
    if (this.wal.lastIndex > logLastIndex && this.wal.lastIndex > 0) {
      this.wal.truncateFrom(logLastIndex + 1);
      mustSync = true;
    }
    if (ops.hardState) {
      const h = ops.hardState;
      if (h.term !== this.hard.term || h.votedFor !== this.hard.votedFor) mustSync = true;
      this.wal.setHardState(h);
      this.hard = h;
    }
    this.dirty = true;
    return mustSync;
  }

  /** Makes everything buffered durable (group commit). */
  async sync(): Promise<void> {
    this.dirty = false;
    const t0 = performance.now();
    await this.wal.sync();
    this.onSync?.((performance.now() - t0) / 1000);
  }

  /** After a snapshot at `index` is durable: drop WAL segments and snapshot files it covers. */
  async compact(index: number): Promise<void> {
    if (index > this.lastSnapshotIndex) return;
    await this.wal.compact(index);
    await this.snapshots.pruneBefore(index);
  }

  async close(): Promise<void> {
    await this.wal.close();
  }
}
