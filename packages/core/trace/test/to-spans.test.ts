import { ROOT_CAUSES } from '@otptrace/model';
import { describe, expect, it } from 'vitest';
import type { SpanData } from '../src/index.js';
import { spanIdFor, toSpans } from '../src/index.js';
import { ca4886, caResult, client, evidenceOf, HOSTS, iis, nps, record, T0 } from './fixtures.js';

/** The span tree at a glance: name, parent's name, start and end relative to T0 (ms), status. */
function tree(spans: readonly SpanData[]) {
  const nameOf = new Map(spans.map((s) => [s.spanId, s.name]));
  return spans.map((s) => [
    s.name,
    s.parentSpanId === null ? null : nameOf.get(s.parentSpanId),
    round(s.startTime - T0),
    round(s.endTime - T0),
    s.status.code,
  ]);
}
const round = (ms: number) => Math.round(ms * 1000) / 1000;

describe('toSpans, success', () => {
  // IIS request 100–1500 ms; NPS grants at 1200 ms; CA receives at 3000.123 and issues at 3250.456; client 10022.
  const request = iis(T0 + 1500, 1400, 200);
  const granted = nps(T0 + 1200, null);
  const received = ca4886(T0 + 3000.123, 42);
  const issued = caResult(T0 + 3250.456, 42, 4887, 9002);
  const success = client(T0 + 3900.789, 10022, null);
  const events = [success, issued, received, granted, request];
  const attempt = record(events);
  const spans = toSpans(attempt, events);
  const [root, gateway, radius, ca, result] = spans as [SpanData, SpanData, SpanData, SpanData, SpanData];
  const id = (role: string) => spanIdFor(attempt.traceId, role);

  it('builds one trace: the attempt, the IIS request with the NPS decision inside, the CA enrolment, the result', () => {
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 100, 3900.789, 'unset'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 100, 1500, 'unset'],
      ['RADIUS Access-Request', 'POST /OTP/otpsign.dll', 100, 1200, 'unset'],
      ['CA enrolment', 'OTP attempt', 3000.123, 3250.456, 'unset'],
      ['OTP client result', 'OTP attempt', 3250.456, 3900.789, 'unset'],
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([attempt.traceId]));
  });

  it('derives every span ID from the trace ID and the span role (stage + first log record)', () => {
    expect(spans.map((s) => s.spanId)).toEqual([
      id('root'),
      id(`gateway:${request.id}`),
      id(`radius:${granted.id}`),
      id(`ca:${received.id}`),
      id(`client:${success.id}`),
    ]);
  });

  it('gives the attempt span the user, outcome, hosts and all the evidence', () => {
    expect(root).toEqual({
      traceId: attempt.traceId,
      spanId: id('root'),
      parentSpanId: null,
      role: 'attempt',
      name: 'OTP attempt',
      kind: 'client',
      startTime: T0 + 100,
      endTime: T0 + 3900.789,
      attributes: {
        'enduser.id': 'corp\\alice',
        'otp.attempt.id': attempt.id,
        'otp.attempt.outcome': 'success',
        'otp.attempt.closed_by': 'result',
        'otp.attempt.gateway_ambiguous': false,
        'client.address': '203.0.113.7',
        'otp.host.client': HOSTS.client,
        'otp.host.gateway': HOSTS.gateway,
        'otp.host.radius': HOSTS.radius,
        'otp.host.ca': HOSTS.ca,
        'otp.span.synthetic_start': false,
        ...evidenceOf(granted, request, received, issued, success),
      },
      status: { code: 'unset', message: null },
      events: [],
      host: HOSTS.client,
    });
  });

  it('maps IIS 6200 onto HTTP server semantic conventions, with its logged start (time − time-taken)', () => {
    expect(gateway).toEqual({
      traceId: attempt.traceId,
      spanId: id(`gateway:${request.id}`),
      parentSpanId: id('root'),
      role: 'gateway',
      name: 'POST /OTP/otpsign.dll',
      kind: 'server',
      startTime: T0 + 100,
      endTime: T0 + 1500,
      attributes: {
        'otp.stage': 'gateway',
        'http.request.method': 'POST',
        'url.path': '/OTP/otpsign.dll',
        'http.response.status_code': 200,
        'client.address': '203.0.113.7',
        'server.address': 'da.example.com',
        'server.port': 443,
        'network.local.address': '192.0.2.10',
        'otp.iis.sub_status': 0,
        'otp.iis.win32_status': 0,
        'otp.iis.time_taken_ms': 1400,
        'otp.iis.site_name': 'W3SVC1',
        'otp.span.synthetic_start': false,
        'otp.span.start_from': 'logged',
        ...evidenceOf(request),
      },
      status: { code: 'unset', message: null },
      events: [],
      host: HOSTS.gateway,
    });
  });

  it('starts the single-instant NPS decision where the IIS request started, and says so', () => {
    expect(radius.parentSpanId).toBe(gateway.spanId);
    expect(radius.kind).toBe('server');
    expect(radius.host).toBe(HOSTS.radius);
    expect(radius.attributes).toEqual({
      'otp.stage': 'radius',
      'otp.radius.decision': 'granted',
      'otp.nps.reason_code': 0,
      'otp.nps.client_name': 'DA01',
      'client.address': '192.0.2.10',
      'server.address': HOSTS.radius,
      'otp.nps.authentication_type': 'PAP',
      'otp.nps.network_policy': 'DirectAccess OTP',
      'otp.span.synthetic_start': true,
      'otp.span.start_from': 'gateway.start',
      ...evidenceOf(granted),
    });
  });

  it('spans the CA enrolment from 4886 received to 4887 issued, keeping microseconds', () => {
    expect(ca.startTime).toBe(received.time);
    expect(ca.endTime).toBe(issued.time);
    expect(ca.attributes).toEqual({
      'otp.stage': 'ca',
      'otp.ca.request_id': 42,
      'otp.ca.status': 'issued',
      'otp.ca.template': 'DAOTPLogon',
      'otp.ca.requesting_machine': HOSTS.client,
      'server.address': HOSTS.ca,
      'otp.span.synthetic_start': false,
      'otp.span.start_from': 'logged',
      ...evidenceOf(received, issued),
    });
  });

  it('starts the client result (one instant) where the CA enrolment ended', () => {
    expect(result.attributes).toEqual({
      'otp.stage': 'client',
      'otp.client.event_id': 10022,
      'otp.client.ca_name': 'CA01.corp.example.com\\Corp-Issuing-CA',
      'otp.span.synthetic_start': true,
      'otp.span.start_from': 'ca.end',
      ...evidenceOf(success),
    });
    expect([result.kind, result.status, result.events]).toEqual(['internal', { code: 'unset', message: null }, []]);
  });

  it('gives the same spans for the same logs in any order (replays yield the same trace)', () => {
    expect(toSpans(attempt, [...events].reverse())).toEqual(spans);
    expect(toSpans(attempt, [...events, request])).toEqual(spans);
  });
});

