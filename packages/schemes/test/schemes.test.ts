import { type NodeSet, nodeSet, range } from "@adore/adore-core";
import { describe, expect, it } from "vitest";
import {
  ConfigSyntaxError,
  dynamicQuorum,
  fixtureNames,
  getScheme,
  jointR1plusAsPrinted,
  margin,
  movedWeight,
  primariesBackups,
  primaryBackup,
  raftJoint,
  raftSingle,
  schemeNames,
  staticMajority,
  UnknownSchemeError,
  userScheme,
  weightedMajority,
  weights,
} from "../src/index.js";

const N = (...ids: number[]): NodeSet => nodeSet(ids);

describe("registry", () => {
  it("knows the seven schemes of the issue, in the order of section 6", () => {
    expect(schemeNames()).toEqual([
      "raft-single",
      "raft-joint",
      "primary-backup",
      "dynamic-quorum",
      "primaries-backups",
      "static",
      "weighted-majority",
    ]);
    for (const name of [...schemeNames(), ...fixtureNames()]) expect(getScheme(name).scheme.name).toBe(name);
  });

  it("rejects unknown names with the list of valid ones", () => {
    expect(() => getScheme("paxos")).toThrow(UnknownSchemeError);
    expect(() => getScheme("paxos")).toThrow(/valid: raft-single, raft-joint, .*weighted-majority/);
    expect(() => getScheme("toString")).toThrow(UnknownSchemeError);
  });

  it("gives each scheme an initial configuration whose members are exactly 1..n", () => {
    for (const name of schemeNames())
      for (let n = 1; n <= 6; n++) {
        const e = getScheme(name);
        expect(e.scheme.mbrs(e.initial(n)), `${name} over ${n}`).toBe(range(n));
      }
    expect(getScheme("primary-backup").scheme.print(getScheme("primary-backup").initial(4))).toBe(
      "(P=1,{2,3,4})",
    );
    expect(getScheme("dynamic-quorum").scheme.print(getScheme("dynamic-quorum").initial(5))).toBe(
      "(q=3,{1,2,3,4,5})",
    );
    expect(getScheme("primaries-backups").scheme.print(getScheme("primaries-backups").initial(5))).toBe(
      "(P={1,2,3},{4,5})",
    );
  });

  it("parses what it prints, for every configuration over 5 nodes", () => {
    for (const name of [...schemeNames(), ...fixtureNames()]) {
      const { scheme, parse } = getScheme(name);
      for (const cf of scheme.validConfigs(range(5))) {
        const back = parse(scheme.print(cf));
        expect(scheme.equals(back, cf), `${name}: ${scheme.print(cf)}`).toBe(true);
        expect(scheme.hash(back)).toBe(scheme.hash(cf));
      }
    }
  });
});

