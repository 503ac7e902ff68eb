// Cluster commands: create the cluster, and drive one node (campaign, ticks, proposals,
// configuration changes, leader transfer, reads, compaction).
import { members, nodeSet } from "@adore/adore-core";
import { getScheme, type RegisteredScheme } from "@adore/schemes";
import { addNode, drive, newCluster } from "../../../cluster.js";
import {
  MUTATION_NAMES,
  type MutationName,
  type Mutations,
  makeParams,
  OptionsError,
  type RaftOptions,
} from "../../../options.js";
import type { Input, Membership } from "../../../types.js";
import type { Command } from "../session.js";

/** `add-nodes N [scheme=] [config=|voters=] [options…]`; on a running cluster: N spare nodes. */
export const addNodes: Command = (s, a, out, fail) => {
  const nStr = a.pos[0];
  if (nStr === undefined || !/^\d+$/.test(nStr) || Number(nStr) < 1)
    fail(`expected a node count, got ${JSON.stringify(nStr)}`);
  const n = Number(nStr);
  if (s.w) {
    // more nodes for a running cluster: empty non-members that learn the log once added
    a.done(1);
    const w = s.w;
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
    return fail(e instanceof Error ? e.message : String(e));
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
  if (params instanceof OptionsError) return fail(params.message);
  const mbrs = reg.scheme.mbrs(config);
  for (const id of members(mbrs))
    if (id > n) fail(`configuration member ${id} is not among the nodes 1..${n}`);
  const membership0: Membership<unknown> = { config, learners: 0 };
  const ids = Array.from({ length: n }, (_, k) => k + 1);
  // every node starts from the bootstrap configuration; those outside it are spares
  const cl = newCluster(ids, membership0, params);
  s.w = { reg, params, membership0, cl };
  const spares = ids.filter((id) => (mbrs & (1 << id)) === 0);
  out.push(
    `${reg.scheme.name}: nodes ${ids.join(",")}, config ${reg.scheme.print(config)}` +
      (spares.length > 0 ? `, spares ${spares.join(",")}` : ""),
  );
};

export const campaign: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  s.step(w, id, { type: "campaign" }, out);
};

/** `tick N [count]`: only the last tick's messages are printed. */
export const tick: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  const n = a.pos[1] === undefined ? 1 : Number(a.pos[1]);
  if (!Number.isInteger(n) || n < 1) fail(`tick count ${JSON.stringify(a.pos[1])} is not a positive integer`);
  a.done(2);
  for (let k = 0; k < n; k++) s.step(w, id, { type: "tick" }, out, k === n - 1);
};

export const tickHeartbeat: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  for (let k = 0; k < w.params.options.heartbeatTick; k++) s.step(w, id, { type: "tick" }, out);
};

/** Ticks until a follower campaigns (within 2·electionTick) or a leader ran a check-quorum round. */
export const tickElection: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  const n0 = w.cl.nodes.get(id)!;
  if (!n0.up) fail(`node ${id} is down`);
  const leader = n0.server.role === "leader";
  // a follower campaigns within 2·electionTick ticks; a leader runs one check-quorum round
  const limit = leader ? w.params.options.electionTick : 2 * w.params.options.electionTick + 1;
  const lines: string[] = [];
  let k = 0;
  let done = false;
  while (k < limit && !done) {
    k++;
    const r = drive(w.cl, id, { type: "tick" }, w.params, s.show(w));
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
      s.effect(w, r.effect, lines, "", !leader || done);
  }
  out.push(`${k} ticks${done ? "" : " (no election)"}`, ...lines);
};

export const propose: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  const commands = a.pos.slice(1);
  if (commands.length === 0) fail("missing command(s) to propose");
  a.done(a.pos.length);
  s.step(w, id, { type: "propose", commands, requestId: ++s.requestId }, out);
};

/** `propose-conf-change N <config> [learners=(…)] [if-config=I]`. */
export const proposeConfChange: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
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
      ? { type: "reconfigure", membership: { config, learners }, requestId: ++s.requestId }
      : {
          type: "reconfigure",
          membership: { config, learners },
          ifConfigIndex: Number(ifc),
          requestId: ++s.requestId,
        };
  s.step(w, id, input, out);
};

export const transferLeadership: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  const to = s.node(w, a.pos[1], fail);
  a.done(2);
  s.step(w, id, { type: "transferLeadership", to }, out);
};

export const readIndex: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  a.done(1);
  s.step(w, id, { type: "read", requestId: ++s.requestId }, out);
};

export const compact: Command = (s, a, out, fail) => {
  const w = s.world(fail);
  const id = s.node(w, a.pos[0], fail);
  const i = a.pos[1];
  if (i === undefined || !/^\d+$/.test(i)) fail(`missing or bad index ${JSON.stringify(i)}`);
  a.done(2);
  const index = Number(i);
  s.step(w, id, { type: "snapshot", index, data: `state@${index}` }, out);
};