describe("toSpans, NPS's clock apart from the DA server's", () => {
  // NPS's clock runs 30 s behind the DA server's: it logged its grant at 1200 ms (DA server's clock) as -28,800 ms.
  const request = iis(T0 + 1500, 1400, 200);
  const granted = nps(T0 + 1200 - 30_000, null);
  const success = client(T0 + 3900, 10022, null);
  const events = [success, granted, request];
  // As the pipeline writes the record: the learned offset, and the start and end on the DA server's clock.
  const attempt = {
    ...record(events),
    start: new Date(T0 + 100).toISOString(),
    end: new Date(T0 + 3900).toISOString(),
    npsClockAheadMs: -30_000,
  };

  it('puts the NPS decision back inside the IIS request that asked for it, and says how far it was moved', () => {
    const spans = toSpans(attempt, events);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 100, 3900, 'unset'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 100, 1500, 'unset'],
      ['RADIUS Access-Request', 'POST /OTP/otpsign.dll', 100, 1200, 'unset'],
      ['OTP client result', 'OTP attempt', 1500, 3900, 'unset'],
    ]);
    const radius = spans.find((s) => s.role === 'radius')!;
    expect(radius.attributes['otp.span.clock_shift_ms']).toBe(30_000);
    // The evidence names the log record; its time stays NPS's own (the record's evidence).
    expect(radius.attributes['otp.evidence.record_id']).toEqual([granted.ref.recordId]);
    expect(spans.filter((s) => s.role !== 'radius').some((s) => 'otp.span.clock_shift_ms' in s.attributes)).toBe(false);
  });

  it('leaves the logged times alone when the clocks agree', () => {
    const spans = toSpans(
      { ...attempt, npsClockAheadMs: undefined, start: new Date(granted.time).toISOString() },
      events,
    );
    const radius = spans.find((s) => s.role === 'radius')!;
    expect(radius.parentSpanId).toBe(spans[0]!.spanId);
    expect(radius.endTime).toBe(granted.time);
    expect('otp.span.clock_shift_ms' in radius.attributes).toBe(false);
  });
});

