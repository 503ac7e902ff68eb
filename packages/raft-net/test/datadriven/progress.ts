// Commands of testdata/progress/*.txt: what a leader knows of one follower (core/progress.ts,
// etcd-raft's tracker/Progress) and how each transition changes it, against a leader log the
// file sets up.
import {
  markActive,
  markInactive,
  newProgress,
  onAppendAccepted,
  onAppendRejected,
  onProbeSent,
  onSnapshotSent,
  pipeline,
  type Progress,
  staleRejection,
} from "../../src/core/progress.js";
import { RaftLog } from "../../src/log.js";
import type { CommandTable, Fail, TableCommand } from "../../src/testing/interaction/script.js";
import type { Entry } from "../../src/types.js";

/** The follower's progress and the leader's log of a file. */
export interface ProgressState {
  progress?: Progress;
  log: RaftLog<number>;
}

export function newProgressState(): ProgressState {
  return { log: leaderLog([], 0) };
}

/** A leader log whose entry i has term terms[i-1], compacted up to `snapshot`. */
function leaderLog(terms: readonly number[], snapshot: number): RaftLog<number> {
  const entries: Entry<number>[] = terms
    .map((term, i): Entry<number> => ({ index: i + 1, term, versn: 1, kind: "noop" }))
    .slice(snapshot);
  return RaftLog.of(
    {
      index: snapshot,
      term: snapshot === 0 ? 0 : terms[snapshot - 1]!,
      membership: { config: 0, learners: 0 },
      configIndex: 0,
      data: "",
    },
    entries,
  );
}

function show(p: Progress): string {
  return (
    `${p.state} match=${p.match} next=${p.next} paused=${p.paused} active=${p.active} ` +
    `inflight=(${p.inflight.join(" ")})`
  );
}

function current(st: ProgressState, fail: Fail): Progress {
  return st.progress ?? fail("no progress yet (start with progress)");
}

const STATES = ["probe", "replicate", "snapshot"] as const;

/** A command without arguments that applies one transition and prints the progress after it. */
const transition =
  (f: (p: Progress, st: ProgressState) => Progress): TableCommand<ProgressState> =>
  (st, a, out, fail) => {
    const p = current(st, fail);
    a.done(0);
    st.progress = f(p, st);
    out.push(show(st.progress));
  };

export const PROGRESS_COMMANDS: CommandTable<ProgressState> = {
  /**
   * log terms=(1 1 2 2 3) [snapshot=N]
   * The leader's log: entry i has the i-th term; entries up to `snapshot` are compacted into it.
   */
  log: (st, a, out, fail) => {
    const terms = (a.list("terms") ?? fail("missing terms=(…)")).map((t) =>
      /^\d+$/.test(t) && Number(t) > 0 ? Number(t) : fail(`terms: ${JSON.stringify(t)} is not a term`),
    );
    for (let i = 1; i < terms.length; i++) if (terms[i]! < terms[i - 1]!) fail("terms: must not decrease");
    const snapshot = a.int("snapshot", 0);
    a.done(0);
    if (snapshot > terms.length) fail(`snapshot=${snapshot}: beyond the last index ${terms.length}`);
    st.log = leaderLog(terms, snapshot);
    out.push(`last=${st.log.lastIndex} snapshot=${st.log.snapshotIndex}`);
  },

  /**
   * progress next=N [match=M] [state=probe|replicate|snapshot] [inflight=(…)] [paused=false] [active=true]
   * A new follower (newProgress(next)), with any field set directly.
   */
  progress: (st, a, out, fail) => {
    const p0 = newProgress(a.int("next", st.log.lastIndex + 1));
    const inflight = a.list("inflight")?.map((x) => (/^\d+$/.test(x) ? Number(x) : fail(`inflight: ${x}`)));
    const p: Progress = {
      ...p0,
      match: a.int("match", p0.match),
      state: a.oneOf("state", p0.state, STATES),
      inflight: inflight ?? p0.inflight,
      paused: a.bool("paused", p0.paused),
      active: a.bool("active", p0.active),
    };
    a.done(0);
    st.progress = p;
    out.push(show(p));
  },

  /** accept N: an AppendEntries (or InstallSnapshot) succeeded up to N (onAppendAccepted). */
  accept: (st, a, out, fail) => {
    const p = current(st, fail);
    const n = Number(a.pos[0] ?? fail("missing the accepted index"));
    if (!Number.isInteger(n) || n < 0) fail(`${a.pos[0]}: not an index`);
    a.done(1);
    st.progress = onAppendAccepted(p, n, st.log.lastIndex, st.log.snapshotIndex);
    out.push(show(st.progress));
  },

  /**
   * reject N hint=H [hint-term=T]
   * The AppendEntries ending at N was rejected with the follower's hint: stale (staleRejection,
   * nothing changes) or applied (onAppendRejected, fast backoff over the leader's log).
   */
  reject: (st, a, out, fail) => {
    const p = current(st, fail);
    const n = Number(a.pos[0] ?? fail("missing the rejected index"));
    if (!Number.isInteger(n) || n < 0) fail(`${a.pos[0]}: not an index`);
    const hint = a.int("hint", n);
    const hintTerm = a.int("hint-term", 0);
    a.done(1);
    const stale = staleRejection(p, n);
    if (stale !== undefined) {
      out.push(`stale: ${stale}`, show(p));
      return;
    }
    st.progress = onAppendRejected(p, n, hint, hintTerm, (t, i) => st.log.lastIndexWithTermAtMost(t, i));
    out.push(show(st.progress));
  },

  /** send-probe: a probe AppendEntries went out (onProbeSent). */
  "send-probe": transition(onProbeSent),

  /** send-snapshot: an InstallSnapshot of the leader's snapshot went out (onSnapshotSent). */
  "send-snapshot": transition((p, st) => onSnapshotSent(p, st.log.snapshotIndex)),

  /**
   * pipeline [max-inflight=64] [max-entries=64]
   * Replicate state: the AppendEntries sent now (pipeline), then the progress.
   */
  pipeline: (st, a, out, fail) => {
    const p = current(st, fail);
    const maxInflight = a.int("max-inflight", 64);
    const maxEntries = a.int("max-entries", 64);
    a.done(0);
    if (maxInflight < 1 || maxEntries < 1) fail("max-inflight and max-entries must be at least 1");
    const r = pipeline(p, st.log.lastIndex, maxInflight, maxEntries);
    if (r === undefined) {
      out.push("nothing to send", show(p));
      return;
    }
    out.push(`send ${r.batches.map((b) => `[${b.from}..${b.to}]`).join(" ")}`);
    st.progress = r.progress;
    out.push(show(r.progress));
  },

  /** mark-inactive: a check-quorum round starts (markInactive). */
  "mark-inactive": transition(markInactive),

  /** mark-active: the follower answered (markActive). */
  "mark-active": transition(markActive),
};
