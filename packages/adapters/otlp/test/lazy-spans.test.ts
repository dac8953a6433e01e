import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpanData } from '@otptrace/trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTraceExporter } from '../src/index.js';
import { SPANS } from './spans.js';

// export() takes any iterable and pulls the spans batch by batch (what `otptrace analyze` does with a generator that
// builds each attempt's spans as they are taken); OTLP/HTTP requests have their own timeout.

/** `count` distinct spans, made from the hand-made ones with their own span IDs. */
function manySpans(count: number): SpanData[] {
  return Array.from({ length: count }, (_, i) => ({
    ...SPANS[i % SPANS.length]!,
    spanId: i.toString(16).padStart(16, '0'),
  }));
}

const servers: Server[] = [];
afterEach(async () => {
  const open = servers.splice(0);
  for (const s of open) s.closeAllConnections();
  await Promise.all(open.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('spans from an iterable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-lazy-'));

  it('writes the same file from a generator as from an array, taking the spans only as batches need them', async () => {
    const spans = manySpans(7);
    const fromArray = join(dir, 'array.json');
    const fromGenerator = join(dir, 'generator.json');
    const options = { maxExportBatchSize: 3, serviceVersion: '9.9.9' };

    const arrayExporter = createTraceExporter({ ...options, file: fromArray }, {});
    expect(await arrayExporter.export(spans)).toMatchObject({ ok: true, spansSubmitted: 7, spansExported: 7 });
    await arrayExporter.shutdown();

    let taken = 0;
    function* lazily() {
      for (const span of spans) {
        taken += 1;
        yield span;
      }
    }
    const generatorExporter = createTraceExporter({ ...options, file: fromGenerator }, {});
    const iterator = lazily();
    expect(taken).toBe(0);
    expect(await generatorExporter.export(iterator)).toMatchObject({ ok: true, spansSubmitted: 7, spansExported: 7 });
    expect(taken).toBe(7);
    expect(await generatorExporter.shutdown()).toMatchObject({ ok: true, spansSubmitted: 7, spansExported: 7 });

    expect(readFileSync(fromGenerator, 'utf8')).toBe(readFileSync(fromArray, 'utf8'));
  });

  it('sends a generator over OTLP/HTTP in batches of maxExportBatchSize', async () => {
    const bodies: number[] = [];
    const server = createServer((req, res) => {
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
      });
      req.on('end', () => {
        bodies.push(size);
        res.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const exporter = createTraceExporter({ endpoint: `http://127.0.0.1:${port}`, maxExportBatchSize: 4 }, {});
    const report = await exporter.export(
      (function* () {
        yield* manySpans(10);
      })(),
    );
    expect(report).toMatchObject({ ok: true, spansSubmitted: 10, spansExported: 10, batchesFailed: 0 });
    expect(bodies).toHaveLength(3);
    await exporter.shutdown();
  });
});

describe('OTLP/HTTP timeout', () => {
  it('gives up on a backend that never answers after timeoutMs per attempt, and says so', async () => {
    const server = createServer(() => undefined); // takes the request, never answers
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const exporter = createTraceExporter({ endpoint: url, timeoutMs: 200, maxAttempts: 2, initialBackoffMs: 10 }, {});
    const started = performance.now();
    const report = await exporter.export(SPANS);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(report).toMatchObject({ ok: false, spansFailed: 3, batchesFailed: 1, retries: 1 });
    expect(report.errors).toEqual([`OTLP export to ${url}/v1/traces failed after 2 attempts: no answer in time`]);
    await exporter.shutdown();
  });
});
