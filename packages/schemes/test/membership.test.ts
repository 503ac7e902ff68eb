// The schemes' membership helpers (add/remove a voter, finish a joint change): every change they
// give is one step R1⁺ allows, with the expected voters, in the scheme's own syntax; every
// refusal is typed.
import { has, MAX_NODE_ID, members, type NodeSet, nodeSet, range, type Scheme } from "@adore/adore-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fixtureNames,
  getScheme,
  type MembershipChange,
  type MembershipOps,
  type RegisteredScheme,
  raftJoint,
  raftSingle,
  registeredOf,
  schemeNames,
  userScheme,
} from "../src/index.js";

type Entry = RegisteredScheme<unknown> & { readonly membership: MembershipOps<unknown> };
const withOps = (name: string): Entry => {
  const reg = getScheme(name);
  if (reg.membership === undefined) throw new Error(`${name} has no membership helpers`);
  return reg as Entry;
};

/** Over universes of up to 5 nodes: every valid configuration, every node id 1..6. */
const UNIVERSE = range(5);
const ids = members(range(6));

const code = (r: MembershipChange<unknown>) => (r.kind === "refused" ? r.code : "changed");

describe("membership helpers: registered with every scheme and fixture", () => {
  it.each([...schemeNames(), ...fixtureNames()])("%s has membership helpers", (name) => {
    expect(getScheme(name).membership).toBeDefined();
  });
  it("registeredOf finds a scheme by identity, not by name", () => {
    expect(registeredOf(raftSingle)?.membership).toBe(getScheme("raft-single").membership);
    const lookalike: Scheme<NodeSet> = { ...raftSingle, R1plus: () => true };
    expect(registeredOf(lookalike)).toBeUndefined();
    expect(userScheme(lookalike, range(3)).membership).toBeUndefined();
  });
});

