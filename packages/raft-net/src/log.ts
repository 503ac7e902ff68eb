import type { Entry, Membership, Snapshot } from "./types.js";

/**
 * An immutable Raft log: a snapshot (the compacted prefix, with the membership in force at its
 * index) followed by entries snapshot.index+1 … lastIndex.
 *
 * Persistent in the functional sense: every operation returns a new RaftLog and never changes what
 * an existing one shows. Views share one backing array; `append` pushes in place only when the
 * view ends exactly at the end of the backing array (so no other view can see the new slots) and
 * copies otherwise. That keeps appends O(1) amortized, which the simulator and benchmark need.
 */
export class RaftLog<C> {
  private constructor(
    private readonly buf: Entry<C>[],
    /** buf offset of entry snapshot.index + 1 */
    private readonly start: number,
    readonly snapshot: Snapshot<C>,
    readonly lastIndex: number,
  ) {}

  static of<C>(snapshot: Snapshot<C>, entries: readonly Entry<C>[] = []): RaftLog<C> {
    return new RaftLog(entries.slice(), 0, snapshot, snapshot.index + entries.length);
  }

  get snapshotIndex(): number {
    return this.snapshot.index;
  }
  get snapshotTerm(): number {
    return this.snapshot.term;
  }
  get firstIndex(): number {
    return this.snapshot.index + 1;
  }
  get length(): number {
    return this.lastIndex - this.snapshot.index;
  }
  get lastTerm(): number {
    return this.termAt(this.lastIndex) ?? 0;
  }

  /** The entry at index i, if it is in the log (not compacted, not beyond the end). */
  at(i: number): Entry<C> | undefined {
    if (i <= this.snapshot.index || i > this.lastIndex) return undefined;
    return this.buf[this.start + (i - this.snapshot.index - 1)];
  }

  /** The term at index i: the snapshot's term at its index; undefined if compacted or missing. */
  termAt(i: number): number | undefined {
    if (i === this.snapshot.index) return this.snapshot.term;
    return this.at(i)?.term;
  }

  /** Entries lo..hi (inclusive), clamped to the log. */
  slice(lo: number, hi: number): Entry<C>[] {
    const a = Math.max(lo, this.firstIndex);
    const b = Math.min(hi, this.lastIndex);
    if (a > b) return [];
    const off = this.start - this.snapshot.index - 1;
    return this.buf.slice(off + a, off + b + 1);
  }

  /** Appends entries (their indices must continue the log). */
  append(entries: readonly Entry<C>[]): RaftLog<C> {
    if (entries.length === 0) return this;
    const end = this.start + this.length;
    let buf = this.buf;
    if (buf.length !== end) buf = buf.slice(this.start, end);
    const start = buf === this.buf ? this.start : 0;
    for (const e of entries) buf.push(e);
    return new RaftLog(buf, start, this.snapshot, this.lastIndex + entries.length);
  }

  /** Keeps entries ≤ index (index ≥ snapshot index). */
  truncateAfter(index: number): RaftLog<C> {
    const last = Math.max(this.snapshot.index, Math.min(index, this.lastIndex));
    if (last === this.lastIndex) return this;
    return new RaftLog(this.buf, this.start, this.snapshot, last);
  }

  /**
   * Compacts the log into `snapshot`: entries after its index are kept when the log has the
   * snapshot's (index, term), otherwise the log becomes just the snapshot.
   */
  compact(snapshot: Snapshot<C>): RaftLog<C> {
    if (snapshot.index <= this.snapshot.index) return this;
    if (this.termAt(snapshot.index) !== snapshot.term || snapshot.index > this.lastIndex)
      return new RaftLog([], 0, snapshot, snapshot.index);
    const drop = snapshot.index - this.snapshot.index;
    const start = this.start + drop;
    const keep = this.lastIndex - snapshot.index;
    // release the dropped prefix's memory once it dominates the backing array
    if (start > 4096 && start > keep)
      return new RaftLog(this.buf.slice(start, start + keep), 0, snapshot, this.lastIndex);
    return new RaftLog(this.buf, start, snapshot, this.lastIndex);
  }

  /** The latest configuration entry at or before `upTo` (or the snapshot's membership). */
  configAt(upTo: number): { readonly membership: Membership<C>; readonly index: number } {
    for (let i = Math.min(upTo, this.lastIndex); i > this.snapshot.index; i--) {
      const e = this.at(i)!;
      if (e.kind === "config") return { membership: e.membership, index: i };
    }
    return { membership: this.snapshot.membership, index: this.snapshot.configIndex };
  }

  /** First index of the run of entries with term `term` that ends at or before `i`. */
  firstIndexOfTermAt(i: number): number {
    const t = this.termAt(i);
    let j = i;
    while (j - 1 > this.snapshot.index && this.termAt(j - 1) === t) j--;
    return j;
  }

  /** The largest index ≤ `upTo` whose term is ≤ `term` (for fast backoff), or the snapshot index. */
  lastIndexWithTermAtMost(term: number, upTo: number): number {
    for (let i = Math.min(upTo, this.lastIndex); i > this.snapshot.index; i--)
      if (this.at(i)!.term <= term) return i;
    return this.snapshot.index;
  }

  /** Every entry after the snapshot, as an array (for printing and storage). */
  entries(): Entry<C>[] {
    return this.slice(this.firstIndex, this.lastIndex);
  }

  /** Is (lastTerm, lastIndex) at least as up to date as this log's last entry (Raft §5.4.1)? */
  isUpToDate(lastTerm: number, lastIndex: number): boolean {
    const myTerm = this.lastTerm;
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex);
  }
}
