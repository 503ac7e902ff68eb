// Message-handler fuzzing: valid-looking Raft messages, mutated field by field (wrong types,
// negative and huge numbers, wrong from/to, stale and future terms, inconsistent entries), fed to
// `stepServer` of servers in several states (fresh follower, follower with a log, pre-candidate,
// candidate, leader; two schemes), walking on from the resulting servers. Properties: stepServer
// never throws; it never changes its argument; a message refused by validation, or refused without
// a newer term, returns the very same server object and no persist ops; an accepted one keeps term
// and commit monotone and commit ≤ lastIndex.
import {
  type Input,
  type Message,
  newServer,
  params,
  RaftLog,
  type RaftParams,
  type RaftServer,
  stepServer,
} from "@adore/raft-net";
import { getScheme, type RegisteredScheme } from "@adore/schemes";
import { admitPeerMessage } from "@adore/runtime-node/internal";
import { MESSAGE_TYPES } from "@adore/runtime-node/internal";
import { FuzzRng, type FuzzFailure, Outcomes } from "./rng.js";
import { NASTY_NUMBERS, nastyValue } from "./values.js";

/** What a message generator knows of the receiver. */
export interface MsgContext {
  readonly self: number;
  readonly peers: readonly number[];
  readonly term: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly commit: number;
  /** Valid configuration values of the scheme (for config entries and snapshots). */
  readonly configs: readonly unknown[];
}

type Msg = Record<string, unknown>;

function entry(r: FuzzRng, index: number, term: number, ctx: MsgContext): Msg {
  const k = r.int(10);
  if (k === 0) return { kind: "noop", index, term, versn: index };
  if (k === 1 && ctx.configs.length > 0)
    return {
      kind: "config",
      index,
      term,
      versn: index,
      membership: { config: r.pick(ctx.configs), learners: 0 },
    };
  return {
    kind: "command",
    index,
    term,
    versn: index,
    command: JSON.stringify({ op: "put", key: `f${r.int(5)}`, value: "x", clientId: "fuzz", seq: index }),
  };
}

/** A message that passes validation (its content may still be stale or surprising). */
export function validLooking(r: FuzzRng, ctx: MsgContext): Msg {
  const type = r.pick(MESSAGE_TYPES);
  const from = r.pick(ctx.peers);
  const term = Math.max(0, ctx.term + r.pick([-1, 0, 0, 0, 1, 1, 2]));
  const base = { type, from, to: ctx.self, term };
  const li = Math.max(0, ctx.lastIndex + r.range(-2, 2));
  const lt = Math.min(term, Math.max(0, ctx.lastTerm + r.range(-1, 1)));
  switch (type) {
    case "RequestVote":
      return { ...base, lastLogIndex: li, lastLogTerm: lt, preVote: r.chance(0.4), transfer: r.chance(0.1) };
    case "RequestVoteResponse":
      return { ...base, granted: r.chance(0.7), preVote: r.chance(0.4), lastLogIndex: li, lastLogTerm: lt };
    case "AppendEntries": {
      const prev = Math.max(0, Math.min(li, ctx.lastIndex + r.range(-3, 1)));
      const prevTerm = Math.min(term, prev === 0 ? 0 : Math.max(0, ctx.lastTerm + r.range(-1, 0)));
      const entries: Msg[] = [];
      let t = prevTerm;
      for (let i = r.int(5); i > 0; i--) {
        t = Math.min(term, t + (r.chance(0.3) ? 1 : 0));
        entries.push(entry(r, prev + entries.length + 1, t, ctx));
      }
      return {
        ...base,
        prevLogIndex: prev,
        prevLogTerm: prevTerm,
        entries,
        leaderCommit: Math.max(0, ctx.commit + r.range(-1, 4)),
        readSeq: r.int(4),
      };
    }
    case "AppendEntriesResponse":
      return {
        ...base,
        success: r.chance(0.6),
        matchIndex: li,
        rejectIndex: Math.max(0, li - r.int(3)),
        hintTerm: lt,
        hintIndex: Math.max(0, li - r.int(3)),
        readSeq: r.int(4),
      };
    case "InstallSnapshot": {
      const index = Math.max(0, ctx.lastIndex + r.range(-2, 5));
      return {
        ...base,
        readSeq: r.int(3),
        snapshot: {
          index,
          term: Math.min(term, Math.max(0, ctx.lastTerm + r.range(0, 1))),
          configIndex: r.int(index + 1),
          membership: { config: ctx.configs.length > 0 ? r.pick(ctx.configs) : 14, learners: 0 },
          data: r.chance(0.5) ? "" : '{"v":1,"kv":"","dir":[]}',
        },
      };
    }
    default:
      return base;
  }
}

