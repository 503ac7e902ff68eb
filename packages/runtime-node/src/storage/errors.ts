// Typed storage errors. Corruption is loud: it names the file, the byte offset and the reason.

/** A record before the tail failed its checksum or is malformed: the log cannot be trusted past it. */
export class WalCorruptError extends Error {
  override readonly name = "WalCorruptError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`corrupt write-ahead log ${file} at byte ${offset}: ${reason}`);
  }
}

/** The data directory belongs to another cluster or node. */
export class DataDirMismatchError extends Error {
  override readonly name = "DataDirMismatchError";
  constructor(
    readonly dir: string,
    readonly expected: { readonly clusterId: string; readonly nodeId: number },
    readonly found: { readonly clusterId: string; readonly nodeId: number },
  ) {
    super(
      `data directory ${dir} belongs to cluster ${JSON.stringify(found.clusterId)} node ${found.nodeId}, ` +
        `not cluster ${JSON.stringify(expected.clusterId)} node ${expected.nodeId}`,
    );
  }
}

export type DataDirErrorCode =
  | "NotCreatable"
  | "NotWritable"
  | "NotADirectory"
  | "BadMeta"
  | "UnsupportedVersion"
  | "Io";

/** The data directory cannot be used: not creatable, unwritable, not a directory, unreadable metadata, … */
export class DataDirError extends Error {
  override readonly name = "DataDirError";
  constructor(
    readonly code: DataDirErrorCode,
    readonly dir: string,
    readonly detail: string,
  ) {
    super(`data directory ${dir}: ${code}: ${detail}`);
  }
}

/** An earlier write or fsync failed: the log refuses further work (its durable state is unknown). */
export class WalFailedError extends Error {
  override readonly name = "WalFailedError";
  constructor(override readonly cause: unknown) {
    super(`write-ahead log failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Maps a Node fs error on `dir` to a {@link DataDirError}. */
export function dataDirErrorFrom(dir: string, e: unknown): DataDirError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === "EACCES" || code === "EPERM" || code === "EROFS")
    return new DataDirError("NotWritable", dir, msg);
  if (code === "ENOTDIR" || code === "EEXIST") return new DataDirError("NotADirectory", dir, msg);
  return new DataDirError("Io", dir, msg);
}

/**
 * Maps the fs error of creating `dir` (see makeDirs in fsutil.ts) to a {@link DataDirError} that
 * names the path component that could not be created and why.
 */
export function dataDirCreateError(dir: string, e: unknown): DataDirError {
  const x = e as NodeJS.ErrnoException | undefined;
  const at = x?.path ?? dir;
  const base = dataDirErrorFrom(dir, e);
  if (base.code === "NotADirectory")
    return new DataDirError(
      "NotADirectory",
      dir,
      at === dir ? "exists and is not a directory" : `${at} is in the way: it is not a directory`,
    );
  // "ENOENT: no such file or directory, mkdir '/proc/nope'" → "ENOENT: no such file or directory"
  const why = (e instanceof Error ? e.message : String(e)).replace(/, \w+ '[^']*'$/, "");
  return new DataDirError(
    base.code === "Io" ? "NotCreatable" : base.code,
    dir,
    `cannot create ${at}: ${why}`,
  );
}