describe.each([...schemeNames(), ...fixtureNames()])("%s: each change is one R1⁺ step", (name) => {
  const reg = withOps(name);
  const sc = reg.scheme;
  const ops = reg.membership;
  const configs = sc.validConfigs(UNIVERSE);
  // the fixtures' R1⁺ is their own (unsafe) rule: the helpers only promise a step it allows
  it("addVoter: R1⁺(c, c'), voters(c' finished) = voters(c) ∪ {n}, c' parses back from its printed form", () => {
    fc.assert(
      fc.property(fc.constantFrom(...configs), fc.constantFrom(...ids), (c, id) => {
        const r = ops.addVoter(c, id);
        if (has(sc.mbrs(c), id)) {
          expect(code(r)).toBe("AlreadyVoter");
          return;
        }
        if (r.kind === "refused") {
          expect(r.why).toMatch(/\S/);
          return;
        }
        expect(sc.R1plus(c, r.config)).toBe(true);
        // a joint step has the new voters once finished
        expect(ops.voters(ops.finish(r.config) ?? r.config)).toBe(sc.mbrs(c) | (1 << id));
        expect(sc.equals(reg.parse(sc.print(r.config)), r.config)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it("removeVoter: R1⁺(c, c'), voters(c' finished) = voters(c) ∖ {n}, c' parses back from its printed form", () => {
    fc.assert(
      fc.property(fc.constantFrom(...configs), fc.constantFrom(...ids), (c, id) => {
        const r = ops.removeVoter(c, id);
        if (!has(sc.mbrs(c), id)) {
          expect(code(r)).toBe("NotVoter");
          return;
        }
        if (r.kind === "refused") {
          expect(r.why).toMatch(/\S/);
          return;
        }
        expect(sc.R1plus(c, r.config)).toBe(true);
        expect(ops.voters(ops.finish(r.config) ?? r.config)).toBe(sc.mbrs(c) & ~(1 << id));
        expect(sc.equals(reg.parse(sc.print(r.config)), r.config)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it("finish: R1⁺(c, finish(c)) and finish is final", () => {
    for (const c of configs) {
      const f = ops.finish(c);
      if (f === undefined) continue;
      expect(sc.R1plus(c, f)).toBe(true);
      expect(ops.finish(f)).toBeUndefined();
    }
  });
  it("ids outside 1..MAX_NODE_ID are refused as BadNodeId", () => {
    const c = reg.initial(3);
    for (const id of [0, -1, 1.5, MAX_NODE_ID + 1, Number.NaN]) {
      expect(code(ops.addVoter(c, id))).toBe("BadNodeId");
      expect(code(ops.removeVoter(c, id))).toBe("BadNodeId");
    }
  });
});

describe("which changes each scheme makes, and which it refuses", () => {
  const apply = (name: string, text: string, op: "add" | "remove", id: number): string => {
    const reg = withOps(name);
    const r =
      op === "add"
        ? reg.membership.addVoter(reg.parse(text), id)
        : reg.membership.removeVoter(reg.parse(text), id);
    return r.kind === "changed" ? reg.scheme.print(r.config) : r.code;
  };
  it("raft-single: one node at a time; the last voter stays", () => {
    expect(apply("raft-single", "{1,2,3}", "add", 4)).toBe("{1,2,3,4}");
    expect(apply("raft-single", "{1,2,3}", "remove", 2)).toBe("{1,3}");
    expect(apply("raft-single", "{1}", "remove", 1)).toBe("LastMember");
  });
  it("static: no membership change (R1⁺ is equality)", () => {
    expect(apply("static", "{1,2,3}", "add", 4)).toBe("Unsupported");
    expect(apply("static", "{1,2,3}", "remove", 3)).toBe("Unsupported");
  });
  it("raft-joint: (old) → (old, new) → (new), and nothing else while joint", () => {
    expect(apply("raft-joint", "{1,2,3}", "add", 4)).toBe("({1,2,3},{1,2,3,4})");
    expect(apply("raft-joint", "{1,2,3}", "remove", 3)).toBe("({1,2,3},{1,2})");
    expect(apply("raft-joint", "({1,2,3},{1,2,3,4})", "add", 5)).toBe("JointInProgress");
    expect(apply("raft-joint", "({1,2,3},{1,2,3,4})", "remove", 2)).toBe("JointInProgress");
  });
  it("raft-joint: the documented two-step path to add or remove a voter", () => {
    const ops = withOps("raft-joint").membership as MembershipOps<unknown>;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 5 - 1 }), fc.constantFrom(...ids), (bits, id) => {
        const old = bits * 2;
        const start = { old, next: null };
        const r = has(old, id) ? ops.removeVoter(start, id) : ops.addVoter(start, id);
        if (r.kind === "refused") {
          expect(r.code).toBe("LastMember");
          return;
        }
        const end = ops.finish(r.config);
        expect(end).toEqual({ old: old ^ (1 << id), next: null });
        expect(raftJoint.R1plus(start, r.config as never)).toBe(true);
        expect(raftJoint.R1plus(r.config as never, end as never)).toBe(true);
      }),
    );
  });
  it("primary-backup: nodes come and go as backups; the primary stays", () => {
    expect(apply("primary-backup", "(P=1,{2,3})", "add", 4)).toBe("(P=1,{2,3,4})");
    expect(apply("primary-backup", "(P=1,{2,3})", "remove", 2)).toBe("(P=1,{3})");
    expect(apply("primary-backup", "(P=1,{2,3})", "remove", 1)).toBe("FixedMember");
  });
  it("primaries-backups: a new node is a backup; a primary leaves, but never the last one", () => {
    expect(apply("primaries-backups", "(P={1,2,3},{4})", "add", 5)).toBe("(P={1,2,3},{4,5})");
    expect(apply("primaries-backups", "(P={1,2,3},{4})", "remove", 2)).toBe("(P={1,3},{4})");
    expect(apply("primaries-backups", "(P={1,2,3},{4})", "remove", 4)).toBe("(P={1,2,3},{})");
    expect(apply("primaries-backups", "(P={1},{2,3})", "remove", 1)).toBe("LastMember");
  });
  it("dynamic-quorum: the quorum size becomes a majority of the new members", () => {
    expect(apply("dynamic-quorum", "(q=2,{1,2,3})", "add", 4)).toBe("(q=3,{1,2,3,4})");
    expect(apply("dynamic-quorum", "(q=3,{1,2,3})", "remove", 3)).toBe("(q=2,{1,2})");
    expect(apply("dynamic-quorum", "(q=1,{1})", "remove", 1)).toBe("LastMember");
  });
  it("weighted-majority: join with weight 1; leave only if R1⁺ lets the whole weight move", () => {
    expect(apply("weighted-majority", "{1:2,2,3}", "add", 4)).toBe("{1:2,2,3,4}");
    expect(apply("weighted-majority", "{1,2,3}", "remove", 3)).toBe("{1,2}");
    expect(apply("weighted-majority", "{1:3,2,3}", "remove", 1)).toBe("NotR1plus");
  });
  it("a refusal names the node and the rule", () => {
    const ops = withOps("primary-backup").membership;
    const r = ops.removeVoter(getScheme("primary-backup").parse("(P=1,{2})"), 1);
    expect(r).toMatchObject({ kind: "refused", op: "removeVoter", code: "FixedMember" });
    expect(r.kind === "refused" && r.why).toMatch(/node 1 is the primary/);
    expect(withOps("raft-single").membership.addVoter(nodeSet([1, 2]), 2)).toMatchObject({
      code: "AlreadyVoter",
    });
  });
});
