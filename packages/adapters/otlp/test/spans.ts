import type { SpanData } from '@otptrace/trace';

// Three spans as packages/core/trace's toSpans gives them (a failed attempt: root, IIS request, NPS denial inside it),
// written out by hand so that these tests exercise only the adapter.
export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const ROOT_ID = 'b7ad6b7169203331';
export const GATEWAY_ID = '00f067aa0ba902b7';
export const RADIUS_ID = '53995c3f42cd8ad8';
/** 2026-03-02T09:15:00Z in epoch ms. */
export const T0 = Date.UTC(2026, 2, 2, 9, 15, 0);

export const SPANS: SpanData[] = [
  {
    traceId: TRACE_ID,
    spanId: ROOT_ID,
    parentSpanId: null,
    role: 'attempt',
    name: 'OTP attempt',
    kind: 'client',
    startTime: T0 + 100,
    endTime: T0 + 1600.25,
    attributes: { 'enduser.id': 'corp\\alice', 'error.type': 'otp_rejected', 'otp.evidence.event_id': [6200, 6273] },
    status: { code: 'error', message: 'The OTP server rejected the one-time password or PIN' },
    events: [],
    host: null,
  },
  {
    traceId: TRACE_ID,
    spanId: GATEWAY_ID,
    parentSpanId: ROOT_ID,
    role: 'gateway',
    name: 'POST /OTP/otpsign.dll',
    kind: 'server',
    startTime: T0 + 100,
    endTime: T0 + 1500,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
    status: { code: 'unset', message: null },
    events: [],
    host: 'DA01.corp.example.com',
  },
  {
    traceId: TRACE_ID,
    spanId: RADIUS_ID,
    parentSpanId: GATEWAY_ID,
    role: 'radius',
    name: 'RADIUS Access-Request',
    kind: 'server',
    startTime: T0 + 100,
    endTime: T0 + 1200.123,
    attributes: { 'error.type': 'otp_rejected', 'otp.span.synthetic_start': true },
    status: { code: 'error', message: 'The OTP server rejected the one-time password or PIN' },
    events: [{ name: 'otp.failure', time: T0 + 1200.123, attributes: { 'otp.nps.reason_code': 16 } }],
    host: 'NPS01.corp.example.com',
  },
];

/** Epoch ms as the decimal nanosecond string of OTLP JSON. */
export function nanos(epochMs: number): string {
  return (BigInt(Math.round(epochMs * 1000)) * 1000n).toString();
}
