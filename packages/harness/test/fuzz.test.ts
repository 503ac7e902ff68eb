// Hostile input: the wire decoder, the Raft message handler and a live node under fuzzing.
// Bounded for CI (FUZZ_SCALE multiplies the input counts); bench/fuzz.long.ts runs ≥ 1,000,000.
import { connect } from "node:net";
import { getScheme } from "@adore/schemes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admitPeerMessage, badConfig, shadowingKey } from "@adore/runtime-node/internal";
import { AdoreClient } from "@adore/runtime-node";
import { fuzzLiveNode } from "../src/fuzz/live.js";
import { fuzzMessages } from "../src/fuzz/messages.js";
import { fuzzWire } from "../src/fuzz/wire.js";
import { makeLogger } from "@adore/runtime-node";
import { type PeerRejection, PeerTransport } from "@adore/runtime-node";
import { show } from "@adore/runtime-node/internal";
import { decode, encode } from "@adore/runtime-node";
import { encodeFrame } from "@adore/runtime-node";
import { TestCluster, until } from "@adore/runtime-node/testing";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 20240607);

describe("wire decoder fuzz", () => {
  it("never throws on random and damaged frames; chunking changes nothing", () => {
    const { outcomes, failures } = fuzzWire({ seed: SEED, inputs: 10_000 * SCALE });
    expect(failures).toEqual([]);
    const c = outcomes.toJSON();
    // every kind of trouble was produced and answered with a typed error
    for (const k of [
      "frame:Oversized",
      "frame:BadVersion",
      "frame:Malformed",
      "end:Truncated",
      "payload:CodecError:Malformed",
      "payload:CodecError:Truncated",
      "payload:CodecError:TooDeep",
      "payload:CodecError:Unsupported",
      "payload:object",
    ])
      expect(c[k], k).toBeGreaterThan(0);
  });
});

describe("message handler fuzz", () => {
  it("stepServer never throws, never changes its argument, and refusals leave the server as it was", () => {
    const { outcomes, failures, states } = fuzzMessages({ seed: SEED, inputs: 12_000 * SCALE });
    expect(failures.slice(0, 3)).toEqual([]);
    for (const s of ["leader", "candidate", "pre-candidate", "follower-log", "follower-fresh"])
      expect(states).toContain(`raft-single/${s}`);
    expect(states).toContain("raft-joint/leader");
    const c = outcomes.toJSON();
    for (const k of [
      "rejected:Malformed",
      "rejected:OutOfRange",
      "rejected:WrongRecipient",
      "rejected:StaleTerm",
      "accepted:AppendEntries",
      "refused:admission",
    ])
      expect(c[k], k).toBeGreaterThan(0);
  });

  it("admission refuses prototype-shadowing keys and values that are not configurations", () => {
    const reg = getScheme("raft-single");
    expect(shadowingKey({ a: [{ b: { toJSON: 1 } }] })).toBe("msg.a[0].b.toJSON");
    expect(shadowingKey({ entries: [{ kind: "command", command: "toString" }] })).toBeUndefined();
    expect(badConfig(reg, 0b1110)).toBeUndefined();
    for (const bad of [{ toString: 1 }, "14", -2, 0b1111, 1.5, Number.NaN, [14], null])
      expect(badConfig(reg, bad), String(show(bad))).toBeDefined();
    const ae = (config: unknown) => ({
      type: "AppendEntries",
      from: 2,
      to: 1,
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 0,
      readSeq: 0,
      entries: [{ kind: "config", index: 1, term: 1, versn: 1, membership: { config, learners: 0 } }],
    });
    expect(admitPeerMessage(reg, ae(0b1110))).toBeUndefined();
    expect(admitPeerMessage(reg, ae({ valueOf: 3 }))).toMatch(/shadows/);
    expect(admitPeerMessage(reg, ae("garbage"))).toMatch(/membership.config/);
    const joint = getScheme("raft-joint");
    expect(admitPeerMessage(joint, ae(joint.initial(3)))).toBeUndefined();
    expect(admitPeerMessage(joint, ae({ ...(joint.initial(3) as object), extra: 1 }))).toMatch(/canonical/);
  });

  it("the transport survives frames whose fields stringify-throw (regression: String({toString: 1}))", async () => {
    // before: `first frame has type ${String(o.type)}` threw inside the socket handler → process crash
    expect(() => String(decode(encode({ toString: 1 })))).toThrow();
    expect(show(decode(encode({ toString: 1 })))).toBe("<object>");
    const rejects: PeerRejection[] = [];
    const t = new PeerTransport({
      nodeId: 2,
      clusterId: "c",
      listenHost: "127.0.0.1",
      listenPort: 0,
      resolve: () => undefined,
      isKnownPeer: (id) => id === 1,
      onMessage: () => undefined,
      onReject: (r) => rejects.push(r),
      logger: makeLogger(),
    });
    const { port } = await t.start();
    try {
      const evil = { toString: 1, valueOf: 1 };
      const frames = [
        { type: evil },
        { type: "hello", clusterId: "c", nodeId: 1, to: 2, protocol: evil },
        { type: "hello", clusterId: evil, nodeId: 1, to: 2, protocol: 1 },
        { type: "hello", clusterId: "c", nodeId: evil, to: 2, protocol: 1 },
        { type: "hello", clusterId: "c", nodeId: 1, to: evil, protocol: 1 },
      ];
      for (const f of frames)
        await new Promise<void>((resolve) => {
          const s = connect({ host: "127.0.0.1", port }, () => s.write(encodeFrame(encode(f))));
          s.on("data", () => undefined);
          s.on("error", () => resolve());
          s.on("close", () => resolve());
        });
      await until(() => rejects.length === frames.length, 3000);
      expect(rejects.map((r) => r.reason)).toEqual([
        "NoHello",
        "ProtocolMismatch",
        "ClusterMismatch",
        "UnknownPeer",
        "WrongTarget",
      ]);
    } finally {
      await t.close();
    }
  });
});

