import { open } from "node:fs/promises";

/** fsyncs a directory so that creations, renames and deletions in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Zero-pads an index to 16 digits, as segment and snapshot file names use. */
export function pad16(n: number): string {
  return String(n).padStart(16, "0");
}

/** Little-endian u64 as two u32 halves; `n` must be a safe non-negative integer. */
export function writeU64(buf: Buffer, n: number, off: number): void {
  buf.writeUInt32LE(n % 0x1_0000_0000, off);
  buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), off + 4);
}

/** Reads a little-endian u64; returns -1 if it is not a safe integer. */
export function readU64(buf: Buffer, off: number): number {
  const hi = buf.readUInt32LE(off + 4);
  if (hi > 0x1f_ffff) return -1;
  return hi * 0x1_0000_0000 + buf.readUInt32LE(off);
}

export function checkIndex(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name} must be a safe non-negative integer, got ${n}`);
}
