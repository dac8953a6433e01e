import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import type { NormalizedEvent } from '@otptrace/schemas';
import { TRACE_ATTRIBUTE_NAMES, TRACE_ATTRIBUTES } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { isoToEpochMs, toSpans } from '../src/index.js';
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
