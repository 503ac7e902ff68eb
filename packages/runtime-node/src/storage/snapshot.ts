// Snapshot files `snap-<16-digit index>.bin`, written atomically: write a temp file, fsync it,
// rename it into place, fsync the directory. Layout (little-endian):
//
//   "ADSN" | u32 version (1) | u32 crc | u64 index | u64 term | u64 data length | data
//
// crc = CRC-32C over everything after the crc field. Loading returns the newest file that checks
// out; damaged ones are skipped and reported.

import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32c } from "./crc32.js";
import { dataDirErrorFrom } from "./errors.js";
import { checkIndex, fsyncDir, pad16, readU64, writeU64 } from "./fsutil.js";

const MAGIC = 0x4e534441; // "ADSN" read as a little-endian u32
const VERSION = 1;
const HEADER = 36;
const SNAP_RE = /^snap-(\d{16})\.bin$/;

export interface StoredSnapshot {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
  readonly file: string;
}

export interface SnapshotLoad {
  /** The newest valid snapshot, if any. */
  readonly snapshot: StoredSnapshot | undefined;
  /** Newer files that failed validation, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
}

export function snapshotName(index: number): string {
  return `snap-${pad16(index)}.bin`;
}

export function encodeSnapshotFile(index: number, term: number, data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + data.length);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(VERSION, 4);
  writeU64(buf, index, 12);
  writeU64(buf, term, 20);
  writeU64(buf, data.length, 28);
  buf.set(data, HEADER);
  buf.writeUInt32LE(crc32c(buf.subarray(12)), 8);
  return buf;
}

/** Parses a snapshot file's bytes, or returns why they are not a valid snapshot. */
export function decodeSnapshotFile(buf: Buffer): { index: number; term: number; data: Uint8Array } | string {
  if (buf.length < HEADER) return `file of ${buf.length} bytes is shorter than the header`;
  if (buf.readUInt32LE(0) !== MAGIC) return "bad magic";
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) return `unsupported version ${version}`;
  const index = readU64(buf, 12);
  const term = readU64(buf, 20);
  const len = readU64(buf, 28);
  if (index < 0 || term < 0 || len < 0) return "header field out of range";
  if (len !== buf.length - HEADER) return `data length ${len} but ${buf.length - HEADER} bytes present`;
  const want = buf.readUInt32LE(8);
  const got = crc32c(buf.subarray(12));
  if (want !== got) return `checksum mismatch (stored ${want}, computed ${got})`;
  return { index, term, data: buf.subarray(HEADER) };
}

export class SnapshotStore {
  constructor(readonly dir: string) {}

  /** Saves a snapshot atomically and durably; returns its file name. */
  async save(index: number, term: number, data: Uint8Array): Promise<string> {
    checkIndex("index", index);
    checkIndex("term", term);
    const name = snapshotName(index);
    const path = join(this.dir, name);
    const tmp = `${path}.tmp`;
    try {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(encodeSnapshotFile(index, term, data));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      await fsyncDir(this.dir);
    } catch (e) {
      throw dataDirErrorFrom(this.dir, e);
    }
    return name;
  }

  /** Snapshot file names, newest first. */
  async list(): Promise<string[]> {
    return (await readdir(this.dir))
      .filter((n) => SNAP_RE.test(n))
      .sort()
      .reverse();
  }

  /** Loads the newest valid snapshot; removes leftover temp files. */
  async loadLatest(): Promise<SnapshotLoad> {
    const all = await readdir(this.dir);
    for (const n of all) {
      if (/^snap-\d{16}\.bin\.tmp$/.test(n)) await unlink(join(this.dir, n)).catch(() => undefined);
    }
    const skipped: Array<{ file: string; reason: string }> = [];
    for (const file of await this.list()) {
      const r = decodeSnapshotFile(await readFile(join(this.dir, file)));
      if (typeof r === "string") {
        skipped.push({ file, reason: r });
        continue;
      }
      if (Number(SNAP_RE.exec(file)![1]) !== r.index) {
        skipped.push({ file, reason: `file name disagrees with index ${r.index}` });
        continue;
      }
      return { snapshot: { ...r, file }, skipped };
    }
    return { snapshot: undefined, skipped };
  }

  /** Deletes every snapshot file older than `keepIndex`; returns the deleted names. */
  async pruneBefore(keepIndex: number): Promise<string[]> {
    const removed: string[] = [];
    for (const file of await this.list()) {
      if (Number(SNAP_RE.exec(file)![1]) < keepIndex) {
        await unlink(join(this.dir, file));
        removed.push(file);
      }
    }
    if (removed.length > 0) await fsyncDir(this.dir);
    return removed;
  }
}
