import type { ExportReport, TraceExporter } from '@otptrace/otlp';
import type { SpanData } from '@otptrace/trace';
import { describe, expect, it } from 'vitest';
import { correlatorConfigSchema } from '../src/config.js';
import { createCorrelator } from '../src/correlator.js';
import { createTraceSink } from '../src/sinks.js';
import {
  eventsOf,
  MemoryBroker,
  MemoryConsumer,
  MemoryLog,
  memoryPorts,
  offlineAttempts,
  REPLAY_WALL_CLOCK,
  scenarioFiles,
} from './ports.js';

/** An exporter that keeps the spans, or fails while `down`. */
function memoryExporter() {
  const spans: SpanData[] = [];
  const state = { down: false };
  const report = (n: number, ok: boolean): ExportReport => ({
    ok,
    spansSubmitted: n,
    spansExported: ok ? n : 0,
    spansFailed: ok ? 0 : n,
    batchesFailed: ok ? 0 : 1,
    retries: 0,
    errors: ok ? [] : ['connect ECONNREFUSED'],
  });
  const exporter: TraceExporter = {
    target: 'memory',
    async export(batch) {
      const list = [...batch];
      if (state.down) return report(list.length, false);
      spans.push(...list);
      return report(list.length, true);
    },
    shutdown: async () => report(0, true),
  };
  return { exporter, spans, state };
}

describe('trace sink', () => {
  it('sends every attempt as one trace whose ID is the attempt record’s trace ID', async () => {
    const files = scenarioFiles('ca-pending');
    const log = new MemoryLog(1);
    for (const e of eventsOf(files)) log.append(e);
    const broker = new MemoryBroker();
    broker.log = log;
    const consumer = new MemoryConsumer(log, broker, [0]);
    const clock = { now: REPLAY_WALL_CLOCK };
    const ports = memoryPorts(consumer, broker, clock);
    const { exporter, spans } = memoryExporter();
    const correlator = createCorrelator(correlatorConfigSchema.parse({ idleFlushMs: 1000 }), {
      ...ports,
      sinks: [createTraceSink(exporter)],
    });
    await correlator.start();
    while ((await consumer.poll(3)) > 0) {}
    clock.now += 5_000;
    await correlator.checkIdle();
    await correlator.stop();
    const traceIds = new Set(spans.map((s) => s.traceId));
    expect([...traceIds].sort()).toEqual(
      offlineAttempts(files)
        .map((a) => a.traceId)
        .sort(),
    );
  });

  it('rejects when the export failed, so the correlator does not commit past lost spans', async () => {
    const { exporter, state } = memoryExporter();
    state.down = true;
    const files = scenarioFiles('success');
    const analysis = offlineAttempts(files);
    const sink = createTraceSink(exporter);
    const attempt = { record: analysis[0]!, events: eventsOf(files) };
    await expect(sink.write([attempt])).rejects.toThrow(/trace export to memory failed: connect ECONNREFUSED/);
  });
});
