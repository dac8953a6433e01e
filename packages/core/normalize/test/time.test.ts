import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTime, parseIsoTime, parseSystemTime } from '../src/time.js';

// parseSystemTime reads the shape Windows writes by character codes, with the day's validity remembered from one call
// to the next; it must give exactly what the regular expression and Date.UTC give (parseIsoTime), same double or null.
describe('parseSystemTime', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const times = fc
    .record({
      y: fc.oneof(fc.integer({ min: 1999, max: 2031 }), fc.integer({ min: 0, max: 9999 })),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 61 }),
      s: fc.integer({ min: 0, max: 61 }),
      sep: fc.constantFrom('.', ',', ';'),
      frac: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{1,11}$/)),
      zone: fc.constantFrom('Z', '', 'z', '+01:00', '-0530', 'Z ', 'ZZ'),
    })
    .map(
      ({ y, mo, d, h, mi, s, sep, frac, zone }) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac === '' ? '' : sep + frac}${zone}`,
    );

  it('gives what the regular expression and Date.UTC give, on valid, invalid and unusual times', () => {
    fc.assert(
      fc.property(fc.array(times, { minLength: 1, maxLength: 8 }), (texts) => {
        for (const text of texts) expect(Object.is(parseSystemTime(text), parseIsoTime(text)), text).toBe(true);
      }),
      { numRuns: 4000, seed: 5 },
    );
  });

  it('reads the times Windows writes', () => {
    for (const text of [
      '2026-03-02T00:00:10.6721538Z',
      '2026-03-02T00:00:10.623096100Z',
      '2024-02-29T23:59:59.9999999Z',
      '2023-02-29T12:00:00.0000000Z',
      '2026-03-02T00:00:10Z',
      '2026-03-02T00:00:10',
      '2026-03-02T24:00:00.0Z',
      '0099-01-01T00:00:00Z',
      '2026-03-02T00:00:10.Z',
      '2026-03-02T00:00:10.1234567890Z',
    ])
      expect(Object.is(parseSystemTime(text), parseIsoTime(text)), text).toBe(true);
    expect(parseSystemTime('2026-03-02T00:00:10.6721538Z')).toBe(Date.UTC(2026, 2, 2, 0, 0, 10) + 672.154);
    expect(parseSystemTime('2023-02-29T12:00:00.0000000Z')).toBeNull();
  });

  it('gives the same fraction as Number() of the digits, across the 7-digit fractions', () => {
    // One 7-digit fraction in 37, every one of its roundings compared (a product before the division differs ~1 in 900).
    for (let v = 0; v < 10_000_000; v += 37) {
      const text = `2026-03-02T00:00:10.${String(v).padStart(7, '0')}Z`;
      if (!Object.is(parseSystemTime(text), parseIsoTime(text)))
        expect(parseSystemTime(text), text).toBe(parseIsoTime(text));
    }
  });
});

describe('formatTime', () => {
  it('writes what Date#toISOString writes of the whole millisecond, from one day to the next and back', () => {
    const instants = fc.oneof(
      fc.double({ min: -62_198_755_200_000, max: 253_402_300_799_999, noNaN: true }),
      fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }).map((n) => n + 0.5),
      fc.constantFrom(
        0,
        -1,
        -0.5,
        86_399_999.9,
        86_400_000,
        253_402_300_799_999,
        253_402_300_800_000,
        -62_167_219_200_001,
      ),
    );
    fc.assert(
      fc.property(fc.array(instants, { minLength: 1, maxLength: 6 }), (list) => {
        for (const ms of list) expect(formatTime(ms)).toBe(new Date(Math.floor(ms)).toISOString());
      }),
      { numRuns: 3000, seed: 9 },
    );
    expect(() => formatTime(Number.NaN)).toThrow(RangeError);
  });
});
