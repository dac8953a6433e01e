import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContractTime } from '../src/contract-time.js';

// parseContractTime must be Date.parse, number for number (NaN included), on any text.
function same(text: string): void {
  expect(Object.is(parseContractTime(text), Date.parse(text)), text).toBe(true);
}
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('parseContractTime', () => {
  it('is Date.parse on every day of years around the calendar’s edge cases, at several times of day', () => {
    for (const year of [0, 1, 4, 99, 100, 399, 400, 1600, 1899, 1900, 1969, 1970, 1972, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++)
          for (const time of ['00:00:00.000', '23:59:59.999', '12:34:56.789', '24:00:00.000', '23:60:00.000'])
            same(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}Z`);
    }
  });

  it('is Date.parse on what formatTime writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        same(text);
        expect(parseContractTime(text)).toBe(ms);
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
  });

  it('is Date.parse on random fields, in and out of range', () => {
    const field = (width: number, max: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
    fc.assert(
      fc.property(
        field(4, 9999),
        field(2, 99),
        field(2, 99),
        field(2, 99),
        field(2, 99),
        field(2, 99),
        field(3, 999),
        (y, mo, d, h, mi, s, ms) => {
          same(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
        },
      ),
      { numRuns: 20_000, seed: 20261130 },
    );
  });

  it('is Date.parse on other spellings and on texts with one character changed', () => {
    for (const text of [
      '',
      'x',
      '2026-03-02T00:00:13.132Z',
      '2026-03-02T00:00:13.132z',
      '2026-03-02t00:00:13.132Z',
      '2026-03-02T00:00:13Z',
      '2026-03-02T00:00:13.1324882Z',
      '2026-03-02T00:00:13.132+01:00',
      '2026-03-02 00:00:13.132Z',
      ' 2026-03-02T00:00:13.132Z',
      '2026-03-02T00:00:13.132Z ',
      '+002026-03-02T00:00:13.132Z',
      '-000001-01-01T00:00:00.000Z',
      '2026-3-02T00:00:13.1320Z',
      '2026-03-02T00:00:13,132Z',
      '2026-03-02T00:00:1a.132Z',
      '２026-03-02T00:00:13.132Z',
    ])
      same(text);
    const base = '2024-02-29T23:59:59.999Z';
    const alphabet = '0123456789-:.TZtz +/a\u0660';
    for (let at = 0; at < base.length; at++) for (const c of alphabet) same(base.slice(0, at) + c + base.slice(at + 1));
  });
});
