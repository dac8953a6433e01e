import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTraceExporter } from '../src/index.js';
import { GATEWAY_ID, nanos, RADIUS_ID, ROOT_ID, SPANS, T0, TRACE_ID } from './spans.js';

interface OtlpJson {
  resourceSpans: {
    resource: { attributes: { key: string; value: Record<string, unknown> }[] };
    scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[];
  }[];
}

const attr = (attributes: { key: string; value: Record<string, unknown> }[], key: string) =>
  attributes.find((a) => a.key === key)?.value;

describe('OTLP-JSON file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'otptrace-otlp-')), 'traces.json');

  it('writes the standard OTLP JSON encoding with the exact IDs, historical times, status and events', async () => {
    const exporter = createTraceExporter({ file: path, serviceVersion: '9.9.9' }, {});
    const report = await exporter.export(SPANS);
    expect(report).toEqual({
      ok: true,
      spansSubmitted: 3,
      spansExported: 3,
      spansFailed: 0,
      batchesFailed: 0,
      retries: 0,
      errors: [],
    });
    await exporter.shutdown();
    await expect(exporter.export(SPANS)).rejects.toThrow('export() after shutdown()');

    const text = readFileSync(path, 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(1); // one export() = one JSON document
    const doc = JSON.parse(text) as OtlpJson;
    // One resource per machine role and host: the client (whose computer no log named here), the DA server, NPS.
    const resources = doc.resourceSpans.map((rs) => [
      attr(rs.resource.attributes, 'service.name')?.stringValue,
      attr(rs.resource.attributes, 'host.name')?.stringValue ?? null,
    ]);
    expect(resources).toEqual([
      ['da-client', null],
      ['da-server', 'DA01.corp.example.com'],
      ['nps', 'NPS01.corp.example.com'],
    ]);
    for (const rs of doc.resourceSpans) {
      expect(attr(rs.resource.attributes, 'service.namespace')).toEqual({ stringValue: 'otptrace' });
      expect(attr(rs.resource.attributes, 'service.version')).toEqual({ stringValue: '9.9.9' });
      expect(rs.scopeSpans[0]!.scope.name).toBe('@otptrace/otlp');
    }
    const spans = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name, s.kind])).toEqual([
      [TRACE_ID, ROOT_ID, undefined, 'OTP attempt', 3],
      [TRACE_ID, GATEWAY_ID, ROOT_ID, 'POST /OTP/otpsign.dll', 2],
      [TRACE_ID, RADIUS_ID, GATEWAY_ID, 'RADIUS Access-Request', 2],
    ]);
    const radius = spans[2]!;
    expect(radius.startTimeUnixNano).toBe(nanos(T0 + 100));
    expect(radius.endTimeUnixNano).toBe(nanos(T0 + 1200.123));
    expect(radius.endTimeUnixNano).toBe('1772442901200123000');
    expect(radius.status).toEqual({ code: 2, message: 'The OTP server rejected the one-time password or PIN' });
    expect(radius.events).toEqual([
      {
        name: 'otp.failure',
        timeUnixNano: nanos(T0 + 1200.123),
        attributes: [{ key: 'otp.nps.reason_code', value: { intValue: 16 } }],
        droppedAttributesCount: 0,
      },
    ]);
    expect(spans[1]!.status).toEqual({ code: 0 });
    expect(attr(spans[0]!.attributes as never, 'otp.evidence.event_id')).toEqual({
      arrayValue: { values: [{ intValue: 6200 }, { intValue: 6273 }] },
    });
  });

  it('writes every batch of several documents whole and in order while the next batch is encoded', async () => {
    const many = join(mkdtempSync(join(tmpdir(), 'otptrace-otlp-')), 'many.json');
    const exporter = createTraceExporter({ file: many, maxExportBatchSize: 7 }, {});
    // Traces of their own: each copy of the three spans under another span ID, so that the order can be checked.
    const copies = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        SPANS.map((s) => ({ ...s, spanId: (from + i).toString(16).padStart(13, '0') + s.spanId.slice(13) })),
      ).flat();
    const documents = [copies(0, 400), copies(400, 1), copies(401, 900)];
    for (const spans of documents) expect((await exporter.export(spans)).spansExported).toBe(spans.length);
    expect((await exporter.shutdown()).ok).toBe(true);
    const lines = readFileSync(many, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(documents.length);
    for (const [k, line] of lines.entries()) {
      const doc = JSON.parse(line) as OtlpJson;
      const ids = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)));
      // Spans are grouped by resource within a batch: compare as sets per document, and count them.
      expect(ids).toHaveLength(documents[k]!.length);
      expect(new Set(ids)).toEqual(new Set(documents[k]!.map((s) => s.spanId)));
    }
  });

  it('reports a write that fails after the file is open (a full disk), and every span of that document', async () => {
    const exporter = createTraceExporter({ file: '/dev/full', maxExportBatchSize: 50 }, {});
    const spans = Array.from({ length: 300 }, () => SPANS).flat();
    const report = await exporter.export(spans);
    expect(report.ok).toBe(false);
    expect(report.spansFailed).toBe(spans.length);
    expect(report.errors[0]).toMatch(/^writing OTLP JSON to \/dev\/full failed: ENOSPC/);
    await exporter.shutdown();
  });

  it('reports a file it cannot write instead of throwing', async () => {
    const exporter = createTraceExporter({ file: join(path, 'not-a-dir', 'x.json') }, {});
    const report = await exporter.export(SPANS);
    expect(report.ok).toBe(false);
    expect(report.spansFailed).toBe(3);
    expect(report.errors[0]).toMatch(/^writing OTLP JSON to .*x\.json failed: ENOTDIR/);
  });
});
