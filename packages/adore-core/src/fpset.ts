/**
 * An open-addressing hash set of 64-bit fingerprints (two 32-bit halves) in typed arrays: about
 * 16 bytes a state, so tens of millions of states fit in memory. Each entry also stores an id.
 */
export class FingerprintSet {
  private hi: Int32Array;
  private lo: Int32Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityLog2 = 16) {
    const cap = 1 << capacityLog2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  /** Returns the id stored for (hi, lo), or inserts `id` and returns -1. */
  getOrAdd(hi: number, lo: number, id: number): number {
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.ids[i]!;
      if (v === -1) break;
      if (this.hi[i] === hi && this.lo[i] === lo) return v;
      i = (i + 1) & this.mask;
    }
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.ids[i] = id;
    if (++this.size * 2 > this.mask) this.grow();
    return -1;
  }

  private grow(): void {
    const { hi, lo, ids } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j]!;
      if (id === -1) continue;
      let i = (hi[j]! ^ Math.imul(lo[j]!, 0x9e3779b1)) & this.mask;
      while (this.ids[i] !== -1) i = (i + 1) & this.mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.ids[i] = id;
    }
  }
}
