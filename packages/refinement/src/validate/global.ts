import type { NodeId, Scheme } from "@adore/adore-core";
import {
  type ClusterState,
  emptyGhost,
  type Effect,
  type Input,
  type Message,
  type NodeState,
  type RaftParams,
  type RaftServer,
  stepServer,
} from "@adore/raft-net";
import { getScheme } from "@adore/schemes";
import { type LagFailureKind, LaggingRefiner, M4 } from "../refine/lagging.js";
import { maxId } from "../refine/search.js";
import { readTraceLines, serverOfStart, TraceFormatError, traceFiles } from "./traces.js";

/**
 * The full refinement check of recorded runtime-node traces: every node's trace is replayed
 * through `stepServer` (as `validateTraceDir` does), the inputs of all nodes are merged into ONE
 * global order consistent with causality (each node's own order; every `receive` after the input
 * whose replay sent that message), and the lagging-times mapping M4 (with the relation R checked
 * after every input) is fed that order, one input per step, with the cluster of the replayed
 * servers.
 */
export interface GlobalFailure {
  readonly kind: LagFailureKind;
  readonly message: string;
  /** 1-based step of the global order at which it was seen. */
  readonly step: number;
  readonly node: NodeId;
  readonly file: string;
  /** 1-based line of the input in its node's trace, and its `seq`. */
  readonly line: number;
  readonly seq: number;
  /** The input's type (and, for a receive, the message's type and sender). */
  readonly input: string;
  readonly adoreStep?: string;
}

export interface GlobalRefinement {
  readonly ok: boolean;
  /** Inputs fed to the refiner (all inputs of all nodes, unless a failure stopped the walk). */
  readonly steps: number;
  readonly inputs: number;
  readonly nodes: number;
  readonly runs: number;
  readonly adoreSteps: number;
  /** Receives matched to the input that sent the message. */
  readonly matchedReceives: number;
  /** Receives of messages not sent in the traces (e.g. before a trace began): ordered freely. */
  readonly unmatchedReceives: number;
  /** Message edges dropped to break a cycle (identical messages matched to the wrong send). */
  readonly relaxedEdges: number;
  /** Leaders elected in Raft but never pulled in ADORE when the walk ended. */
  readonly pending: string;
  readonly scheme: string;
  readonly mapping: "M4";
  readonly failure?: GlobalFailure;
}

/** One replayed input of one node. */
interface Step {
  readonly node: NodeId;
  readonly line: number;
  readonly seq: number;
  readonly input: Input<unknown>;
  readonly server: RaftServer<unknown>;
  readonly effect: Effect<unknown>;
  /** The last input of a run that another run follows: the node is down after it. */
  crashAfter: boolean;
  /** For a receive: the (node, index) of the input that sent the message, if matched. */
  dep: { node: NodeId; index: number } | undefined;
}

interface NodeReplay {
  readonly node: NodeId;
  readonly file: string;
  readonly initial: RaftServer<unknown>;
  readonly steps: Step[];
  readonly runs: number;
}

interface Meta {
  scheme?: string;
  conf0?: unknown;
}

function replay(file: string, node: NodeId, meta: Meta): NodeReplay {
  const lines = readTraceLines(file);
  const steps: Step[] = [];
  let runs = 0;
  let initial: RaftServer<unknown> | undefined;
  let s: RaftServer<unknown> | undefined;
  let p: RaftParams<unknown> | undefined;
  for (const { line, l } of lines) {
    if (l.kind === "start") {
      runs++;
      const last = steps[steps.length - 1];
      if (last) last.crashAfter = true;
      const start = serverOfStart(node, l);
      meta.scheme ??= l.scheme;
      meta.conf0 ??= start.conf0;
      p = start.params;
      s = start.server;
      initial ??= s;
      continue;
    }
    if (l.kind !== "input") continue;
    if (!s || !p) throw new TraceFormatError(file, line, "input before any start line");
    const input = l.input;
    const r = stepServer(s, input, p);
    s = r.server;
    const o = r.outputs;
    steps.push({
      node,
      line,
      seq: l.seq,
      input,
      server: s,
      effect: {
        id: node,
        rejected: r.rejected,
        events: o.events,
        replies: o.replies,
        sent: o.messages,
        applied: o.committed,
      },
      crashAfter: false,
      dep: undefined,
    });
  }
  if (!initial) throw new TraceFormatError(file, 0, "no start line");
  return { node, file, initial, steps, runs };
}

/** Matches every receive to the earliest unmatched identical message its sender sent to it. */
function matchMessages(reps: readonly NodeReplay[]): { matched: number; unmatched: number } {
  const sent = new Map<string, { node: NodeId; index: number }[]>();
  const key = (m: Message<unknown>) => `${m.from}>${m.to}:${JSON.stringify(m)}`;
  for (const r of reps)
    r.steps.forEach((st, index) => {
      for (const m of st.effect.sent) {
        // as it went over the wire
        const k = key(JSON.parse(JSON.stringify(m)) as Message<unknown>);
        const q = sent.get(k);
        if (q) q.push({ node: r.node, index });
        else sent.set(k, [{ node: r.node, index }]);
      }
    });
  const cursor = new Map<string, number>();
  let matched = 0;
  let unmatched = 0;
  for (const r of reps)
    for (const st of r.steps) {
      if (st.input.type !== "receive") continue;
      const k = key(st.input.msg);
      const q = sent.get(k);
      const c = cursor.get(k) ?? 0;
      if (q && c < q.length) {
        st.dep = q[c]!;
        cursor.set(k, c + 1);
        matched++;
      } else unmatched++;
    }
  return { matched, unmatched };
}

