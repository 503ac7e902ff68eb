// What a leader knows of one follower's log and how that knowledge changes (etcd-raft's
// tracker/Progress): the probe / replicate / snapshot states and the in-flight window.
// Pure transitions over an immutable Progress value.

/** What a leader knows of one follower's log (etcd's Progress). */
export interface Progress {
  /** Highest index known to match the leader's log. */
  readonly match: number;
  /** Next index to send. */
  readonly next: number;
  /**
   * probe: one AppendEntries at a time until the follower's log position is found;
   * replicate: pipelined, `next` advanced optimistically, at most `maxInflight` unacknowledged;
   * snapshot: an InstallSnapshot is on its way.
   */
  readonly state: "probe" | "replicate" | "snapshot";
  /** Last index of each unacknowledged AppendEntries (replicate state), ascending. */
  readonly inflight: readonly number[];
  /** probe: an AppendEntries is out; wait for its answer or the next heartbeat. */
  readonly paused: boolean;
  /** Heard from since the last check-quorum round. */
  readonly active: boolean;
}

/** A follower the leader knows nothing of yet: probe from `next`. */
export function newProgress(next: number): Progress {
  return { match: 0, next, state: "probe", inflight: [], paused: false, active: true };
}

/** The follower answered (any answer counts for check-quorum). */
export function markActive(p: Progress): Progress {
  return p.active ? p : { ...p, active: true };
}

/** A new check-quorum round starts: nobody has been heard from in it. */
export function markInactive(p: Progress): Progress {
  return { ...p, active: false };
}

/**
 * An AppendEntries (or InstallSnapshot) succeeded up to `matchIndex`: `match` only grows (capped at
 * the leader's `lastIndex`), acknowledged in-flight messages leave the window, and a probe that
 * succeeded or a snapshot that arrived (match ≥ `snapshotIndex`) switches to replicate.
 */
export function onAppendAccepted(
  p: Progress,
  matchIndex: number,
  lastIndex: number,
  snapshotIndex: number,
): Progress {
  const match = Math.max(p.match, Math.min(matchIndex, lastIndex));
  const next = Math.max(p.next, match + 1);
  const inflight = p.inflight.filter((x) => x > matchIndex);
  const caughtUp = p.state !== "snapshot" || match >= snapshotIndex;
  if (p.state === "replicate") return { ...p, match, next, inflight };
  if (caughtUp) return { ...p, match, next: match + 1, inflight: [], state: "replicate", paused: false };
  return { ...p, match };
}

/**
 * Why a rejection of the AppendEntries ending at `rejectIndex` is stale and must not move `next`
 * back (undefined: it applies): below what is known to match, or the answer to an older probe.
 */
export function staleRejection(p: Progress, rejectIndex: number): string | undefined {
  if (rejectIndex < p.match) return "rejection below the match index";
  if (p.state === "probe" && rejectIndex !== p.next - 1) return "rejection of an older probe";
  return undefined;
}

/**
 * A rejection that applies: back off to probing from the follower's hint (etcd's fast backoff).
 * `lastIndexWithTermAtMost(term, upTo)` is the leader's log lookup for a conflicting term's hint.
 */
export function onAppendRejected(
  p: Progress,
  rejectIndex: number,
  hintIndex: number,
  hintTerm: number,
  lastIndexWithTermAtMost: (term: number, upTo: number) => number,
): Progress {
  let next = Math.min(rejectIndex, hintIndex + 1);
  if (hintTerm > 0) next = Math.min(next, lastIndexWithTermAtMost(hintTerm, hintIndex) + 1);
  next = Math.max(p.match + 1, next);
  return { ...p, next, state: "probe", inflight: [], paused: false };
}

/** A probe AppendEntries went out: wait for its answer (or the next heartbeat) before another. */
export function onProbeSent(p: Progress): Progress {
  return { ...p, paused: true };
}

/** An InstallSnapshot of the snapshot at `snapshotIndex` went out. */
export function onSnapshotSent(p: Progress, snapshotIndex: number): Progress {
  return { ...p, state: "snapshot", next: snapshotIndex + 1, inflight: [], paused: true };
}

/** One AppendEntries of a pipeline: entries from..to (inclusive). */
export interface Batch {
  readonly from: number;
  readonly to: number;
}

/**
 * Replicate state: the AppendEntries to send now, each of at most `maxEntries` entries, while the
 * window has room (fewer than `maxInflight` unacknowledged) and there are entries up to `lastIndex`;
 * with the progress after sending them (undefined: nothing to send).
 */
export function pipeline(
  p: Progress,
  lastIndex: number,
  maxInflight: number,
  maxEntries: number,
): { readonly batches: readonly Batch[]; readonly progress: Progress } | undefined {
  let next = p.next;
  let inflight = p.inflight;
  const batches: Batch[] = [];
  while (next <= lastIndex && inflight.length < maxInflight) {
    const to = Math.min(next + maxEntries - 1, lastIndex);
    batches.push({ from: next, to });
    inflight = inflight.concat(to);
    next = to + 1;
  }
  if (batches.length === 0) return undefined;
  return { batches, progress: { ...p, next, inflight } };
}
