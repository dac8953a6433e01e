import { readFileSync } from 'node:fs';
import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressedDataError, inflate, type ReadMore } from '../src/index.js';

// Plain Deflate is held to zlib (its compressor's output, at every level and strategy, must come back byte for byte);
// Deflate64 to 7-Zip's compressor (committed archives) and to streams built here for what 7-Zip never writes.
const FIXTURES = new URL('../../../../test/fixtures/', import.meta.url).pathname;

/** Gives `bytes` `piece` bytes at a time, then null. */
function piecesOf(bytes: Uint8Array, piece: number): ReadMore {
  let at = 0;
  return () => {
    if (at >= bytes.length) return null;
    at += piece;
    return bytes.subarray(at - piece, at);
  };
}

/** `bytes` handed to the decoder `piece` bytes at a time; the decoded pieces joined. */
function decode(bytes: Uint8Array, deflate64: boolean, piece = 1 << 16): Buffer {
  return Buffer.concat([...inflate(piecesOf(bytes, piece), { deflate64 })]);
}

/** The data of the first entry of a zip archive (its local header read here by hand: a test of the decoder only). */
function firstEntry(zip: Buffer): { method: number; data: Buffer } {
  const compressedSize = zip.readUInt32LE(18);
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return { method: zip.readUInt16LE(8), data: zip.subarray(start, start + compressedSize) };
}

