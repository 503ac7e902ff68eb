import { describe, expect, it } from "vitest";
import {
  adoreModel,
  FIG12_CONF0,
  FIG12_PAPER,
  FIG12_WITH_R3,
  type FixtureOutcome,
  renderAscii,
  replayFixture,
  replicatedStateSafety,
} from "../src/index.js";
import { majority } from "./helpers.js";

/** One line per step: "PULLOK" or "✗ R3". */
const summary = (o: FixtureOutcome[]) =>
  o.map((x) => (x.outcome.ok ? x.outcome.rule : `✗ ${x.outcome.reason.premise}`));

describe("Fig. 12: the paper's trace, step by step", () => {
  it("standard pull, R3 off: S1's last election meets S3's support of S2's ECache — no quorum, safety holds", () => {
    const { outcomes, final } = replayFixture(adoreModel(majority, FIG12_CONF0, { r3: false }), FIG12_PAPER);
    expect(summary(outcomes)).toEqual([
      "PULLOK",
      "RECONFIGOK",
      "PULLOK",
      "RECONFIGOK",
      "PUSHOK",
      "PULLOK/¬Qok", // mostRecent({1,3}) is S2's ECache, conf {1,2,3,4}
      "✗ isLeader",
      "✗ canCommit",
    ]);
    expect(replicatedStateSafety(final)).toBeNull();
  });

  it("raft-log pull, R3 off: every step goes through and Replicated State Safety breaks", () => {
    const { outcomes, final } = replayFixture(
      adoreModel(majority, FIG12_CONF0, { r3: false, recency: "raft-log" }),
      FIG12_PAPER,
    );
    expect(summary(outcomes)).toEqual([
      "PULLOK",
      "RECONFIGOK",
      "PULLOK",
      "RECONFIGOK",
      "PUSHOK",
      "PULLOK",
      "INVOKEOK",
      "PUSHOK",
    ]);
    expect(replicatedStateSafety(final)).toBe(
      "#5 CCache(S2, t=2, v=1) and #8 CCache(S1, t=3, v=1) are on different branches (they fork at #0)",
    );
    expect(renderAscii(majority, final)).toBe(
      [
        "#0 root (t=0,v=0) conf={1,2,3,4}",
        "├─ #1 E S1 (t=1,v=0) supp={1,2,3}",
        "│  └─ #2 R S1 (t=1,v=1) conf={1,2,3}",
        "│     └─ #6 E S1 (t=3,v=0) supp={1,3}",
        "│        └─ #7 M S1 (t=3,v=1) x",
        "│           └─ #8 C S1 (t=3,v=1) supp={1,3}",
        "└─ #3 E S2 (t=2,v=0) supp={2,3,4}",
        "   └─ #4 R S2 (t=2,v=1) conf={1,2,4}",
        "      └─ #5 C S2 (t=2,v=1) supp={2,4}",
      ].join("\n"),
    );
  });

  it.each(["adore", "raft-log"] as const)(
    "%s pull, R3 on: both reconfigurations are refused by R3",
    (recency) => {
      const { outcomes, final } = replayFixture(adoreModel(majority, FIG12_CONF0, { recency }), FIG12_PAPER);
      const rows = summary(outcomes);
      expect(rows[1]).toBe("✗ R3");
      expect(rows[3]).toBe("✗ R3");
      expect(outcomes[1]!.outcome).toMatchObject({
        ok: false,
        reason: { message: "R3: no CCache with time 1 on the active branch" },
      });
      expect(rows[5]).toBe("PULLOK/¬Qok"); // S1 has no RCache: {1,3} is no quorum of {1,2,3,4}
      expect(replicatedStateSafety(final)).toBeNull();
    },
  );

  it.each(["adore", "raft-log"] as const)(
    "%s pull, the trace as R3 forces it: S2's commit at time 2 blocks S1's election with {S1,S3}",
    (recency) => {
      const { outcomes, final } = replayFixture(
        adoreModel(majority, FIG12_CONF0, { recency }),
        FIG12_WITH_R3,
      );
      expect(summary(outcomes)).toEqual([
        "PULLOK",
        "INVOKEOK",
        "PUSHOK",
        "RECONFIGOK",
        "PULLOK",
        "INVOKEOK",
        "PUSHOK",
        "RECONFIGOK",
        "PUSHOK",
        "PULLOK/¬Qok", // mostRecent({1,3}) is S2's CCache at time 2, conf {1,2,3,4}
        "✗ isLeader",
        "✗ canCommit",
      ]);
      expect(replicatedStateSafety(final)).toBeNull();
    },
  );
});
