import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import { analysisConfigSchema, TRACE_ATTRIBUTE_NAMES } from '@otptrace/schemas';
import { type SpanData, toSpans } from '@otptrace/trace';
import { describe, expect, it } from 'vitest';

// The trace invariants of @otptrace/trace (here, not in its package: it runs the whole pipeline and reads files), over every attempt the real pipeline finds in the scenario corpus (test/scenarios: one
// folder per root cause, rendered field for field from the Windows formats) and in the bundled example.
const corpus = new URL('../scenarios/', import.meta.url).pathname;
const folders = [
  ...readdirSync(corpus)
    .filter((name) => existsSync(join(corpus, name, 'intent.json')))
    .map((name) => join(corpus, name)),
  new URL('../../examples/seed-story', import.meta.url).pathname,
];

function expectWellFormed({ record, events }: AnalyzedAttempt, spans: readonly SpanData[]): void {
  const [root, ...children] = spans;
  expect(root!.parentSpanId).toBeNull();
  expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([record.traceId]));
  expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of children) {
    expect(ids.has(span.parentSpanId!)).toBe(true);
    expect(span.startTime).toBeLessThanOrEqual(span.endTime);
    expect(span.startTime).toBeGreaterThanOrEqual(root!.startTime);
    expect(span.endTime).toBeLessThanOrEqual(root!.endTime);
    for (const name of Object.keys(span.attributes)) expect(TRACE_ATTRIBUTE_NAMES).toContain(name);
  }
  // Every log record of the attempt is the evidence of exactly one stage span.
  const cited = children.flatMap((s) => s.attributes['otp.evidence.record_id'] as number[]);
  expect(cited.length).toBe(new Set(events.map((e) => e.id)).size);
}

function expectFailureShown({ record }: AnalyzedAttempt, spans: readonly SpanData[]): void {
  const errors = spans.slice(1).filter((s) => s.status.code === 'error');
  if (record.outcome !== 'failure') {
    expect(spans.filter((s) => s.status.code === 'error')).toEqual([]);
    return;
  }
  expect(spans[0]!.status).toEqual({ code: 'error', message: record.rootCause!.title });
  expect(spans[0]!.attributes['otp.root_cause.code']).toBe(record.rootCause!.code);
  if (spans.length === 1) return;
  expect(errors).toHaveLength(1);
  const failing = errors[0]!;
  expect(failing.attributes['error.type']).toBe(record.rootCause!.code);
  expect(failing.events.map((e) => e.name)).toEqual(['otp.failure']);
  // The failed stage's own span carries the error whenever that stage logged anything.
  if (spans.some((s) => s.role === record.failedStage)) expect(failing.role).toBe(record.failedStage);
}

describe('toSpans over the scenario corpus and the bundled example', () => {
  for (const folder of folders) {
    it(`${folder.split('/').slice(-2).join('/')}: one well-formed trace per attempt, the failure on one span`, async () => {
      // A scenario's own settings (config.json: e.g. the NPS log files' UTC offset), else the defaults.
      const settings = existsSync(join(folder, 'config.json'))
        ? JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'))
        : {};
      const result = await analyzePaths([folder], analysisConfigSchema.parse(settings));
      expect(result.attempts.length).toBeGreaterThan(0);
      for (const attempt of result.attempts) {
        const spans = toSpans(attempt.record, attempt.events);
        expectWellFormed(attempt, spans);
        expectFailureShown(attempt, spans);
        expect(toSpans(attempt.record, [...attempt.events].reverse())).toEqual(spans);
      }
    });
  }
});

describe("a request HTTP.sys answered itself (a stopped application pool's 503)", () => {
  it('shows on the failing gateway span with its reason phrase and queue', async () => {
    const folder = join(new URL('../scenarios/gateway-app-pool-stopped', import.meta.url).pathname);
    const [attempt] = (await analyzePaths([folder], analysisConfigSchema.parse({}))).attempts;
    const gateway = toSpans(attempt!.record, attempt!.events).find((s) => s.attributes['otp.stage'] === 'gateway');
    expect(gateway?.attributes).toMatchObject({
      'http.response.status_code': 503,
      'otp.http_sys.reason': 'AppOffline (queue DefaultAppPool)',
      'error.type': 'gateway_error',
      'otp.evidence.provider': ['HTTP.sys error log'],
    });
  });
});
