import { members, type NodeId, type NodeSet, nodeSet, showSet } from "@adore/adore-core";
import { getScheme, type RegisteredScheme } from "@adore/schemes";
import {
  addNode,
  type ClusterState,
  checkCluster,
  commitMonotone,
  crash,
  deliver,
  drive,
  type Effect,
  newCluster,
  restart,
  setPartition,
} from "../cluster.js";
import {
  MUTATION_NAMES,
  type MutationName,
  type Mutations,
  makeParams,
  OptionsError,
  type RaftOptions,
  type RaftParams,
} from "../options.js";
import { showMessage } from "./sim.js";
import {
  type Entry,
  type Input,
  type Membership,
  type Message,
  NONE,
  type RaftEvent,
  type Rejection,
  type Reply,
} from "../types.js";

/**
 * Datadriven interaction scripts in the style of etcd-raft's testdata/*.txt: a file of blocks
 * separated by blank lines, each a command line, `----`, and the output the command is expected
 * to print. Lines starting with `#` before a command are comments (kept when a file is rewritten).
 * The interpreter drives an in-memory cluster (cluster.ts) exactly as the simulator does.
 */

/** A bad script: an unknown command, a bad argument, a malformed block. Names the line. */
export class ScriptError extends Error {
  constructor(
    readonly line: number,
    readonly command: string,
    readonly why: string,
    readonly file = "",
  ) {
    super(`${file ? `${file}:` : "line "}${line}: ${command ? `${command}: ` : ""}${why}`);
    this.name = "ScriptError";
  }
}

export interface ScriptBlock {
  /** 1-based line number of the command line. */
  readonly line: number;
  /** Comment lines (with their `#`) before the command. */
  readonly comments: readonly string[];
  readonly command: string;
  /** The expected output (lines joined by "\n", no trailing newline; "" for none). */
  readonly expected: string;
}

export interface ScriptOptions {
  /** File name used in errors. */
  readonly file?: string;
  /** Most deliveries `stabilize` makes before giving up (default 10,000). */
  readonly maxDeliveries?: number;
}

export interface BlockResult {
  readonly block: ScriptBlock;
  readonly actual: string;
}

export interface Mismatch {
  readonly line: number;
  readonly command: string;
  readonly expected: string;
  readonly actual: string;
}

const SEP = "----";

/** Splits a script into its blocks (throws ScriptError on a block without `----`). */
export function parseScript(text: string, file = ""): ScriptBlock[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks: ScriptBlock[] = [];
  let i = 0;
  let comments: string[] = [];
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === "") {
      i++;
      continue;
    }
    if (l.startsWith("#")) {
      comments.push(l);
      i++;
      continue;
    }
    const line = i + 1;
    const command = l.trim();
    if (lines[i + 1] !== SEP)
      throw new ScriptError(line, command, `expected "${SEP}" on the next line`, file);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") out.push(lines[i++]!);
    blocks.push({ line, comments, command, expected: out.join("\n") });
    comments = [];
  }
  return blocks;
}

/** Prints blocks back as a script (the canonical layout REWRITE=1 produces). */
export function printScript(blocks: readonly { block: ScriptBlock; output: string }[]): string {
  const parts = blocks.map(({ block, output }) =>
    [...block.comments, block.command, SEP, ...(output === "" ? [] : [output])].join("\n"),
  );
  return `${parts.join("\n\n")}\n`;
}

/** Runs every block of a script on one fresh interpreter. */
export function runBlocks(text: string, opts: ScriptOptions = {}): BlockResult[] {
  const blocks = parseScript(text, opts.file ?? "");
  const it = new Interpreter(opts);
  return blocks.map((block) => ({ block, actual: it.run(block.command, block.line) }));
}

/** Runs a script; returns it with every block's output replaced by what the command printed. */
export function runScript(text: string, opts: ScriptOptions = {}): string {
  return printScript(runBlocks(text, opts).map((r) => ({ block: r.block, output: r.actual })));
}

/** The blocks whose actual output differs from the expected one. */
export function compareScript(text: string, opts: ScriptOptions = {}): Mismatch[] {
  const out: Mismatch[] = [];
  for (const { block, actual } of runBlocks(text, opts))
    if (actual !== block.expected)
      out.push({ line: block.line, command: block.command, expected: block.expected, actual });
  return out;
}

