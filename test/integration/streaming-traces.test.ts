import { describe, expect, it } from 'vitest';
import { offlineAttempts, scenarioFiles } from '../../services/correlator/test/ports.js';
import { startSmallPipeline } from './pipeline.js';
import { ZIPKIN_API, zipkinSpansEndpoint } from './setup-zipkin.js';

/** Polls Zipkin for one trace until it has spans (Zipkin stores them asynchronously). */
async function zipkinTrace(traceId: string, timeoutMs = 30_000): Promise<Array<{ traceId: string; name: string }>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${ZIPKIN_API}/trace/${traceId}`);
    if (res.ok) {
      const spans = (await res.json()) as Array<{ traceId: string; name: string }>;
      if (spans.length > 0) return spans;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return [];
}

describe('correlator traces into a real backend', () => {
  it('every attempt of a scenario streamed through Kafka arrives in Zipkin as a trace with the offline trace ID', async () => {
    // test/scenarios/retry-after-failure: a failed attempt, then a successful one, over all four sources.
    const files = scenarioFiles('retry-after-failure');
    const expected = offlineAttempts(files);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const pipeline = await startSmallPipeline('traces', {
      OTPTRACE_CORRELATOR_TRACES__ENABLED: 'true',
      OTPTRACE_CORRELATOR_TRACES__PROTOCOL: 'zipkin',
      OTPTRACE_CORRELATOR_TRACES__TRACES_ENDPOINT: zipkinSpansEndpoint(),
    });
    try {
      await pipeline.post(files);
      for (const attempt of expected) {
        const spans = await zipkinTrace(attempt.traceId);
        expect(spans.length, `trace ${attempt.traceId} of ${attempt.user}`).toBeGreaterThan(1);
        expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([attempt.traceId]));
      }
    } finally {
      await pipeline.stop();
    }
  });
});
