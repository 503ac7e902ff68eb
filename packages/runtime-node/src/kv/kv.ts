// The replicated key-value state machine: pure and deterministic (no I/O, clocks or randomness),
// so every replica applying the same commands in the same order reaches the same state.
//
// Exactly-once: every request carries {clientId, seq}. The machine remembers, per client, the last
// seq applied and its result. A request with seq equal to it returns the cached result; an older
// seq is answered "Stale"; neither changes anything. Sessions are kept for the most recently
// active `maxSessions` clients (least recently active evicted first) — deterministic because it
// depends only on the command sequence. A client whose session was evicted loses exactly-once for
// its in-flight request, as in the Raft dissertation (§6.3).

import { CodecError, decode, encode } from "../wire/codec.js";

export type KvCommand =
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "delete"; readonly key: string }
  /** Set `key` to `value` iff its current value is `expected` (null: the key is absent). */
  | { readonly op: "cas"; readonly key: string; readonly expected: string | null; readonly value: string }
  /** Up to `limit` pairs whose key starts with `prefix`, in key order. */
  | { readonly op: "range"; readonly prefix: string; readonly limit: number };

export type KvRequest = KvCommand & { readonly clientId: string; readonly seq: number };

export type KvErrorCode = "BadCommand" | "Stale";

/** Why a request was refused: the offending field and the rule it broke. */
export interface KvError {
  readonly code: KvErrorCode;
  readonly field: string;
  readonly rule: string;
}

export type KvResult =
  | { readonly ok: true; readonly op: "put"; readonly prev: string | null }
  | { readonly ok: true; readonly op: "get"; readonly value: string | null }
  | { readonly ok: true; readonly op: "delete"; readonly prev: string | null }
  | { readonly ok: true; readonly op: "cas"; readonly swapped: boolean; readonly current: string | null }
  | {
      readonly ok: true;
      readonly op: "range";
      readonly items: ReadonlyArray<readonly [string, string]>;
      readonly more: boolean;
    }
  | { readonly ok: false; readonly error: KvError };

export interface KvLimits {
  /** Sessions kept (default 10 000). */
  readonly maxSessions?: number;
  /** Longest key, in UTF-16 code units (default 1024). */
  readonly maxKeyLength?: number;
  /** Longest value, in UTF-16 code units (default 1 MiB). */
  readonly maxValueLength?: number;
  /** Largest range limit (default 1000). */
  readonly maxRangeLimit?: number;
  /** Longest client id (default 128). */
  readonly maxClientIdLength?: number;
}

/** A snapshot that cannot be restored (the state is left unchanged). */
export class KvSnapshotError extends Error {
  override readonly name = "KvSnapshotError";
  constructor(readonly detail: string) {
    super(`bad key-value snapshot: ${detail}`);
  }
}

interface Session {
  readonly seq: number;
  readonly result: KvResult;
}

const SNAPSHOT_VERSION = 1;

const bad = (field: string, rule: string): KvResult => ({
  ok: false,
  error: { code: "BadCommand", field, rule },
});

