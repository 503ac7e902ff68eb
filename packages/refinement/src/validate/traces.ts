import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeId, Scheme } from "@adore/adore-core";
import {
  checkTraceRecord,
  type Entry,
  entryIdentity,
  newServer,
  params,
  type RaftEvent,
  type RaftParams,
  type RaftServer,
  stepServer,
  type TraceRecord,
  type TraceStart,
  traceFileNode,
} from "@adore/raft-net";
import { getScheme } from "@adore/schemes";

/**
 * Offline validation of the NDJSON protocol traces runtime-node records (`--trace`): each node's
 * trace is replayed through the very core that produced it (`stepServer`) and the events must come
 * out identical (the production run was the model's behaviour); then the nodes' histories are
 * checked together for Raft's safety properties: one leader per term, and no two nodes applying
 * different entries at one index.
 */
export class TraceFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = "TraceFormatError";
  }
}

export interface NodeTraceReport {
  readonly node: NodeId;
  readonly file: string;
  /** Runs in the file (a restart appends a new run). */
  readonly runs: number;
  readonly inputs: number;
  readonly eventsChecked: number;
  /** Replay mismatches (must be empty). */
  readonly mismatches: readonly string[];
  readonly finalTerm: number;
  readonly finalCommit: number;
}

export interface TraceReport {
  readonly nodes: readonly NodeTraceReport[];
  /** term → leader. */
  readonly leaders: ReadonlyMap<number, NodeId>;
  /** Entries applied, by index, with the identity every node agreed on. */
  readonly appliedIndices: number;
  readonly violations: readonly string[];
  /** Every ordered (node, event) the replays produced, for further checks (e.g. the mapping to ADORE). */
  readonly events: readonly { readonly node: NodeId; readonly event: RaftEvent<unknown> }[];
  /** Leader-side steps in each leader's order (elections, appended entries, commits), for the ADORE view. */
  readonly leaderSteps: readonly LeaderStep[];
  /** The scheme and bootstrap configuration the nodes ran with. */
  readonly scheme: string;
  readonly bootstrap: unknown;
  readonly ok: boolean;
}

/** What a leader did, as recorded: the raw material of ADORE's pull, invoke/reconfig and push. */
export type LeaderStep =
  | { readonly kind: "elected"; readonly node: NodeId; readonly term: number; readonly voters: number }
  | {
      readonly kind: "appended";
      readonly node: NodeId;
      readonly term: number;
      readonly entries: readonly Entry<unknown>[];
    }
  | {
      readonly kind: "committed";
      readonly node: NodeId;
      readonly term: number;
      readonly to: number;
      readonly quorum: number;
    };

/** One line of a recorded trace (raft-net's trace format). */
export type TraceLine = TraceRecord;

/** The lines of one trace file with their line numbers; a torn last line (a killed node) ends it. */
export function readTraceLines(file: string): { readonly line: number; readonly l: TraceLine }[] {
  const rows = readFileSync(file, "utf8").split("\n");
  const out: { line: number; l: TraceLine }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(row);
    } catch {
      if (i >= rows.length - 2) break;
      throw new TraceFormatError(file, i + 1, "not JSON");
    }
    const l = checkTraceRecord(v);
    if (typeof l === "string") throw new TraceFormatError(file, i + 1, l);
    out.push({ line: i + 1, l });
  }
  return out;
}

/** The `trace-<id>.ndjson` files of a directory, by node id. */
export function traceFiles(dir: string): { readonly node: NodeId; readonly file: string }[] {
  const files = readdirSync(dir)
    .map((f) => ({ node: traceFileNode(f), file: join(dir, f) }))
    .filter((x): x is { node: number; file: string } => x.node !== undefined)
    .sort((a, b) => a.node - b.node);
  if (files.length === 0) throw new TraceFormatError(dir, 0, "no trace-<id>.ndjson files");
  return files;
}

const show = (c: unknown) => JSON.stringify(c);

/** The server a `start` record describes, its params, and the cluster's bootstrap configuration. */
export function serverOfStart(
  node: NodeId,
  l: TraceStart<unknown>,
): { readonly server: RaftServer<unknown>; readonly params: RaftParams<unknown>; readonly conf0: unknown } {
  const reg = getScheme(l.scheme);
  const p = params({ scheme: reg.scheme as Scheme<unknown>, options: l.options });
  return {
    server: newServer(node, l.membership, p, l.seed),
    params: p,
    conf0: (l.bootstrap ?? l.membership).config,
  };
}

