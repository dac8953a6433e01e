import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { renderFiletime, renderValue } from '../src/binxml/values.js';
import { utf16 } from '../src/bytes.js';
import { crc32, crc32Js } from '../src/crc32.js';

// Value rendering, each against a value whose Windows rendering is known: the Security-Auditing provider GUID and
// SubjectLogonId 0x3e7 (test/fixtures/windows-samples/other/security-4624-renderinginfo.xml), the SYSTEM SID S-1-5-18.
const value = (type: number, bytes: number[]) =>
  renderValue(Uint8Array.from(bytes), { type, at: 0, size: bytes.length });

describe('BinXML value rendering', () => {
  test('GUID: first three fields little-endian, lower case, in braces', () => {
    const guid = [0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d];
    expect(value(0x0f, guid)).toBe('{54849625-5478-4994-a5ba-3e3b0328c30d}');
  });

  test('SID S-1-5-18 and hex integers without padding', () => {
    expect(value(0x13, [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0])).toBe('S-1-5-18');
    expect(value(0x15, [0xe7, 0x03, 0, 0, 0, 0, 0, 0])).toBe('0x3e7');
    expect(value(0x14, [0x6d, 0x00, 0x00, 0xc0])).toBe('0xc000006d');
  });

  test('hex integers and SIDs of any value, as number-to-text would write them', () => {
    const le = (n: bigint, width: number) =>
      Array.from({ length: width }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        expect(value(0x15, le(n, 8))).toBe(`0x${n.toString(16)}`);
        expect(value(0x14, le(n & 0xffffffffn, 4))).toBe(`0x${(n & 0xffffffffn).toString(16)}`);
      }),
      { numRuns: 500, seed: 20261130 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
        (revision, authority, subs) => {
          const bytes = [revision, subs.length];
          for (let i = 5; i >= 0; i--) bytes.push(Number((authority >> BigInt(8 * i)) & 0xffn));
          for (const sub of subs) bytes.push(...le(BigInt(sub), 4));
          expect(value(0x13, bytes)).toBe(`S-${revision}-${authority}${subs.map((sub) => `-${sub}`).join('')}`);
        },
      ),
      { numRuns: 500, seed: 20261130 },
    );
  });

  test('signed and unsigned integers, bool, binary', () => {
    expect(value(0x03, [0xff])).toBe('-1');
    expect(value(0x04, [0xff])).toBe('255');
    expect(value(0x07, [0xfe, 0xff, 0xff, 0xff])).toBe('-2');
    expect(value(0x09, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe('-1');
    expect(value(0x0a, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe('18446744073709551615');
    expect(value(0x0d, [1, 0, 0, 0])).toBe('true');
    expect(value(0x0e, [0xe1, 0x07, 0x0a])).toBe('E1070A');
  });

  test('binary of any length as upper-case hex, and GUIDs after it (text is written into one shared scratch array)', () => {
    const bytes = Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    const hex = bytes.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
    expect(value(0x0e, bytes)).toBe(hex);
    expect(value(0x0e, [])).toBe('');
    const guid = [0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d];
    expect(value(0x0f, guid)).toBe('{54849625-5478-4994-a5ba-3e3b0328c30d}');
    expect(value(0x0e, bytes.slice(0, 3))).toBe(hex.slice(0, 6));
  });

  test('strings drop their NUL terminator; string arrays split on NUL', () => {
    expect(value(0x01, [0x2d, 0, 0, 0])).toBe('-');
    expect(value(0x81, [0x61, 0, 0, 0, 0x62, 0, 0, 0])).toEqual(['a', 'b']);
    expect(value(0x02, [0x41, 0xe9, 0])).toBe('Aé');
  });

  test('FILETIME renders the 7 fractional digits it holds', () => {
    // 2016-07-08T18:12:51.6816408Z is record 2 of security.evtx (libevtx: 18:12:51.681640800Z).
    const big = (BigInt(Date.UTC(2016, 6, 8, 18, 12, 51) / 1000) + 11644473600n) * 10_000_000n + 6816408n;
    expect(renderFiletime(Number(big & 0xffffffffn), Number(big >> 32n))).toBe('2016-07-08T18:12:51.6816408Z');
    expect(renderFiletime(0, 0)).toBe('1601-01-01T00:00:00.0000000Z');
  });

  test('FILETIME: any value, in any order, renders as Date would write it (seconds and days are cached)', () => {
    // Reference: whole seconds through Date (toISOString cut at 19 characters, a six-digit year beyond 9999).
    const reference = (low: number, high: number): string => {
      const ticks = (BigInt(high) << 32n) | BigInt(low);
      const seconds = Number(ticks / 10_000_000n) - 11644473600;
      const fraction = String(ticks % 10_000_000n).padStart(7, '0');
      return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
    };
    const half = fc.integer({ min: 0, max: 0xffffffff });
    // Highs near 2016 (same day and second often repeat) and anywhere up to the largest FILETIME (year 60056).
    const high = fc.oneof(fc.integer({ min: 0x01d1d900, max: 0x01d1d9ff }), half);
    fc.assert(
      fc.property(fc.array(fc.tuple(half, high), { minLength: 1, maxLength: 20 }), (times) => {
        for (const [low, hi] of times) expect(renderFiletime(low, hi)).toBe(reference(low, hi));
      }),
      { numRuns: 500, seed: 20261130 },
    );
    expect(renderFiletime(0xffffffff, 0xffffffff)).toBe(reference(0xffffffff, 0xffffffff));
  });

  test('CRC-32: the native and the JavaScript checksums agree, whole and continued', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
        const at = Math.min(cut, bytes.length);
        expect(crc32(bytes, 0, bytes.length)).toBe(crc32Js(bytes, 0, bytes.length));
        expect(crc32(bytes, at, bytes.length, crc32(bytes, 0, at))).toBe(crc32Js(bytes, 0, bytes.length));
      }),
      { numRuns: 300, seed: 20261130 },
    );
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926); // the standard check value
  });

  test('UTF-16: up to 64 code units kept as they are (lone surrogates too), at any offset; longer ones decoded', () => {
    // Reference: one String.fromCharCode per code unit, what the reader built strings with before the native slice.
    const units = (b: Uint8Array, at: number, count: number): string => {
      let s = '';
      for (let i = 0; i < count; i++)
        s += String.fromCharCode((b[at + 2 * i] as number) | ((b[at + 2 * i + 1] as number) << 8));
      return s;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), fc.nat(3), (bytes, skew) => {
        const at = Math.min(skew, bytes.length);
        const count = (bytes.length - at) >>> 1;
        if (count <= 64) expect(utf16(bytes, at, count)).toBe(units(bytes, at, count));
        else
          expect(utf16(bytes, at, count)).toBe(new TextDecoder('utf-16le').decode(bytes.subarray(at, at + 2 * count)));
      }),
      { numRuns: 500, seed: 20261130 },
    );
    const text = 'Cr\u00e9\u00e9 \u20ac \ud83d\ude00 \ud800';
    const bytes = new Uint8Array(1 + text.length * 2);
    for (let i = 0; i < text.length; i++) {
      bytes[1 + 2 * i] = text.charCodeAt(i) & 0xff;
      bytes[2 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    expect(utf16(bytes, 1, text.length)).toBe(text);
    // Longer strings: a leading byte order mark dropped and a lone surrogate replaced, as TextDecoder does.
    const long = (text: string): Uint8Array => {
      const out = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        out[2 * i] = text.charCodeAt(i) & 0xff;
        out[2 * i + 1] = text.charCodeAt(i) >> 8;
      }
      return out;
    };
    const words = 'abc\u00e9\u20ac '.repeat(20);
    expect(utf16(long(words), 0, words.length)).toBe(words);
    expect(utf16(long(`\ufeff${words}`), 0, words.length + 1)).toBe(words);
    expect(utf16(long(`${words}\ud800x`), 0, words.length + 2)).toBe(`${words}\ufffdx`);
    expect(utf16(long(`${words}\ud83d\ude00`), 0, words.length + 2)).toBe(`${words}\ud83d\ude00`);
    // Past the end of the bytes the missing code units read as NUL, as before (callers check bounds first).
    expect(utf16(Uint8Array.from([0x41, 0]), 0, 2)).toBe('A\u0000');
  });

  test('SYSTEMTIME renders in the same form', () => {
    const fields = [2021, 3, 3, 31, 23, 54, 11, 809];
    expect(
      value(
        0x12,
        fields.flatMap((n) => [n & 0xff, n >> 8]),
      ),
    ).toBe('2021-03-31T23:54:11.8090000Z');
  });
});
