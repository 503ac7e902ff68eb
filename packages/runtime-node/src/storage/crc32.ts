// Table-driven CRC-32 (reflected), slicing-by-4. Two polynomials:
//   crc32  — IEEE 802.3 (zip, png):      crc32("123456789")  = 0xCBF43926
//   crc32c — Castagnoli (iSCSI, ext4):   crc32c("123456789") = 0xE3069283
// The WAL and snapshot files use crc32c.

function makeTables(poly: number): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let s = 1; s < 4; s++) {
    const prev = tables[s - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

function makeCrc(poly: number): (data: Uint8Array, seed?: number) => number {
  const [t0, t1, t2, t3] = makeTables(poly) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  /** CRC of `data`; pass a previous result as `seed` to continue it over more bytes. */
  return (data: Uint8Array, seed = 0): number => {
    let c = ~seed;
    let i = 0;
    const n = data.length;
    const end4 = n - (n % 4);
    for (; i < end4; i += 4) {
      c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
      c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
    }
    for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  };
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320). */
export const crc32 = makeCrc(0xedb88320);
/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78). */
export const crc32c = makeCrc(0x82f63b78);
