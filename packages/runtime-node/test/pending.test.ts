import { afterEach, describe, expect, it, vi } from "vitest";
import { AdoreError } from "../src/client/errors.js";
import { Pending, PendingRequests } from "../src/node/pending.js";

const lost = () => new AdoreError("NotLeader", "replaced");

/** Settles to what the promise gave, without an unhandled rejection in between. */
function outcome<T>(p: Promise<T>): { get(): { ok: true; v: T } | { ok: false; e: unknown } | undefined } {
  let r: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
  p.then(
    (v) => {
      r = { ok: true, v };
    },
    (e: unknown) => {
      r = { ok: false, e };
    },
  );
  return { get: () => r };
}
const tick = () => new Promise<void>((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe("Pending", () => {
  it("settles once: a later resolve or reject changes nothing", async () => {
    const p = new Pending<number>(0, "x");
    const o = outcome(p.promise);
    p.resolve(1);
    p.reject(new Error("late"));
    p.resolve(2);
    await tick();
    expect(o.get()).toEqual({ ok: true, v: 1 });
    expect(p.done).toBe(true);
  });

  it("fails with Timeout after timeoutMs, naming the request; 0 waits forever", async () => {
    vi.useFakeTimers();
    const timed = new Pending<void>(100, "proposal");
    const forever = new Pending<void>(0, "read");
    const a = outcome(timed.promise);
    const b = outcome(forever.promise);
    await vi.advanceTimersByTimeAsync(99);
    expect(a.get()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    const r = a.get();
    expect(r?.ok).toBe(false);
    expect(r && !r.ok && r.e).toMatchObject({
      code: "Timeout",
      message: "Timeout: proposal: no outcome within 100 ms",
    });
    timed.resolve(); // the outcome, too late
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.get()?.ok).toBe(false);
    expect(b.get()).toBeUndefined();
    forever.resolve();
  });
});

describe("PendingRequests", () => {
  it("a write resolves with its result when its entry is applied in the term it was proposed in", async () => {
    let now = 1000;
    const seen: number[] = [];
    const q = new PendingRequests({ timeoutMs: 0, now: () => now, onApplied: (s) => seen.push(s) });
    const w = outcome(q.propose("a"));
    expect(q.hasQueued).toBe(true);
    const [b] = q.takeProposals(1024);
    expect(q.hasQueued).toBe(false);
    expect(b?.commands).toEqual(["a"]);
    q.proposed(b?.requestId, 7, 3);
    now = 1250;
    q.applied(6, 3, "other", lost); // another index: nothing
    await tick();
    expect(w.get()).toBeUndefined();
    q.applied(7, 3, { ok: true }, lost);
    await tick();
    expect(w.get()).toEqual({ ok: true, v: { ok: true } });
    expect(seen).toEqual([0.25]);
  });

  it("a write whose entry another leader replaced fails with the lost-entry error", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const w = outcome(q.propose("a"));
    const [b] = q.takeProposals(1024);
    q.proposed(b?.requestId, 5, 2);
    q.applied(5, 3, "someone else's", lost);
    await tick();
    expect(w.get()).toMatchObject({ ok: false, e: { code: "NotLeader", message: "NotLeader: replaced" } });
  });

  it("takes queued proposals in order as batches of at most max, each with its own request id", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const ws = ["a", "b", "c", "d", "e"].map((c) => outcome(q.propose(c)));
    const batches = q.takeProposals(2);
    expect(batches.map((b) => b.commands)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(new Set(batches.map((b) => b.requestId)).size).toBe(3);
    expect(q.takeProposals(2)).toEqual([]);
    // each batch's commands take consecutive indexes from the batch's first
    batches.forEach((b, k) => {
      q.proposed(b.requestId, 10 + 2 * k, 1);
    });
    for (let i = 10; i < 15; i++) q.applied(i, 1, i, lost);
    await tick();
    expect(ws.map((w) => w.get())).toEqual([10, 11, 12, 13, 14].map((v) => ({ ok: true, v })));
  });

  it("a refused propose input fails its whole batch and no other; unknown request ids are ignored", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const a = outcome(q.propose("a"));
    const b = outcome(q.propose("b"));
    const [first, second] = q.takeProposals(1);
    let built = 0;
    const err = () => {
      built++;
      return new AdoreError("NotLeader", "not the leader");
    };
    q.proposeRefused(undefined, err);
    q.proposeRefused(999, err);
    expect(built).toBe(0);
    q.proposeRefused(first?.requestId, err);
    q.proposeRefused(first?.requestId, err); // answered already
    expect(built).toBe(1);
    q.proposed(second?.requestId, 1, 1);
    q.applied(1, 1, "b", lost);
    await tick();
    expect(a.get()).toMatchObject({ ok: false, e: { code: "NotLeader" } });
    expect(b.get()).toEqual({ ok: true, v: "b" });
  });

  it("reads resolve once leadership is confirmed and the read index is applied", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const now = outcome(q.read());
    const id1 = q.takeReads();
    expect(q.takeReads()).toBeUndefined();
    const later = outcome(q.read());
    const id2 = q.takeReads();
    expect(id1).not.toBe(id2);
    q.readReady(id1!, 4, 4); // applied already
    q.readReady(id2!, 9, 4);
    await tick();
    expect(now.get()).toEqual({ ok: true, v: undefined });
    expect(later.get()).toBeUndefined();
    q.settleReads(8);
    await tick();
    expect(later.get()).toBeUndefined();
    q.settleReads(9);
    await tick();
    expect(later.get()).toEqual({ ok: true, v: undefined });
  });

  it("a failed read fails every read of its batch", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const rs = [outcome(q.read()), outcome(q.read())];
    const id = q.takeReads()!;
    q.readFailed(id, () => new AdoreError("NotLeader", "lost leadership"));
    await tick();
    for (const r of rs) expect(r.get()).toMatchObject({ ok: false, e: { code: "NotLeader" } });
  });

  it("a configuration change resolves when its entry is applied, or fails with the core's reason", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const ok = q.reconfigure();
    const refused = q.reconfigure();
    expect(ok.requestId).not.toBe(refused.requestId);
    const a = outcome(ok.promise);
    const b = outcome(refused.promise);
    q.reconfigProposed(ok.requestId, 3, 2);
    q.reconfigFailed(refused.requestId, () => new AdoreError("BadRequest", "R1plus"));
    q.applied(3, 2, { index: 3, term: 2 }, lost);
    await tick();
    expect(a.get()).toEqual({ ok: true, v: { index: 3, term: 2 } });
    expect(b.get()).toMatchObject({ ok: false, e: { message: "BadRequest: R1plus" } });
  });

  it("a restored snapshot fails the requests whose entries it covers, and only those", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const ws = ["a", "b", "c"].map((c) => outcome(q.propose(c)));
    const [b] = q.takeProposals(1024);
    q.proposed(b?.requestId, 5, 1); // indexes 5, 6, 7
    const covered: number[] = [];
    q.coveredBySnapshot(6, (i) => {
      covered.push(i);
      return new AdoreError("NotLeader", `lost ${i}`);
    });
    q.applied(7, 1, "c", lost);
    await tick();
    expect(covered).toEqual([5, 6]);
    expect(ws.map((w) => w.get())).toEqual([
      { ok: false, e: expect.objectContaining({ message: "NotLeader: lost 5" }) },
      { ok: false, e: expect.objectContaining({ message: "NotLeader: lost 6" }) },
      { ok: true, v: "c" },
    ]);
  });

  it("times out a request waiting in any stage with Timeout", async () => {
    vi.useFakeTimers();
    const q = new PendingRequests({ timeoutMs: 50 });
    const inLog = outcome(q.propose("in the log"));
    const batched = outcome(q.propose("batched"));
    const [first] = q.takeProposals(1);
    q.proposed(first?.requestId, 2, 1);
    const queued = outcome(q.propose("queued"));
    const read = outcome(q.read());
    const reconfig = outcome(q.reconfigure().promise);
    const transfer = outcome(q.transferLeadership(2));
    await vi.advanceTimersByTimeAsync(49);
    expect(inLog.get()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    for (const o of [inLog, batched, queued, read, reconfig, transfer])
      expect(o.get()).toMatchObject({ ok: false, e: { code: "Timeout" } });
    expect(q.transferTo).toBeUndefined();
    q.applied(2, 1, "too late", lost); // settles nothing and throws nothing
  });

  it("leader transfer: one at a time, done when this node steps down, cleared after", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    expect(q.transferTo).toBeUndefined();
    const t = outcome(q.transferLeadership(3));
    expect(q.transferTo).toBe(3);
    q.transferDone();
    await tick();
    expect(t.get()).toEqual({ ok: true, v: undefined });
    expect(q.transferTo).toBeUndefined();
    const u = outcome(q.transferLeadership(2));
    q.transferFailed(() => new AdoreError("Timeout", "aborted"));
    await tick();
    expect(u.get()).toMatchObject({ ok: false, e: { message: "Timeout: aborted" } });
    expect(q.transferTo).toBeUndefined();
    let built = 0;
    q.transferFailed(() => {
      built++;
      return new Error("no transfer in progress");
    });
    expect(built).toBe(0);
  });

  it("failAll fails every request in every stage with the one error and forgets them", async () => {
    const q = new PendingRequests({ timeoutMs: 0 });
    const inLog = outcome(q.propose("in the log"));
    const batched = outcome(q.propose("batched"));
    const [logB, batch] = q.takeProposals(1);
    q.proposed(logB?.requestId, 1, 1);
    const waitingRead = outcome(q.read());
    const readId = q.takeReads()!;
    q.readReady(readId, 5, 0);
    const batchedRead = outcome(q.read());
    q.takeReads();
    const reconfig = outcome(q.reconfigure().promise);
    const transfer = outcome(q.transferLeadership(2));
    const queued = outcome(q.propose("queued"));
    const queuedRead = outcome(q.read());
    const err = new AdoreError("Unavailable", "node 1 is shutting down");
    q.failAll(err);
    await tick();
    const all = [inLog, batched, waitingRead, batchedRead, reconfig, transfer, queued, queuedRead];
    for (const o of all) expect(o.get()).toEqual({ ok: false, e: err });
    expect(q.hasQueued).toBe(false);
    expect(q.transferTo).toBeUndefined();
    // nothing is left to settle
    q.proposed(batch?.requestId, 2, 1);
    q.applied(1, 1, "late", lost);
    q.settleReads(10);
    expect(q.takeProposals(10)).toEqual([]);
  });
});
