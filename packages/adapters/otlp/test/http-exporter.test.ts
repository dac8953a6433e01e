import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanData } from '@otptrace/trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTraceExporter } from '../src/index.js';
import { encodeOtlpJson, encodeOtlpProtobuf } from '../src/otlp-encode.js';
import { createRoleResources } from '../src/resources.js';
import { GATEWAY_ID, RADIUS_ID, ROOT_ID, SPANS, TRACE_ID } from './spans.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback OTLP receiver that answers each request with the next status of `statuses` (then the last one). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('OTLP/HTTP export', () => {
  it('sends http/json to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces with OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const backend = await receiver([200]);
    servers.push(backend.server);
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${backend.url}/`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=soc%20team',
      OTEL_SERVICE_NAME: 'otptrace-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=lab,service.name=ignored',
    };
    const exporter = createTraceExporter({}, env);
    expect(exporter.target).toBe(`${backend.url}/v1/traces`);
    const report = await exporter.export(SPANS);
    await exporter.shutdown();
    expect(report).toMatchObject({ ok: true, spansExported: 3, spansFailed: 0 });
    expect(backend.received).toHaveLength(1);
    const [request] = backend.received as [Received];
    expect(request.path).toBe('/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-tenant']).toBe('soc team');
    const body = JSON.parse(request.body.toString('utf8'));
    const spans = body.resourceSpans.flatMap((rs: { scopeSpans: { spans: unknown[] }[] }) =>
      rs.scopeSpans.flatMap((ss) => ss.spans),
    );
    expect(spans.map((s: { spanId: string; traceId: string }) => [s.traceId, s.spanId])).toEqual([
      [TRACE_ID, ROOT_ID],
      [TRACE_ID, GATEWAY_ID],
      [TRACE_ID, RADIUS_ID],
    ]);
    const resource = body.resourceSpans[0].resource.attributes;
    expect(resource).toEqual(
      expect.arrayContaining([
        { key: 'service.name', value: { stringValue: 'da-client' } },
        { key: 'service.namespace', value: { stringValue: 'otptrace-test' } },
        { key: 'deployment.environment.name', value: { stringValue: 'lab' } },
      ]),
    );
  });

  it('sends http/protobuf by default, in batches of maxExportBatchSize', async () => {
    const backend = await receiver([200]);
    servers.push(backend.server);
    const exporter = createTraceExporter(
      { tracesEndpoint: `${backend.url}/v1/traces`, maxExportBatchSize: 2, maxQueueSize: 2 },
      {},
    );
    const report = await exporter.export(SPANS);
    expect(report).toMatchObject({ ok: true, spansSubmitted: 3, spansExported: 3 });
    expect(backend.received.map((r) => r.headers['content-type'])).toEqual([
      'application/x-protobuf',
      'application/x-protobuf',
    ]);
    // The protobuf carries the 16-byte trace ID verbatim.
    expect(backend.received[0]!.body.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true);
    expect((await exporter.shutdown()).spansExported).toBe(3);
  });

  it('fails fast with a clear error when the backend is down, after bounded retries', async () => {
    const closed = await receiver([200]);
    await new Promise((resolve) => closed.server.close(resolve)); // nothing listens on that port any more
    const exporter = createTraceExporter(
      { endpoint: closed.url, maxAttempts: 3, initialBackoffMs: 20, timeoutMs: 2000 },
      {},
    );
    const started = performance.now();
    const report = await exporter.export(SPANS);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(report).toEqual({
      ok: false,
      spansSubmitted: 3,
      spansExported: 0,
      spansFailed: 3,
      batchesFailed: 1,
      retries: 2,
      errors: [
        expect.stringMatching(
          new RegExp(`^OTLP export to ${closed.url}/v1/traces failed after 3 attempts: .*ECONNREFUSED`),
        ),
      ],
    });
    const total = await exporter.shutdown();
    expect(total).toMatchObject({ ok: false, spansSubmitted: 3, spansFailed: 3 });
  });

  it('does not retry a request the backend refuses (HTTP 400), and counts it', async () => {
    const backend = await receiver([400]);
    servers.push(backend.server);
    const exporter = createTraceExporter({ endpoint: backend.url, maxAttempts: 3, initialBackoffMs: 20 }, {});
    const report = await exporter.export(SPANS);
    expect(backend.received).toHaveLength(1);
    expect(report).toMatchObject({ ok: false, spansFailed: 3, retries: 0 });
    expect(report.errors[0]).toMatch(/failed after 1 attempt: /);
  });

  it('retries after a dropped connection and then succeeds', async () => {
    let calls = 0;
    const received: number[] = [];
    const server = createServer((req, res) => {
      calls += 1;
      if (calls === 1) {
        req.socket.destroy(); // ECONNRESET / socket hang up on the first attempt
        return;
      }
      req.resume();
      req.on('end', () => {
        received.push(calls);
        res.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const exporter = createTraceExporter({ endpoint: `http://127.0.0.1:${port}`, initialBackoffMs: 20 }, {});
    const report = await exporter.export(SPANS);
    // Since OpenTelemetry JS 2.12 / 0.223 the OTLP exporter retries a dropped connection itself (its
    // RetryingTransport), before our retry loop sees a failure: the spans arrive with the second request either way.
    expect(report).toMatchObject({ ok: true, spansExported: 3, errors: [] });
    expect(report.retries).toBeLessThanOrEqual(1);
    expect(calls).toBe(2);
    expect(received).toEqual([2]);
  });
  // Request bodies are written into reused buffers (one per request in flight): each request must carry its own
  // batch's bytes while others are encoded, and a retried request the bytes it first had.
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`sends each batch's own bytes while several requests are in flight, and retries them unchanged (${protocol})`, async () => {
      const spans: SpanData[] = Array.from({ length: 24 }, (_, i) => ({
        ...SPANS[i % SPANS.length]!,
        spanId: i.toString(16).padStart(16, '0'),
        name: `span ${i}`,
      }));
      const bodies: Buffer[] = [];
      const seen = new Set<string>();
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          bodies.push(body);
          // Every third distinct body is refused once with 503, at its first arrival: its retry is accepted. (Counting
          // requests instead could refuse a retry again, depending on the order requests arrive in.)
          const hex = body.toString('hex');
          const refuse = !seen.has(hex) && seen.size % 3 === 0;
          seen.add(hex);
          // Answered late, so that the next batches are encoded while this one is in flight.
          setTimeout(() => {
            res.statusCode = refuse ? 503 : 200;
            res.end();
          }, 15);
        });
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const exporter = createTraceExporter(
        {
          endpoint: `http://127.0.0.1:${port}`,
          protocol,
          maxExportBatchSize: 2,
          initialBackoffMs: 5,
          serviceVersion: '9.9.9',
        },
        {},
      );
      const report = await exporter.export(spans);
      expect(report).toMatchObject({ ok: true, spansExported: 24, spansFailed: 0 });
      expect(report.retries).toBeGreaterThan(0);
      const resources = createRoleResources({ 'service.name': 'otptrace', 'service.version': '9.9.9' });
      const encode = protocol === 'http/json' ? encodeOtlpJson : encodeOtlpProtobuf;
      const expected = Array.from({ length: 12 }, (_, b) =>
        Buffer.from(encode(spans.slice(2 * b, 2 * b + 2), resources)).toString('hex'),
      );
      const received = bodies.map((b) => b.toString('hex'));
      // Every batch arrived, retried ones twice, and nothing else (no body overwritten by a later batch).
      expect(new Set(received)).toEqual(new Set(expected));
      expect(received).toHaveLength(12 + report.retries);
      await exporter.shutdown();
    });
  }
});