/** Replays one node's trace; collects events and applied entries. */
function replayNode(
  file: string,
  node: NodeId,
  applied: Map<number, { ident: string; node: NodeId }>,
  violations: string[],
  events: { node: NodeId; event: RaftEvent<unknown> }[],
  leaderSteps: LeaderStep[],
  meta: { scheme?: string; bootstrap?: unknown },
): NodeTraceReport {
  const lines = readTraceLines(file).map((x) => x.l);
  const mismatches: string[] = [];
  let runs = 0;
  let inputs = 0;
  let eventsChecked = 0;
  let s: RaftServer<unknown> | undefined;
  let p: ReturnType<typeof params<unknown>> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.kind === "start") {
      runs++;
      const start = serverOfStart(node, l);
      meta.scheme ??= l.scheme;
      meta.bootstrap ??= start.conf0;
      p = start.params;
      s = start.server;
      continue;
    }
    if (l.kind !== "input") continue;
    if (!s || !p) throw new TraceFormatError(file, i + 1, "input before any start line");
    inputs++;
    const r = stepServer(s, l.input, p);
    s = r.server;
    for (const e of r.outputs.committed) {
      const ident = entryIdentity(e, show);
      const first = applied.get(e.index);
      if (!first) applied.set(e.index, { ident, node });
      else if (first.ident !== ident)
        violations.push(
          `state machine safety: S${node} applied ${ident} at ${e.index}, S${first.node} applied ${first.ident}`,
        );
    }
    for (const e of r.outputs.events) {
      events.push({ node, event: e });
      if (e.type === "becameLeader")
        leaderSteps.push({ kind: "elected", node, term: e.term, voters: e.voters });
      else if (e.type === "appended")
        leaderSteps.push({
          kind: "appended",
          node,
          term: e.term,
          entries: s.log.slice(e.firstIndex, e.lastIndex),
        });
      else if (e.type === "commitAdvanced" && e.quorum !== undefined)
        leaderSteps.push({ kind: "committed", node, term: e.term, to: e.to, quorum: e.quorum });
    }
    const next = lines[i + 1];
    if (r.outputs.events.length > 0 || r.rejected) {
      if (next?.kind !== "output") {
        // the node may have been killed between its input and output lines
        if (i + 1 < lines.length && next?.kind !== "start")
          mismatches.push(`line ${i + 2}: expected the output of line ${i + 1}`);
        continue;
      }
      const got = JSON.stringify(JSON.parse(JSON.stringify(r.outputs.events)));
      const want = JSON.stringify(next.events ?? []);
      if (got !== want)
        mismatches.push(
          `line ${i + 2}: replay gives ${got.slice(0, 200)}, the node recorded ${want.slice(0, 200)}`,
        );
      else eventsChecked += r.outputs.events.length;
    }
  }
  return {
    node,
    file,
    runs,
    inputs,
    eventsChecked,
    mismatches,
    finalTerm: s?.term ?? 0,
    finalCommit: s?.commit ?? 0,
  };
}

/** Validates every `trace-<id>.ndjson` in `dir`. */
export function validateTraceDir(dir: string): TraceReport {
  const files = traceFiles(dir);
  const applied = new Map<number, { ident: string; node: NodeId }>();
  const violations: string[] = [];
  const events: { node: NodeId; event: RaftEvent<unknown> }[] = [];
  const leaderSteps: LeaderStep[] = [];
  const meta: { scheme?: string; bootstrap?: unknown } = {};
  const nodes = files.map((f) => replayNode(f.file, f.node, applied, violations, events, leaderSteps, meta));
  const leaders = new Map<number, NodeId>();
  for (const { node, event } of events)
    if (event.type === "becameLeader") {
      const other = leaders.get(event.term);
      if (other !== undefined && other !== node)
        violations.push(`election safety: S${other} and S${node} both led term ${event.term}`);
      leaders.set(event.term, node);
    }
  for (const n of nodes) for (const m of n.mismatches) violations.push(`S${n.node} replay: ${m}`);
  return {
    nodes,
    leaders,
    appliedIndices: applied.size,
    violations,
    events,
    leaderSteps,
    scheme: meta.scheme ?? "raft-single",
    bootstrap: meta.bootstrap,
    ok: violations.length === 0,
  };
}