describe("configuration syntax", () => {
  it("reads the issue's examples", () => {
    expect(getScheme("raft-single").parse("{1,2,3}")).toBe(N(1, 2, 3));
    expect(getScheme("raft-single").parse(" { 1 .. 3 , 5 } ")).toBe(N(1, 2, 3, 5));
    expect(getScheme("raft-joint").parse("({1,2,3},{3,4,5})")).toEqual({ old: N(1, 2, 3), next: N(3, 4, 5) });
    expect(getScheme("raft-joint").parse("{1,2,3}")).toEqual({ old: N(1, 2, 3), next: null });
    expect(getScheme("raft-joint").parse("({1,2,3},⊥)")).toEqual({ old: N(1, 2, 3), next: null });
    expect(getScheme("primary-backup").parse("(P=1,{2,3})")).toEqual({ P: 1, backups: N(2, 3) });
    expect(getScheme("dynamic-quorum").parse("(q=3,{1..5})")).toEqual({ q: 3, C: range(5) });
    expect(getScheme("primaries-backups").parse("(P={1,2,3},{4,5})")).toEqual({
      P: N(1, 2, 3),
      backups: N(4, 5),
    });
    expect(getScheme("static").parse("{1..4}")).toBe(range(4));
    expect(getScheme("weighted-majority").parse("{1:2,2,3}")).toEqual([0, 2, 1, 1]);
    expect(getScheme("weighted-majority").parse("{1..3:2,5}")).toEqual([0, 2, 2, 2, 0, 1]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ["raft-single", "1,2,3", /expected a set like \{1,2,3\}/],
    ["raft-single", "{}", /members: a configuration needs at least one member/],
    ["raft-single", "{1,x}", /"x" is not a node id/],
    ["raft-single", "{0,1}", /node id 0 is not in 1\.\.30/],
    ["raft-single", "{31}", /node id 31 is not in 1\.\.30/],
    ["raft-single", "{3..1}", /empty range 3\.\.1/],
    ["raft-joint", "({1,2},{3},{4})", /expected 2 comma-separated parts/],
    ["raft-joint", "({1,2},{})", /new: a configuration needs at least one member/],
    ["raft-joint", "({1,2}", /expected a tuple like/],
    ["primary-backup", "(Q=1,{2,3})", /expected P=… as in \(P=1,\{2,3\}\)/],
    ["primary-backup", "(P=1,{1,2})", /backups: the primary 1 cannot also be a passive backup/],
    ["primary-backup", "(P=x,{2})", /P: "x" is not a node id/],
    ["dynamic-quorum", "(q=2,{1..5})", /q: q=2 must exceed \|C\|\/2=2\.5 \(REFLEXIVE/],
    ["dynamic-quorum", "(q=6,{1..5})", /q: q=6 exceeds \|C\|=5/],
    ["dynamic-quorum", "(q=a,{1..5})", /q: "a" is not a number/],
    ["primaries-backups", "(P={1,2},{2,3})", /backups: \{2\} cannot be both primary and passive backup/],
    ["primaries-backups", "(P={},{2,3})", /P: a configuration needs at least one member/],
    ["weighted-majority", "{1:0,2}", /weight: 0 is not in 1\.\.1000/],
    ["weighted-majority", "{1:2,1}", /weights: node 1 is given twice/],
    ["weighted-majority", "{1:x}", /weight: "x" is not a number/],
    ["weighted-majority", "{}", /weights: a configuration needs at least one member/],
  ];
  it.each(bad)("%s rejects %s with a message naming the field and the rule", (name, text, why) => {
    const { parse } = getScheme(name);
    let err: unknown;
    try {
      parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigSyntaxError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(name);
  });
});

describe("the formulas of section 6", () => {
  it("Raft single-node: one node in or out; strict majorities", () => {
    expect(raftSingle.R1plus(N(1, 2, 3), N(1, 2, 3, 4))).toBe(true);
    expect(raftSingle.R1plus(N(1, 2, 3), N(1, 2))).toBe(true);
    expect(raftSingle.R1plus(N(1, 2, 3), N(1, 2, 4))).toBe(false);
    expect(raftSingle.R1plus(N(1, 2), N(1, 2, 3, 4))).toBe(false);
    expect(raftSingle.isQuorum(N(1, 2), N(1, 2, 3))).toBe(true);
    expect(raftSingle.isQuorum(N(1, 2), N(1, 2, 3, 4))).toBe(false);
    expect(raftSingle.isQuorum(N(1, 2, 5), N(1, 2, 3))).toBe(true);
  });

  it("Raft joint consensus: (old,⊥) → (old,new) → (new,⊥); majorities of both while joint", () => {
    const o = { old: N(1, 2, 3), next: null };
    const j = { old: N(1, 2, 3), next: N(3, 4, 5) };
    const n = { old: N(3, 4, 5), next: null };
    expect(raftJoint.R1plus(o, j)).toBe(true);
    expect(raftJoint.R1plus(j, n)).toBe(true);
    expect(raftJoint.R1plus(o, n)).toBe(false);
    expect(raftJoint.R1plus(j, o)).toBe(false);
    expect(raftJoint.isQuorum(N(1, 2, 4), j)).toBe(false);
    expect(raftJoint.isQuorum(N(1, 3, 4), j)).toBe(true);
    expect(raftJoint.mbrs(j)).toBe(N(1, 2, 3, 4, 5));
    // the printed formula is not reflexive on a joint configuration; the scheme adds C = C'
    expect(jointR1plusAsPrinted(j, j)).toBe(false);
    expect(raftJoint.R1plus(j, j)).toBe(true);
  });

  it("primary backup: the primary stays; any set containing it is a quorum", () => {
    expect(primaryBackup.R1plus({ P: 1, backups: N(2) }, { P: 1, backups: N(3, 4) })).toBe(true);
    expect(primaryBackup.R1plus({ P: 1, backups: N(2) }, { P: 2, backups: N(1) })).toBe(false);
    expect(primaryBackup.isQuorum(N(1), { P: 1, backups: N(2, 3) })).toBe(true);
    expect(primaryBackup.isQuorum(N(2, 3), { P: 1, backups: N(2, 3) })).toBe(false);
  });

  it("dynamic quorum sizes: |C'| < q + q' with one set inside the other", () => {
    expect(dynamicQuorum.R1plus({ q: 3, C: range(3) }, { q: 3, C: range(5) })).toBe(true);
    expect(dynamicQuorum.R1plus({ q: 2, C: range(3) }, { q: 3, C: range(5) })).toBe(false);
    expect(dynamicQuorum.R1plus({ q: 2, C: range(3) }, { q: 3, C: N(1, 2, 4) })).toBe(false);
    expect(dynamicQuorum.isQuorum(N(1, 2, 3), { q: 3, C: range(5) })).toBe(true);
    expect(dynamicQuorum.isQuorum(N(1, 2, 6), { q: 3, C: range(5) })).toBe(false);
  });

  it("primaries + passive backups: one primary at a time, backups free", () => {
    const a = { P: N(1, 2, 3), backups: N(4) };
    expect(primariesBackups.R1plus(a, { P: N(1, 2, 3, 4), backups: N(5) })).toBe(true);
    expect(primariesBackups.R1plus(a, { P: N(1, 2), backups: N(3, 4, 5) })).toBe(true);
    expect(primariesBackups.R1plus(a, { P: N(1, 2, 4), backups: N(3) })).toBe(false);
    expect(primariesBackups.isQuorum(N(1, 2), a)).toBe(true);
    expect(primariesBackups.isQuorum(N(1, 4), a)).toBe(false);
  });

  it("static: R1⁺ is equality", () => {
    expect(staticMajority.R1plus(N(1, 2, 3), N(1, 2, 3))).toBe(true);
    expect(staticMajority.R1plus(N(1, 2, 3), N(1, 2))).toBe(false);
    expect(staticMajority.isQuorum(N(1, 2), N(1, 2, 3))).toBe(true);
  });

  it("weighted majority: margins and moved weight", () => {
    const unit3 = weights([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    const unit4 = weights([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
    expect(margin(unit3)).toBe(1);
    expect(margin(unit4)).toBe(2);
    expect(margin([0, 10, 10, 10])).toBe(10);
    expect(movedWeight(unit3, unit4)).toBe(1);
    expect(weightedMajority.isQuorum(N(1, 2), unit3)).toBe(true);
    expect(weightedMajority.isQuorum(N(1, 2), unit4)).toBe(false);
    expect(weightedMajority.isQuorum(N(1), [0, 3, 1, 1])).toBe(true);
    // adding or removing one unit-weight node is always allowed (as in Raft single-node)
    expect(weightedMajority.R1plus(unit3, unit4)).toBe(true);
    // swapping a node of an odd-weight configuration is not ({1,3} and {2,4} would be disjoint) …
    expect(weightedMajority.R1plus(unit3, [0, 1, 1, 0, 1])).toBe(false);
    // … but of an even one it is: 3 of 4 on both sides share two of {1,2,3}
    expect(weightedMajority.R1plus(unit4, [0, 1, 1, 1, 0, 1])).toBe(true);
    // heavier weights leave room to move more
    expect(weightedMajority.R1plus([0, 10, 10, 10], [0, 10, 10, 14])).toBe(true);
    expect(weightedMajority.print([0, 2, 1, 0, 3])).toBe("{1:2,2,4:3}");
  });
});

describe("user-defined schemes", () => {
  it("reads configurations by their printed form and starts from all nodes", () => {
    const e = userScheme(raftSingle, range(4));
    expect(e.parse("{1, 3}")).toBe(N(1, 3));
    expect(e.initial(3)).toBe(range(3));
    expect(() => e.parse("{1,7}")).toThrow(ConfigSyntaxError);
    const noAll = userScheme({ ...primaryBackup, validConfigs: () => [] }, range(3));
    expect(() => noAll.initial(3)).toThrow(/no valid configuration has exactly these members/);
  });
});
