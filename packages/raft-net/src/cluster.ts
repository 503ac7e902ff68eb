import { has, type NodeId, type NodeSet } from "@adore/adore-core";
import type { RaftParams } from "./options.js";
import { newServer, type RaftServer, restartServer, type StepResult, stepServer } from "./server.js";
import type {
  DurableState,
  Entry,
  Input,
  Membership,
  Message,
  Outputs,
  RaftEvent,
  Rejection,
  Reply,
} from "./types.js";

/**
 * A whole cluster in memory: the servers, what each has on disk, the network of messages in
 * flight (Fig. 13's bag), and ghost state for the Raft invariants. Pure: every operation returns
 * a new ClusterState. The simulator, the network spec, the interaction tests and the benchmark all
 * drive servers through these functions, so the core is exercised exactly as the runtime runs it:
 * persist (synchronously, as if fsync completed) → `persisted` → messages → apply.
 */
export interface NodeState<C> {
  readonly server: RaftServer<C>;
  readonly durable: DurableState<C>;
  readonly up: boolean;
  /** Index of the last entry this node's state machine applied. */
  readonly appliedIndex: number;
}

export interface Ghost {
  /** term → the leader elected in it (election safety). */
  readonly leaders: ReadonlyMap<number, NodeId>;
  /** "index:term" → the entry's identity and its predecessor's term (log matching, by induction). */
  readonly created: ReadonlyMap<string, string>;
  /** index → identity of the entry first committed there, and the term in which it was (leader completeness). */
  readonly committed: ReadonlyMap<number, { readonly ident: string; readonly term: number }>;
  /** index → identity of the entry first applied there (state-machine safety). */
  readonly applied: ReadonlyMap<number, string>;
  /** The first violation seen, if any. */
  readonly violation: string | undefined;
}

export interface ClusterState<C> {
  readonly nodes: ReadonlyMap<NodeId, NodeState<C>>;
  readonly network: readonly Message<C>[];
  /** Partition groups: a message between nodes of different groups is lost. Empty: fully connected. */
  readonly partition: readonly NodeSet[];
  readonly ghost: Ghost;
}

/** What one driven input did (for transcripts and tests). */
export interface Effect<C> {
  readonly id: NodeId;
  readonly rejected: Rejection | undefined;
  readonly events: readonly RaftEvent<C>[];
  readonly replies: readonly Reply[];
  readonly sent: readonly Message<C>[];
  readonly applied: readonly Entry<C>[];
}

export function entryIdentity(e: Entry<unknown>, show: (c: unknown) => string): string {
  switch (e.kind) {
    case "noop":
      return `${e.term}.${e.versn}:noop`;
    case "command":
      return `${e.term}.${e.versn}:${e.command}`;
    case "config":
      return `${e.term}.${e.versn}:conf ${show(e.membership.config)}+L${e.membership.learners}`;
  }
}

/** The ghost state of a cluster with no history yet. */
export function emptyGhost(): Ghost {
  return {
    leaders: new Map(),
    created: new Map(),
    committed: new Map(),
    applied: new Map(),
    violation: undefined,
  };
}

export function newCluster<C>(
  ids: readonly NodeId[],
  membership: Membership<C>,
  params: RaftParams<C>,
  seed = 1,
): ClusterState<C> {
  const nodes = new Map<NodeId, NodeState<C>>();
  for (const id of ids) {
    const server = newServer(id, membership, params, seed * 7919 + id);
    nodes.set(id, {
      server,
      durable: { hardState: server.hard, snapshot: server.log.snapshot, entries: [] },
      up: true,
      appliedIndex: 0,
    });
  }
  return {
    nodes,
    network: [],
    partition: [],
    ghost: emptyGhost(),
  };
}

/** Adds a fresh node (a new member that will learn the log from the leader). */
export function addNode<C>(
  cl: ClusterState<C>,
  id: NodeId,
  membership: Membership<C>,
  params: RaftParams<C>,
  seed = 1,
): ClusterState<C> {
  if (cl.nodes.has(id)) return cl;
  const server = newServer(id, membership, params, seed * 7919 + id);
  const nodes = new Map(cl.nodes);
  nodes.set(id, {
    server,
    durable: { hardState: server.hard, snapshot: server.log.snapshot, entries: [] },
    up: true,
    appliedIndex: 0,
  });
  return { ...cl, nodes };
}

function connected(cl: ClusterState<unknown>, a: NodeId, b: NodeId): boolean {
  if (cl.partition.length === 0) return true;
  for (const g of cl.partition) if (has(g, a)) return has(g, b);
  return false;
}