const FIELDS = [
  "type",
  "from",
  "to",
  "term",
  "lastLogIndex",
  "lastLogTerm",
  "preVote",
  "transfer",
  "granted",
  "prevLogIndex",
  "prevLogTerm",
  "entries",
  "leaderCommit",
  "readSeq",
  "success",
  "matchIndex",
  "rejectIndex",
  "hintTerm",
  "hintIndex",
  "snapshot",
];

function tweakNumber(r: FuzzRng, v: unknown): unknown {
  if (typeof v !== "number") return r.pick(NASTY_NUMBERS);
  return r.pick([v + 1, v - 1, -v - 1, v * 2 ** 30, v + 0.5, 2 ** 53, -(2 ** 31), v + 1000]);
}

/** Changes one thing about a message (in place on a copy). */
function mutateOnce(r: FuzzRng, m: Msg, ctx: MsgContext): Msg {
  const keys = Object.keys(m);
  switch (r.int(11)) {
    case 0:
      m[r.chance(0.7) && keys.length > 0 ? r.pick(keys) : r.pick(FIELDS)] = nastyValue(r);
      return m;
    case 1:
      if (keys.length > 0) delete m[r.pick(keys)];
      return m;
    case 2: {
      const k = r.pick(keys.length > 0 ? keys : FIELDS);
      m[k] = tweakNumber(r, m[k]);
      return m;
    }
    case 3:
      m[r.chance(0.5) ? "from" : "to"] = r.pick([ctx.self, 0, 31, 32, 99, -1, 1.5, ...ctx.peers]);
      return m;
    case 4:
      m.term = r.pick([0, ctx.term - 1, ctx.term + 1, ctx.term + 1000, 2 ** 53, 2 ** 31]);
      return m;
    case 5:
      m.type = r.pick([...MESSAGE_TYPES, "hello", "Bogus", "", "appendentries"]);
      return m;
    case 6:
    case 7: {
      // inside the entries
      const es = Array.isArray(m.entries) ? (m.entries as Msg[]).map((e) => ({ ...e })) : [];
      if (es.length === 0)
        es.push(entry(r, (typeof m.prevLogIndex === "number" ? m.prevLogIndex : 0) + 1, ctx.term, ctx));
      const i = r.int(es.length);
      const e = es[i]!;
      switch (r.int(8)) {
        case 0:
          e[r.pick(["index", "term", "versn", "kind", "command", "membership"])] = nastyValue(r);
          break;
        case 1:
          e.index = tweakNumber(r, e.index);
          break;
        case 2:
          e.term = tweakNumber(r, e.term);
          break;
        case 3:
          es.push({ ...e }); // duplicate index
          break;
        case 4:
          es.reverse();
          break;
        case 5:
          e.kind = "config";
          e.membership = r.chance(0.5)
            ? { config: nastyValue(r), learners: r.chance(0.5) ? 0 : nastyValue(r) }
            : nastyValue(r);
          break;
        case 6:
          es[i] = nastyValue(r) as Msg;
          break;
        default:
          delete e[r.pick(Object.keys(e).length > 0 ? Object.keys(e) : ["index"])];
      }
      m.entries = r.chance(0.05) ? nastyValue(r) : es;
      return m;
    }
    case 8: {
      const s = typeof m.snapshot === "object" && m.snapshot !== null ? { ...(m.snapshot as Msg) } : {};
      const k = r.pick(["index", "term", "configIndex", "membership", "data"]);
      s[k] =
        k === "membership" && r.chance(0.6)
          ? { config: nastyValue(r), learners: r.chance(0.7) ? 0 : nastyValue(r) }
          : r.chance(0.5)
            ? tweakNumber(r, s[k])
            : nastyValue(r);
      m.snapshot = r.chance(0.05) ? nastyValue(r) : s;
      return m;
    }
    case 9:
      m[r.pick(["extra", "__proto__x", "toString", "constructor"])] = nastyValue(r);
      return m;
    default:
      return m;
  }
}

/** A valid-looking message with 0–3 mutations (and now and then something that is not a message at all). */
export function mutatedMessage(r: FuzzRng, ctx: MsgContext): unknown {
  if (r.chance(0.02)) return nastyValue(r);
  let m = validLooking(r, ctx);
  for (let k = r.chance(0.15) ? 0 : r.int(3) + 1; k > 0; k--) m = mutateOnce(r, { ...m }, ctx);
  return m;
}

/** A message for a receiver we know little of (the wire fuzzer's payloads). */
export function randomMessage(r: FuzzRng, self: number, term: number): unknown {
  return mutatedMessage(r, {
    self,
    peers: [2, 3],
    term,
    lastIndex: r.int(20),
    lastTerm: term,
    commit: r.int(10),
    configs: [14],
  });
}

