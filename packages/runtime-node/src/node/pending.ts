// Client requests waiting on a replica's core: queued until the next turn, then waiting by request
// id for the core's reply, then by log index for the entry to be applied (or, for reads, for the
// read index to be applied). Each has a timeout. RaftNode feeds in what the core and the log did;
// nothing here touches the core, the network or the disk.

import { performance } from "node:perf_hooks";
import type { NodeId } from "@adore/adore-core";
import { AdoreError } from "../client/errors.js";

/** One request's outcome: a promise settled once, by resolve, reject or its timeout. */
export class Pending<T> {
  done = false;
  readonly promise: Promise<T>;
  private res!: (v: T) => void;
  private rej!: (e: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  /** Fails with Timeout after `timeoutMs` (0: never); `what` names the request in the message. */
  constructor(timeoutMs: number, what: string) {
    this.promise = new Promise<T>((res, rej) => {
      this.res = res;
      this.rej = rej;
    });
    if (timeoutMs > 0)
      this.timer = setTimeout(
        () => this.reject(new AdoreError("Timeout", `${what}: no outcome within ${timeoutMs} ms`)),
        timeoutMs,
      );
  }
  resolve(v: T): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.res(v);
  }
  reject(e: unknown): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.rej(e);
  }
}

interface Timed {
  readonly p: Pending<unknown>;
  /** When the request was made (for the proposal latency). */
  readonly started: number;
}

interface IndexWaiter extends Timed {
  /** The term the entry was proposed in: an entry of another term at the index replaced it. */
  readonly term: number;
}

/** A propose input to give the core: the queued commands of one batch and its request id. */
export interface ProposeBatch {
  readonly requestId: number;
  readonly commands: readonly string[];
}

export interface PendingOptions {
  /** How long a request waits for its outcome before failing with Timeout (0: no limit). */
  readonly timeoutMs: number;
  /** The clock of `started` (default: performance.now, in milliseconds). */
  readonly now?: () => number;
  /** Seconds from request to apply, for each request its applied entry settles. */
  readonly onApplied?: (seconds: number) => void;
}

/** The client requests one replica has not answered yet. */
export class PendingRequests {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly onApplied: ((seconds: number) => void) | undefined;
  private nextRequestId = 1;
  /** Proposals and reads for the next turn. */
  private proposals: Array<{ readonly command: string } & Timed> = [];
  private reads: Pending<void>[] = [];
  /** Given to the core, waiting for its reply, by request id. */
  private readonly proposeBatches = new Map<number, Timed[]>();
  private readonly readBatches = new Map<number, Pending<void>[]>();
  private readonly reconfigs = new Map<number, Pending<unknown>>();
  /** In the log, waiting to be applied, by index. */
  private readonly byIndex = new Map<number, IndexWaiter>();
  /** Reads whose leadership is confirmed, waiting for the read index to be applied. */
  private appliedWaiters: Array<{ readonly index: number; readonly p: Pending<void> }> = [];
  private transfer: { readonly to: NodeId; readonly p: Pending<void> } | undefined;

  constructor(o: PendingOptions) {
    this.timeoutMs = o.timeoutMs;
    this.now = o.now ?? (() => performance.now());
    this.onApplied = o.onApplied;
  }

  // -------------------------------------------------------------------------------------------
  // requests

  /** Queues a command for the next turn's propose input; resolves with its result once applied. */
  propose(command: string): Promise<unknown> {
    const p = new Pending<unknown>(this.timeoutMs, "proposal");
    this.proposals.push({ command, p, started: this.now() });
    return p.promise;
  }

  /** Queues a read for the next turn's read input; resolves once the read index is applied. */
  read(): Promise<void> {
    const p = new Pending<void>(this.timeoutMs, "read");
    this.reads.push(p);
    return p.promise;
  }

  /** A configuration change: the request id its reconfigure input carries, and its outcome. */
  reconfigure(): { readonly requestId: number; readonly promise: Promise<unknown> } {
    const requestId = this.nextRequestId++;
    const p = new Pending<unknown>(this.timeoutMs, "configuration change");
    this.reconfigs.set(requestId, p);
    return { requestId, promise: p.promise };
  }

  /** Proposals or reads wait for a turn. */
  get hasQueued(): boolean {
    return this.proposals.length > 0 || this.reads.length > 0;
  }

  /** Takes the queued proposals, in order, as batches of at most `max` commands. */
  takeProposals(max: number): ProposeBatch[] {
    const all = this.proposals;
    this.proposals = [];
    const out: ProposeBatch[] = [];
    for (let i = 0; i < all.length; i += max) {
      const chunk = all.slice(i, i + max);
      const requestId = this.nextRequestId++;
      this.proposeBatches.set(
        requestId,
        chunk.map((c) => ({ p: c.p, started: c.started })),
      );
      out.push({ requestId, commands: chunk.map((c) => c.command) });
    }
    return out;
  }

  /** Takes the queued reads as one read input's request id (undefined: none queued). */
  takeReads(): number | undefined {
    if (this.reads.length === 0) return undefined;
    const requestId = this.nextRequestId++;
    this.readBatches.set(requestId, this.reads);
    this.reads = [];
    return requestId;
  }

