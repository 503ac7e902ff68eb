import { MAX_NODE_ID, type NodeId } from "@adore/adore-core";
import type { Rejection } from "./types.js";

/**
 * Shape checks for everything that crosses the core's boundary (wire messages and callers'
 * arguments): a bad field is a typed `Malformed`/`OutOfRange` rejection naming the field, never a
 * throw and never a state change. The core trusts the scheme's configuration values themselves.
 */
const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isNat = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isNid = (x: unknown): x is number => isNat(x) && x >= 1 && x <= MAX_NODE_ID;

const malformed = (field: string, detail: string): Rejection => ({ code: "Malformed", field, detail });

function nat(o: Record<string, unknown>, field: string, prefix: string): Rejection | undefined {
  return isNat(o[field]) ? undefined : malformed(`${prefix}${field}`, "must be a non-negative integer");
}
function nid(o: Record<string, unknown>, field: string, prefix: string): Rejection | undefined {
  const v = o[field];
  if (!isNat(v)) return malformed(`${prefix}${field}`, "must be a node id");
  return isNid(v)
    ? undefined
    : { code: "OutOfRange", field: `${prefix}${field}`, value: v, limit: MAX_NODE_ID };
}
function bool(o: Record<string, unknown>, field: string, prefix: string): Rejection | undefined {
  return typeof o[field] === "boolean" ? undefined : malformed(`${prefix}${field}`, "must be a boolean");
}

/** Checks configuration values (set per call from the scheme adapter). */
let configCheck: ((c: unknown) => string | undefined) | undefined;

function membership(x: unknown, field: string): Rejection | undefined {
  if (!isObj(x)) return malformed(field, "must be an object {config, learners}");
  if (!("config" in x) || x.config === undefined) return malformed(`${field}.config`, "missing");
  const bad = configCheck?.(x.config);
  if (bad !== undefined) return malformed(`${field}.config`, bad);
  if (!isNat(x.learners) || (x.learners & 1) !== 0)
    return malformed(`${field}.learners`, "must be a node set");
  return undefined;
}

function entries(m: Record<string, unknown>): Rejection | undefined {
  const es = m.entries;
  if (!Array.isArray(es)) return malformed("msg.entries", "must be an array");
  let index = m.prevLogIndex as number;
  let term = m.prevLogTerm as number;
  for (let i = 0; i < es.length; i++) {
    const e: unknown = es[i];
    const f = `msg.entries[${i}]`;
    if (!isObj(e)) return malformed(f, "must be an entry");
    const bad = nat(e, "index", `${f}.`) ?? nat(e, "term", `${f}.`) ?? nat(e, "versn", `${f}.`);
    if (bad) return bad;
    if (e.index !== index + 1)
      return malformed(`${f}.index`, `must be ${index + 1} (consecutive after prevLogIndex)`);
    if ((e.term as number) < term) return malformed(`${f}.term`, "terms must not decrease along the log");
    if ((e.term as number) > (m.term as number))
      return malformed(`${f}.term`, "an entry's term cannot exceed the leader's");
    switch (e.kind) {
      case "noop":
        break;
      case "command":
        if (typeof e.command !== "string") return malformed(`${f}.command`, "must be a string");
        break;
      case "config": {
        const b = membership(e.membership, `${f}.membership`);
        if (b) return b;
        break;
      }
      default:
        return malformed(`${f}.kind`, "must be noop, command or config");
    }
    index = e.index as number;
    term = e.term as number;
  }
  return undefined;
}

function snapshot(x: unknown, field: string): Rejection | undefined {
  if (!isObj(x)) return malformed(field, "must be a snapshot");
  const bad =
    nat(x, "index", `${field}.`) ?? nat(x, "term", `${field}.`) ?? nat(x, "configIndex", `${field}.`);
  if (bad) return bad;
  if ((x.configIndex as number) > (x.index as number))
    return malformed(`${field}.configIndex`, "after the snapshot index");
  if (typeof x.data !== "string") return malformed(`${field}.data`, "must be a string");
  return membership(x.membership, `${field}.membership`);
}

/**
 * Checks a message's shape; `self` is the receiving server; `validConfig` (the scheme adapter's)
 * checks configuration values.
 */
export function validateMessage(
  m: unknown,
  self: NodeId,
  validConfig?: (c: unknown) => string | undefined,
): Rejection | undefined {
  configCheck = validConfig;
  try {
    return checkMessage(m, self);
  } finally {
    configCheck = undefined;
  }
}

