import type { KeySink, Scheme } from "@adore/adore-core";
import type { ClusterState } from "./cluster.js";
import type { RaftServer } from "./server.js";
import type { Entry, Message } from "./types.js";

// The one cluster-state encoder: raft-net's network spec (testing/spec.ts) and SRaft key their
// explored states with it.

const ROLE = { follower: 0, preCandidate: 1, candidate: 2, leader: 3 } as const;
const PSTATE = { probe: 0, replicate: 1, snapshot: 2 } as const;

/** Which parts of a cluster `ClusterEncoder.cluster` encodes beyond the servers and the ghost leaders/commits. */
export interface EncodeParts {
  /** The partition and the messages in flight (default true). */
  readonly network?: boolean;
  /** The ghost's created entries (default true). */
  readonly created?: boolean;
}

/**
 * Encodes cluster states for adore-core's explorer (`Spec.encode`): configurations, payloads and
 * messages as small integers, interned per encoder (only equality matters).
 */
export class ClusterEncoder<C> {
  private readonly interned = new Map<string, number>();
  constructor(private readonly scheme: Scheme<C>) {}

  intern(s: string): number {
    let n = this.interned.get(s);
    if (n === undefined) {
      n = this.interned.size + 1;
      this.interned.set(s, n);
    }
    return n;
  }

  entry(e: Entry<C>, sink: KeySink): void {
    sink.add(e.term);
    sink.add(e.versn);
    sink.add(
      e.kind === "noop"
        ? 0
        : e.kind === "command"
          ? this.intern(`c:${e.command}`)
          : this.intern(`k:${this.scheme.hash(e.membership.config)}:${e.membership.learners}`),
    );
  }

  message(m: Message<C>): string {
    switch (m.type) {
      case "RequestVote":
        return `V${m.from},${m.to},${m.term},${m.lastLogIndex},${m.lastLogTerm},${+m.preVote},${+m.transfer}`;
      case "RequestVoteResponse":
        return `v${m.from},${m.to},${m.term},${+m.granted},${+m.preVote}`;
      case "AppendEntries":
        return `A${m.from},${m.to},${m.term},${m.prevLogIndex},${m.prevLogTerm},${m.leaderCommit},${m.entries
          .map(
            (e) =>
              `${e.term}.${e.versn}.${e.kind === "command" ? e.command : e.kind === "config" ? this.scheme.hash(e.membership.config) : ""}`,
          )
          .join("/")}`;
      case "AppendEntriesResponse":
        return `a${m.from},${m.to},${m.term},${+m.success},${m.matchIndex},${m.rejectIndex},${m.hintTerm},${m.hintIndex}`;
      case "InstallSnapshot":
        return `S${m.from},${m.to},${m.term},${m.snapshot.index},${m.snapshot.term}`;
      case "TimeoutNow":
        return `T${m.from},${m.to},${m.term}`;
    }
  }

  server(s: RaftServer<C>, sink: KeySink): void {
    sink.add(ROLE[s.role]);
    sink.add(s.term);
    sink.add(s.votedFor);
    sink.add(s.leader);
    sink.add(s.commit);
    sink.add(s.granted);
    sink.add(s.refused);
    sink.add(s.termStart);
    sink.add(s.log.lastIndex);
    for (const e of s.log.entries()) this.entry(e, sink);
    sink.add(s.progress.size);
    for (const [id, pr] of [...s.progress].sort((a, b) => a[0] - b[0])) {
      sink.add(id);
      sink.add(pr.match);
      sink.add(pr.next);
      sink.add(PSTATE[pr.state]);
      sink.add(+pr.paused);
      sink.add(pr.inflight.length);
      for (const x of pr.inflight) sink.add(x);
    }
  }

  /** The servers (durable state when down), the network and the ghost state the invariants read. */
  cluster(cl: ClusterState<C>, sink: KeySink, parts: EncodeParts = {}): void {
    const { network = true, created = true } = parts;
    if (network) {
      sink.add(cl.partition.length);
      for (const g of cl.partition) sink.add(g);
    }
    for (const [nid, n] of cl.nodes) {
      sink.add(nid);
      sink.add(+n.up);
      if (n.up) this.server(n.server, sink);
      else {
        const d = n.durable;
        sink.add(d.hardState.term);
        sink.add(d.hardState.votedFor);
        sink.add(d.hardState.commit);
        sink.add(d.entries.length);
        for (const e of d.entries) this.entry(e, sink);
      }
    }
    if (network) {
      const msgs = cl.network.map((m) => this.message(m)).sort();
      sink.add(msgs.length);
      for (const m of msgs) sink.add(this.intern(m));
    }
    // ghost state the invariants read (histories, not behaviour)
    const g = cl.ghost;
    sink.add(g.violation ? 1 : 0);
    for (const [t, l] of [...g.leaders].sort((a, b) => a[0] - b[0])) {
      sink.add(t);
      sink.add(l);
    }
    sink.add(-1);
    for (const [i, c] of [...g.committed].sort((a, b) => a[0] - b[0])) {
      sink.add(i);
      sink.add(this.intern(c.ident));
      sink.add(c.term);
    }
    if (created) {
      sink.add(-2);
      for (const k of [...g.created.keys()].sort()) sink.add(this.intern(k));
    }
  }
}