/** Index of the first key ≥ `k` in sorted `keys`. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class KvStateMachine {
  private readonly limits: Required<KvLimits>;
  private data = new Map<string, string>();
  /** The keys of `data`, sorted (JS string order, i.e. by UTF-16 code units). */
  private keys: string[] = [];
  /** Sessions in least-recently-active-first order (Map insertion order). */
  private sessions = new Map<string, Session>();

  constructor(limits: KvLimits = {}) {
    this.limits = {
      maxSessions: limits.maxSessions ?? 10_000,
      maxKeyLength: limits.maxKeyLength ?? 1024,
      maxValueLength: limits.maxValueLength ?? 1024 * 1024,
      maxRangeLimit: limits.maxRangeLimit ?? 1000,
      maxClientIdLength: limits.maxClientIdLength ?? 128,
    };
  }

  get size(): number {
    return this.data.size;
  }
  get sessionCount(): number {
    return this.sessions.size;
  }
  /** A local read of the current value (not linearizable on its own). */
  peek(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Decodes a request with the codec and applies it. */
  applyEncoded(bytes: Uint8Array): KvResult {
    const req = decode(bytes);
    if (req instanceof CodecError) return bad("(encoding)", req.message);
    return this.apply(req);
  }

  /** Applies one request (validated here: it comes off the wire / out of the log). */
  apply(req: unknown): KvResult {
    if (typeof req !== "object" || req === null || Array.isArray(req))
      return bad("(request)", "must be an object");
    const r = req as Record<string, unknown>;
    const { clientId, seq } = r;
    if (
      typeof clientId !== "string" ||
      clientId.length === 0 ||
      clientId.length > this.limits.maxClientIdLength
    ) {
      return bad("clientId", `must be a string of 1..${this.limits.maxClientIdLength} characters`);
    }
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) {
      return bad("seq", "must be a positive safe integer");
    }
    const session = this.sessions.get(clientId);
    if (session && seq <= session.seq) {
      if (seq === session.seq) return session.result;
      return {
        ok: false,
        error: {
          code: "Stale",
          field: "seq",
          rule: `seq ${seq} precedes the last applied seq ${session.seq}`,
        },
      };
    }
    const result = this.execute(r);
    this.sessions.delete(clientId);
    this.sessions.set(clientId, { seq, result });
    if (this.sessions.size > this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    return result;
  }

  private checkKey(v: unknown, field: string): string | KvResult {
    if (typeof v !== "string") return bad(field, "must be a string");
    if (field === "key" && v.length === 0) return bad(field, "must not be empty");
    if (v.length > this.limits.maxKeyLength)
      return bad(field, `must be at most ${this.limits.maxKeyLength} characters`);
    return v;
  }

  private checkValue(v: unknown, field: string): string | KvResult {
    if (typeof v !== "string") return bad(field, "must be a string");
    if (v.length > this.limits.maxValueLength) {
      return bad(field, `must be at most ${this.limits.maxValueLength} characters`);
    }
    return v;
  }

  private execute(r: Record<string, unknown>): KvResult {
    const op = r.op;
    switch (op) {
      case "put": {
        const key = this.checkKey(r.key, "key");
        if (typeof key !== "string") return key;
        const value = this.checkValue(r.value, "value");
        if (typeof value !== "string") return value;
        return { ok: true, op, prev: this.set(key, value) };
      }
      case "get": {
        const key = this.checkKey(r.key, "key");
        if (typeof key !== "string") return key;
        return { ok: true, op, value: this.data.get(key) ?? null };
      }
      case "delete": {
        const key = this.checkKey(r.key, "key");
        if (typeof key !== "string") return key;
        return { ok: true, op, prev: this.remove(key) };
      }
      case "cas": {
        const key = this.checkKey(r.key, "key");
        if (typeof key !== "string") return key;
        const expected = r.expected === null ? null : this.checkValue(r.expected, "expected");
        if (expected !== null && typeof expected !== "string") {
          return r.expected === undefined ? bad("expected", "must be a string or null") : expected;
        }
        const value = this.checkValue(r.value, "value");
        if (typeof value !== "string") return value;
        const current = this.data.get(key) ?? null;
        if (current !== expected) return { ok: true, op, swapped: false, current };
        this.set(key, value);
        return { ok: true, op, swapped: true, current: value };
      }
      case "range": {
        const prefix = this.checkKey(r.prefix, "prefix");
        if (typeof prefix !== "string") return prefix;
        const limit = r.limit;
        if (
          typeof limit !== "number" ||
          !Number.isInteger(limit) ||
          limit < 1 ||
          limit > this.limits.maxRangeLimit
        ) {
          return bad("limit", `must be an integer in 1..${this.limits.maxRangeLimit}`);
        }
        const items: Array<readonly [string, string]> = [];
        let i = lowerBound(this.keys, prefix);
        for (; i < this.keys.length && items.length < limit; i++) {
          const k = this.keys[i]!;
          if (!k.startsWith(prefix)) break;
          items.push([k, this.data.get(k)!]);
        }
        return { ok: true, op, items, more: i < this.keys.length && this.keys[i]!.startsWith(prefix) };
      }
      default:
        return bad("op", 'must be one of "put", "get", "delete", "cas", "range"');
    }
  }

  private set(key: string, value: string): string | null {
    const prev = this.data.get(key);
    if (prev === undefined) this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.data.set(key, value);
    return prev ?? null;
  }

  private remove(key: string): string | null {
    const prev = this.data.get(key);
    if (prev === undefined) return null;
    this.data.delete(key);
    this.keys.splice(lowerBound(this.keys, key), 1);
    return prev;
  }

  /** The whole state (data and sessions, in their deterministic orders) as codec bytes. */
  snapshot(): Uint8Array {
    const kv: string[] = [];
    for (const k of this.keys) kv.push(k, this.data.get(k)!);
    const sessions: Array<[string, number, KvResult]> = [];
    for (const [id, s] of this.sessions) sessions.push([id, s.seq, s.result]);
    return encode({ v: SNAPSHOT_VERSION, kv, sessions });
  }

  /** Replaces the state with a snapshot's; on a bad snapshot returns an error and changes nothing. */
  restore(bytes: Uint8Array): KvSnapshotError | undefined {
    const s = decode(bytes);
    if (s instanceof CodecError) return new KvSnapshotError(s.message);
    if (typeof s !== "object" || s === null) return new KvSnapshotError("not an object");
    const { v, kv, sessions } = s as Record<string, unknown>;
    if (v !== SNAPSHOT_VERSION) return new KvSnapshotError(`unsupported version ${String(v)}`);
    if (!Array.isArray(kv) || kv.length % 2 !== 0) return new KvSnapshotError("kv must be a flat pair array");
    if (!Array.isArray(sessions)) return new KvSnapshotError("sessions must be an array");
    const data = new Map<string, string>();
    const keys: string[] = [];
    for (let i = 0; i < kv.length; i += 2) {
      const k: unknown = kv[i];
      const val: unknown = kv[i + 1];
      if (typeof k !== "string" || typeof val !== "string")
        return new KvSnapshotError(`pair ${i / 2} not strings`);
      if (keys.length > 0 && !(keys[keys.length - 1]! < k))
        return new KvSnapshotError("keys not strictly sorted");
      keys.push(k);
      data.set(k, val);
    }
    const table = new Map<string, Session>();
    for (const e of sessions as unknown[]) {
      if (!Array.isArray(e) || e.length !== 3) return new KvSnapshotError("session entry must be a triple");
      const [id, seq, result] = e as [unknown, unknown, unknown];
      if (typeof id !== "string" || typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) {
        return new KvSnapshotError("bad session id or seq");
      }
      if (
        typeof result !== "object" ||
        result === null ||
        typeof (result as { ok?: unknown }).ok !== "boolean"
      ) {
        return new KvSnapshotError(`bad cached result for ${id}`);
      }
      if (table.has(id)) return new KvSnapshotError(`duplicate session ${id}`);
      table.set(id, { seq, result: result as KvResult });
    }
    this.data = data;
    this.keys = keys;
    this.sessions = table;
    while (this.sessions.size > this.limits.maxSessions) {
      this.sessions.delete(this.sessions.keys().next().value as string);
    }
    return undefined;
  }
}
