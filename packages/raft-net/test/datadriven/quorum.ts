// Commands of testdata/quorum/*.txt: the quorum arithmetic of core/quorum.ts (etcd-raft's
// quorum/testdata), over any registered scheme.
import { type NodeSet, showSet } from "@adore/adore-core";
import { commitIndex, commitQuorum, voteResult } from "../../src/core/quorum.js";
import type { CommandTable } from "../../src/testing/interaction/script.js";
import { configArg, idMapArg, itemsArg, parseConfig, schemeArg, setArg } from "./common.js";

/** The quorum files keep no state between blocks. */
export type QuorumState = Record<string, never>;

/** The leader's term in these files; entries below `term-start=` are of term LEADER_TERM - 1. */
const LEADER_TERM = 2;

export const QUORUM_COMMANDS: CommandTable<QuorumState> = {
  /**
   * committed-index voters=(1 2 3) match=(1:5 2:3 3:4) [commit=0] [term-start=1]
   *   [configs=(1:{1,2,3} 6:{1,2,3,4})] [count-old-terms=true]
   * The index commitIndex commits and the quorum that commits it. `configs=` gives the
   * configuration in force from each index on (the last one is the latest, the one in force);
   * without it every entry was appended under the one configuration given.
   */
  "committed-index": (_, a, out, fail) => {
    const items = itemsArg(a, "configs", fail);
    let sc: ReturnType<typeof configArg>;
    let configAt: (n: number) => unknown;
    if (items === undefined) {
      sc = configArg(a, fail);
      configAt = () => sc.config;
    } else {
      const reg = schemeArg(a, fail);
      const from: [number, unknown][] = items.map((it) => {
        const m = /^(\d+):(.+)$/.exec(it);
        if (!m) return fail(`configs: ${JSON.stringify(it)} is not index:configuration`);
        return [Number(m[1]), parseConfig(reg, m[2]!, fail)];
      });
      if (from.length === 0) fail("configs: no configuration");
      for (let i = 1; i < from.length; i++)
        if (from[i]![0] <= from[i - 1]![0]) fail("configs: indices must ascend");
      sc = { reg, scheme: reg.scheme, config: from[from.length - 1]![1] };
      configAt = (n) => {
        let c = from[0]![1];
        for (const [i, cf] of from) if (i <= n) c = cf;
        return c;
      };
    }
    const matches = idMapArg(a, "match", fail) ?? fail("missing match=(id:index …)");
    const commit = a.int("commit", 0);
    const termStart = a.int("term-start", 1);
    const countOldTerms = a.bool("count-old-terms", false);
    a.done(0);
    const last = Math.max(0, ...matches.map(([, m]) => m));
    const c = commitIndex(sc.scheme, {
      matches,
      commit,
      term: LEADER_TERM,
      termAt: (n) => (n < 1 || n > last ? undefined : n >= termStart ? LEADER_TERM : LEADER_TERM - 1),
      latest: sc.config,
      configAt,
      countOldTerms,
    });
    out.push(c === undefined ? `none (commit stays ${commit})` : `${c.index} quorum=${showSet(c.quorum)}`);
  },

  /**
   * commit-quorum acked=(1 2) latest=CONFIG own=CONFIG [scheme=raft-joint]
   * The two-configuration rule alone: whether `acked` commits an entry appended under `own` while
   * `latest` is in force, with each configuration's verdict.
   */
  "commit-quorum": (_, a, out, fail) => {
    const reg = schemeArg(a, fail);
    const acked = setArg(a, "acked", fail);
    const latest = parseConfig(reg, a.opt("latest") ?? fail("missing latest="), fail);
    const own = parseConfig(reg, a.opt("own") ?? fail("missing own="), fail);
    a.done(0);
    const sc = reg.scheme;
    const verdict = (what: string, c: unknown) => {
      const q: NodeSet = acked & sc.mbrs(c);
      out.push(`${what} ${sc.print(c)}: ${showSet(q)} ${sc.isQuorum(q, c) ? "is" : "is not"} a quorum`);
    };
    verdict("latest", latest);
    verdict("own", own);
    const q = commitQuorum(sc, acked, latest, own);
    out.push(q === undefined ? "no commit" : `commits with ${showSet(q)}`);
  },

  /**
   * vote voters=(1 2 3) granted=(1) refused=(2)
   * The tally voteResult gives: won, lost or pending. Ids outside the configuration (learners)
   * may be listed: they must not count.
   */
  vote: (_, a, out, fail) => {
    const sc = configArg(a, fail);
    const granted = setArg(a, "granted", fail, 0);
    const refused = setArg(a, "refused", fail, 0);
    a.done(0);
    if ((granted & refused) !== 0) fail(`${showSet(granted & refused)} both granted and refused`);
    out.push(voteResult(sc.scheme, sc.config, granted, refused));
  },
};
