// Membership changes under load on real node processes: 5 → 3 → 5 by single-node changes while
// writers keep writing, a follower SIGKILLed and restarted, then (under raft-joint) a joint change.
// Every acknowledged write must be readable at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AdoreClient } from "../src/client/client.js";
import { AdoreError } from "../src/client/errors.js";
import { LocalCluster } from "../src/cluster/local.js";

const root = mkdtempSync(join(tmpdir(), "adore-memb-"));
const clusters: LocalCluster[] = [];
const clients: AdoreClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const cl of clusters) await cl.stop(500);
  rmSync(root, { recursive: true, force: true });
});

interface Status {
  readonly role: string;
  readonly config: { readonly voters: readonly number[]; readonly committed: boolean };
}

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writers that keep writing unique keys until stopped; returns the acknowledged ones. */
/** Runs a membership change, again while the leader answers NotCaughtUp (a learner still catching up). */
async function whenCaughtUp(change: () => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  for (;;)
    try {
      await change();
      return;
    } catch (e) {
      if (!(e instanceof AdoreError && e.code === "NotCaughtUp") || Date.now() - t0 > 20_000) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
}

function writers(c: AdoreClient, n: number) {
  const acked = new Map<string, string>();
  let stop = false;
  let failures = 0;
  const done = Promise.all(
    Array.from({ length: n }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const k = `w${w}/${i}`;
        try {
          await c.put(k, `v${i}`);
          acked.set(k, `v${i}`);
        } catch {
          failures++;
        }
      }
    }),
  );
  return {
    acked,
    failures: () => failures,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

async function readAll(c: AdoreClient, acked: Map<string, string>): Promise<string[]> {
  const missing: string[] = [];
  const keys = [...acked.keys()];
  for (let i = 0; i < keys.length; i += 100) {
    const vals = await Promise.all(keys.slice(i, i + 100).map((k) => c.get(k)));
    vals.forEach((v, j) => {
      if (v !== acked.get(keys[i + j]!)) missing.push(keys[i + j]!);
    });
  }
  return missing;
}

const target = (c: AdoreClient, voters: number[]) =>
  until(
    async () => {
      const st = (await c.status()) as Status;
      return st.config.committed && st.config.voters.join() === voters.join();
    },
    20_000,
    `configuration {${voters}} committed`,
  );

/** Starts node processes, a client, and waits for a leader that accepts writes. */
async function started(dirName: string, o: Partial<Parameters<typeof LocalCluster.start>[0]> = {}) {
  const cl = await LocalCluster.start({
    ids: [1, 2, 3, 4, 5],
    dir: join(root, dirName),
    logLevel: "warn",
    ...o,
  });
  clusters.push(cl);
  const c = new AdoreClient({ endpoints: cl.allEndpoints, attemptTimeoutMs: 1000, timeoutMs: 30_000 });
  clients.push(c);
  await until(async () => (await c.put("start", "1")).prev === null || true, 20_000, "a leader");
  return { cl, c };
}

/** Resolves once `n` more writes of `w` have been acknowledged. */
function grown(w: ReturnType<typeof writers>, n: number): Promise<void> {
  const before = w.acked.size;
  return until(async () => w.acked.size >= before + n, 20_000, `${n} more writes`);
}

describe("membership changes under load (node processes)", () => {
  it("raft-single: 5 → 3 → 5 one node at a time while 6 writers write, with a follower killed and restarted", async () => {
    const { cl, c } = await started("single");
    const w = writers(c, 6);
    const grow = (n: number) => grown(w, n);
    await grow(100);
    await c.removeMember(5);
    await c.removeMember(4);
    await target(c, [1, 2, 3]);
    await grow(100);
    // a follower of the 3-node configuration crashes and comes back from its disk
    const leader = ((await c.status()) as Status & { leader: number }).leader;
    const follower = [1, 2, 3].find((x) => x !== leader)!;
    await cl.restartNode(follower);
    await grow(100);
    const a = (id: number) => ({
      peerAddr: cl.addresses.get(id)!.peer,
      clientAddr: cl.addresses.get(id)!.client,
    });
    // the removed nodes come back the way the CLI advises: as learners, promoted once caught up
    await c.addLearner(4, a(4));
    await whenCaughtUp(() => c.promote(4));
    await c.addLearner(5, a(5));
    await whenCaughtUp(() => c.promote(5));
    await target(c, [1, 2, 3, 4, 5]);
    await grow(100);
    await w.stop();
    expect(await readAll(c, w.acked)).toEqual([]);
    expect(w.acked.size).toBeGreaterThan(400);
  });

  it("raft-joint: ({1..5}) → ({1..5},{1,2,3}) → ({1,2,3}) → back to 5, under load", async () => {
    const { c } = await started("joint", { scheme: "raft-joint" });
    const w = writers(c, 6);
    const grow = (n: number) => grown(w, n);
    await grow(100);
    await c.setConfig("({1,2,3,4,5},{1,2,3})");
    await target(c, [1, 2, 3]);
    await grow(100);
    await c.addLearner(4);
    await c.addLearner(5);
    await whenCaughtUp(() => c.setConfig("({1,2,3},{1,2,3,4,5})"));
    await target(c, [1, 2, 3, 4, 5]);
    await grow(100);
    await w.stop();
    expect(await readAll(c, w.acked)).toEqual([]);
  });

  it("a write retried with the same (clientId, seq) after the leader is SIGKILLed is applied once", async () => {
    const { cl, c } = await started("retry", { ids: [1, 2, 3] });
    await c.put("counter", "0");
    const first = await c.writeWithSession(
      "cas",
      { key: "counter", expected: "0", value: "1" },
      "retrier",
      1,
    );
    expect(first).toEqual({ op: "cas", swapped: true, current: "1" });
    // the client did not see the answer (say); the leader dies; the retry goes to the new leader
    const leader = ((await c.status()) as { leader: number }).leader;
    await cl.signal(leader, "SIGKILL");
    const again = await c.writeWithSession(
      "cas",
      { key: "counter", expected: "0", value: "1" },
      "retrier",
      1,
    );
    expect(again).toEqual(first); // the cached result: applied once, not a second (failing) cas
    await cl.startNode(leader);
    expect(await c.get("counter")).toBe("1");
  });

  it("a learner is promoted automatically once it has caught up (--auto-promote), under load", async () => {
    const { cl, c } = await started("promote", {
      ids: [1, 2, 3, 4],
      members: [1, 2, 3],
      start: [1, 2, 3, 4],
      extraArgs: ["--auto-promote", "16"],
    });
    const w = writers(c, 4);
    await until(async () => w.acked.size >= 200, 20_000, "writes before the learner");
    const a = cl.addresses.get(4)!;
    await c.addLearner(4, { peerAddr: a.peer, clientAddr: a.client });
    await target(c, [1, 2, 3, 4]);
    await w.stop();
    expect(await readAll(c, w.acked)).toEqual([]);
  });
});
