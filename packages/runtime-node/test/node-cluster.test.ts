import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getScheme } from "@adore/schemes";
import { type Input, newServer, params, type RaftServer, stepServer } from "@adore/raft-net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdoreClient } from "../src/client/client.js";
import { AdoreError } from "../src/client/errors.js";
import type { RaftNode } from "../src/node/raft-node.js";
import { allocatePorts } from "../src/cluster/local.js";
import { TestCluster, until } from "../src/testing/index.js";

let cluster: TestCluster;
const clients: AdoreClient[] = [];
const client = (endpoints: string[], clientId?: string) => {
  const c = new AdoreClient({ endpoints, ...(clientId ? { clientId } : {}) });
  clients.push(c);
  return c;
};
/** Every write the cluster acknowledged: key → value. */
const acked = new Map<string, string>();

// every node records a trace (replayed in the last test)
const traceFile = (id: number, root: string) => join(root, `trace-${id}.ndjson`);
beforeAll(async () => {
  cluster = await TestCluster.start(3, {}, 2, (id, root) => ({ traceFile: traceFile(id, root) }));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
});

async function expectAllAcked(c: AdoreClient): Promise<void> {
  for (const [k, v] of acked) expect(await c.get(k)).toBe(v);
}

function follower(): RaftNode {
  return [...cluster.nodes.values()].find((n) => !n.isLeader)!;
}