/** Applies a persist request to a node's durable state. */
function persist<C>(d: DurableState<C>, out: Outputs<C>): DurableState<C> {
  const p = out.persist;
  if (!p) return d;
  let { hardState, snapshot, entries } = d;
  if (p.snapshot) {
    const s = p.snapshot;
    const keep = entries.filter((e) => e.index > s.index);
    const agrees = entries.some((e) => e.index === s.index && e.term === s.term);
    entries = agrees ? keep : [];
    snapshot = s;
  }
  if (p.entries) {
    const from = p.entries.from;
    entries = entries.filter((e) => e.index < from).concat(p.entries.entries);
  }
  if (p.hardState) hardState = p.hardState;
  return { hardState, snapshot, entries };
}

/**
 * Runs one input on node `id` and everything it implies locally: persist, the `persisted`
 * acknowledgement, queueing of its messages, applying committed entries, ghost-state checks.
 */
export function drive<C>(
  cl: ClusterState<C>,
  id: NodeId,
  input: Input<C>,
  params: RaftParams<C>,
  show: (c: C) => string,
): { cluster: ClusterState<C>; effect: Effect<C> } {
  const node = cl.nodes.get(id);
  const none = { id, events: [], replies: [], sent: [], applied: [] };
  if (!node?.up)
    return { cluster: cl, effect: { ...none, rejected: { code: "Stale", detail: `node ${id} is down` } } };
  const r: StepResult<C> = stepServer(node.server, input, params);
  let server = r.server;
  let durable = persist(node.durable, r.outputs);
  const events = [...r.outputs.events];
  const replies = [...r.outputs.replies];
  const sent = [...r.outputs.messages];
  const applied = [...r.outputs.committed];
  let appliedIndex = r.outputs.restore ? r.outputs.restore.index : node.appliedIndex;
  // entries just persisted are durable: tell the server (a leader counts itself only then)
  const pe = r.outputs.persist?.entries;
  if (pe && pe.entries.length > 0) {
    const last = pe.entries[pe.entries.length - 1]!;
    const r2 = stepServer(server, { type: "persisted", index: last.index, term: last.term }, params);
    server = r2.server;
    durable = persist(durable, r2.outputs);
    events.push(...r2.outputs.events);
    replies.push(...r2.outputs.replies);
    sent.push(...r2.outputs.messages);
    applied.push(...r2.outputs.committed);
  }
  const ghost = checkGhost(
    cl.ghost,
    id,
    server,
    events,
    applied,
    pe?.entries ?? [],
    show as (c: unknown) => string,
  );
  if (applied.length > 0) appliedIndex = applied[applied.length - 1]!.index;
  const nodes = new Map(cl.nodes);
  nodes.set(id, { server, durable, up: true, appliedIndex });
  const network = cl.network.concat(sent.filter((m) => connected(cl, m.from, m.to)));
  return {
    cluster: { ...cl, nodes, network, ghost },
    effect: { id, rejected: r.rejected, events, replies, sent, applied },
  };
}

function checkGhost<C>(
  g: Ghost,
  id: NodeId,
  s: RaftServer<C>,
  events: readonly RaftEvent<C>[],
  applied: readonly Entry<C>[],
  newEntries: readonly Entry<C>[],
  show: (c: unknown) => string,
): Ghost {
  if (g.violation) return g;
  let { leaders, created, committed, applied: appliedMap } = g;
  let violation: string | undefined;
  const fail = (v: string) => {
    violation ??= v;
  };
  for (const e of events) {
    if (e.type === "becameLeader") {
      const other = leaders.get(e.term);
      if (other !== undefined && other !== id)
        fail(`election safety: S${other} and S${id} are both leaders of term ${e.term}`);
      if (!leaders.has(e.term)) leaders = new Map(leaders).set(e.term, id);
      // leader completeness: an entry committed in a term before e.term is in the new leader's log
      for (const [i, { ident, term }] of committed) {
        if (i <= s.log.snapshotIndex || term >= e.term) continue;
        const mine = s.log.at(i);
        if (!mine || entryIdentity(mine, show) !== ident)
          fail(`leader completeness: S${id} leads term ${e.term} without committed entry ${i} (${ident})`);
      }
    }
    if (e.type === "commitAdvanced") {
      for (let i = Math.max(e.from + 1, s.log.firstIndex); i <= e.to; i++) {
        const ent = s.log.at(i);
        if (!ent) continue;
        const ident = entryIdentity(ent, show);
        const first = committed.get(i);
        if (first === undefined) committed = new Map(committed).set(i, { ident, term: e.term });
        else if (first.ident !== ident)
          fail(
            `state machine safety: S${id} commits ${ident} at ${i}, but ${first.ident} was committed there`,
          );
      }
    }
  }
  // log matching: an (index, term) names one entry with one predecessor term, whoever holds it;
  // checked for every entry as it enters any log, this gives Raft's Log Matching by induction
  for (const e of newEntries) {
    const key = `${e.index}:${e.term}`;
    const ident = `${entryIdentity(e, show)}<${s.log.termAt(e.index - 1) ?? "?"}`;
    const first = created.get(key);
    if (first === undefined) created = new Map(created).set(key, ident);
    else if (first !== ident)
      fail(`log matching: two different entries at index ${e.index} term ${e.term}: ${first} / ${ident}`);
  }
  for (const e of applied) {
    const ident = entryIdentity(e, show);
    const first = appliedMap.get(e.index);
    if (first === undefined) appliedMap = new Map(appliedMap).set(e.index, ident);
    else if (first !== ident)
      fail(`state machine safety: S${id} applies ${ident} at ${e.index}, another server applied ${first}`);
  }
  return { leaders, created, committed, applied: appliedMap, violation };
}

