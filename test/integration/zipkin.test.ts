import { createTraceExporter } from '@otptrace/otlp';
import type { NormalizedEvent } from '@otptrace/schemas';
import type { SpanData } from '@otptrace/trace';
import { toSpans, traceIdFor } from '@otptrace/trace';
import { describe, expect, it } from 'vitest';
import { ca4886, caResult, client, HOSTS, iis, nps, record, T0 } from '../../packages/core/trace/test/fixtures.js';
import { ZIPKIN_API, zipkinSpansEndpoint } from './setup-zipkin.js';

/** A span as Zipkin's API returns it (Zipkin v2 model). */
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  timestamp: number;
  duration?: number;
  annotations?: { timestamp: number; value: string }[];
  tags: Record<string, string>;
}

/** Reads a trace back by ID through Zipkin's own API, waiting for the asynchronous store to show every span. */
async function readTrace(traceId: string, expected: number): Promise<ZipkinSpan[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await fetch(`${ZIPKIN_API}/trace/${traceId}`);
    if (response.ok) {
      const spans = (await response.json()) as ZipkinSpan[];
      if (spans.length >= expected) return spans;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`trace ${traceId} did not reach ${expected} spans in Zipkin`);
}

/** Zipkin keeps microseconds. */
const micros = (epochMs: number) => Math.round(epochMs * 1000);

// Zipkin keeps earlier runs' spans in memory, so each run uses its own attempt IDs, hence its own trace IDs (derived
// exactly as the core derives them: traceIdFor(record.id)).
const run = Date.now().toString(36);

function spansOf(events: NormalizedEvent[], verdict: Parameters<typeof record>[1] = {}): SpanData[] {
  const attempt = record(events, verdict);
  const id = `${attempt.id}#${run}`;
  return toSpans({ ...attempt, id, traceId: traceIdFor(id) }, events);
}

/** Every span arrived with its ID, parent, lower-cased name, microsecond start and duration. */
function expectStoredExactly(spans: readonly SpanData[], stored: readonly ZipkinSpan[]): Map<string, ZipkinSpan> {
  const byId = new Map(stored.map((s) => [s.id, s]));
  expect(stored).toHaveLength(spans.length);
  for (const span of spans) {
    const z = byId.get(span.spanId);
    expect(z, span.name).toBeDefined();
    expect([z!.traceId, z!.parentId ?? null, z!.name]).toEqual([
      span.traceId,
      span.parentSpanId,
      span.name.toLowerCase(),
    ]);
    expect(z!.timestamp).toBe(micros(span.startTime));
    expect(z!.duration ?? 0).toBe(micros(span.endTime) - micros(span.startTime));
  }
  return byId;
}

