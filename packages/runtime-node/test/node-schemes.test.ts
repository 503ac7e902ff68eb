import { afterAll, describe, expect, it } from "vitest";
import { AdoreClient } from "../src/client/client.js";
import { TestCluster, until } from "../src/testing/index.js";

let cluster: TestCluster | undefined;
const clients: AdoreClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
});

describe("membership under raft-joint", () => {
  it("adds and removes voters through joint configurations; arbitrary configurations parse", async () => {
    cluster = await TestCluster.start(3, { scheme: "raft-joint" }, 2);
    const leader = await cluster.waitLeader();
    const c = new AdoreClient({ endpoints: cluster.endpoints() });
    clients.push(c);
    await c.put("j", "1");
    await cluster.startNode(4, [1, 2, 3]);
    await c.addLearner(4, cluster.directory[4]);
    // a learner is promoted once the leader has seen it catch up (NotCaughtUp before)
    const caughtUp = (id: number) =>
      until(() => leader.status().peers.find((p) => p.id === id)?.lag === 0, 5000, `node ${id} to catch up`);
    await caughtUp(4);
    await c.promote(4); // (old) → ({1,2,3},{1,2,3,4}) → the core finishes to {1,2,3,4}
    await until(
      () => leader.status().config.text === "{1,2,3,4}" && leader.status().config.committed,
      5000,
      "joint finish",
    );
    // an explicit joint configuration: replace node 4 by node 5 in one change
    await cluster.startNode(5, [1, 2, 3]);
    await c.addLearner(5, cluster.directory[5]);
    await until(() => leader.status().config.committed, 5000, "learner commit");
    await caughtUp(5);
    await c.setConfig("({1,2,3,4},{1,2,3,5})");
    await until(
      () => leader.status().config.text === "{1,2,3,5}" && leader.status().config.committed,
      5000,
      "swap",
    );
    expect(leader.status().config.learners).toEqual([]);
    await c.removeMember(5);
    await until(
      () => leader.status().config.text === "{1,2,3}" && leader.status().config.committed,
      5000,
      "removal",
    );
    await c.put("j", "2");
    expect(await c.get("j")).toBe("2");
  });
});
