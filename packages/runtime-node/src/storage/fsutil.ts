import { mkdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, resolve } from "node:path";

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/**
 * Creates `dir` and its missing parents, one component at a time from the deepest existing
 * ancestor down, and throws the fs error of the first component that cannot be created (its
 * `path` names it). Node's `mkdir(…, { recursive: true })` is not used: on Node 20 it retries
 * forever, at 100% CPU, when a parent exists but refuses children (`/proc/nope/d1`: ENOENT for
 * `/proc/nope`, EEXIST for `/proc`).
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(d).isDirectory();
    } catch (e) {
      // ENOTDIR: a file further up, which the walk up reaches
      if (errno(e) !== "ENOENT" && errno(e) !== "ENOTDIR") throw e;
    }
    if (isDirectory === true) break;
    if (isDirectory === false)
      throw Object.assign(new Error("ENOTDIR: not a directory"), { code: "ENOTDIR", path: d });
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // created meanwhile by someone else: fine if it is a directory
      if (errno(e) !== "EEXIST" || !statSync(d).isDirectory()) throw e;
    }
  }
}

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