describe("traces in a real Zipkin through OpenTelemetry's Zipkin exporter", () => {
  it('stores a CA denial as one trace with exact IDs, parent links, times and error tags', async () => {
    const spans = spansOf(
      [
        iis(T0 + 1500, 1400, 200, 11),
        nps(T0 + 1200, null, 12),
        ca4886(T0 + 2000.25, 43, 13),
        caResult(T0 + 2100.5, 43, 4888, 14),
        client(T0 + 2400, 10019, null, 15),
      ],
      {
        cause: 'ca_denied_template_permission',
        detail: { caHresult: '0x80094012', caHresultSymbol: 'CERTSRV_E_TEMPLATE_DENIED', clientEventId: 10019 },
      },
    );
    const exporter = createTraceExporter({ tracesEndpoint: zipkinSpansEndpoint(), protocol: 'zipkin' }, {});
    expect(await exporter.export(spans)).toMatchObject({ ok: true, spansExported: 5, spansFailed: 0 });
    await exporter.shutdown();

    const byId = expectStoredExactly(spans, await readTrace(spans[0]!.traceId, spans.length));
    const [root, gateway, radius, ca, result] = spans.map((s) => byId.get(s.spanId)!) as ZipkinSpan[] as [
      ZipkinSpan,
      ZipkinSpan,
      ZipkinSpan,
      ZipkinSpan,
      ZipkinSpan,
    ];
    expect([root.name, gateway.name, radius.name, ca.name, result.name]).toEqual([
      'otp attempt',
      'post /otp/otpsign.dll',
      'radius access-request',
      'ca enrolment',
      'otp client result',
    ]);
    expect([root.parentId, gateway.parentId, radius.parentId, ca.parentId, result.parentId]).toEqual([
      undefined,
      root.id,
      gateway.id,
      root.id,
      root.id,
    ]);
    expect([root.kind, gateway.kind, radius.kind, ca.kind, result.kind]).toEqual([
      'CLIENT',
      'SERVER',
      'SERVER',
      'SERVER',
      undefined,
    ]);
    // Each span is the service of the machine role it happened on.
    expect([root, gateway, radius, ca, result].map((z) => z.localEndpoint?.serviceName)).toEqual([
      'da-client',
      'da-server',
      'nps',
      'ca',
      'da-client',
    ]);
    expect([gateway.tags['host.name'], radius.tags['host.name']]).toEqual([HOSTS.gateway, HOSTS.radius]);
    expect(ca.timestamp).toBe(micros(T0 + 2000.25));
    expect(ca.duration).toBe(100_250);
    // The failure: status message as Zipkin's "error" tag, error.type, and the otp.failure event as an annotation.
    expect(ca.tags).toMatchObject({
      error: 'The CA denied the request: the user may not enrol for the OTP template (or on the CA)',
      'otel.status_code': 'ERROR',
      'error.type': 'ca_denied_template_permission',
      'otp.ca.hresult': '0x80094012',
      'otp.ca.hresult_symbol': 'CERTSRV_E_TEMPLATE_DENIED',
      'otp.evidence.event_id': '4886,4888',
      'otp.evidence.record_id': '13,14',
      'host.name': HOSTS.ca,
    });
    // Zipkin annotations carry the event name; the details are the span's tags above.
    expect(ca.annotations).toEqual([{ timestamp: micros(T0 + 2100.5), value: 'otp.failure' }]);
    expect(root.tags).toMatchObject({ 'error.type': 'ca_denied_template_permission', 'enduser.id': 'corp\\alice' });
    expect(root.tags.error).toBe(ca.tags.error);
    for (const span of [gateway, radius, result]) expect(span.tags.error).toBeUndefined();
    expect(result.tags['otp.span.synthetic_start']).toBe('true');
  });

  it('stores many attempts sent in several batches, each as its own trace', async () => {
    const attempts = Array.from({ length: 30 }, (_, i) =>
      spansOf([iis(T0 + 1500 + i * 10_000, 1400, 200, 100 + i), client(T0 + 1600 + i * 10_000, 10022, null, 200 + i)]),
    );
    const exporter = createTraceExporter(
      { tracesEndpoint: zipkinSpansEndpoint(), protocol: 'zipkin', maxExportBatchSize: 16, maxQueueSize: 32 },
      {},
    );
    const report = await exporter.export(attempts.flat());
    await exporter.shutdown();
    expect(report).toMatchObject({ ok: true, spansSubmitted: 90, spansExported: 90, spansFailed: 0 });
    expect(new Set(attempts.map((spans) => spans[0]!.traceId)).size).toBe(30);
    for (const spans of [attempts[0]!, attempts[29]!])
      expectStoredExactly(spans, await readTrace(spans[0]!.traceId, 3));
  });

  it("draws the machine roles' calls in Zipkin's dependency graph, with the failure on the client → CA edge", async () => {
    const spans = spansOf(
      [
        iis(T0 + 1500, 1400, 200, 21),
        nps(T0 + 1200, null, 22),
        ca4886(T0 + 2000.25, 53, 23),
        caResult(T0 + 2100.5, 53, 4888, 24),
        client(T0 + 2400, 10019, null, 25),
      ],
      { cause: 'ca_denied_template_permission', detail: { caHresult: '0x80094012', clientEventId: 10019 } },
    );
    const exporter = createTraceExporter({ tracesEndpoint: zipkinSpansEndpoint(), protocol: 'zipkin' }, {});
    expect(await exporter.export(spans)).toMatchObject({ ok: true, spansExported: 5 });
    await exporter.shutdown();
    await readTrace(spans[0]!.traceId, spans.length);
    // The spans carry the events' historical times: ask for the window around them.
    const response = await fetch(`${ZIPKIN_API}/dependencies?endTs=${T0 + 3_600_000}&lookback=${7_200_000}`);
    const links = (await response.json()) as {
      parent: string;
      child: string;
      callCount: number;
      errorCount?: number;
    }[];
    const edge = (parent: string, child: string) => links.find((l) => l.parent === parent && l.child === child);
    expect(edge('da-client', 'da-server')?.callCount).toBeGreaterThanOrEqual(1);
    expect(edge('da-server', 'nps')?.callCount).toBeGreaterThanOrEqual(1);
    expect(edge('da-client', 'ca')?.errorCount).toBeGreaterThanOrEqual(1);
    expect(links.map((l) => `${l.parent}→${l.child}`).sort()).toEqual([
      'da-client→ca',
      'da-client→da-server',
      'da-server→nps',
    ]);
  });
});