// ---------------------------------------------------------------------------------------------
// argument parsing

/** Splits on spaces outside (), {} and []. */
function tokenize(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of line) {
    if (ch === "(" || ch === "{" || ch === "[") depth++;
    else if (ch === ")" || ch === "}" || ch === "]") depth--;
    if (/\s/.test(ch) && depth <= 0) {
      if (cur !== "") out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur !== "") out.push(cur);
  return out;
}

class Args {
  readonly pos: string[] = [];
  readonly kv = new Map<string, string>();
  private readonly used = new Set<string>();
  constructor(
    tokens: readonly string[],
    private readonly fail: (why: string) => never,
  ) {
    for (const t of tokens) {
      const m = /^([a-z][a-z0-9-]*)=(.*)$/.exec(t);
      if (m) {
        if (this.kv.has(m[1]!)) fail(`option ${m[1]} given twice`);
        this.kv.set(m[1]!, m[2]!);
      } else this.pos.push(t);
    }
  }
  opt(key: string): string | undefined {
    this.used.add(key);
    return this.kv.get(key);
  }
  int(key: string, dflt: number): number {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) this.fail(`${key}=${v}: not a non-negative integer`);
    return Number(v);
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (v !== "true" && v !== "false") this.fail(`${key}=${v}: expected true or false`);
    return v === "true";
  }
  oneOf<T extends string>(key: string, dflt: T, allowed: readonly T[]): T {
    const v = this.opt(key);
    if (v === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(v))
      this.fail(`${key}=${v}: expected one of ${allowed.join(", ")}`);
    return v as T;
  }
  list(key: string): string[] | undefined {
    const v = this.opt(key);
    if (v === undefined) return undefined;
    const m = /^\((.*)\)$/.exec(v);
    if (!m) this.fail(`${key}=${v}: expected a list like (1,2,3)`);
    return m[1]!
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  ids(key: string): NodeId[] | undefined {
    const l = this.list(key);
    return l?.map((s) => parseId(s, key, this.fail));
  }
  /** Fails on options nobody asked for, and on more positional arguments than `max`. */
  done(max: number): void {
    for (const k of this.kv.keys()) if (!this.used.has(k)) this.fail(`unknown option ${k}=`);
    if (this.pos.length > max) this.fail(`unexpected argument ${JSON.stringify(this.pos[max])}`);
  }
}

function parseId(s: string, what: string, fail: (why: string) => never): NodeId {
  if (!/^\d+$/.test(s)) fail(`${what}: ${JSON.stringify(s)} is not a node id`);
  const n = Number(s);
  if (n < 1 || n > 30) fail(`${what}: node id ${n} is not in 1..30`);
  return n;
}

/** `(1,2) (3,4,5)` → node sets. */
function parseGroup(s: string, fail: (why: string) => never): NodeSet {
  const m = /^\((.*)\)$/.exec(s);
  if (!m) fail(`${JSON.stringify(s)}: expected a group like (1,2,3)`);
  const ids = m[1]!
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
    .map((x) => parseId(x, "group", fail));
  return nodeSet(ids);
}

// ---------------------------------------------------------------------------------------------
// printing

function showRejection(r: Rejection): string {
  const fields = Object.entries(r)
    .filter(([k]) => k !== "code")
    .map(([k, v]) =>
      typeof v === "object" && v !== null
        ? `${k}=${Object.values(v as Record<string, unknown>)
            .map(String)
            .join("/")}`
        : `${k}=${String(v)}`,
    );
  return [r.code, ...fields].join(" ");
}