function checkMessage(m: unknown, self: NodeId): Rejection | undefined {
  if (!isObj(m)) return malformed("msg", "must be an object");
  const base = nid(m, "from", "msg.") ?? nid(m, "to", "msg.") ?? nat(m, "term", "msg.");
  if (base) return base;
  if (m.to !== self) return { code: "WrongRecipient", to: m.to as number };
  if (m.from === self) return malformed("msg.from", "a server does not message itself");
  switch (m.type) {
    case "RequestVote":
      return (
        nat(m, "lastLogIndex", "msg.") ??
        nat(m, "lastLogTerm", "msg.") ??
        bool(m, "preVote", "msg.") ??
        bool(m, "transfer", "msg.")
      );
    case "RequestVoteResponse":
      return (
        bool(m, "granted", "msg.") ??
        bool(m, "preVote", "msg.") ??
        nat(m, "lastLogIndex", "msg.") ??
        nat(m, "lastLogTerm", "msg.")
      );
    case "AppendEntries": {
      const bad =
        nat(m, "prevLogIndex", "msg.") ??
        nat(m, "prevLogTerm", "msg.") ??
        nat(m, "leaderCommit", "msg.") ??
        nat(m, "readSeq", "msg.");
      if (bad) return bad;
      if ((m.prevLogTerm as number) > (m.term as number))
        return malformed("msg.prevLogTerm", "exceeds the message's term");
      return entries(m);
    }
    case "AppendEntriesResponse":
      return (
        bool(m, "success", "msg.") ??
        nat(m, "matchIndex", "msg.") ??
        nat(m, "rejectIndex", "msg.") ??
        nat(m, "hintTerm", "msg.") ??
        nat(m, "hintIndex", "msg.") ??
        nat(m, "readSeq", "msg.")
      );
    case "InstallSnapshot":
      return nat(m, "readSeq", "msg.") ?? snapshot(m.snapshot, "msg.snapshot");
    case "TimeoutNow":
      return undefined;
    default:
      return malformed("msg.type", `unknown message type ${JSON.stringify(m.type)}`);
  }
}

/** Checks an input's shape (messages in full; callers' arguments). */
export function validateInput(
  input: unknown,
  self: NodeId,
  validConfig?: (c: unknown) => string | undefined,
): Rejection | undefined {
  configCheck = validConfig;
  try {
    return checkInput(input, self);
  } finally {
    configCheck = undefined;
  }
}

function checkInput(input: unknown, self: NodeId): Rejection | undefined {
  if (!isObj(input)) return malformed("input", "must be an object");
  switch (input.type) {
    case "tick":
    case "campaign":
    case "heartbeat":
      return undefined;
    case "receive":
      return checkMessage(input.msg, self);
    case "propose": {
      const c = input.commands;
      if (!Array.isArray(c) || c.some((x) => typeof x !== "string"))
        return malformed("commands", "must be an array of strings");
      return input.requestId === undefined ? undefined : nat(input, "requestId", "");
    }
    case "reconfigure": {
      const bad = membership(input.membership, "membership");
      if (bad) return bad;
      if (input.ifConfigIndex !== undefined && !isNat(input.ifConfigIndex))
        return malformed("ifConfigIndex", "must be a non-negative integer");
      return input.requestId === undefined ? undefined : nat(input, "requestId", "");
    }
    case "persisted":
      return nat(input, "index", "") ?? nat(input, "term", "");
    case "restart": {
      const d = input.durable;
      if (!isObj(d)) return malformed("durable", "must be an object");
      if (!isObj(d.hardState)) return malformed("durable.hardState", "must be an object");
      const bad =
        nat(d.hardState, "term", "durable.hardState.") ??
        nat(d.hardState, "votedFor", "durable.hardState.") ??
        nat(d.hardState, "commit", "durable.hardState.") ??
        snapshot(d.snapshot, "durable.snapshot");
      if (bad) return bad;
      if (!Array.isArray(d.entries)) return malformed("durable.entries", "must be an array");
      const snap = d.snapshot as Record<string, unknown>;
      return entries({
        entries: d.entries,
        prevLogIndex: snap.index,
        prevLogTerm: snap.term,
        term: Number.MAX_SAFE_INTEGER,
      });
    }
    case "read":
      return nat(input, "requestId", "");
    case "transferLeadership":
      return nid(input, "to", "");
    case "snapshot":
      if (typeof input.data !== "string") return malformed("data", "must be a string");
      return nat(input, "index", "");
    default:
      return malformed("input.type", `unknown input ${JSON.stringify(input.type)}`);
  }
}
