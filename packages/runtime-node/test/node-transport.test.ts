import { connect } from "node:net";
import type { Message } from "@adore/raft-net";
import { afterEach, describe, expect, it } from "vitest";
import { makeLogger } from "../src/node/log.js";
import { type PeerRejection, PeerTransport } from "../src/node/transport.js";
import { encode } from "../src/wire/codec.js";
import { encodeFrame } from "../src/wire/frame.js";

const open: PeerTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function until(cond: () => boolean, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error("timed out"));
      setTimeout(poll, 5);
    };
    poll();
  });
}

interface Node {
  t: PeerTransport;
  got: Message<unknown>[];
  rejects: PeerRejection[];
}

async function make(
  nodeId: number,
  addrs: Map<number, string>,
  clusterId = "c1",
  extra: { queueLimit?: number } = {},
): Promise<Node> {
  const got: Message<unknown>[] = [];
  const rejects: PeerRejection[] = [];
  const t = new PeerTransport({
    nodeId,
    clusterId,
    listenHost: "127.0.0.1",
    listenPort: 0,
    resolve: (id) => addrs.get(id),
    isKnownPeer: (id) => id >= 1 && id <= 3,
    onMessage: (m) => got.push(m),
    onReject: (r) => rejects.push(r),
    logger: makeLogger(),
    backoffInitialMs: 10,
    backoffMaxMs: 50,
    ...extra,
  });
  open.push(t);
  const a = await t.start();
  addrs.set(nodeId, `127.0.0.1:${a.port}`);
  return { t, got, rejects };
}

const vote = (from: number, to: number, term: number): Message<unknown> => ({
  type: "RequestVote",
  from,
  to,
  term,
  lastLogIndex: 0,
  lastLogTerm: 0,
  preVote: false,
  transfer: false,
});

function rawSend(port: number, bytes: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      for (const b of bytes) s.write(b);
    });
    s.on("data", () => undefined);
    s.on("error", () => resolve());
    s.on("close", () => resolve());
  });
}
const frame = (v: unknown) => encodeFrame(encode(v));
const hello = (nodeId: number, to: number, clusterId = "c1", protocol = 1) =>
  frame({ type: "hello", clusterId, nodeId, to, protocol });

describe("PeerTransport", () => {
  it("delivers messages both ways, in order, after the hello handshake", async () => {
    const addrs = new Map<number, string>();
    const a = await make(1, addrs);
    const b = await make(2, addrs);
    a.t.send([vote(1, 2, 1), vote(1, 2, 2), vote(1, 2, 3)]);
    b.t.send([vote(2, 1, 7)]);
    await until(() => b.got.length === 3 && a.got.length === 1);
    expect(b.got.map((m) => m.term)).toEqual([1, 2, 3]);
    expect(a.got[0]).toEqual(vote(2, 1, 7));
  });

  it("reconnects after the peer restarts and queues meanwhile", async () => {
    const addrs = new Map<number, string>();
    const a = await make(1, addrs);
    let b = await make(2, addrs);
    a.t.send([vote(1, 2, 1)]);
    await until(() => b.got.length === 1);
    const port = Number(addrs.get(2)!.split(":")[1]);
    await b.t.close();
    a.t.send([vote(1, 2, 2)]);
    await new Promise((r) => setTimeout(r, 30));
    // restart node 2 on the same port
    const got: Message<unknown>[] = [];
    const t2 = new PeerTransport({
      nodeId: 2,
      clusterId: "c1",
      listenHost: "127.0.0.1",
      listenPort: port,
      resolve: (id) => addrs.get(id),
      isKnownPeer: () => true,
      onMessage: (m) => got.push(m),
      logger: makeLogger(),
    });
    open.push(t2);
    await t2.start();
    b = { t: t2, got, rejects: [] };
    a.t.send([vote(1, 2, 3)]);
    await until(() => got.some((m) => m.term === 3));
  });

  it("refuses a peer of another cluster with a typed reason, on both sides", async () => {
    const addrs = new Map<number, string>();
    const a = await make(1, addrs, "c1");
    const b = await make(2, addrs, "other");
    a.t.send([vote(1, 2, 1)]);
    await until(() => a.rejects.length > 0 && b.rejects.length > 0);
    expect(b.rejects[0]).toMatchObject({ reason: "ClusterMismatch", side: "inbound" });
    expect(a.rejects[0]).toMatchObject({ reason: "ClusterMismatch", side: "outbound", peer: 2 });
    expect(b.got).toEqual([]);
  });

  it("closes hostile connections and keeps serving", async () => {
    const addrs = new Map<number, string>();
    const b = await make(2, addrs);
    const port = Number(addrs.get(2)!.split(":")[1]);
    await rawSend(port, [Buffer.from([0, 0, 0, 5, 9, 1, 2, 3, 4])]); // frame version 9
    await rawSend(port, [encodeFrame(Buffer.from([0xc1]))]); // not msgpack
    await rawSend(port, [frame({ type: "RequestVote" })]); // no hello
    await rawSend(port, [hello(1, 2, "c1", 99)]); // wrong protocol version
    await rawSend(port, [hello(9, 2)]); // unknown peer
    await rawSend(port, [hello(1, 2), frame({ type: "Bogus", from: 1, to: 2 })]); // unknown type
    await rawSend(port, [hello(1, 2), frame(vote(3, 2, 1))]); // lying sender
    await until(() => b.rejects.length === 7);
    expect(b.rejects.map((r) => r.reason)).toEqual([
      "BadFrame",
      "BadPayload",
      "NoHello",
      "ProtocolMismatch",
      "UnknownPeer",
      "UnknownType",
      "WrongSender",
    ]);
    expect(b.got).toEqual([]);
    // still serving
    const a = await make(1, addrs);
    a.t.send([vote(1, 2, 4)]);
    await until(() => b.got.length === 1);
  });

  it("bounds the queue of an unreachable peer, dropping the oldest", async () => {
    const addrs = new Map<number, string>([[2, "127.0.0.1:1"]]);
    const a = await make(1, addrs, "c1", { queueLimit: 10 });
    for (let i = 0; i < 100; i++) a.t.send([vote(1, 2, i)]);
    expect(a.t.stats.dropped).toBe(90);
  });
});
