import { range } from "@adore/adore-core";
import { getScheme } from "@adore/schemes";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClusterState,
  drive,
  type Input,
  newCluster,
  params,
  type RaftParams,
  type RaftServer,
  reconfigRefusal,
  stepServer,
} from "../src/index.js";
import { simulate } from "../src/testing/index.js";

const reg = getScheme("raft-single");
const scheme = reg.scheme as unknown as import("@adore/adore-core").Scheme<number>;
const p: RaftParams<number> = params({ scheme });
const show = (c: number) => scheme.print(c);

/** A 3-node cluster with S1 elected and one command committed everywhere. */
function elected(): ClusterState<number> {
  let cl = newCluster([1, 2, 3], { config: range(3), learners: 0 }, p);
  cl = drive(cl, 1, { type: "campaign" }, p, show).cluster;
  cl = settle(cl);
  cl = drive(cl, 1, { type: "propose", commands: ["x"] }, p, show).cluster;
  cl = settle(cl);
  // followers learn the new commit index from the next heartbeat
  return settle(drive(cl, 1, { type: "heartbeat" }, p, show).cluster);
}
function settle(cl: ClusterState<number>): ClusterState<number> {
  let c = cl;
  for (let i = 0; i < 1000 && c.network.length > 0; i++) {
    const m = c.network[0]!;
    const rest = { ...c, network: c.network.slice(1) };
    c = drive(rest, m.to, { type: "receive", msg: m }, p, show).cluster;
  }
  return c;
}
const server = (cl: ClusterState<number>, id: number): RaftServer<number> => cl.nodes.get(id)!.server;
const snapshotOf = (s: RaftServer<number>) =>
  JSON.stringify({ ...s, log: s.log.entries(), progress: [...s.progress] });

describe("the core is a pure function", () => {
  it("elects, replicates and commits; stepServer never changes its argument", () => {
    const cl = elected();
    const leader = server(cl, 1);
    expect(leader.role).toBe("leader");
    for (const id of [1, 2, 3]) expect(server(cl, id).commit).toBe(2);
    const before = snapshotOf(leader);
    stepServer(leader, { type: "propose", commands: ["y", "z"] }, p);
    stepServer(leader, { type: "tick" }, p);
    expect(snapshotOf(leader)).toBe(before);
  });

  it("is deterministic: the same seed and inputs give the same run", () => {
    const o = { scheme, initial: range(3), universe: range(4), seed: 7, steps: 3000, transcript: true };
    expect(simulate(o).transcript).toEqual(simulate(o).transcript);
  });
});