/**
 * A deterministic topological order (Kahn): among the nodes whose next input is ready, the one
 * with the least progress through its trace (as a fraction; ties: the lowest id). A cycle (only
 * possible when identical messages were matched to the wrong sends) is broken by dropping the
 * message edge of the least advanced blocked node.
 */
function globalOrder(reps: readonly NodeReplay[]): { order: Step[]; relaxed: number } {
  const next = new Map(reps.map((r) => [r.node, 0]));
  const order: Step[] = [];
  const total = reps.reduce((a, r) => a + r.steps.length, 0);
  let relaxed = 0;
  const placed = (d: { node: NodeId; index: number }) => (next.get(d.node) ?? 0) > d.index;
  while (order.length < total) {
    let best: NodeReplay | undefined;
    let bestP = Infinity;
    let blocked: NodeReplay | undefined;
    let blockedP = Infinity;
    for (const r of reps) {
      const i = next.get(r.node)!;
      const st = r.steps[i];
      if (!st) continue;
      const prog = i / r.steps.length;
      if (st.dep === undefined || placed(st.dep)) {
        if (prog < bestP) {
          best = r;
          bestP = prog;
        }
      } else if (prog < blockedP) {
        blocked = r;
        blockedP = prog;
      }
    }
    if (!best) {
      const st = blocked!.steps[next.get(blocked!.node)!]!;
      st.dep = undefined;
      relaxed++;
      best = blocked!;
    }
    const i = next.get(best.node)!;
    order.push(best.steps[i]!);
    next.set(best.node, i + 1);
  }
  return { order, relaxed };
}

function describe(input: Input<unknown>): string {
  if (input.type === "receive") return `receive ${input.msg.type} from S${input.msg.from}`;
  return input.type;
}

/** Replays the `trace-<id>.ndjson` files of `dir` in one causal order through the M4 refiner. */
export function refineTraceDir(dir: string): GlobalRefinement {
  const files = traceFiles(dir);
  const meta: Meta = {};
  const reps = files.map((f) => replay(f.file, f.node, meta));
  const schemeName = meta.scheme ?? "raft-single";
  const scheme = getScheme(schemeName).scheme as Scheme<unknown>;
  const { matched, unmatched } = matchMessages(reps);
  const { order, relaxed } = globalOrder(reps);
  const fileOf = new Map(reps.map((r) => [r.node, r.file]));

  const nodes = new Map<NodeId, NodeState<unknown>>();
  const stateOf = (server: RaftServer<unknown>, up: boolean): NodeState<unknown> => ({
    server,
    durable: { hardState: server.hard, snapshot: server.log.snapshot, entries: [] },
    up,
    appliedIndex: server.applied,
  });
  for (const r of reps) nodes.set(r.node, stateOf(r.initial, true));
  let maxNode = 0;
  for (const r of reps) maxNode = Math.max(maxNode, r.node);
  const conf0 = meta.conf0;
  maxNode = Math.max(maxNode, maxId(scheme.mbrs(conf0)));
  const refiner = new LaggingRefiner<unknown>({ scheme, conf0, nodes: maxNode, ...M4 });
  let cluster: ClusterState<unknown> = {
    nodes,
    network: [],
    partition: [],
    ghost: emptyGhost(),
  };
  let steps = 0;
  let failure: GlobalFailure | undefined;
  for (const st of order) {
    steps++;
    const ns = new Map(cluster.nodes);
    ns.set(st.node, stateOf(st.server, true));
    cluster = { ...cluster, nodes: ns };
    const ok = refiner.feed({ n: steps, effects: [st.effect], cluster });
    if (!ok) {
      const f = refiner.failure!;
      failure = {
        kind: f.kind,
        message: f.message,
        step: steps,
        node: st.node,
        file: fileOf.get(st.node)!,
        line: st.line,
        seq: st.seq,
        input: describe(st.input),
        ...(f.adoreStep !== undefined ? { adoreStep: f.adoreStep } : {}),
      };
      break;
    }
    if (st.crashAfter) {
      // the run ended here (a crash): the node is down until its restart input
      const down = new Map(cluster.nodes);
      down.set(st.node, stateOf(st.server, false));
      cluster = { ...cluster, nodes: down };
    }
  }
  return {
    ok: failure === undefined,
    steps,
    inputs: order.length,
    nodes: reps.length,
    runs: reps.reduce((a, r) => a + r.runs, 0),
    adoreSteps: refiner.adoreSteps,
    matchedReceives: matched,
    unmatchedReceives: unmatched,
    relaxedEdges: relaxed,
    pending: refiner.describePending(),
    scheme: schemeName,
    mapping: "M4",
    ...(failure ? { failure } : {}),
  };
}
