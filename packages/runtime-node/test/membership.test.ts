// The leader-side validation of membership requests (src/node/membership.ts): pure functions of
// what the leader knows (configuration, peer directory, replication progress).
import { nodeSet, type Scheme } from "@adore/adore-core";
import { adapterByName, type SchemeAdapter } from "@adore/raft-net";
import { getScheme } from "@adore/schemes";
import { describe, expect, it } from "vitest";
import { AdoreError } from "../src/client/errors.js";
import type { PeerAddress } from "../src/client/protocol.js";
import {
  DEFAULT_MAX_VOTER_LAG,
  faultTolerance,
  type LeaderKnowledge,
  planAddLearner,
  planAddVoter,
  planRemove,
  planSetConfig,
  planUpdate,
  toleranceWarnings,
} from "../src/node/membership.js";

const at = (id: number): PeerAddress => ({ peerAddr: `10.0.0.${id}:7000`, clientAddr: `10.0.0.${id}:8000` });

/** A leader (node 1) of voters 1..n, every other voter at match = lastIndex. */
function knowledge(
  schemeName: string,
  configText: string,
  o: {
    learners?: number[];
    progress?: Record<number, number>;
    directory?: number[];
    lastIndex?: number;
  } = {},
): LeaderKnowledge<unknown> {
  const reg = getScheme(schemeName);
  const adapter = adapterByName(schemeName) as SchemeAdapter<unknown>;
  const config = reg.parse(configText);
  const voters = reg.scheme.mbrs(config);
  const lastIndex = o.lastIndex ?? 100;
  const progress = new Map<number, { match: number }>();
  for (let id = 1; id <= 30; id++)
    if (id !== 1 && ((voters >> id) & 1) === 1) progress.set(id, { match: lastIndex });
  for (const [id, match] of Object.entries(o.progress ?? {})) progress.set(Number(id), { match });
  const dirIds = o.directory ?? [...progress.keys(), 1];
  return {
    adapter,
    membership: { config, learners: nodeSet(o.learners ?? []) },
    directory: new Map(dirIds.map((id) => [id, at(id)])),
    progress,
    leader: 1,
    lastIndex,
    maxLag: DEFAULT_MAX_VOTER_LAG,
  };
}

const code = (x: unknown) => (x instanceof AdoreError ? x.code : "planned");
const text = (k: LeaderKnowledge<unknown>, c: unknown) => k.adapter.scheme.print(c);

describe("faultTolerance: from the scheme's quorums, not a majority formula", () => {
  const single = getScheme("raft-single");
  const joint = getScheme("raft-joint");
  const weighted = getScheme("weighted-majority");
  it("majorities: 1 → 0, 3 → 1, 4 → 1, 5 → 2", () => {
    const s = single.scheme as Scheme<unknown>;
    expect([1, 3, 4, 5].map((n) => faultTolerance(s, single.initial(n)))).toEqual([0, 1, 1, 2]);
  });
  it("a joint configuration tolerates what both halves tolerate together", () => {
    const s = joint.scheme as Scheme<unknown>;
    expect(faultTolerance(s, joint.parse("({1,2,3},{3,4,5})"))).toBe(1);
    expect(faultTolerance(s, joint.parse("({1,2,3,4,5},{1,2,3,4,5,6,7})"))).toBe(2);
  });
  it("nodes already down count as failed; no quorum left is -1", () => {
    const s = single.scheme as Scheme<unknown>;
    expect(faultTolerance(s, single.parse("{1,2,3,4,5}"), nodeSet([4, 5]))).toBe(0);
    expect(faultTolerance(s, single.parse("{1,2,3}"), nodeSet([2, 3]))).toBe(-1);
  });
  it("weighted majority: a heavy voter alone can be the quorum's difference", () => {
    const s = weighted.scheme as Scheme<unknown>;
    const c = weighted.initial(3);
    const f = faultTolerance(s, c);
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThanOrEqual(2);
  });
  it("warns when a change tolerates fewer failures, or grows without tolerating more", () => {
    const s = single.scheme as Scheme<unknown>;
    const grow = toleranceWarnings(s, single.parse("{1,2,3}"), single.parse("{1,2,3,4}"));
    expect(grow).toMatchObject({ before: 1, after: 1 });
    expect(grow.warnings[0]).toBe(
      "warning: 4 voters tolerate 1 failure, as 3 did; the quorums grew without tolerating more failures",
    );
    const shrink = toleranceWarnings(s, single.parse("{1,2,3}"), single.parse("{1,2}"));
    expect(shrink.warnings[0]).toMatch(/^warning: 2 voters tolerate 0 failures, 3 tolerated 1 failure/);
    expect(toleranceWarnings(s, single.parse("{1,2,3,4}"), single.parse("{1,2,3}")).warnings).toEqual([]);
  });
});

