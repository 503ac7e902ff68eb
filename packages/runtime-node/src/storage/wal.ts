// The write-ahead log: segment files `wal-<16-digit key>.log` in the data directory.
//
// Writes are buffered in memory by appendEntries / setHardState / truncateFrom / markSnapshot and
// reach the disk on sync(). sync() is a group commit: a single writer loop writes everything
// buffered so far and issues one fsync; callers that arrive while an fsync is in flight all share
// the next one.
//
// A segment's key is the index the next entry had when the segment was started (kept strictly
// increasing across truncations), so lexical order of file names is log order. Every segment
// starts with the current hard state and snapshot marker, so deleting older segments never loses
// them.
//
// Recovery verifies every record's CRC. In the last segment, a bad record with no valid record
// after it is a torn write: the file is cut there and the cut is reported. Any other bad record is
// a WalCorruptError: nothing after it is replayed.

import type { FileHandle } from "node:fs/promises";
import { open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type DataDirIdentity, ensureDataDir } from "./datadir.js";
import { DataDirError, dataDirErrorFrom, WalCorruptError, WalFailedError } from "./errors.js";
import { checkIndex, fsyncDir, pad16 } from "./fsutil.js";
import {
  encodeRecord,
  readRecordAt,
  validRecordAfter,
  type WalHardState,
  type WalRecord,
  type WalSnapshotMeta,
} from "./record.js";

/** Default segment size: 64 MiB. */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

export function segmentName(key: number): string {
  return `wal-${pad16(key)}.log`;
}

export interface WalOptions extends DataDirIdentity {
  /** Start a new segment once the current one would exceed this many bytes (default 64 MiB). */
  readonly segmentSize?: number;
  /** How a segment file is made durable (default: `fh.datasync()`); tests inject counters or faults. */
  readonly syncFile?: (fh: FileHandle) => Promise<void>;
}

/** Where recovery cut a torn write off the last segment. */
export interface TornTail {
  readonly file: string;
  readonly offset: number;
  readonly bytesCut: number;
  readonly reason: string;
}

export interface WalRecovered {
  /** The latest hard state written, if any. */
  readonly hardState: WalHardState | undefined;
  /** The latest snapshot marker written, if any. */
  readonly snapshot: WalSnapshotMeta | undefined;
  /** Log entries by index: consecutive from firstIndex to lastIndex (both 0 when empty). */
  readonly entries: Map<number, Uint8Array>;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly tornTail: TornTail | undefined;
  /** Segment file names, oldest first. */
  readonly segments: readonly string[];
}

export interface WalStats {
  /** fsyncs of segment files (group commits plus one per segment rotation). */
  fsyncs: number;
  /** sync() calls. */
  syncCalls: number;
  /** Records appended. */
  records: number;
  /** write() calls and bytes written. */
  writes: number;
  bytes: number;
}

interface Segment {
  readonly key: number;
  readonly name: string;
  readonly path: string;
  /** Highest entry index written into the segment (0: none). */
  maxIndex: number;
}

/** A run of records for one segment; `segment` set means "rotate to this new segment first". */
interface Group {
  readonly segment: Segment | undefined;
  readonly bufs: Buffer[];
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Index bookkeeping shared by replay and the writer, so both apply the same rules. Each operation
 * returns the inclusive range of indexes it removes (or undefined).
 */
class LogShape {
  first = 0;
  last = 0;
  get empty(): boolean {
    return this.last === 0;
  }
  /** Returns undefined, or a string if the append would leave a gap. */
  checkAppend(from: number): string | undefined {
    if (!this.empty && from > this.last + 1) return `append at ${from} leaves a gap after ${this.last}`;
    return undefined;
  }
  append(from: number, count: number): [number, number] | undefined {
    let removed: [number, number] | undefined;
    if (this.empty) {
      this.first = from;
    } else {
      if (from <= this.last) removed = [Math.max(from, this.first), this.last];
      this.first = Math.min(this.first, from);
    }
    this.last = from + count - 1;
    return removed;
  }
  truncateFrom(t: number): [number, number] | undefined {
    if (this.empty || t > this.last) return undefined;
    if (t <= this.first) {
      const r: [number, number] = [this.first, this.last];
      this.first = this.last = 0;
      return r;
    }
    const r: [number, number] = [t, this.last];
    this.last = t - 1;
    return r;
  }
  snapshot(s: number): [number, number] | undefined {
    if (this.empty || s < this.first) return undefined;
    if (s >= this.last) {
      const r: [number, number] = [this.first, this.last];
      this.first = this.last = 0;
      return r;
    }
    const r: [number, number] = [this.first, s];
    this.first = s + 1;
    return r;
  }
}

export class Wal {
  readonly stats: WalStats = { fsyncs: 0, syncCalls: 0, records: 0, writes: 0, bytes: 0 };