function showEvent<C>(e: RaftEvent<C>, show: (c: C) => string): string {
  switch (e.type) {
    case "becameFollower":
      return `becameFollower t${e.term} leader=${e.leader === NONE ? "none" : e.leader}`;
    case "becamePreCandidate":
      return `becamePreCandidate t${e.term}`;
    case "becameCandidate":
      return `becameCandidate t${e.term}`;
    case "becameLeader":
      return `becameLeader t${e.term} votes=${showSet(e.voters)} configIndex=${e.configIndex}`;
    case "voted":
      return `voted t${e.term} for=${e.for}${e.preVote ? " pre-vote" : ""}`;
    case "appended":
      return `appended t${e.term} [${e.firstIndex}..${e.lastIndex}]`;
    case "configAppended":
      return `configAppended ${e.index}/${e.term} ${showMembership(e.membership, show)}`;
    case "truncated":
      return `truncated from=${e.from} removed=${e.removed}`;
    case "commitAdvanced":
      return `commit ${e.from}->${e.to}${e.quorum === undefined ? "" : ` quorum=${showSet(e.quorum)}`}`;
    case "steppedDown":
      return `steppedDown t${e.term} reason=${e.reason}`;
    case "transferStarted":
      return `transferStarted to=${e.to}`;
    case "transferAborted":
      return `transferAborted to=${e.to}`;
    case "snapshotInstalled":
      return `snapshotInstalled ${e.index}/${e.term}`;
    case "compacted":
      return `compacted index=${e.index}`;
    case "snapshotWanted":
      return `snapshotWanted applied=${e.applied}`;
    case "promoting":
      return `promoting learner=${e.learner}`;
    case "restarted":
      return `restarted t${e.term} commit=${e.commit} last=${e.lastIndex}`;
  }
}

function showReply(r: Reply): string {
  const id = (x: number | undefined) => (x === undefined ? "" : ` id=${x}`);
  switch (r.type) {
    case "proposed":
      return `proposed${id(r.requestId)} t${r.term} [${r.firstIndex}..${r.lastIndex}]`;
    case "reconfigProposed":
      return `reconfigProposed${id(r.requestId)} t${r.term} index=${r.index}`;
    case "reconfigFailed":
      return `reconfigFailed${id(r.requestId)} ${showRejection(r.reason)}`;
    case "readReady":
      return `readReady id=${r.requestId} index=${r.index}`;
    case "readFailed":
      return `readFailed id=${r.requestId} ${showRejection(r.reason)}`;
  }
}

function showMembership<C>(m: Membership<C>, show: (c: C) => string): string {
  return `${show(m.config)}${m.learners === 0 ? "" : ` learners=${showSet(m.learners)}`}`;
}

