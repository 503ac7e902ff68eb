// State commands: print every node's state, one node's log, or check the cluster's invariants.
import { showSet } from "@adore/adore-core";
import { checkCluster } from "../../../cluster.js";
import { NONE } from "../../../types.js";
import type { Command } from "../session.js";
import { showEntry, showMembership } from "../show.js";

export const raftState: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  a.done(0);
  const show = s.show(w);
  for (const [id, n] of [...w.cl.nodes].sort((x, y) => x[0] - y[0])) {
    const sv = n.server;
    const cfg = sv.config;
    out.push(
      `${id}: ${sv.role} term=${sv.term} vote=${sv.votedFor === NONE ? "none" : sv.votedFor} leader=${sv.leader === NONE ? "none" : sv.leader}` +
        ` commit=${sv.commit} applied=${n.appliedIndex} last=${sv.log.lastIndex}` +
        ` config=${show(cfg.membership.config)}@${cfg.index}` +
        (cfg.membership.learners === 0 ? "" : ` learners=${showSet(cfg.membership.learners)}`) +
        ` ${n.up ? "up" : "down"}`,
    );
  }
};

export const raftLog: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  const show = s.show(w);
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
};

/** The cluster's invariants, then the first commit-index regression seen between two commands. */
export const checkInvariants: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  a.done(0);
  out.push(checkCluster(w.cl) ?? s.monotone ?? "ok");
};