  private readonly segmentSize: number;
  private readonly syncFile: (fh: FileHandle) => Promise<void>;
  /** Segments on disk, oldest first; the last one is open as `fh`. */
  private readonly segments: Segment[];
  private fh: FileHandle;
  private fileSize: number;

  // Logical state: includes records buffered but not yet written.
  private readonly shape: LogShape;
  private hardState: WalHardState | undefined;
  private snapshot: WalSnapshotMeta | undefined;
  private logicalSegment: Segment;
  private logicalSize: number;
  private logicalDataRecords = 0;

  private pending: Group[] = [{ segment: undefined, bufs: [] }];
  private enqueued = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private running = false;
  private failure: WalFailedError | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    opts: WalOptions,
    segments: Segment[],
    fh: FileHandle,
    fileSize: number,
    shape: LogShape,
    hardState: WalHardState | undefined,
    snapshot: WalSnapshotMeta | undefined,
  ) {
    this.segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.syncFile = opts.syncFile ?? ((f) => f.datasync());
    this.segments = segments;
    this.fh = fh;
    this.fileSize = fileSize;
    this.shape = shape;
    this.hardState = hardState;
    this.snapshot = snapshot;
    this.logicalSegment = segments[segments.length - 1]!;
    this.logicalSize = fileSize;
  }