describe('toSpans, failures at each stage', () => {
  it('gateway: the IIS request that failed (HTTP 500) is the error span', () => {
    const request = iis(T0 + 800, 300, 500);
    const failed = client(T0 + 900, 10005, '0x80040001');
    const attempt = record([request, failed], {
      cause: 'gateway_error',
      detail: { httpStatus: 500, clientEventId: 10005, clientErrorCode: '0x80040001' },
    });
    const spans = toSpans(attempt, [request, failed]);
    const title = ROOT_CAUSES.gateway_error.title;
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 500, 900, 'error'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 500, 800, 'error'],
      ['OTP client result', 'OTP attempt', 800, 900, 'unset'],
    ]);
    const gateway = spans[1]!;
    expect(gateway.status).toEqual({ code: 'error', message: title });
    expect(gateway.attributes['error.type']).toBe('gateway_error');
    expect(gateway.attributes['otp.failure.stage']).toBe('gateway');
    expect(gateway.events).toEqual([
      {
        name: 'otp.failure',
        time: T0 + 800,
        attributes: {
          'otp.client.event_id': 10005,
          'otp.client.error_code': '0x80040001',
          'http.response.status_code': 500,
        },
      },
    ]);
    expect(spans[2]!.attributes['error.type']).toBeUndefined();
  });

  it('radius: the NPS denial (6273, reason 16) is the error span, inside the IIS request', () => {
    const request = iis(T0 + 1500, 1400, 200);
    const denied = nps(T0 + 1200, 16);
    const failed = client(T0 + 1600, 10005, '0x80040008');
    const events = [request, denied, failed];
    const attempt = record(events, {
      cause: 'otp_rejected',
      detail: { npsReasonCode: 16, npsReason: 'IAS_AUTH_FAILURE', clientEventId: 10005, clientErrorCode: '0x80040008' },
    });
    const spans = toSpans(attempt, events);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 100, 1600, 'error'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 100, 1500, 'unset'],
      ['RADIUS Access-Request', 'POST /OTP/otpsign.dll', 100, 1200, 'error'],
      ['OTP client result', 'OTP attempt', 1500, 1600, 'unset'],
    ]);
    const radius = spans[2]!;
    expect(radius.status).toEqual({ code: 'error', message: ROOT_CAUSES.otp_rejected.title });
    expect(radius.attributes).toMatchObject({
      'error.type': 'otp_rejected',
      'otp.failure.stage': 'radius',
      'otp.radius.decision': 'denied',
      'otp.nps.reason_code': 16,
      ...evidenceOf(denied),
    });
    expect(radius.events).toEqual([
      {
        name: 'otp.failure',
        time: T0 + 1200,
        attributes: {
          'otp.nps.reason_code': 16,
          'otp.nps.reason': 'IAS_AUTH_FAILURE',
          'otp.client.event_id': 10005,
          'otp.client.error_code': '0x80040008',
        },
      },
    ]);
    expect(spans[0]!.attributes).toMatchObject({
      'error.type': 'otp_rejected',
      'otp.failure.stage': 'radius',
      'otp.root_cause.code': 'otp_rejected',
      'otp.root_cause.title': ROOT_CAUSES.otp_rejected.title,
      'otp.root_cause.remediation': ROOT_CAUSES.otp_rejected.remediation,
      'otp.attempt.outcome': 'failure',
    });
    expect(spans[0]!.attributes).not.toHaveProperty('otp.root_cause.also_possible');
  });

  it('the root span names the root causes the logs read do not rule out', () => {
    // No IIS log read: the client's 10005 and NPS's silence alone.
    const failed = client(T0 + 1600, 10005, '0x80040008');
    const attempt = record([failed], { cause: 'radius_no_response', detail: { clientEventId: 10005 } });
    const rootCause = { ...attempt.rootCause!, alsoPossible: ['gateway_rejected_request'] };
    const spans = toSpans({ ...attempt, rootCause }, [failed]);
    expect(spans[0]!.attributes).toMatchObject({
      'otp.root_cause.code': 'radius_no_response',
      'otp.root_cause.also_possible': ['gateway_rejected_request'],
    });
  });

  it('ca: the denied enrolment (4886 → 4888 + CertificationAuthority 53) is the error span with HRESULT and symbol', () => {
    const request = iis(T0 + 1500, 1400, 200);
    const granted = nps(T0 + 1200, null);
    const received = ca4886(T0 + 2000, 43);
    const denied = caResult(T0 + 2100.5, 43, 4888, 9003);
    const app53 = caResult(T0 + 2100.75, 43, 53, 120);
    const failed = client(T0 + 2400, 10019, null);
    const events = [request, granted, received, denied, app53, failed];
    const attempt = record(events, {
      cause: 'ca_denied_template_permission',
      detail: { caHresult: '0x80094012', caHresultSymbol: 'CERTSRV_E_TEMPLATE_DENIED', clientEventId: 10019 },
    });
    const spans = toSpans(attempt, events);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 100, 2400, 'error'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 100, 1500, 'unset'],
      ['RADIUS Access-Request', 'POST /OTP/otpsign.dll', 100, 1200, 'unset'],
      ['CA enrolment', 'OTP attempt', 2000, 2100.75, 'error'],
      ['OTP client result', 'OTP attempt', 2100.75, 2400, 'unset'],
    ]);
    const ca = spans[3]!;
    expect(ca.attributes).toEqual({
      'otp.stage': 'ca',
      'otp.ca.request_id': 43,
      'otp.ca.status': 'denied',
      'otp.ca.hresult': '0x80094012',
      'otp.ca.hresult_symbol': 'CERTSRV_E_TEMPLATE_DENIED',
      'otp.ca.template': 'DAOTPLogon',
      'otp.ca.requesting_machine': HOSTS.client,
      'otp.ca.detail': 'Denied by Policy Module',
      'server.address': HOSTS.ca,
      'otp.span.synthetic_start': false,
      'otp.span.start_from': 'logged',
      'error.type': 'ca_denied_template_permission',
      'otp.failure.stage': 'ca',
      ...evidenceOf(received, denied, app53),
    });
    expect(ca.events).toEqual([
      {
        name: 'otp.failure',
        time: T0 + 2100.75,
        attributes: {
          'otp.ca.hresult': '0x80094012',
          'otp.ca.hresult_symbol': 'CERTSRV_E_TEMPLATE_DENIED',
          'otp.client.event_id': 10019,
        },
      },
    ]);
  });

  it('client: the certificate that could not be stored (10007) fails the client span after an issued CA span', () => {
    const received = ca4886(T0 + 2000, 44);
    const issued = caResult(T0 + 2100, 44, 4887, 9004);
    const failed = client(T0 + 2500.25, 10007, '0x80090016');
    const events = [received, issued, failed];
    const attempt = record(events, {
      cause: 'client_certificate_store',
      detail: { clientEventId: 10007, clientErrorCode: '0x80090016' },
    });
    const spans = toSpans(attempt, events);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 2000, 2500.25, 'error'],
      ['CA enrolment', 'OTP attempt', 2000, 2100, 'unset'],
      ['OTP client result', 'OTP attempt', 2100, 2500.25, 'error'],
    ]);
    expect(spans[2]!).toMatchObject({
      status: { code: 'error', message: ROOT_CAUSES.client_certificate_store.title },
      attributes: { 'error.type': 'client_certificate_store', 'otp.client.error_code': '0x80090016' },
      events: [
        {
          name: 'otp.failure',
          time: T0 + 2500.25,
          attributes: { 'otp.client.event_id': 10007, 'otp.client.error_code': '0x80090016' },
        },
      ],
    });
  });

  it('a failed stage that logged nothing (NPS never answered): the step that noticed it carries the error', () => {
    const request = iis(T0 + 5000, 4900, 200);
    const failed = client(T0 + 5100, 10005, '0x80040008');
    const attempt = record([request, failed], { cause: 'radius_no_response', detail: { clientEventId: 10005 } });
    const spans = toSpans(attempt, [request, failed]);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 100, 5100, 'error'],
      ['POST /OTP/otpsign.dll', 'OTP attempt', 100, 5000, 'unset'],
      ['OTP client result', 'OTP attempt', 5000, 5100, 'error'],
    ]);
    expect(spans[2]!.attributes).toMatchObject({ 'error.type': 'radius_no_response', 'otp.failure.stage': 'radius' });
  });

  it('a lone stage gets a zero-length span at its instant (no previous step to borrow from)', () => {
    const failed = client(T0 + 10, 10010, null);
    const attempt = { ...record([failed]), outcome: 'cancelled' as const };
    const spans = toSpans(attempt, [failed]);
    expect(tree(spans)).toEqual([
      ['OTP attempt', null, 10, 10, 'unset'],
      ['OTP client result', 'OTP attempt', 10, 10, 'unset'],
    ]);
    expect(spans[1]!.attributes).toMatchObject({ 'otp.span.synthetic_start': true, 'otp.span.start_from': 'none' });
  });
});

describe('toSpans, failure details', () => {
  it('leaves an HTTP 200 out of the failure event (DA reports AuthenticationError inside a 200)', () => {
    const request = iis(T0 + 1500, 1400, 200);
    const denied = nps(T0 + 1200, 16);
    const attempt = record([request, denied], {
      cause: 'otp_rejected',
      detail: { npsReasonCode: 16, httpStatus: 200 },
    });
    const radius = toSpans(attempt, [request, denied])[2]!;
    expect(radius.events[0]!.attributes).toEqual({ 'otp.nps.reason_code': 16 });
  });
});
