import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import type { NormalizedEvent } from '@otptrace/schemas';
import { TRACE_ATTRIBUTE_NAMES, TRACE_ATTRIBUTES } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { isoToEpochMs, toSpans } from '../src/index.js';
import { generalIsoToEpochMs } from '../src/time.js';
import { ca4886, caResult, client, iis, nps, record, T0 } from './fixtures.js';

describe('the documented attribute set (schemas/src/trace-attributes.ts)', () => {
  it('names each semconv attribute exactly as @opentelemetry/semantic-conventions does', () => {
    const known = new Set<string>(
      [...Object.entries(semconv), ...Object.entries(incubating)]
        .filter(([key, value]) => key.startsWith('ATTR_') && typeof value === 'string')
        .map(([, value]) => value as string),
    );
    const semconvNames = Object.values(TRACE_ATTRIBUTES)
      .filter((a) => a.semconv)
      .map((a) => a.name);
    expect(semconvNames.filter((name) => !known.has(name))).toEqual([]);
    // And no otp.* name shadows a semconv one.
    const own = Object.values(TRACE_ATTRIBUTES).filter((a) => !a.semconv);
    expect(own.filter((a) => !a.name.startsWith('otp.') || known.has(a.name))).toEqual([]);
  });

  it('covers every attribute the spans and failure events carry', () => {
    const events: NormalizedEvent[] = [
      iis(T0 + 1500, 1400, 200),
      nps(T0 + 1200, 16),
      ca4886(T0 + 2000, 7),
      caResult(T0 + 2100, 7, 4888, 9010),
      caResult(T0 + 2101, 7, 53, 9011),
      client(T0 + 2200, 10019, '0x80094012'),
    ];
    const attempt = record(events, {
      cause: 'ca_denied_other',
      detail: {
        npsReasonCode: 16,
        npsReason: 'x',
        caHresult: '0x80094012',
        caHresultSymbol: 'y',
        clientEventId: 1,
        clientErrorCode: '0x1',
        httpStatus: 503,
      },
    });
    const used = new Set<string>();
    for (const span of toSpans(attempt, events)) {
      for (const name of Object.keys(span.attributes)) used.add(name);
      for (const event of span.events) for (const name of Object.keys(event.attributes)) used.add(name);
    }
    expect([...used].filter((name) => !TRACE_ATTRIBUTE_NAMES.includes(name))).toEqual([]);
  });
});

describe('isoToEpochMs', () => {
  it('keeps the microseconds that Date.parse drops', () => {
    expect(isoToEpochMs('2026-03-02T09:15:00.1234567Z')).toBe(T0 + 123.456);
    expect(isoToEpochMs('2026-03-02T09:15:00Z')).toBe(T0);
    expect(isoToEpochMs('2026-03-02T10:15:00.5+01:00')).toBe(T0 + 500);
    expect(isoToEpochMs('yesterday')).toBeNaN();
  });
});

describe('isoToEpochMs, the digit-by-digit path', () => {
  it('gives what the regular expression and Date.parse give, on the form the records hold and its near misses', () => {
    const texts = [
      '2026-03-02T09:15:00Z',
      '2026-03-02T09:15:00.1Z',
      '2026-03-02T09:15:00.123Z',
      '2026-03-02T09:15:00.12aZ',
      '2026-02-30T09:15:00.123Z',
      '2026-03-02T09:15:00.123456Z',
      '2026-03-02T09:15:00.1234567Z',
      '2026-03-02T09:15:00.123456789Z',
      '2026-03-02T09:15:00.Z',
      '2026-03-02T09:15:00.12a4Z',
      '2026-02-29T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-03-00T00:00:00Z',
      '2026-03-02T24:00:00Z',
      '2026-03-02T23:60:00Z',
      '2026-03-02T23:59:60Z',
      '0099-03-02T09:15:00Z',
      '1969-12-31T23:59:59.999999Z',
      '2026-03-02T09:15:00+01:00',
      '2026-03-02 09:15:00Z',
      '2026-3-02T09:15:00Z',
      '+002026-03-02T09:15:00Z',
      '2026-03-02T09:15:00z',
      '',
    ];
    // And a thousand times spread over the calendar (days to the 31st of any month), most in the records' form
    // (milliseconds), the others with a fraction of another length or none.
    let seed = 7;
    const next = (m: number) => {
      seed = (Math.imul(seed, 48271) + 11) % 2147483647;
      return Math.abs(seed) % m;
    };
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    for (let i = 0; i < 1000; i++) {
      const digits = next(4) === 0 ? next(8) : 3;
      const fraction = digits === 0 ? '' : `.${pad(next(10 ** 7), 7).slice(0, digits)}`;
      texts.push(
        `${1970 + next(130)}-${pad(1 + next(12), 2)}-${pad(1 + next(31), 2)}T${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction}Z`,
      );
    }
    for (const text of texts) expect(Object.is(isoToEpochMs(text), generalIsoToEpochMs(text)), text).toBe(true);
  });
});