  // -------------------------------------------------------------------------------------------
  // the core's replies

  /** The batch is in the log from `firstIndex` on, in `term`. */
  proposed(requestId: number | undefined, firstIndex: number, term: number): void {
    const batch = requestId !== undefined ? this.proposeBatches.get(requestId) : undefined;
    if (!batch || requestId === undefined) return;
    this.proposeBatches.delete(requestId);
    batch.forEach((w, k) => {
      this.byIndex.set(firstIndex + k, { term, p: w.p, started: w.started });
    });
  }

  /** The core refused the propose input: the whole batch fails. */
  proposeRefused(requestId: number | undefined, err: () => Error): void {
    const batch = requestId !== undefined ? this.proposeBatches.get(requestId) : undefined;
    if (!batch || requestId === undefined) return;
    this.proposeBatches.delete(requestId);
    const e = err();
    for (const w of batch) w.p.reject(e);
  }

  reconfigProposed(requestId: number | undefined, index: number, term: number): void {
    const p = requestId !== undefined ? this.reconfigs.get(requestId) : undefined;
    if (!p || requestId === undefined) return;
    this.reconfigs.delete(requestId);
    this.byIndex.set(index, { term, p, started: this.now() });
  }

  reconfigFailed(requestId: number | undefined, err: () => Error): void {
    const p = requestId !== undefined ? this.reconfigs.get(requestId) : undefined;
    if (!p || requestId === undefined) return;
    this.reconfigs.delete(requestId);
    p.reject(err());
  }

  /** Leadership is confirmed for the batch at read index `index`; `applied` is this replica's. */
  readReady(requestId: number, index: number, applied: number): void {
    const batch = this.readBatches.get(requestId);
    if (!batch) return;
    this.readBatches.delete(requestId);
    for (const p of batch) {
      if (applied >= index) p.resolve();
      else this.appliedWaiters.push({ index, p });
    }
  }

  readFailed(requestId: number, err: () => Error): void {
    const batch = this.readBatches.get(requestId);
    if (!batch) return;
    this.readBatches.delete(requestId);
    const e = err();
    for (const p of batch) p.reject(e);
  }

  // -------------------------------------------------------------------------------------------
  // the log

  /**
   * The entry at `index` of `term` was applied with `result`: the request waiting for it resolves,
   * or fails with `lost()` if another leader's entry replaced the one it proposed.
   */
  applied(index: number, term: number, result: unknown, lost: () => Error): void {
    const w = this.byIndex.get(index);
    if (!w) return;
    this.byIndex.delete(index);
    if (w.term === term) {
      this.onApplied?.((this.now() - w.started) / 1000);
      w.p.resolve(result);
    } else w.p.reject(lost());
  }

  /** Reads waiting for the log to be applied to their read index resolve once `applied` is there. */
  settleReads(applied: number): void {
    if (this.appliedWaiters.length === 0) return;
    const keep: Array<{ index: number; p: Pending<void> }> = [];
    for (const w of this.appliedWaiters) {
      if (applied >= w.index) w.p.resolve();
      else keep.push(w);
    }
    this.appliedWaiters = keep;
  }

  /** A snapshot up to `index` replaced the state: the outcome of requests it covers is unknown here. */
  coveredBySnapshot(index: number, lost: (index: number) => Error): void {
    for (const [i, w] of this.byIndex)
      if (i <= index) {
        this.byIndex.delete(i);
        w.p.reject(lost(i));
      }
  }

  // -------------------------------------------------------------------------------------------
  // leader transfer

  /** The node a leader transfer in progress hands over to. */
  get transferTo(): NodeId | undefined {
    return this.transfer?.to;
  }

  /** Starts waiting for a transfer to `to` (the caller checks `transferTo` first). */
  transferLeadership(to: NodeId): Promise<void> {
    const p = new Pending<void>(this.timeoutMs, "leader transfer");
    this.transfer = { to, p };
    return p.promise.finally(() => {
      if (this.transfer?.p === p) this.transfer = undefined;
    });
  }

  /** This node stepped down: the transfer in progress, if any, is done. */
  transferDone(): void {
    this.transfer?.p.resolve();
  }

  transferFailed(err: () => Error): void {
    this.transfer?.p.reject(err());
  }

  // -------------------------------------------------------------------------------------------

  /** Fails every request with `err` (the node is shutting down). */
  failAll(err: Error): void {
    for (const pr of this.proposals) pr.p.reject(err);
    for (const p of this.reads) p.reject(err);
    for (const b of this.proposeBatches.values()) for (const w of b) w.p.reject(err);
    for (const b of this.readBatches.values()) for (const p of b) p.reject(err);
    for (const p of this.reconfigs.values()) p.reject(err);
    for (const w of this.byIndex.values()) w.p.reject(err);
    for (const w of this.appliedWaiters) w.p.reject(err);
    this.transfer?.p.reject(err);
    this.proposals = [];
    this.reads = [];
    this.proposeBatches.clear();
    this.readBatches.clear();
    this.reconfigs.clear();
    this.byIndex.clear();
    this.appliedWaiters = [];
  }
}