function showEntry<C>(e: Entry<C>, show: (c: C) => string): string {
  const head = `${e.index}/${e.term}.${e.versn}`;
  switch (e.kind) {
    case "noop":
      return `${head} noop`;
    case "command":
      return `${head} command ${e.command}`;
    case "config":
      return `${head} config ${showMembership(e.membership, show)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// the interpreter

/** As cluster.ts decides it: are a and b in the same partition group (or is there no partition)? */
function connected(cl: ClusterState<unknown>, a: NodeId, b: NodeId): boolean {
  if (cl.partition.length === 0) return true;
  for (const g of cl.partition) if ((g & (1 << a)) !== 0) return (g & (1 << b)) !== 0;
  return false;
}

const COMMANDS = [
  "add-nodes",
  "campaign",
  "tick",
  "tick-election",
  "tick-heartbeat",
  "propose",
  "propose-conf-change",
  "transfer-leadership",
  "read-index",
  "compact",
  "deliver-msgs",
  "drop-msgs",
  "stabilize",
  "partition",
  "heal",
  "crash",
  "restart",
  "raft-state",
  "raft-log",
  "check-invariants",
  "inject-msg",
] as const;
type Command = (typeof COMMANDS)[number];

interface World<C> {
  readonly reg: RegisteredScheme<C>;
  readonly params: RaftParams<C>;
  readonly membership0: Membership<C>;
  cl: ClusterState<C>;
}

/** One script's state: the cluster and everything the commands need between blocks. */
export class Interpreter {
  private w: World<unknown> | undefined;
  private requestId = 0;
  /** The first commit-index regression seen between two commands' states. */
  private monotone: string | undefined;
  private readonly maxDeliveries: number;
  private readonly file: string;

  constructor(opts: ScriptOptions = {}) {
    this.maxDeliveries = opts.maxDeliveries ?? 10_000;
    this.file = opts.file ?? "";
  }

  /** Runs one command line; returns its output (throws ScriptError on a bad command). */
  run(command: string, line = 0): string {
    const tokens = tokenize(command);
    const name = tokens[0] ?? "";
    const fail = (why: string): never => {
      throw new ScriptError(line, name, why, this.file);
    };
    if (!(COMMANDS as readonly string[]).includes(name))
      fail(`unknown command (known: ${COMMANDS.join(", ")})`);
    const args = new Args(tokens.slice(1), fail);
    const out: string[] = [];
    const before = this.w?.cl;
    this.exec(name as Command, args, out, fail);
    if (before && this.w && !this.monotone) this.monotone = commitMonotone(before, this.w.cl);
    return out.join("\n");
  }

  private world(fail: (why: string) => never): World<unknown> {
    if (!this.w) return fail("no cluster yet (start with add-nodes)");
    return this.w;
  }

  private node(w: World<unknown>, s: string | undefined, fail: (why: string) => never): NodeId {
    if (s === undefined) return fail("missing node id");
    const id = parseId(s, "node", fail);
    if (!w.cl.nodes.has(id)) fail(`no node ${id} (nodes: ${[...w.cl.nodes.keys()].join(",")})`);
    return id;
  }

  private show(w: World<unknown>): (c: unknown) => string {
    return (c) => w.reg.scheme.print(c);
  }

  /** Prints one driven effect: events, replies, rejection, and (optionally) the messages sent. */
  private effect(
    w: World<unknown>,
    e: Effect<unknown>,
    out: string[],
    indent: string,
    withSends: boolean,
  ): void {
    const show = this.show(w);
    for (const ev of e.events) out.push(`${indent}${e.id}: ${showEvent(ev, show)}`);
    const rej = e.rejected ? showRejection(e.rejected) : undefined;
    for (const r of e.replies) {
      // a refusal also comes back as a reply with the same reason: print it once
      if ((r.type === "reconfigFailed" || r.type === "readFailed") && rej === showRejection(r.reason))
        continue;
      out.push(`${indent}${e.id}: ${showReply(r)}`);
    }
    if (rej !== undefined) out.push(`${indent}${e.id}: rejected: ${rej}`);
    if (withSends)
      for (const m of e.sent)
        out.push(
          `${indent}> ${showMessage(m, show)}${connected(w.cl, m.from, m.to) ? "" : " (lost: partitioned)"}`,
        );
  }

  private step(w: World<unknown>, id: NodeId, input: Input<unknown>, out: string[], withSends = true): void {
    const r = drive(w.cl, id, input, w.params, this.show(w));
    w.cl = r.cluster;
    this.effect(w, r.effect, out, "", withSends);
  }

  /** Delivers network[i], printing it and what it caused. */
  private deliverAt(w: World<unknown>, i: number, out: string[]): void {
    const m = w.cl.network[i]!;
    const show = this.show(w);
    out.push(showMessage(m, show));
    const to = w.cl.nodes.get(m.to);
    const r = deliver(w.cl, i, w.params, show);
    w.cl = r.cluster;
    if (r.effect) this.effect(w, r.effect, out, "  ", false);
    else out.push(`  lost: ${!to ? `no node ${m.to}` : !to.up ? `${m.to} is down` : "partitioned"}`);
  }

  private exec(name: Command, a: Args, out: string[], fail: (why: string) => never): void {
    switch (name) {
      case "add-nodes":
        this.addNodes(a, out, fail);
        return;
      case "campaign": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        this.step(w, id, { type: "campaign" }, out);
        return;
      }
      case "tick": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        const n = a.pos[1] === undefined ? 1 : Number(a.pos[1]);
        if (!Number.isInteger(n) || n < 1)
          fail(`tick count ${JSON.stringify(a.pos[1])} is not a positive integer`);
        a.done(2);
        for (let k = 0; k < n; k++) this.step(w, id, { type: "tick" }, out, k === n - 1);
        return;
      }
      case "tick-heartbeat": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        for (let k = 0; k < w.params.options.heartbeatTick; k++) this.step(w, id, { type: "tick" }, out);
        return;
      }
      case "tick-election":
        this.tickElection(a, out, fail);
        return;
      case "propose": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        const commands = a.pos.slice(1);
        if (commands.length === 0) fail("missing command(s) to propose");
        a.done(a.pos.length);
        this.step(w, id, { type: "propose", commands, requestId: ++this.requestId }, out);
        return;
      }
      case "propose-conf-change": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        const text = a.pos[1];
        if (text === undefined) fail("missing configuration");
        let config: unknown;
        try {
          config = w.reg.parse(text!);
        } catch (e) {
          fail(e instanceof Error ? e.message : String(e));
        }
        const learners = nodeSet(a.ids("learners") ?? []);
        const ifc = a.opt("if-config");
        if (ifc !== undefined && !/^\d+$/.test(ifc)) fail(`if-config=${ifc}: not an index`);
        a.done(2);
        const input: Input<unknown> =
          ifc === undefined
            ? { type: "reconfigure", membership: { config, learners }, requestId: ++this.requestId }
            : {
                type: "reconfigure",
                membership: { config, learners },
                ifConfigIndex: Number(ifc),
                requestId: ++this.requestId,
              };
        this.step(w, id, input, out);
        return;
      }
      case "transfer-leadership": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        const to = this.node(w, a.pos[1], fail);
        a.done(2);
        this.step(w, id, { type: "transferLeadership", to }, out);
        return;
      }
      case "read-index": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        this.step(w, id, { type: "read", requestId: ++this.requestId }, out);
        return;
      }
      case "compact": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        const s = a.pos[1];
        if (s === undefined || !/^\d+$/.test(s)) fail(`missing or bad index ${JSON.stringify(s)}`);
        a.done(2);
        const index = Number(s);
        this.step(w, id, { type: "snapshot", index, data: `state@${index}` }, out);
        return;
      }
      case "deliver-msgs":
      case "drop-msgs": {
        const w = this.world(fail);
        const to = a.pos[0] === undefined ? undefined : this.node(w, a.pos[0], fail);
        const dropTo = nodeSet(a.ids("drop") ?? []);
        a.done(1);
        const round = w.cl.network.filter((m) => to === undefined || m.to === to);
        if (round.length === 0) out.push("no messages");
        for (const m of round) {
          const i = w.cl.network.indexOf(m);
          if (i < 0) continue; // lost meanwhile (its recipient crashed or was partitioned)
          if (name === "drop-msgs" || (dropTo & (1 << m.to)) !== 0) {
            out.push(`dropped: ${showMessage(m, this.show(w))}`);
            w.cl = { ...w.cl, network: w.cl.network.slice(0, i).concat(w.cl.network.slice(i + 1)) };
          } else this.deliverAt(w, i, out);
        }
        return;
      }
      case "stabilize": {
        const w = this.world(fail);
        a.done(0);
        let n = 0;
        while (w.cl.network.length > 0) {
          if (n++ >= this.maxDeliveries) {
            out.push(`not stable after ${this.maxDeliveries} deliveries`);
            return;
          }
          this.deliverAt(w, 0, out);
        }
        if (n === 0) out.push("no messages");
        return;
      }
      case "partition": {
        const w = this.world(fail);
        if (a.pos.length < 2) fail("expected at least two groups like (1,2) (3,4,5)");
        const groups = a.pos.map((g) => parseGroup(g, fail));
        a.done(a.pos.length);
        const lost = w.cl.network.length;
        w.cl = setPartition(w.cl, groups);
        out.push(
          `partition ${groups.map(showSet).join(" | ")} (${lost - w.cl.network.length} messages lost)`,
        );
        return;
      }
      case "heal": {
        const w = this.world(fail);
        a.done(0);
        w.cl = setPartition(w.cl, []);
        out.push("healed");
        return;
      }
      case "crash": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        if (!w.cl.nodes.get(id)!.up) fail(`node ${id} is already down`);
        const lost = w.cl.network.length;
        w.cl = crash(w.cl, id);
        out.push(`${id} down (${lost - w.cl.network.length} messages to it lost)`);
        return;
      }
      case "restart": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        if (w.cl.nodes.get(id)!.up) fail(`node ${id} is up`);
        const r = restart(w.cl, id, w.params, this.show(w));
        w.cl = r.cluster;
        if (r.effect) this.effect(w, r.effect, out, "", false);
        return;
      }
      case "raft-state": {
        const w = this.world(fail);
        a.done(0);
        this.raftState(w, out);
        return;
      }
      case "raft-log": {
        const w = this.world(fail);
        const id = this.node(w, a.pos[0], fail);
        a.done(1);
        this.raftLog(w, id, out);
        return;
      }
      case "check-invariants": {
        const w = this.world(fail);
        a.done(0);
        out.push(checkCluster(w.cl) ?? this.monotone ?? "ok");
        return;
      }
      case "inject-msg":
        this.inject(a, out, fail);
        return;
    }
  }

  private addNodes(a: Args, out: string[], fail: (why: string) => never): void {
    const nStr = a.pos[0];
    if (nStr === undefined || !/^\d+$/.test(nStr) || Number(nStr) < 1)
      fail(`expected a node count, got ${JSON.stringify(nStr)}`);
    const n = Number(nStr);
    if (this.w) {
      // more nodes for a running cluster: empty non-members that learn the log once added
      a.done(1);
      const w = this.w;
      const first = Math.max(...w.cl.nodes.keys()) + 1;
      if (first + n - 1 > 30) fail("node ids go up to 30");
      for (let id = first; id < first + n; id++) w.cl = addNode(w.cl, id, w.membership0, w.params);
      out.push(`added ${Array.from({ length: n }, (_, k) => first + k).join(",")} (not members)`);
      return;
    }
    if (n > 30) fail("node ids go up to 30");
    const schemeName = a.opt("scheme") ?? "raft-single";
    let reg: RegisteredScheme<unknown>;
    try {
      reg = getScheme(schemeName);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
    const configText = a.opt("config");
    const voters = a.ids("voters");
    if (configText !== undefined && voters !== undefined) fail("give voters= or config=, not both");
    let config: unknown;
    try {
      if (configText !== undefined) config = reg.parse(configText);
      else if (voters !== undefined) config = reg.parse(`{${voters.join(",")}}`);
      else config = reg.initial(n);
    } catch (e) {
      fail(
        `${e instanceof Error ? e.message : String(e)}${voters !== undefined ? " (use config= in the scheme's syntax)" : ""}`,
      );
    }
    const mutations: Record<string, boolean> = {};
    for (const m of a.list("mutations") ?? []) {
      if (!(MUTATION_NAMES as readonly string[]).includes(m))
        fail(`unknown mutation ${m} (known: ${MUTATION_NAMES.join(", ")})`);
      mutations[m as MutationName] = true;
    }
    const d = {
      electionTick: a.int("election-tick", 10),
      heartbeatTick: a.int("heartbeat-tick", 1),
      preVote: a.bool("pre-vote", false),
      checkQuorum: a.bool("check-quorum", false),
      stepDownOnRemoval: a.bool("step-down-on-removal", true),
      leaderRemoval: a.oneOf("leader-removal", "transfer-first", [
        "transfer-first",
        "step-down-after-commit",
      ] as const),
      autoPromoteLearners: a.bool("auto-promote", false),
      maxEntriesPerMessage: a.int("max-entries", 64),
      maxInflight: a.int("max-inflight", 64),
      catchUpLag: a.int("catch-up-lag", 0),
      snapshotThreshold: a.int("snapshot-threshold", 0),
    };
    const options: Partial<RaftOptions> = { ...d, mutations: mutations as Mutations };
    a.done(1);
    const params = makeParams({ scheme: reg.scheme, options });
    if (params instanceof OptionsError) fail(params.message);
    const mbrs = reg.scheme.mbrs(config);
    for (const id of members(mbrs))
      if (id > n) fail(`configuration member ${id} is not among the nodes 1..${n}`);
    const membership0: Membership<unknown> = { config, learners: 0 };
    const ids = Array.from({ length: n }, (_, k) => k + 1);
    // every node starts from the bootstrap configuration; those outside it are spares
    const cl = newCluster(ids, membership0, params);
    this.w = { reg, params, membership0, cl };
    const spares = ids.filter((id) => (mbrs & (1 << id)) === 0);
    out.push(
      `${reg.scheme.name}: nodes ${ids.join(",")}, config ${reg.scheme.print(config)}` +
        (spares.length > 0 ? `, spares ${spares.join(",")}` : ""),
    );
  }

  private tickElection(a: Args, out: string[], fail: (why: string) => never): void {
    const w = this.world(fail);
    const id = this.node(w, a.pos[0], fail);
    a.done(1);
    const n0 = w.cl.nodes.get(id)!;
    if (!n0.up) fail(`node ${id} is down`);
    const leader = n0.server.role === "leader";
    // a follower campaigns within 2·electionTick ticks; a leader runs one check-quorum round
    const limit = leader ? w.params.options.electionTick : 2 * w.params.options.electionTick + 1;
    let k = 0;
    let done = false;
    while (k < limit && !done) {
      k++;
      const r = drive(w.cl, id, { type: "tick" }, w.params, this.show(w));
      w.cl = r.cluster;
      done = r.effect.events.some(
        (e) =>
          e.type === "becamePreCandidate" ||
          e.type === "becameCandidate" ||
          e.type === "becameLeader" ||
          e.type === "steppedDown",
      );
      // heartbeats of the ticks in between are queued but not printed
      if (r.effect.events.length > 0 || r.effect.rejected || k === limit || done)
        this.effect(w, r.effect, out, "", !leader || done);
    }
    out.unshift(`${k} ticks${done ? "" : " (no election)"}`);
  }

  private inject(a: Args, out: string[], fail: (why: string) => never): void {
    const w = this.world(fail);
    const id = this.node(w, a.pos[0], fail);
    const type = a.pos[1];
    const s = w.cl.nodes.get(id)!.server;
    const from = a.int("from", 1);
    const to = a.int("to", id);
    const term = a.int("term", s.term);
    const pair = (key: string): [number, number] => {
      const v = a.opt(key);
      if (v === undefined) return [0, 0];
      const m = /^(\d+)\/(\d+)$/.exec(v);
      if (!m) return fail(`${key}=${v}: expected term/index`);
      return [Number(m[1]), Number(m[2])];
    };
    let msg: Message<unknown>;
    switch (type) {
      case "vote":
      case "pre-vote": {
        const [lt, li] = pair("last");
        msg = {
          type: "RequestVote",
          from,
          to,
          term,
          lastLogTerm: lt,
          lastLogIndex: li,
          preVote: type === "pre-vote",
          transfer: a.bool("transfer", false),
        };
        break;
      }
      case "app": {
        const [pt, pi] = pair("prev");
        msg = {
          type: "AppendEntries",
          from,
          to,
          term,
          prevLogTerm: pt,
          prevLogIndex: pi,
          entries: [],
          leaderCommit: a.int("commit", 0),
          readSeq: 0,
        };
        break;
      }
      case "app-resp":
        msg = {
          type: "AppendEntriesResponse",
          from,
          to,
          term,
          success: true,
          matchIndex: a.int("match", 0),
          rejectIndex: 0,
          hintTerm: 0,
          hintIndex: 0,
          readSeq: 0,
        };
        break;
      case "timeout-now":
        msg = { type: "TimeoutNow", from, to, term };
        break;
      default:
        fail(`message type ${JSON.stringify(type)}: expected vote, pre-vote, app, app-resp or timeout-now`);
    }
    a.done(2);
    out.push(`inject ${showMessage(msg, this.show(w))}`);
    this.step(w, id, { type: "receive", msg }, out);
  }

  private raftState(w: World<unknown>, out: string[]): void {
    const show = this.show(w);
    for (const [id, n] of [...w.cl.nodes].sort((x, y) => x[0] - y[0])) {
      const s = n.server;
      const cfg = s.config;
      out.push(
        `${id}: ${s.role} term=${s.term} vote=${s.votedFor === NONE ? "none" : s.votedFor} leader=${s.leader === NONE ? "none" : s.leader}` +
          ` commit=${s.commit} applied=${n.appliedIndex} last=${s.log.lastIndex}` +
          ` config=${show(cfg.membership.config)}@${cfg.index}` +
          (cfg.membership.learners === 0 ? "" : ` learners=${showSet(cfg.membership.learners)}`) +
          ` ${n.up ? "up" : "down"}`,
      );
    }
  }

  private raftLog(w: World<unknown>, id: NodeId, out: string[]): void {
    const show = this.show(w);
    const n = w.cl.nodes.get(id)!;
    // a crashed node's log is what it had on disk
    const snap = n.up ? n.server.log.snapshot : n.durable.snapshot;
    const entries = n.up ? n.server.log.entries() : n.durable.entries;
    if (!n.up) out.push(`(down: durable log)`);
    if (snap.index > 0)
      out.push(
        `snapshot ${snap.index}/${snap.term} config=${showMembership(snap.membership, show)}@${snap.configIndex}`,
      );
    for (const e of entries) out.push(showEntry(e, show));
    if (snap.index === 0 && entries.length === 0) out.push("log is empty");
  }
}