describe("validation before anything is proposed", () => {
  it("a learner request for an existing voter is AlreadyMember, never a re-address", () => {
    const k = knowledge("raft-single", "{1,2,3,4}");
    const r = planAddLearner(k, 4, { peerAddr: "127.0.0.1:1", clientAddr: "127.0.0.1:2" });
    expect(code(r)).toBe("AlreadyMember");
    expect((r as AdoreError).message).toMatch(/node 4 is already a voter .*use member update/);
  });

  it("an add for a member (the leader included) is AlreadyMember", () => {
    const k = knowledge("raft-single", "{1,2,3}");
    expect(code(planAddVoter(k, 1, { peerAddr: "127.0.0.1:5", clientAddr: "127.0.0.1:6" }, false))).toBe(
      "AlreadyMember",
    );
    expect(code(planAddVoter(k, 2, undefined, true))).toBe("AlreadyMember");
    // a learner's promotion with new addresses is a re-address too
    const kl = knowledge("raft-single", "{1,2,3}", { learners: [4], progress: { 4: 100 } });
    expect(code(planAddVoter(kl, 4, { peerAddr: "127.0.0.1:5", clientAddr: "127.0.0.1:6" }, false))).toBe(
      "AlreadyMember",
    );
    expect(code(planAddVoter(kl, 4, at(4), false))).toBe("planned");
  });

  it("addresses another node uses are AddressInUse", () => {
    const k = knowledge("raft-single", "{1,2,3}");
    const r = planAddLearner(k, 4, { peerAddr: at(2).peerAddr, clientAddr: "10.9.9.9:1" });
    expect(code(r)).toBe("AddressInUse");
    expect((r as AdoreError).message).toBe(
      `AddressInUse: node 2 already uses ${at(2).peerAddr} (peer ${at(2).peerAddr}, client ${at(2).clientAddr})`,
    );
  });

  it("a voter the leader never heard from, or far behind, is NotCaughtUp unless forced", () => {
    const k = knowledge("raft-single", "{1,2,3}", { lastIndex: 500 });
    const phantom = planAddVoter(k, 4, at(4), false);
    expect(code(phantom)).toBe("NotCaughtUp");
    expect((phantom as AdoreError).message).toMatch(
      /^NotCaughtUp: the leader has never heard from node 4 \(match 0, lag 500\).*member learner 4 .*--auto-promote.*--force/,
    );
    const behind = knowledge("raft-single", "{1,2,3}", {
      learners: [4],
      progress: { 4: 300 },
      lastIndex: 500,
    });
    expect((planAddVoter(behind, 4, undefined, false) as AdoreError).message).toMatch(
      /node 4 is far behind \(match 300, lag 200 > 64 entries\)/,
    );
    const forced = planAddVoter(k, 4, at(4), true);
    expect(code(forced)).toBe("planned");
    if (forced instanceof AdoreError) throw forced;
    expect(forced.publish).toEqual({ id: 4, ...at(4) });
    expect(text(k, forced.membership.config)).toBe("{1,2,3,4}");
    expect(forced.warnings).toContain(
      "warning: the leader has not heard from voter(s) {4}; counting them as failed the cluster tolerates 0 failures",
    );
    const caughtUp = knowledge("raft-single", "{1,2,3}", {
      learners: [4],
      progress: { 4: 480 },
      lastIndex: 500,
    });
    const ok = planAddVoter(caughtUp, 4, undefined, false);
    expect(code(ok)).toBe("planned");
    expect((ok as { publish?: unknown }).publish).toBeUndefined();
  });

  it("a removed node's stale progress does not count as caught up (found by the fault harness's nemesis)", () => {
    const reg = getScheme("raft-single");
    // node 4 was a voter until just now: the leader still holds its last match, 10 entries behind
    const k = knowledge("raft-single", "{1,2,3,5}", { progress: { 4: 90 }, directory: [1, 2, 3, 4, 5] });
    const r = planSetConfig(k, reg.parse("{1,2,3,4,5}"), undefined, false);
    expect(code(r)).toBe("NotCaughtUp");
    expect((r as AdoreError).message).toMatch(/never heard from node 4 \(match 0, lag 100\)/);
    expect(code(planAddVoter(k, 4, undefined, false))).toBe("NotCaughtUp");
  });

  it("member set with phantom voters is refused (NotCaughtUp, or not in the directory)", () => {
    const reg = getScheme("raft-single");
    const k = knowledge("raft-single", "{1,2,3}", { directory: [1, 2, 3, 4] });
    const r = planSetConfig(k, reg.parse("{1,2,3,4}"), undefined, false);
    expect(code(r)).toBe("NotCaughtUp");
    const five = planSetConfig(
      knowledge("raft-single", "{1,2,3,4}"),
      reg.parse("{1,2,3,4,5}"),
      undefined,
      true,
    );
    expect(code(five)).toBe("BadRequest");
    expect((five as AdoreError).message).toMatch(/node\(s\) 5 are not in the peer directory/);
    const joint = getScheme("raft-joint");
    const kj = knowledge("raft-joint", "{1,2,3}", { learners: [4, 5], progress: { 4: 100, 5: 2 } });
    const j = planSetConfig(kj, joint.parse("({1,2,3},{1,2,3,4,5})"), undefined, false);
    expect((j as AdoreError).message).toMatch(
      /^NotCaughtUp: node 5 is far behind \(match 2, lag 98 > 64 entries\).* Node 5 is a learner: let it catch up/,
    );
  });

  it("remove: unknown is NotMember; a shrink that tolerates fewer failures warns", () => {
    const k = knowledge("raft-single", "{1,2,3}");
    expect(code(planRemove(k, 9))).toBe("NotMember");
    const r = planRemove(k, 3);
    if (r instanceof AdoreError) throw r;
    expect(r.warnings[0]).toMatch(/^warning: 2 voters tolerate 0 failures, 3 tolerated 1 failure/);
  });

  it("remove of the last primary of primaries-backups is refused (it left a configuration with no quorum)", () => {
    const k = knowledge("primaries-backups", "(P={2},{1,3})");
    const r = planRemove(k, 2);
    expect(code(r)).toBe("Unsupported");
    expect((r as AdoreError).message).toMatch(/node 2 is the only primary.*member set/);
  });

  it("member update: unknown id, another node's address, the leader itself, no change", () => {
    const k = knowledge("raft-single", "{1,2,3}");
    expect(code(planUpdate(k, 9, at(9)))).toBe("NotMember");
    expect(code(planUpdate(k, 3, { peerAddr: "10.9.9.9:1", clientAddr: at(2).clientAddr }))).toBe(
      "AddressInUse",
    );
    expect(code(planUpdate(k, 1, at(11)))).toBe("BadRequest");
    expect(planUpdate(k, 3, at(3))).toBeUndefined();
    expect(planUpdate(k, 3, at(13))).toEqual({ id: 3, ...at(13) });
  });
});