// ---------------------------------------------------------------------------------------------
// servers in several states

export interface FuzzState {
  readonly label: string;
  readonly server: RaftServer<unknown>;
  readonly params: RaftParams<unknown>;
  readonly configs: readonly unknown[];
  readonly reg: RegisteredScheme<unknown>;
}

const cmd = (i: number, t: number) => ({
  kind: "command" as const,
  index: i,
  term: t,
  versn: i,
  command: JSON.stringify({ op: "put", key: `k${i}`, value: "v", clientId: "s", seq: i }),
});

/** Servers of node 1 in a 3-node cluster: fresh follower, follower with a log, pre-candidate, candidate, leader. */
export function fuzzStates(schemeName: string): FuzzState[] {
  const reg = getScheme(schemeName);
  const p = params<unknown>({
    scheme: reg.scheme,
    options: { electionTick: 20, heartbeatTick: 3, preVote: true, checkQuorum: true },
  });
  const configs = [reg.initial(3), reg.initial(2), reg.initial(4)];
  const membership = { config: reg.initial(3), learners: 0 };
  let s = newServer<unknown>(1, membership, p, 7);
  const out: FuzzState[] = [];
  const keep = (label: string) => out.push({ label, server: s, params: p, configs, reg });
  const step = (input: Input<unknown>) => {
    s = stepServer(s, input, p).server;
  };
  keep("follower-fresh");
  step({
    type: "receive",
    msg: {
      type: "AppendEntries",
      from: 2,
      to: 1,
      term: 2,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 3,
      readSeq: 0,
      entries: [{ kind: "noop", index: 1, term: 2, versn: 1 }, cmd(2, 2), cmd(3, 2), cmd(4, 2), cmd(5, 2)],
    } as Message<unknown>,
  });
  step({ type: "persisted", index: 5, term: 2 });
  keep("follower-log");
  step({ type: "campaign" });
  keep(s.role === "preCandidate" ? "pre-candidate" : `after-campaign-${s.role}`);
  const vote = (preVote: boolean, term: number): Input<unknown> => ({
    type: "receive",
    msg: {
      type: "RequestVoteResponse",
      from: 2,
      to: 1,
      term,
      granted: true,
      preVote,
      lastLogIndex: 5,
      lastLogTerm: 2,
    } as Message<unknown>,
  });
  if (s.role === "preCandidate") step(vote(true, s.term + 1));
  keep(s.role === "candidate" ? "candidate" : `after-prevote-${s.role}`);
  if (s.role === "candidate") {
    step(vote(false, s.term));
    step({ type: "persisted", index: s.log.lastIndex, term: s.log.lastTerm });
  }
  if (s.role === "leader") {
    step({ type: "propose", commands: ['{"op":"noop"}', '{"op":"noop"}'] });
    step({ type: "persisted", index: s.log.lastIndex, term: s.log.lastTerm });
    step({
      type: "receive",
      msg: {
        type: "AppendEntriesResponse",
        from: 2,
        to: 1,
        term: s.term,
        success: true,
        matchIndex: s.log.lastIndex,
        rejectIndex: 0,
        hintTerm: 0,
        hintIndex: 0,
        readSeq: 0,
      } as Message<unknown>,
    });
  }
  keep(s.role === "leader" ? "leader" : `not-leader-${s.role}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// purity check

/** A canonical text of a server's observable value (RaftLog by its view, Maps by sorted entries). */
export function fingerprint(v: unknown): string {
  const seen = new Set<unknown>();
  const walk = (x: unknown): unknown => {
    if (x === undefined) return "<undef>";
    if (typeof x === "number") return Number.isNaN(x) ? "<NaN>" : Object.is(x, -0) ? "<-0>" : x;
    if (typeof x !== "object" || x === null) return x;
    if (seen.has(x)) return "<cycle>";
    seen.add(x);
    try {
      if (x instanceof RaftLog)
        return {
          snapshot: walk(x.snapshot),
          entries: walk(x.slice(x.firstIndex, x.lastIndex)),
          last: x.lastIndex,
        };
      if (x instanceof Map)
        return [...x.entries()]
          .map(([k, y]) => [walk(k), walk(y)])
          .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
      if (x instanceof Uint8Array) return `<bytes ${Buffer.from(x).toString("hex")}>`;
      if (Array.isArray(x)) return x.map(walk);
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = walk((x as Record<string, unknown>)[k]);
      return o;
    } finally {
      seen.delete(x);
    }
  };
  return JSON.stringify(walk(v));
}

// ---------------------------------------------------------------------------------------------
// the runner

const VALIDATION = new Set(["Malformed", "OutOfRange", "WrongRecipient"]);

export interface MessageFuzzOptions {
  readonly seed: number;
  readonly inputs: number;
  /** Schemes whose servers are fuzzed (default raft-single and raft-joint). */
  readonly schemes?: readonly string[];
  /** Check purity (fingerprint before/after) on every k-th input (default 1: every input). */
  readonly purityEvery?: number;
  /**
   * Put messages through the node's admission check first, as RaftNode does (default true). With
   * false, bogus configuration values reach the core, which trusts them: see src/auth/admission.ts.
   */
  readonly admission?: boolean;
  readonly onFailure?: (f: FuzzFailure) => void;
}

const ctxOf = (st: FuzzState, s: RaftServer<unknown>): MsgContext => ({
  self: s.id,
  peers: [2, 3],
  term: s.term,
  lastIndex: s.log.lastIndex,
  lastTerm: s.log.lastTerm,
  commit: s.commit,
  configs: st.configs,
});

export function fuzzMessages(o: MessageFuzzOptions): {
  outcomes: Outcomes;
  failures: FuzzFailure[];
  states: string[];
} {
  const outcomes = new Outcomes();
  const failures: FuzzFailure[] = [];
  const r = new FuzzRng(o.seed);
  const states = (o.schemes ?? ["raft-single", "raft-joint"]).flatMap((n) =>
    fuzzStates(n).map((st) => ({ ...st, label: `${n}/${st.label}` })),
  );
  const every = o.purityEvery ?? 1;
  let base = r.pick(states);
  let cur = base.server;
  const fail = (i: number, what: string, detail: string) => {
    outcomes.add(`FAIL:${what}`);
    const f: FuzzFailure = { what, seed: o.seed, input: i, detail };
    failures.push(f);
    o.onFailure?.(f);
  };
  for (let i = 0; i < o.inputs; i++) {
    if (r.chance(0.05) || cur.log.lastIndex > 200) {
      base = r.pick(states);
      cur = base.server;
    }
    const msg = mutatedMessage(r, ctxOf(base, cur));
    const input = { type: "receive", msg } as Input<unknown>;
    outcomes.inputs++;
    if (o.admission !== false && admitPeerMessage(base.reg, msg) !== undefined) {
      outcomes.add("refused:admission");
      continue;
    }
    const check = i % every === 0;
    const before = check ? fingerprint(cur) : "";
    let res: ReturnType<typeof stepServer<unknown>>;
    try {
      res = stepServer(cur, input, base.params);
    } catch (e) {
      fail(
        i,
        "threw",
        `${e instanceof Error ? e.stack : String(e)}\n  state ${base.label} msg ${safeJson(msg)}`,
      );
      continue;
    }
    if (check && fingerprint(cur) !== before)
      fail(i, "mutated-argument", `state ${base.label} msg ${safeJson(msg)}`);
    const msgTerm = (msg as { term?: unknown } | null)?.term;
    const newer = typeof msgTerm === "number" && msgTerm > cur.term;
    if (res.rejected) {
      const code = res.rejected.code;
      outcomes.add(`rejected:${code}`);
      const where = () => `${code} in state ${base.label}: ${safeJson(msg)}`;
      if (VALIDATION.has(code) || code === "StaleTerm") {
        // refused outright: the very same server object, nothing to persist
        if (res.server !== cur) fail(i, "refused-but-changed", where());
        if (VALIDATION.has(code) && res.outputs.messages.length > 0) fail(i, "malformed-answered", where());
      } else if (!newer) {
        // refused content of the current term: bookkeeping (e.g. the check-quorum "heard from")
        // may move, but never the term, the vote, the commit index or the log
        const n = res.server;
        if (
          n.term !== cur.term ||
          n.votedFor !== cur.votedFor ||
          n.commit !== cur.commit ||
          fingerprint(n.log) !== fingerprint(cur.log)
        )
          fail(i, "refused-but-changed", where());
      }
      if (!newer && res.outputs.persist !== undefined) fail(i, "refused-but-persisted", where());
    } else {
      outcomes.add(`accepted:${(msg as { type: string }).type}`);
      const n = res.server;
      if (n.term < cur.term || n.commit < cur.commit || n.commit > n.log.lastIndex)
        fail(
          i,
          "invariant",
          `term ${cur.term}→${n.term} commit ${cur.commit}→${n.commit} last ${n.log.lastIndex}`,
        );
    }
    cur = res.server;
  }
  return { outcomes, failures, states: states.map((s) => s.label) };
}

function safeJson(v: unknown): string {
  try {
    return (
      JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x))?.slice(0, 600) ??
      "undefined"
    );
  } catch {
    return "<unprintable>";
  }
}
