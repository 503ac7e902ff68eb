import { constants } from "node:fs";
import { access, open, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { DataDirError, DataDirMismatchError, dataDirCreateError, dataDirErrorFrom } from "./errors.js";
import { fsyncDir, makeDirs } from "./fsutil.js";

/** Layout version of the data directory this build reads and writes. */
export const DATA_DIR_VERSION = 1;
export const META_FILE = "meta.json";

export interface DataDirIdentity {
  readonly clusterId: string;
  readonly nodeId: number;
}

export interface DataDirMeta extends DataDirIdentity {
  readonly version: number;
}

/**
 * Makes `dir` usable as this node's data directory: creates it if needed, checks it is a writable
 * directory, writes `meta.json` on first use and otherwise checks it names the same cluster and
 * node. Every failure is a typed error ({@link DataDirError}, {@link DataDirMismatchError}).
 */
export async function ensureDataDir(dir: string, id: DataDirIdentity): Promise<DataDirMeta> {
  try {
    makeDirs(dir);
  } catch (e) {
    throw dataDirCreateError(dir, e);
  }
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new DataDirError("NotADirectory", dir, "exists and is not a directory");
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    if (e instanceof DataDirError) throw e;
    throw dataDirErrorFrom(dir, e);
  }
  const path = join(dir, META_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw dataDirErrorFrom(dir, e);
  }
  if (text !== undefined) {
    const meta = parseMeta(dir, text);
    if (meta.version > DATA_DIR_VERSION) {
      throw new DataDirError(
        "UnsupportedVersion",
        dir,
        `layout version ${meta.version} > ${DATA_DIR_VERSION}`,
      );
    }
    if (meta.clusterId !== id.clusterId || meta.nodeId !== id.nodeId) {
      throw new DataDirMismatchError(dir, id, meta);
    }
    return meta;
  }
  const meta: DataDirMeta = { clusterId: id.clusterId, nodeId: id.nodeId, version: DATA_DIR_VERSION };
  try {
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(`${JSON.stringify(meta)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (e) {
    throw dataDirErrorFrom(dir, e);
  }
  return meta;
}

function parseMeta(dir: string, text: string): DataDirMeta {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataDirError("BadMeta", dir, `${META_FILE} is not JSON: ${(e as Error).message}`);
  }
  const o = v as Partial<Record<keyof DataDirMeta, unknown>> | null;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.clusterId !== "string" ||
    typeof o.nodeId !== "number" ||
    typeof o.version !== "number"
  ) {
    throw new DataDirError("BadMeta", dir, `${META_FILE} lacks clusterId/nodeId/version`);
  }
  return { clusterId: o.clusterId, nodeId: o.nodeId, version: o.version };
}