describe("bad input is refused with a typed reason and changes nothing", () => {
  const cl = elected();
  const leader = server(cl, 1);
  const follower = server(cl, 2);
  const garbage = fc.oneof(
    fc.anything(),
    fc.record({
      type: fc.constantFrom(
        "receive",
        "propose",
        "reconfigure",
        "persisted",
        "read",
        "snapshot",
        "restart",
        "transferLeadership",
      ),
      msg: fc.anything(),
      commands: fc.anything(),
      membership: fc.anything(),
      index: fc.anything(),
      term: fc.anything(),
      requestId: fc.anything(),
      data: fc.anything(),
      durable: fc.anything(),
      to: fc.anything(),
    }),
  );

  it("never throws on arbitrary inputs (property)", () => {
    fc.assert(
      fc.property(garbage, fc.boolean(), (input, toLeader) => {
        const s = toLeader ? leader : follower;
        const r = stepServer(s, input as Input<number>, p);
        if (r.rejected) {
          expect(typeof r.rejected.code).toBe("string");
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a message with one corrupted field is Malformed, names the field, and leaves the state as it was", () => {
    const ae = cl.network[0] ?? {
      type: "AppendEntries" as const,
      from: 1,
      to: 2,
      term: leader.term,
      prevLogIndex: 1,
      prevLogTerm: 1,
      entries: [{ kind: "command" as const, index: 2, term: 1, versn: 2, command: "q" }],
      leaderCommit: 1,
      readSeq: 0,
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ae, prevLogIndex: -1 }, "msg.prevLogIndex"],
      [{ ...ae, term: "1" }, "msg.term"],
      [{ ...ae, from: 99 }, "msg.from"],
      [
        { ...ae, entries: [{ kind: "command", index: 7, term: 1, versn: 1, command: "q" }] },
        "msg.entries[0].index",
      ],
      [{ ...ae, entries: [{ kind: "weird", index: 2, term: 1, versn: 1 }] }, "msg.entries[0].kind"],
      [{ ...ae, type: "Nope" }, "msg.type"],
      [
        {
          ...ae,
          entries: [
            {
              kind: "config",
              index: 2,
              term: 1,
              versn: 2,
              membership: { config: { old: "x" }, learners: 0 },
            },
          ],
        },
        "msg.entries[0].membership.config",
      ],
      [
        {
          ...ae,
          entries: [
            { kind: "config", index: 2, term: 1, versn: 2, membership: { config: 1.5, learners: 0 } },
          ],
        },
        "msg.entries[0].membership.config",
      ],
    ];
    for (const [msg, field] of cases) {
      const r = stepServer(follower, { type: "receive", msg } as unknown as Input<number>, p);
      expect(r.rejected, field).toMatchObject({ field });
      expect(r.server).toBe(follower);
      expect(r.outputs.messages).toHaveLength(0);
    }
    const wrong = stepServer(follower, { type: "receive", msg: { ...ae, to: 3 } } as Input<number>, p);
    expect(wrong.rejected).toEqual({ code: "WrongRecipient", to: 3 });
  });

  it("a message from an older term is refused (StaleTerm) and the sender is told the newer term", () => {
    const stale = {
      type: "AppendEntries" as const,
      from: 3,
      to: 2,
      term: 0,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [],
      leaderCommit: 0,
      readSeq: 0,
    };
    const r = stepServer(follower, { type: "receive", msg: stale }, p);
    expect(r.rejected).toEqual({ code: "StaleTerm", msgTerm: 0, term: follower.term });
    expect(r.server).toBe(follower);
    expect(r.outputs.messages[0]).toMatchObject({
      type: "AppendEntriesResponse",
      term: follower.term,
      success: false,
    });
  });

  it("a proposal to a follower is refused with the leader's id", () => {
    const r = stepServer(follower, { type: "propose", commands: ["x"] }, p);
    expect(r.rejected).toEqual({ code: "NotLeader", leader: 1 });
    expect(r.server).toBe(follower);
  });
});

describe("reconfiguration guards (Fig. 7 R1⁺, R2, R3) and the membership CAS", () => {
  it("R1⁺: raft-single refuses adding two nodes at once", () => {
    const leader = server(elected(), 1);
    const r = stepServer(leader, { type: "reconfigure", membership: { config: range(5), learners: 0 } }, p);
    expect(r.rejected).toEqual({
      code: "R1plus",
      current: "{1,2,3}",
      proposed: "{1,2,3,4,5}",
      accepts: { config: "{1,2,3,4}", kind: "step" },
    });
    expect(r.server).toBe(leader);
    expect(r.outputs.replies[0]).toMatchObject({ type: "reconfigFailed" });
  });

  it("R1⁺ refusal of a single-node form under raft-joint names the joint form the scheme accepts", () => {
    const jreg = getScheme("raft-joint");
    const jp = params({ scheme: jreg.scheme });
    const jshow = (c: unknown) => jreg.scheme.print(c);
    let cl = newCluster([1, 2, 3, 4], { config: jreg.parse("{1,2,3,4}"), learners: 0 }, jp);
    cl = drive(cl, 1, { type: "campaign" }, jp, jshow).cluster;
    for (let i = 0; i < 1000 && cl.network.length > 0; i++) {
      const m = cl.network[0]!;
      cl = drive(
        { ...cl, network: cl.network.slice(1) },
        m.to,
        { type: "receive", msg: m },
        jp,
        jshow,
      ).cluster;
    }
    const leader = server(cl as unknown as ClusterState<number>, 1) as unknown as RaftServer<unknown>;
    expect(leader.role).toBe("leader");
    const target = { config: jreg.parse("{1,2,4}"), learners: 0 };
    const r = stepServer(leader, { type: "reconfigure", membership: target }, jp);
    expect(r.rejected).toEqual({
      code: "R1plus",
      current: "{1,2,3,4}",
      proposed: "{1,2,4}",
      accepts: { config: "({1,2,3,4},{1,2,4})", kind: "finish" },
    });
    // the dry run answers the same without stepping
    expect(reconfigRefusal(leader, target, undefined, jp)).toEqual(r.rejected);
  });

  it("R2: no second change while one is uncommitted; CAS refuses a stale config id", () => {
    const leader = server(elected(), 1);
    const a = stepServer(
      leader,
      { type: "reconfigure", membership: { config: range(4), learners: 0 }, ifConfigIndex: 0 },
      p,
    );
    expect(a.rejected).toBeUndefined();
    const b = stepServer(a.server, { type: "reconfigure", membership: { config: range(3), learners: 0 } }, p);
    expect(b.rejected).toMatchObject({ code: "R2", configIndex: 3 });
    const c = stepServer(
      leader,
      { type: "reconfigure", membership: { config: range(4), learners: 0 }, ifConfigIndex: 5 },
      p,
    );
    expect(c.rejected).toEqual({ code: "ConfigIdMismatch", expected: 5, actual: 0 });
  });

  it("R3: a new leader may not reconfigure before its no-op commits", () => {
    let cl = newCluster([1, 2, 3], { config: range(3), learners: 0 }, p);
    cl = drive(cl, 1, { type: "campaign" }, p, show).cluster;
    // deliver the votes only, so S1 leads with an uncommitted no-op
    for (let i = 0; i < 4; i++) {
      const idx = cl.network.findIndex((m) => m.type === "RequestVote" || m.type === "RequestVoteResponse");
      if (idx < 0) break;
      const m = cl.network[idx]!;
      cl = drive(
        { ...cl, network: cl.network.filter((_, j) => j !== idx) },
        m.to,
        { type: "receive", msg: m },
        p,
        show,
      ).cluster;
    }
    const leader = server(cl, 1);
    expect(leader.role).toBe("leader");
    const r = stepServer(leader, { type: "reconfigure", membership: { config: range(4), learners: 0 } }, p);
    expect(r.rejected).toEqual({ code: "R3", term: 1, termStart: 1, commitIndex: 0 });
  });
});
