import * as zlib from 'node:zlib';

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum the .evtx file and chunk headers carry.
// Node's own zlib.crc32 (Node >= 20.15) where present: every chunk's record area is checked, and native code is
// several times faster than the loop below. Elsewhere, slice-by-8: eight tables let the loop fold eight bytes per step instead of one (every chunk's record area is
// checked, so this loop is a good part of reading a file).
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n] as number;
    for (let t = 1; t < 8; t++) {
      c = (tables[c & 0xff] as number) ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
}

const nativeCrc32: ((data: Uint8Array, value: number) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/** CRC-32 of `bytes[start, end)`, continuing from `previous` (0 to start afresh). */
export function crc32(bytes: Uint8Array, start: number, end: number, previous = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(bytes.subarray(start, end), previous);
  return crc32Js(bytes, start, end, previous);
}

/** The same in JavaScript (exported for the test that holds both to the same results). */
export function crc32Js(bytes: Uint8Array, start: number, end: number, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a =
      c ^
      ((bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24));
    c =
      (t[1792 + (a & 0xff)] as number) ^
      (t[1536 + ((a >>> 8) & 0xff)] as number) ^
      (t[1280 + ((a >>> 16) & 0xff)] as number) ^
      (t[1024 + (a >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
