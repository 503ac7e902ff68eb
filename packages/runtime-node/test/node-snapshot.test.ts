import { readdirSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdoreClient } from "../src/client/client.js";
import { encode } from "../src/wire/codec.js";
import { encodeFrame } from "../src/wire/frame.js";
import { TestCluster, until } from "../src/testing/index.js";

let cluster: TestCluster;
const clients: AdoreClient[] = [];

beforeAll(async () => {
  // snapshot every 40 applied entries; metrics on an ephemeral port
  cluster = await TestCluster.start(3, { raft: { snapshotThreshold: 40 }, metricsPort: 0 }, 1);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
});

describe("snapshots, hostile clients, metrics", () => {
  it("compacts the log, installs a snapshot on a new learner, and recovers from snapshots", async () => {
    const leader = await cluster.waitLeader();
    const c = new AdoreClient({ endpoints: cluster.endpoints() });
    clients.push(c);
    for (let i = 0; i < 150; i += 10)
      await Promise.all(Array.from({ length: 10 }, (_, j) => c.put(`s/${i + j}`, `v${i + j}`)));
    await until(() => leader.status().snapshotIndex > 100, 5000, "a snapshot");
    expect(readdirSync(cluster.dataDir(leader.id)).some((f) => f.startsWith("snap-"))).toBe(true);
    // a new learner is behind the leader's snapshot: it gets InstallSnapshot
    const n4 = await cluster.startNode(4, [1, 2, 3]);
    await c.addLearner(4, cluster.directory[4]);
    await until(() => n4.appliedIndex >= leader.status().commit, 10_000, "learner catch-up");
    expect(n4.status().snapshotIndex).toBeGreaterThan(0);
    for (let i = 0; i < 150; i++) expect(n4.state.peek(`s/${i}`)).toBe(`v${i}`);
    // a follower restarts from its snapshot + log
    const f = [...cluster.nodes.values()].find((n) => !n.isLeader && n.id !== 4)!;
    await cluster.stopNode(f.id);
    await c.put("while-down", "1");
    const back = await cluster.startNode(f.id);
    await until(() => back.appliedIndex >= leader.status().commit, 10_000, "restart catch-up");
    expect(back.state.peek("s/0")).toBe("v0");
    expect(back.state.peek("while-down")).toBe("1");
    expect(back.status().snapshotIndex).toBeGreaterThan(0);
  });

  it("closes a client connection that sends garbage and keeps serving", async () => {
    const leader = await cluster.waitLeader();
    const [host, port] = leader.clientAddress.split(":");
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect({ host: host!, port: Number(port) }, () => {
        s.write(encodeFrame(encode({ id: 1, op: "status" })));
        s.write(Buffer.from([0, 0, 0, 3, 7, 0, 0])); // a frame of version 7
      });
      s.on("data", () => undefined);
      s.on("error", () => undefined);
      s.on("close", () => resolve(true));
    });
    expect(closed).toBe(true);
    const c = new AdoreClient({ endpoints: [leader.clientAddress] });
    clients.push(c);
    await c.put("still", "serving");
    expect(await c.get("still")).toBe("serving");
    // an unknown op is an error response, not a closed connection
    await expect(c.writeWithSession("bogus" as "put", {}, "x", 1)).rejects.toMatchObject({
      code: "BadRequest",
    });
  });

  it("serves Prometheus metrics over HTTP", async () => {
    const leader = await cluster.waitLeader();
    const text = await leader.metrics.registry.metrics();
    expect(text).toMatch(/adore_term\{node="\d+"\} [1-9]/);
    expect(text).toMatch(/adore_fsync_seconds_bucket/);
    expect(text).toMatch(/adore_proposal_seconds_count\{node="\d+"\} [1-9]/);
    expect(text).toMatch(/adore_peer_lag_entries\{peer="\d+",node="\d+"\}/);
    const port = leader.metricsPort;
    expect(port).toBeGreaterThan(0);
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/metrics" }, (res) => {
        let b = "";
        res.on("data", (d: Buffer) => (b += d.toString()));
        res.on("end", () => resolve(b));
      })
        .on("error", reject)
        .end();
    });
    expect(body).toMatch(/adore_commit_index/);
  });
});