describe("a 3-node cluster in one process", () => {
  it("elects a leader and serves put/get/cas/range/del", async () => {
    const leader = await cluster.waitLeader();
    const c = client(cluster.endpoints());
    expect(await c.put("a", "1")).toEqual({ op: "put", prev: null });
    expect(await c.put("a", "2")).toEqual({ op: "put", prev: "1" });
    expect(await c.get("a")).toBe("2");
    expect(await c.cas("a", "1", "3")).toMatchObject({ swapped: false, current: "2" });
    expect(await c.cas("a", "2", "3")).toMatchObject({ swapped: true, current: "3" });
    await c.put("p/1", "x");
    await c.put("p/2", "y");
    expect(await c.range("p/", 10)).toMatchObject({
      items: [
        ["p/1", "x"],
        ["p/2", "y"],
      ],
      more: false,
    });
    expect(await c.del("a")).toMatchObject({ prev: "3" });
    expect(await c.get("a")).toBeNull();
    acked.set("p/1", "x").set("p/2", "y");
    const st = leader.status();
    expect(st.role).toBe("leader");
    expect(st.config).toMatchObject({ text: "{1,2,3}", voters: [1, 2, 3], committed: true });
    expect(st.peers.map((p) => p.id)).toEqual([1, 2, 3].filter((x) => x !== leader.id));
  });

  it("redirects a client pointed at a follower", async () => {
    await cluster.waitLeader();
    const f = follower();
    const c = client([f.clientAddress]);
    await c.put("redirected", "yes");
    acked.set("redirected", "yes");
    expect(c.stats.redirects).toBeGreaterThan(0);
    expect(await c.get("redirected")).toBe("yes");
    // the follower itself answers NotLeader with the leader's client address
    const direct = f.write({ op: "put", key: "z", value: "z", clientId: "d", seq: 1 });
    await expect(direct).rejects.toMatchObject({ code: "NotLeader" });
    const e = (await direct.catch((x: unknown) => x)) as AdoreError;
    expect(e.leader?.clientAddr).toBe(cluster.leader()!.clientAddress);
  });

  it("applies a retried write (same clientId, seq) once", async () => {
    const c = client(cluster.endpoints());
    await c.put("counter", "0");
    const r1 = await c.writeWithSession(
      "cas",
      { key: "counter", expected: "0", value: "1" },
      "retry-client",
      1,
    );
    const r2 = await c.writeWithSession(
      "cas",
      { key: "counter", expected: "0", value: "1" },
      "retry-client",
      1,
    );
    expect(r1).toEqual({ op: "cas", swapped: true, current: "1" });
    expect(r2).toEqual(r1); // the cached result, not a second (failing) cas
    await c.writeWithSession("put", { key: "counter", value: "2" }, "retry-client", 2);
    // an older seq is refused, not applied
    await expect(
      c.writeWithSession("put", { key: "counter", value: "old" }, "retry-client", 1),
    ).rejects.toMatchObject({ code: "Stale" });
    await expect(
      c.writeWithSession("put", { key: "counter", value: "older" }, "retry-client", 0),
    ).rejects.toMatchObject({ code: "BadRequest" });
    expect(await c.get("counter")).toBe("2");
    acked.set("counter", "2");
  });

  it("survives the leader's crash: a new leader has every acknowledged write, and the old one catches up", async () => {
    const c = client(
      Object.values(cluster.directory)
        .slice(0, 3)
        .map((a) => a.clientAddr),
    );
    // writes in flight while the leader goes away
    const old = await cluster.waitLeader();
    const writes: Promise<void>[] = [];
    let stop = false;
    for (let w = 0; w < 5; w++)
      writes.push(
        (async () => {
          for (let i = 0; !stop; i++) {
            const k = `crash/${w}/${i}`;
            try {
              await c.put(k, `v${i}`);
              acked.set(k, `v${i}`);
            } catch {
              // unacknowledged: may or may not be there
            }
          }
        })(),
      );
    await new Promise((r) => setTimeout(r, 150));
    await cluster.stopNode(old.id);
    const leader = await cluster.waitLeader();
    expect(leader.id).not.toBe(old.id);
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await Promise.all(writes);
    expect(acked.size).toBeGreaterThan(10);
    await expectAllAcked(c);
    // restart the old leader from its data directory: it catches up
    const back = await cluster.startNode(old.id);
    const target = leader.status().commit;
    await until(() => back.appliedIndex >= target, 10_000, "the restarted node to catch up");
    for (const [k, v] of acked) expect(back.state.peek(k)).toBe(v);
    expect(back.recovery.fresh).toBe(false);
  });

  it("adds a learner, which catches up and is promoted; removes a node; refuses R1plus", async () => {
    const leader = await cluster.waitLeader();
    const d4 = cluster.directory[4]!;
    // node 4 starts with the cluster's bootstrap configuration (it is not in it yet)
    const n4 = await cluster.startNode(4, [1, 2, 3]);
    const c = client(cluster.endpoints());
    const r = (await c.addLearner(4, d4)) as { index: number };
    expect(r.index).toBeGreaterThan(0);
    await until(() => n4.appliedIndex >= leader.status().commit, 10_000, "learner catch-up");
    expect(leader.status().config).toMatchObject({ voters: [1, 2, 3], learners: [4] });
    // the leader learns the learner's match from its next acknowledgement
    await until(
      () => leader.status().peers.find((p) => p.id === 4)?.lag === 0,
      5000,
      "the leader to see the learner caught up",
    );
    const promoted = await c.promote(4);
    // a 4th voter raises the quorum without tolerating a second failure: the reply says so
    expect(promoted.faultTolerance).toEqual({ before: 1, after: 1 });
    expect(promoted.warnings).toEqual([
      "warning: 4 voters tolerate 1 failure, as 3 did; the quorums grew without tolerating more failures",
    ]);
    await until(() => leader.status().config.committed, 5000, "promotion to commit");
    expect(leader.status().config).toMatchObject({ text: "{1,2,3,4}", voters: [1, 2, 3, 4], learners: [] });
    // every other node learned node 4's addresses through the log
    for (const n of cluster.nodes.values())
      expect(n.status().directory.find((e) => e.id === 4)).toEqual({ id: 4, ...d4 });
    await c.put("after-promote", "ok");
    acked.set("after-promote", "ok");

    // raft-single forbids adding two nodes at once: R1plus
    const bad = await c.setConfig("{1,2,3,4,5,6}").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AdoreError);
    expect((bad as AdoreError).code).toBe("Rejected");
    expect((bad as AdoreError).rejection?.code).toBe("R1plus");
    expect((bad as AdoreError).message).toMatch(/R1plus/);
    // a stale compare-and-set on the configuration index
    const st = leader.status();
    const mismatch = await c.removeMember(4, st.config.index - 1).catch((e: unknown) => e);
    expect((mismatch as AdoreError).rejection?.code).toBe("ConfigIdMismatch");

    // remove a follower that is not node 4
    const victim = [...cluster.nodes.values()].find((n) => !n.isLeader && n.id !== 4)!;
    await c.removeMember(victim.id);
    await until(() => leader.status().config.committed, 5000, "removal to commit");
    expect(leader.status().config.voters).not.toContain(victim.id);
    await cluster.stopNode(victim.id);
    await c.put("after-remove", "ok");
    acked.set("after-remove", "ok");
    await expectAllAcked(c);
  });

  it("a refused membership request (re-address of a voter, add of a member, a phantom voter) leaves configuration, peer directory and log exactly as they were", async () => {
    const leader = await cluster.waitLeader();
    const c = client(cluster.endpoints());
    await c.put("before-misuse", "ok");
    acked.set("before-misuse", "ok");
    await until(
      () => [...cluster.nodes.values()].every((n) => n.appliedIndex === leader.status().commit),
      5000,
      "every node to apply the last write",
    );
    const snapshot = () =>
      [...cluster.nodes.values()].map((n) => {
        const st = n.status();
        return {
          id: n.id,
          config: st.config,
          directory: st.directory,
          lastIndex: st.lastIndex,
          commit: st.commit,
          term: st.term,
        };
      });
    const before = snapshot();
    const voters = leader.status().config.voters;
    expect(voters).toContain(4);
    const refused = async (what: Promise<unknown>, code: string, message: RegExp) => {
      const e = await what.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(AdoreError);
      expect((e as AdoreError).code).toBe(code);
      expect((e as AdoreError).message).toMatch(message);
      expect(snapshot()).toEqual(before);
    };
    // node 4 is a voter: a learner request with addresses must not re-address it
    await refused(
      c.addLearner(4, { peerAddr: "127.0.0.1:1", clientAddr: "127.0.0.1:2" }),
      "AlreadyMember",
      /node 4 is already a voter .*use member update/,
    );
    // the leader itself, re-added with other addresses
    await refused(
      c.addMember(leader.id, { peerAddr: "127.0.0.1:5", clientAddr: "127.0.0.1:6" }),
      "AlreadyMember",
      new RegExp(`node ${leader.id} is already a voter`),
    );
    // node 5 has never run: a phantom voter, by the shortcut and by an explicit configuration
    await refused(
      c.addMember(5, { peerAddr: "127.0.0.1:7", clientAddr: "127.0.0.1:8" }),
      "NotCaughtUp",
      /the leader has never heard from node 5 \(match 0, lag \d+\).*member learner 5/,
    );
    await refused(c.setConfig(`{${[...voters, 5].join(",")}}`), "NotCaughtUp", /never heard from node 5/);
    // member update: an unknown id, another member's address
    await refused(
      c.updateMember(9, { peerAddr: "127.0.0.1:7", clientAddr: "127.0.0.1:8" }),
      "NotMember",
      /node 9 is unknown/,
    );
    await refused(
      c.updateMember(4, { peerAddr: leader.peerAddress, clientAddr: "127.0.0.1:8" }),
      "AddressInUse",
      new RegExp(`node ${leader.id} already uses ${leader.peerAddress}`),
    );
    // and the cluster still serves
    await c.put("after-misuse", "ok");
    acked.set("after-misuse", "ok");
    await expectAllAcked(c);
  });

  it("member update moves a stopped voter to new addresses; it rejoins there", async () => {
    const leader = await cluster.waitLeader();
    const c = client(cluster.endpoints());
    const moved = leader.status().config.voters.find((v) => v !== leader.id && cluster.nodes.has(v))!;
    const old = cluster.directory[moved]!;
    await cluster.stopNode(moved);
    const [p, q] = await allocatePorts(2);
    const next = { peerAddr: `127.0.0.1:${p}`, clientAddr: `127.0.0.1:${q}` };
    const r = await c.updateMember(moved, next);
    expect(r).toMatchObject({ id: moved, ...next, previous: old });
    for (const n of cluster.nodes.values())
      await until(
        () => n.status().directory.find((e) => e.id === moved)?.peerAddr === next.peerAddr,
        5000,
        `node ${n.id} to learn the new address`,
      );
    cluster.directory[moved] = next;
    const back = await cluster.startNode(moved, [1, 2, 3]);
    await c.put("after-update", "ok");
    acked.set("after-update", "ok");
    await until(() => back.appliedIndex >= leader.status().commit, 10_000, "the moved node to catch up");
    expect(back.peerAddress).toBe(next.peerAddr);
    expect(back.state.peek("after-update")).toBe("ok");
  });

  it("transfers leadership", async () => {
    const leader = await cluster.waitLeader();
    const to = leader.status().config.voters.find((v) => v !== leader.id && cluster.nodes.has(v))!;
    const c = client(cluster.endpoints());
    await c.transfer(to);
    await until(() => cluster.leader()?.id === to, 5000, "the new leader");
    await c.put("after-transfer", "ok");
    acked.set("after-transfer", "ok");
    await expectAllAcked(c);
  });

  it("measures write throughput with 50 concurrent clients", async () => {
    await cluster.waitLeader();
    const cs = Array.from({ length: 50 }, () => client(cluster.endpoints()));
    let done = 0;
    const t0 = Date.now();
    const ms = 1500;
    await Promise.all(
      cs.map(async (c, i) => {
        for (let j = 0; Date.now() - t0 < ms; j++) {
          await c.put(`bench/${i}`, String(j));
          done++;
        }
      }),
    );
    const secs = (Date.now() - t0) / 1000;
    const leader = cluster.leader()!;
    const text = await leader.metrics.registry.metrics();
    const fsyncs = /adore_fsync_seconds_count\{node="\d+"\} (\d+)/.exec(text)?.[1];
    console.log(
      `throughput: ${Math.round(done / secs)} writes/s (${done} in ${secs.toFixed(2)} s, 50 clients, leader fsyncs ${fsyncs})`,
    );
    expect(done).toBeGreaterThan(100);
  });

  it("records a trace that replays the core deterministically", async () => {
    // node 2 or 3 never restarted in this file unless removed; pick a node that is still up
    const id = [...cluster.nodes.keys()].find((k) => k <= 3)!;
    await cluster.stopNode(id); // flushes the trace
    const file = traceFile(id, cluster.root);
    // the trace file may have several runs (a restart appends): replay the last one
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const startAt = lines.map((l) => l.kind).lastIndexOf("start");
    const run = lines.slice(startAt);
    const start = run[0]!;
    const reg = getScheme(start.scheme as string);
    const p = params({ scheme: reg.scheme, options: start.options as never });
    let s: RaftServer<unknown> = newServer(id, start.membership as never, p, start.seed as number);
    let checked = 0;
    for (let i = 1; i < run.length; i++) {
      const l = run[i]!;
      if (l.kind !== "input") continue;
      const r = stepServer(s, l.input as Input<unknown>, p);
      s = r.server;
      const next = run[i + 1];
      if (r.outputs.events.length > 0 || r.rejected) {
        expect(next?.kind).toBe("output");
        expect(JSON.parse(JSON.stringify(r.outputs.events))).toEqual(next!.events);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(s.commit).toBeGreaterThan(0);
  });
});