/** Delivers the i-th message in flight (a message to a down node is lost). */
export function deliver<C>(
  cl: ClusterState<C>,
  i: number,
  params: RaftParams<C>,
  show: (c: C) => string,
): { cluster: ClusterState<C>; effect: Effect<C> | undefined } {
  const m = cl.network[i];
  if (!m) return { cluster: cl, effect: undefined };
  const network = cl.network.slice(0, i).concat(cl.network.slice(i + 1));
  const base = { ...cl, network };
  const to = cl.nodes.get(m.to);
  if (!to?.up || !connected(cl, m.from, m.to)) return { cluster: base, effect: undefined };
  const r = drive(base, m.to, { type: "receive", msg: m }, params, show);
  return r;
}

export function drop<C>(cl: ClusterState<C>, i: number): ClusterState<C> {
  if (i < 0 || i >= cl.network.length) return cl;
  return { ...cl, network: cl.network.slice(0, i).concat(cl.network.slice(i + 1)) };
}

export function duplicate<C>(cl: ClusterState<C>, i: number): ClusterState<C> {
  const m = cl.network[i];
  return m ? { ...cl, network: cl.network.concat(m) } : cl;
}

/** A crash: the node stops and loses everything it had not persisted; messages to it are lost. */
export function crash<C>(cl: ClusterState<C>, id: NodeId): ClusterState<C> {
  const n = cl.nodes.get(id);
  if (!n?.up) return cl;
  const nodes = new Map(cl.nodes);
  nodes.set(id, { ...n, up: false });
  return { ...cl, nodes, network: cl.network.filter((m) => m.to !== id) };
}

/** Restarts a crashed node from its durable state. */
export function restart<C>(
  cl: ClusterState<C>,
  id: NodeId,
  params: RaftParams<C>,
  show: (c: C) => string,
  seed = 1,
): { cluster: ClusterState<C>; effect: Effect<C> | undefined } {
  const n = cl.nodes.get(id);
  if (!n || n.up) return { cluster: cl, effect: undefined };
  const r = restartServer(id, n.durable, params, seed * 104729 + id);
  const applied = r.outputs.committed;
  const ghost = checkGhost(
    cl.ghost,
    id,
    r.server,
    r.outputs.events,
    applied,
    [],
    show as (c: unknown) => string,
  );
  const nodes = new Map(cl.nodes);
  nodes.set(id, {
    server: r.server,
    durable: n.durable,
    up: true,
    appliedIndex: applied.length > 0 ? applied[applied.length - 1]!.index : n.durable.snapshot.index,
  });
  return {
    cluster: { ...cl, nodes, ghost },
    effect: {
      id,
      rejected: r.rejected,
      events: r.outputs.events,
      replies: r.outputs.replies,
      sent: [],
      applied,
    },
  };
}

/** Splits the network into groups (nodes in no group are isolated); messages across groups are lost. */
export function setPartition<C>(cl: ClusterState<C>, groups: readonly NodeSet[]): ClusterState<C> {
  const part = { ...cl, partition: groups };
  return { ...part, network: cl.network.filter((m) => connected(part, m.from, m.to)) };
}

/** Invariants that compare servers' current states (the ghost checks cover histories). */
export function checkCluster<C>(cl: ClusterState<C>): string | undefined {
  if (cl.ghost.violation) return cl.ghost.violation;
  for (const [id, n] of cl.nodes) {
    const s = n.server;
    if (s.commit > s.log.lastIndex)
      return `S${id}: commit ${s.commit} beyond its last index ${s.log.lastIndex}`;
    if (n.up && n.durable.hardState.term !== s.term) return `S${id}: term ${s.term} not persisted`;
  }
  return undefined;
}

/** Commit indices never decrease (checked between two successive states). */
export function commitMonotone<C>(before: ClusterState<C>, after: ClusterState<C>): string | undefined {
  for (const [id, a] of after.nodes) {
    const b = before.nodes.get(id);
    if (b && a.server.commit < b.server.commit && b.up && a.up)
      return `commit index of S${id} went back from ${b.server.commit} to ${a.server.commit}`;
  }
  return undefined;
}