/** Writes bits as Deflate packs them: values low bit first, Huffman codes high bit first. */
class BitWriter {
  private readonly bytes: number[] = [];
  private bit = 0;
  value(value: number, count: number): this {
    for (let k = 0; k < count; k++) this.put((value >> k) & 1);
    return this;
  }
  code(code: number, length: number): this {
    for (let k = length - 1; k >= 0; k--) this.put((code >> k) & 1);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
  private put(bit: number): void {
    if (this.bit === 0) this.bytes.push(0);
    this.bytes[this.bytes.length - 1]! |= bit << this.bit;
    this.bit = (this.bit + 1) & 7;
  }
}

/** Fixed-Huffman codes (RFC 1951, 3.2.6): literal 'A', end of block, length symbol 285, distance code d. */
const LITERAL_A = [0x30 + 0x41, 8] as const;
const END_OF_BLOCK = [0, 7] as const;
const LENGTH_285 = [0xc0 + 5, 8] as const;

/** A fixed-Huffman block: 'A', then one match of symbol 285 with `extra` (16 bits in Deflate64), distance code `d`. */
function longMatchBlock(extra: number, extraBits: number, distanceCode = 0, distanceExtraBits = 0): Uint8Array {
  return new BitWriter()
    .value(1, 1)
    .value(1, 2)
    .code(...LITERAL_A)
    .code(...LENGTH_285)
    .value(extra, extraBits)
    .code(distanceCode, 5)
    .value(0, distanceExtraBits)
    .code(...END_OF_BLOCK)
    .done();
}

describe('inflate', () => {
  it('decodes what zlib compresses, at every level and strategy, however the input is cut', () => {
    const text = readFileSync(`${FIXTURES}../../examples/seed-story/nps01-Security.xml`);
    const noise = Buffer.alloc(70_000);
    for (let i = 0, seed = 7; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = seed >>> 24;
    }
    const runs = Buffer.concat([Buffer.alloc(100_000, 0x41), text.subarray(0, 3000), Buffer.alloc(40_000, 0x20)]);
    for (const data of [text, noise, runs, Buffer.alloc(0), Buffer.from('x')]) {
      for (const options of [
        { level: 0 },
        { level: 1 },
        { level: 6 },
        { level: 9 },
        { strategy: constants.Z_FIXED },
        { strategy: constants.Z_HUFFMAN_ONLY },
        { strategy: constants.Z_RLE },
      ]) {
        const compressed = deflateRawSync(data, options);
        for (const piece of [1, 7, 4096, 1 << 20])
          expect(decode(compressed, false, piece).equals(data), `${JSON.stringify(options)} in ${piece}s`).toBe(true);
      }
    }
  });

  it('decodes any data zlib compresses (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 300 }), (data, piece) => {
        const repeated = Buffer.concat([data, data.subarray(0, 700), data]);
        expect(decode(deflateRawSync(repeated), false, piece).equals(repeated)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('hands on output a piece at a time, memory bounded, for data much larger than a piece', () => {
    const data = Buffer.alloc(5 << 20, 'DirectAccess OTP ');
    const compressed = deflateRawSync(data);
    const pieces = [...inflate(piecesOf(compressed, 4096), { deflate64: false })];
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual((1 << 20) + (1 << 16) + 65538);
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
  });

  it('decodes Deflate64 as 7-Zip writes it: distance codes 30 and 31 (back up to 64 KiB)', () => {
    const evtx = firstEntry(readFileSync(`${FIXTURES}zip/post-Security-7zip-deflate64.zip`));
    expect(evtx.method).toBe(9);
    expect(decode(evtx.data, true).equals(readFileSync(`${FIXTURES}evtx-samples/post-Security.evtx`))).toBe(true);
    const long = firstEntry(readFileSync(`${FIXTURES}zip/long-matches-7zip-deflate64.zip`));
    expect(decode(long.data, true, 333).equals(longMatchesText())).toBe(true);
    // The same streams read as plain Deflate reach past its 32 KiB window: refused, not misread.
    expect(() => decode(evtx.data, false)).toThrow(CompressedDataError);
  });

  it("decodes Deflate64's length symbol 285 as 3 plus 16 extra bits (plain Deflate: 258)", () => {
    expect(decode(longMatchBlock(65535, 16), true).equals(Buffer.alloc(1 + 65538, 'A'))).toBe(true);
    expect(decode(longMatchBlock(300, 16), true).equals(Buffer.alloc(1 + 303, 'A'))).toBe(true);
    expect(decode(longMatchBlock(0, 0), false).equals(Buffer.alloc(1 + 258, 'A'))).toBe(true);
  });

  it('on any bytes, ends or says the data is damaged, never another error (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (bytes, d64, piece) => {
          try {
            let total = 0;
            for (const out of inflate(piecesOf(bytes, piece), { deflate64: d64 })) total += out.length;
            expect(total).toBeLessThan(2000 * 8 * 65538);
          } catch (error) {
            expect(error).toBeInstanceOf(CompressedDataError);
          }
        },
      ),
      { numRuns: 2000 },
    );
    // Mutations of real streams reach deeper than random bytes do.
    const real = deflateRawSync(readFileSync(`${FIXTURES}../../examples/seed-story/ca01-Security.xml`));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = Buffer.from(real);
          for (const [at, value] of edits) bytes[at] = value;
          try {
            for (const _ of inflate(piecesOf(bytes, 100), { deflate64: false })) {
              // decoded pieces are dropped
            }
          } catch (error) {
            expect(error).toBeInstanceOf(CompressedDataError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('says what is wrong with damaged data, after handing on what came before it', () => {
    const data = Buffer.from(readFileSync(`${FIXTURES}../../examples/seed-story/ca01-Security.xml`));
    const compressed = deflateRawSync(Buffer.concat(Array.from({ length: 40 }, () => data)), { level: 1 });
    const cut = compressed.subarray(0, Math.floor(compressed.length * 0.7));
    const handed: Uint8Array[] = [];
    expect(() => {
      for (const piece of inflate(piecesOf(cut, 4096), {
        deflate64: false,
      }))
        handed.push(piece);
    }).toThrow(/ends early/);
    const before = Buffer.concat(handed);
    expect(before.length).toBeGreaterThan(0);
    expect(before.equals(Buffer.concat(Array.from({ length: 40 }, () => data)).subarray(0, before.length))).toBe(true);

    const reserved = new BitWriter().value(1, 1).value(3, 2).done();
    expect(() => decode(reserved, true)).toThrow(/reserved type 3/);
    const stored = new BitWriter().value(1, 1).value(0, 2).value(0, 5).value(4, 16).value(4, 16).done();
    expect(() => decode(stored, false)).toThrow(/length check fails/);
    // A distance before the first byte: 'A' then a match 3 back.
    const tooFar = new BitWriter()
      .value(1, 1)
      .value(1, 2)
      .code(...LITERAL_A)
      .code(1, 7)
      .code(2, 5)
      .done();
    expect(() => decode(tooFar, false)).toThrow(/reaches before the start/);
    // Distance code 30 exists in Deflate64 only.
    expect(() => decode(longMatchBlock(0, 0, 30), false)).toThrow(/invalid distance code \(30\)/);
    expect(() => decode(longMatchBlock(0, 16, 30, 14), true)).toThrow(/reaches before the start/);
  });
});

/** The text in long-matches-7zip-deflate64.zip (test/fixtures/zip/README.md gives the recipe). */
function longMatchesText(): Buffer {
  let x = 12345;
  const hex = '0123456789abcdef';
  let a = '';
  for (let i = 0; i < 48000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    a += hex[x >>> 28];
  }
  return Buffer.from(`${a}\n${a}\n${'A'.repeat(70000)}\n${a.slice(0, 20000)}`);
}
