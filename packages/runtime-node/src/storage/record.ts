// WAL record format (little-endian):
//
//   [u32 len][u32 crc][u8 type][payload: len bytes]
//
// crc = CRC-32C over the 4 length bytes, the type byte and the payload, so a damaged length is
// caught too. Payloads by type:
//   ENTRIES    [u64 first index][u32 count] then count × ([u32 size][size bytes])
//   HARD_STATE [u64 term][u64 votedFor][u64 commit]
//   TRUNCATE   [u64 index]                  (drop entries ≥ index)
//   SNAPSHOT   [u64 index][u64 term]        (a snapshot through index is saved: drop entries ≤ index)

import { crc32c } from "./crc32.js";
import { readU64, writeU64 } from "./fsutil.js";

export const RECORD_HEADER_BYTES = 9;
/** Largest payload a record may claim (a sanity bound for recovery). */
export const MAX_RECORD_PAYLOAD = 1 << 30;

export const RecordType = {
  Entries: 1,
  HardState: 2,
  Truncate: 3,
  Snapshot: 4,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export interface WalHardState {
  readonly term: number;
  readonly votedFor: number;
  readonly commit: number;
}

export interface WalSnapshotMeta {
  readonly index: number;
  readonly term: number;
}

export type WalRecord =
  | { readonly type: "entries"; readonly firstIndex: number; readonly payloads: readonly Uint8Array[] }
  | { readonly type: "hardState"; readonly hardState: WalHardState }
  | { readonly type: "truncate"; readonly index: number }
  | { readonly type: "snapshot"; readonly snapshot: WalSnapshotMeta };

function frame(type: RecordType, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out[8] = type;
  payload.copy(out, RECORD_HEADER_BYTES);
  out.writeUInt32LE(recordCrc(out, 0, payload.length), 4);
  return out;
}

/** The CRC of the record whose header starts at `off` in `buf` with a payload of `len` bytes. */
export function recordCrc(buf: Uint8Array, off: number, len: number): number {
  const c = crc32c(buf.subarray(off, off + 4));
  return crc32c(buf.subarray(off + 8, off + RECORD_HEADER_BYTES + len), c);
}

/** Encodes one record, header included. */
export function encodeRecord(r: WalRecord): Buffer {
  switch (r.type) {
    case "entries": {
      let size = 12;
      for (const p of r.payloads) size += 4 + p.length;
      const b = Buffer.allocUnsafe(size);
      writeU64(b, r.firstIndex, 0);
      b.writeUInt32LE(r.payloads.length, 8);
      let off = 12;
      for (const p of r.payloads) {
        b.writeUInt32LE(p.length, off);
        b.set(p, off + 4);
        off += 4 + p.length;
      }
      return frame(RecordType.Entries, b);
    }
    case "hardState": {
      const b = Buffer.allocUnsafe(24);
      writeU64(b, r.hardState.term, 0);
      writeU64(b, r.hardState.votedFor, 8);
      writeU64(b, r.hardState.commit, 16);
      return frame(RecordType.HardState, b);
    }
    case "truncate": {
      const b = Buffer.allocUnsafe(8);
      writeU64(b, r.index, 0);
      return frame(RecordType.Truncate, b);
    }
    case "snapshot": {
      const b = Buffer.allocUnsafe(16);
      writeU64(b, r.snapshot.index, 0);
      writeU64(b, r.snapshot.term, 8);
      return frame(RecordType.Snapshot, b);
    }
  }
}

/** Decodes a CRC-checked payload; returns a reason string if it is malformed. */
export function decodePayload(type: number, p: Buffer): WalRecord | string {
  switch (type) {
    case RecordType.Entries: {
      if (p.length < 12) return "entries record too short";
      const firstIndex = readU64(p, 0);
      const count = p.readUInt32LE(8);
      if (firstIndex < 1) return `bad first index in entries record`;
      if (count > (p.length - 12) / 4) return `entries record claims ${count} entries`;
      const payloads: Uint8Array[] = [];
      let off = 12;
      for (let i = 0; i < count; i++) {
        if (off + 4 > p.length) return "entries record cut inside an entry header";
        const size = p.readUInt32LE(off);
        if (off + 4 + size > p.length) return "entries record cut inside an entry";
        payloads.push(p.subarray(off + 4, off + 4 + size));
        off += 4 + size;
      }
      if (off !== p.length) return `${p.length - off} trailing bytes in entries record`;
      if (!Number.isSafeInteger(firstIndex + count)) return "entries record index overflow";
      return { type: "entries", firstIndex, payloads };
    }
    case RecordType.HardState: {
      if (p.length !== 24) return `hard state record of ${p.length} bytes`;
      const term = readU64(p, 0);
      const votedFor = readU64(p, 8);
      const commit = readU64(p, 16);
      if (term < 0 || votedFor < 0 || commit < 0) return "hard state field out of range";
      return { type: "hardState", hardState: { term, votedFor, commit } };
    }
    case RecordType.Truncate: {
      if (p.length !== 8) return `truncate record of ${p.length} bytes`;
      const index = readU64(p, 0);
      if (index < 1) return "truncate index out of range";
      return { type: "truncate", index };
    }
    case RecordType.Snapshot: {
      if (p.length !== 16) return `snapshot record of ${p.length} bytes`;
      const index = readU64(p, 0);
      const term = readU64(p, 8);
      if (index < 0 || term < 0) return "snapshot field out of range";
      return { type: "snapshot", snapshot: { index, term } };
    }
    default:
      return `unknown record type ${type}`;
  }
}

export type ScanItem =
  | { readonly ok: true; readonly offset: number; readonly end: number; readonly record: WalRecord }
  | {
      readonly ok: false;
      readonly offset: number;
      /** true: the bytes do not form a checksummed record (torn or damaged); false: checksummed but malformed. */
      readonly unchecked: boolean;
      readonly reason: string;
    };

/** Reads the record at `off`: a valid record, or why not. */
export function readRecordAt(buf: Buffer, off: number): ScanItem {
  const left = buf.length - off;
  if (left < RECORD_HEADER_BYTES) {
    return { ok: false, offset: off, unchecked: true, reason: `incomplete record header (${left} bytes)` };
  }
  const len = buf.readUInt32LE(off);
  if (len > MAX_RECORD_PAYLOAD) {
    return { ok: false, offset: off, unchecked: true, reason: `record length ${len} exceeds the maximum` };
  }
  if (len > left - RECORD_HEADER_BYTES) {
    return {
      ok: false,
      offset: off,
      unchecked: true,
      reason: `incomplete record (${len} payload bytes claimed, ${left - RECORD_HEADER_BYTES} present)`,
    };
  }
  const want = buf.readUInt32LE(off + 4);
  const got = recordCrc(buf, off, len);
  if (want !== got) {
    return {
      ok: false,
      offset: off,
      unchecked: true,
      reason: `checksum mismatch (stored ${want}, computed ${got})`,
    };
  }
  const end = off + RECORD_HEADER_BYTES + len;
  const rec = decodePayload(buf[off + 8]!, buf.subarray(off + RECORD_HEADER_BYTES, end));
  if (typeof rec === "string") return { ok: false, offset: off, unchecked: false, reason: rec };
  return { ok: true, offset: off, end, record: rec };
}

/**
 * Whether any checksum-valid record starts after `from` — used to tell a torn tail (nothing valid
 * follows) from damage in the middle of a segment (valid records follow).
 */
export function validRecordAfter(buf: Buffer, from: number): number | undefined {
  for (let off = from + 1; off + RECORD_HEADER_BYTES <= buf.length; off++) {
    const type = buf[off + 8]!;
    if (type < RecordType.Entries || type > RecordType.Snapshot) continue;
    const len = buf.readUInt32LE(off);
    if (len > buf.length - off - RECORD_HEADER_BYTES) continue;
    if (buf.readUInt32LE(off + 4) === recordCrc(buf, off, len)) return off;
  }
  return undefined;
}
