// How scripts print what the core did: rejections, events, replies, memberships and log entries.
import { showSet } from "@adore/adore-core";
import {
  type Entry,
  type Membership,
  NONE,
  type RaftEvent,
  type Rejection,
  type Reply,
} from "../../types.js";

export function showRejection(r: Rejection): string {
  const fields = Object.entries(r)
    .filter(([k]) => k !== "code")
    .map(([k, v]) =>
      typeof v === "object" && v !== null
        ? `${k}=${Object.values(v as Record<string, unknown>)
            .map(String)
            .join("/")}`
        : `${k}=${String(v)}`,
    );
  return [r.code, ...fields].join(" ");
}

export function showEvent<C>(e: RaftEvent<C>, show: (c: C) => string): string {
  switch (e.type) {
    case "becameFollower":
      return `becameFollower t${e.term} leader=${e.leader === NONE ? "none" : e.leader}`;
    case "becamePreCandidate":
      return `becamePreCandidate t${e.term}`;
    case "becameCandidate":
      return `becameCandidate t${e.term}`;
    case "becameLeader":
      return `becameLeader t${e.term} votes=${showSet(e.voters)} configIndex=${e.configIndex}`;
    case "voted":
      return `voted t${e.term} for=${e.for}${e.preVote ? " pre-vote" : ""}`;
    case "appended":
      return `appended t${e.term} [${e.firstIndex}..${e.lastIndex}]`;
    case "configAppended":
      return `configAppended ${e.index}/${e.term} ${showMembership(e.membership, show)}`;
    case "truncated":
      return `truncated from=${e.from} removed=${e.removed}`;
    case "commitAdvanced":
      return `commit ${e.from}->${e.to}${e.quorum === undefined ? "" : ` quorum=${showSet(e.quorum)}`}`;
    case "steppedDown":
      return `steppedDown t${e.term} reason=${e.reason}`;
    case "transferStarted":
      return `transferStarted to=${e.to}`;
    case "transferAborted":
      return `transferAborted to=${e.to}`;
    case "snapshotInstalled":
      return `snapshotInstalled ${e.index}/${e.term}`;
    case "compacted":
      return `compacted index=${e.index}`;
    case "snapshotWanted":
      return `snapshotWanted applied=${e.applied}`;
    case "promoting":
      return `promoting learner=${e.learner}`;
    case "restarted":
      return `restarted t${e.term} commit=${e.commit} last=${e.lastIndex}`;
  }
}

export function showReply(r: Reply): string {
  const id = (x: number | undefined) => (x === undefined ? "" : ` id=${x}`);
  switch (r.type) {
    case "proposed":
      return `proposed${id(r.requestId)} t${r.term} [${r.firstIndex}..${r.lastIndex}]`;
    case "reconfigProposed":
      return `reconfigProposed${id(r.requestId)} t${r.term} index=${r.index}`;
    case "reconfigFailed":
      return `reconfigFailed${id(r.requestId)} ${showRejection(r.reason)}`;
    case "readReady":
      return `readReady id=${r.requestId} index=${r.index}`;
    case "readFailed":
      return `readFailed id=${r.requestId} ${showRejection(r.reason)}`;
  }
}

export function showMembership<C>(m: Membership<C>, show: (c: C) => string): string {
  return `${show(m.config)}${m.learners === 0 ? "" : ` learners=${showSet(m.learners)}`}`;
}

export function showEntry<C>(e: Entry<C>, show: (c: C) => string): string {
  const head = `${e.index}/${e.term}.${e.versn}`;
  switch (e.kind) {
    case "noop":
      return `${head} noop`;
    case "command":
      return `${head} command ${e.command}`;
    case "config":
      return `${head} config ${showMembership(e.membership, show)}`;
  }
}