describe("live node fuzz", () => {
  const SECRET = "fuzz-secret";
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(3, { clusterSecret: SECRET });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("hostile peer connections (strangers and an authenticated peer) neither crash a node nor change its log", async () => {
    const leader = await cluster.waitLeader();
    const c = new AdoreClient({ endpoints: cluster.endpoints(), timeoutMs: 8000 });
    const attempted = new Map<string, string>();
    const acked = new Map<string, string>();
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const k = `w/${i}`;
        attempted.set(k, `v${i}`);
        try {
          await c.put(k, `v${i}`);
          acked.set(k, `v${i}`);
        } catch {
          // unacknowledged: may or may not be applied
        }
      }
    })();
    const reg = getScheme("raft-single");
    const follower = [...cluster.nodes.values()].find((n) => !n.isLeader)!;
    const t0 = Date.now();
    const results = [];
    for (const [target, strangers, peerFrames] of [
      [leader, 250 * SCALE, 8000 * SCALE],
      [follower, 100 * SCALE, 4000 * SCALE],
    ] as const) {
      const st = target.status();
      const asPeer = [1, 2, 3].find((id) => id !== target.id)!;
      results.push(
        await fuzzLiveNode({
          peerAddr: target.peerAddress,
          targetId: target.id,
          clusterId: cluster.clusterId,
          secret: SECRET,
          asPeer,
          reg,
          seed: SEED + target.id,
          strangers,
          peerFrames,
          term: st.term,
          lastIndex: st.lastIndex,
          commit: st.commit,
        }),
      );
    }
    stop = true;
    await writer;
    const elapsed = Date.now() - t0;
    const outcomes = results.map((r) => r.toJSON());
    // nobody got in without the secret; the authenticated peer was heard (and refused) many times
    for (const o of outcomes) {
      expect(o["stranger:ACCEPTED"] ?? 0).toBe(0);
      expect(o["peer:REFUSED"] ?? 0).toBe(0);
      expect(o["peer:authenticated"]).toBeGreaterThan(0);
    }
    expect(results.reduce((a, r) => a + r.inputs, 0)).toBeGreaterThanOrEqual(12_000 * SCALE);
    expect(acked.size).toBeGreaterThan(5);
    // the node read them: admission drops, and typed transport refusals of the authenticated peer
    for (const n of [leader, follower]) {
      expect(n.peerMessagesRefused).toBeGreaterThan(0);
      const reasons = new Set(n.peerRejections.map((x) => x.reason));
      for (const r of ["BadPayload", "AuthFailed", "NoHello"]) expect(reasons.has(r as never), r).toBe(true);
    }
    // every node is alive and serving, and agrees
    for (const n of cluster.nodes.values()) expect(n.isClosed).toBe(false);
    await c.put("after-fuzz", "ok");
    const l = await cluster.waitLeader();
    const target = l.status().commit;
    for (const n of cluster.nodes.values())
      await until(() => n.appliedIndex >= target, 10_000, `node ${n.id} to apply ${target}`);
    const kvOf = (n: typeof cluster.nodes extends Map<number, infer R> ? R : never) => {
      const s = decode(n.state.snapshot()) as { kv: string[] };
      const m = new Map<string, string>();
      for (let i = 0; i < s.kv.length; i += 2) m.set(s.kv[i]!, s.kv[i + 1]!);
      return m;
    };
    const kvs = [...cluster.nodes.values()].map(kvOf);
    for (const kv of kvs) expect([...kv]).toEqual([...kvs[0]!]);
    // the log holds the known writes and nothing else: every acked write, and only attempted ones
    const kv = kvs[0]!;
    for (const [k, v] of acked) expect(kv.get(k)).toBe(v);
    for (const [k, v] of kv) expect(k === "after-fuzz" ? "ok" : attempted.get(k)).toBe(v);
    c.close();
    console.log(
      `live fuzz: ${results.reduce((a, r) => a + r.inputs, 0)} inputs in ${elapsed} ms, ${acked.size} acked writes meanwhile`,
    );
  });
});