  /**
   * Opens (creating if needed) the log in `dir`, recovering its state. Throws
   * {@link WalCorruptError} on damage before the tail, and DataDir errors for unusable directories.
   */
  static async open(dir: string, opts: WalOptions): Promise<{ wal: Wal; recovered: WalRecovered }> {
    const segSize = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(segSize) || segSize < 64) throw new RangeError(`bad segmentSize ${segSize}`);
    await ensureDataDir(dir, opts);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    } catch (e) {
      throw dataDirErrorFrom(dir, e);
    }
    const shape = new LogShape();
    const entries = new Map<number, Uint8Array>();
    const remove = (r: [number, number] | undefined) => {
      if (r) for (let i = r[0]; i <= r[1]; i++) entries.delete(i);
    };
    let hardState: WalHardState | undefined;
    let snapshot: WalSnapshotMeta | undefined;
    let tornTail: TornTail | undefined;
    const segments: Segment[] = [];
    let lastSize = 0;

    for (let si = 0; si < names.length; si++) {
      const name = names[si]!;
      const path = join(dir, name);
      const seg: Segment = { key: Number(SEGMENT_RE.exec(name)![1]), name, path, maxIndex: 0 };
      segments.push(seg);
      const buf = await readFile(path);
      const isLast = si === names.length - 1;
      // a later segment exists, so this one was complete: it holds at least its header records
      if (!isLast && buf.length === 0)
        throw new WalCorruptError(name, 0, "empty segment before the last one (records were lost)");
      let off = 0;
      while (off < buf.length) {
        const item = readRecordAt(buf, off);
        if (!item.ok) {
          if (!item.unchecked || !isLast) throw new WalCorruptError(name, off, item.reason);
          const next = validRecordAfter(buf, off);
          if (next !== undefined) {
            throw new WalCorruptError(name, off, `${item.reason}; a valid record follows at byte ${next}`);
          }
          tornTail = { file: name, offset: off, bytesCut: buf.length - off, reason: item.reason };
          const fh = await open(path, "r+");
          try {
            await fh.truncate(off);
            await fh.datasync();
          } finally {
            await fh.close();
          }
          break;
        }
        const r = item.record;
        switch (r.type) {
          case "entries": {
            const gap = shape.checkAppend(r.firstIndex);
            if (gap) throw new WalCorruptError(name, off, gap);
            remove(shape.append(r.firstIndex, r.payloads.length));
            for (let i = 0; i < r.payloads.length; i++) entries.set(r.firstIndex + i, r.payloads[i]!);
            seg.maxIndex = Math.max(seg.maxIndex, r.firstIndex + r.payloads.length - 1);
            break;
          }
          case "hardState":
            hardState = r.hardState;
            break;
          case "truncate":
            remove(shape.truncateFrom(r.index));
            break;
          case "snapshot":
            snapshot = r.snapshot;
            remove(shape.snapshot(r.snapshot.index));
            break;
        }
        off = item.end;
      }
      if (isLast) lastSize = tornTail ? tornTail.offset : buf.length;
    }

    let fh: FileHandle;
    try {
      if (segments.length === 0) {
        const key = 1;
        const seg: Segment = { key, name: segmentName(key), path: join(dir, segmentName(key)), maxIndex: 0 };
        fh = await open(seg.path, "wx");
        await fsyncDir(dir);
        segments.push(seg);
        lastSize = 0;
      } else {
        fh = await open(segments[segments.length - 1]!.path, "r+");
      }
    } catch (e) {
      if (e instanceof DataDirError) throw e;
      throw dataDirErrorFrom(dir, e);
    }
    const wal = new Wal(dir, opts, segments, fh, lastSize, shape, hardState, snapshot);
    const recovered: WalRecovered = {
      hardState,
      snapshot,
      entries,
      firstIndex: shape.first,
      lastIndex: shape.last,
      tornTail,
      segments: segments.map((s) => s.name),
    };
    return { wal, recovered };
  }

  /** First and last index of the log as written so far (both 0 when empty). */
  get firstIndex(): number {
    return this.shape.first;
  }
  get lastIndex(): number {
    return this.shape.last;
  }
  get currentHardState(): WalHardState | undefined {
    return this.hardState;
  }
  get currentSnapshot(): WalSnapshotMeta | undefined {
    return this.snapshot;
  }
  /** Names of the segment files on disk, oldest first. */
  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  /**
   * Buffers `payloads` as entries fromIndex, fromIndex+1, …, replacing any entries at and after
   * fromIndex. Throws RangeError if that would leave a gap.
   */
  appendEntries(fromIndex: number, payloads: readonly Uint8Array[]): void {
    checkIndex("fromIndex", fromIndex);
    if (fromIndex < 1) throw new RangeError("fromIndex must be ≥ 1");
    if (payloads.length === 0) return;
    const gap = this.shape.checkAppend(fromIndex);
    if (gap) throw new RangeError(gap);
    const last = fromIndex + payloads.length - 1;
    this.enqueue({ type: "entries", firstIndex: fromIndex, payloads }, last);
    this.shape.append(fromIndex, payloads.length);
  }

  setHardState(hs: WalHardState): void {
    checkIndex("term", hs.term);
    checkIndex("votedFor", hs.votedFor);
    checkIndex("commit", hs.commit);
    this.enqueue({
      type: "hardState",
      hardState: { term: hs.term, votedFor: hs.votedFor, commit: hs.commit },
    });
    this.hardState = { term: hs.term, votedFor: hs.votedFor, commit: hs.commit };
  }

  /** Drops every entry with index ≥ `index`. */
  truncateFrom(index: number): void {
    checkIndex("index", index);
    if (index < 1) throw new RangeError("truncateFrom index must be ≥ 1");
    this.enqueue({ type: "truncate", index });
    this.shape.truncateFrom(index);
  }

  /** Records that a snapshot through `meta.index` is saved: entries ≤ index are no longer needed. */
  markSnapshot(meta: WalSnapshotMeta): void {
    checkIndex("index", meta.index);
    checkIndex("term", meta.term);
    this.enqueue({ type: "snapshot", snapshot: { index: meta.index, term: meta.term } });
    this.snapshot = { index: meta.index, term: meta.term };
    this.shape.snapshot(meta.index);
  }

  /** Buffers several records in order. */
  append(records: readonly WalRecord[]): void {
    for (const r of records) {
      switch (r.type) {
        case "entries":
          this.appendEntries(r.firstIndex, r.payloads);
          break;
        case "hardState":
          this.setHardState(r.hardState);
          break;
        case "truncate":
          this.truncateFrom(r.index);
          break;
        case "snapshot":
          this.markSnapshot(r.snapshot);
          break;
      }
    }
  }

  /**
   * Resolves once everything buffered before the call is written and fsynced. Concurrent calls
   * share fsyncs (group commit). Rejects with {@link WalFailedError} once any write or fsync failed.
   */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.stats.syncCalls++;
    const target = this.enqueued;
    if (target <= this.durable) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      if (!this.running) {
        this.running = true;
        void this.run();
      }
    });
  }

  /**
   * Deletes whole segments, oldest first, whose entries are all ≤ upToIndex. Requires a snapshot
   * marker covering upToIndex; the marker is synced before anything is deleted. The segment being
   * written is never deleted. Returns the deleted file names.
   */
  async compact(upToIndex: number): Promise<string[]> {
    checkIndex("upToIndex", upToIndex);
    if (!this.snapshot || this.snapshot.index < upToIndex) {
      throw new RangeError(`compact(${upToIndex}) needs a snapshot marker at or after it`);
    }
    await this.sync();
    const removed: string[] = [];
    while (this.segments.length > 1 && this.segments[0]!.maxIndex <= upToIndex) {
      const seg = this.segments.shift()!;
      await unlink(seg.path);
      removed.push(seg.name);
    }
    if (removed.length > 0) await fsyncDir(this.dir);
    return removed;
  }

  /** Syncs what is buffered and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.sync();
    } finally {
      this.closed = true;
      // After a failed rotation the handle may already be closed.
      await this.fh.close().catch(() => undefined);
    }
  }

  private enqueue(r: WalRecord, maxIndex = 0): void {
    if (this.closed) throw new Error("write-ahead log is closed");
    if (this.failure) throw this.failure;
    const buf = encodeRecord(r);
    if (this.logicalDataRecords > 0 && this.logicalSize + buf.length > this.segmentSize) this.planRotation();
    this.pending[this.pending.length - 1]!.bufs.push(buf);
    this.logicalSize += buf.length;
    this.logicalDataRecords++;
    if (maxIndex > this.logicalSegment.maxIndex) this.logicalSegment.maxIndex = maxIndex;
    this.enqueued++;
    this.stats.records++;
  }

  private planRotation(): void {
    const key = Math.max(this.shape.last + 1, this.logicalSegment.key + 1);
    const name = segmentName(key);
    const seg: Segment = { key, name, path: join(this.dir, name), maxIndex: 0 };
    const header: Buffer[] = [];
    if (this.hardState) header.push(encodeRecord({ type: "hardState", hardState: this.hardState }));
    if (this.snapshot) header.push(encodeRecord({ type: "snapshot", snapshot: this.snapshot }));
    this.pending.push({ segment: seg, bufs: header });
    this.logicalSegment = seg;
    this.logicalSize = header.reduce((n, b) => n + b.length, 0);
    this.logicalDataRecords = 0;
  }

  /** The writer loop: one group commit per iteration while anyone waits. */
  private async run(): Promise<void> {
    // Let every caller of this tick enqueue first, so they share the first fsync too.
    await Promise.resolve();
    for (;;) {
      if (this.waiters.length === 0) {
        this.running = false;
        return;
      }
      const upto = this.enqueued;
      const groups = this.pending;
      this.pending = [{ segment: undefined, bufs: [] }];
      try {
        for (const g of groups) {
          if (g.segment) await this.rotateTo(g.segment);
          if (g.bufs.length > 0)
            await this.writeAll(g.bufs.length === 1 ? g.bufs[0]! : Buffer.concat(g.bufs));
        }
        await this.syncFile(this.fh);
        this.stats.fsyncs++;
      } catch (e) {
        this.failure = new WalFailedError(e);
        const ws = this.waiters;
        this.waiters = [];
        this.running = false;
        for (const w of ws) w.reject(this.failure);
        return;
      }
      this.durable = upto;
      const still: Waiter[] = [];
      for (const w of this.waiters) {
        if (w.target <= upto) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
  }

  private async rotateTo(seg: Segment): Promise<void> {
    await this.syncFile(this.fh);
    this.stats.fsyncs++;
    await this.fh.close();
    this.fh = await open(seg.path, "wx");
    this.fileSize = 0;
    await fsyncDir(this.dir);
    this.segments.push(seg);
  }

  private async writeAll(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, this.fileSize);
      off += bytesWritten;
      this.fileSize += bytesWritten;
      this.stats.writes++;
      this.stats.bytes += bytesWritten;
    }
  }
}
