import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { memoryPorts, publishedEvents, publishedRaw } from './ports.js';

const TOKEN = 'test-token-0123456789';
const scenario = (name: string) =>
  ['client', 'iis', 'nps', 'ca']
    .map((file) => {
      try {
        return readFileSync(new URL(`../../../test/scenarios/${name}/${file}.xml`, import.meta.url), 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');

const config = collectorConfigSchema.parse({
  http: {
    port: 0,
    host: '127.0.0.1',
    tokens: [TOKEN],
    bodyLimitBytes: 200_000,
    maxInFlightBatches: 1,
    retryAfterSeconds: 7,
  },
});

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function started(partitions = 4, now?: number) {
  const ports = memoryPorts(partitions);
  collector = createCollector(config, now === undefined ? ports : { ...ports, now: () => now });
  await collector.start();
  const url = `http://127.0.0.1:${collector.httpPort()}/v1/events`;
  const post = (body: string, token: string | null = TOKEN) =>
    fetch(url, { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { ports, post };
}

describe('collector HTTP input', () => {
  it('acknowledges a scenario batch with 202 only after every record was written, keyed by site', async () => {
    const { ports, post } = await started(4);
    // test/scenarios/ca-pending: the client, IIS, NPS and CA logs of one pending-certificate attempt.
    const res = await post(scenario('ca-pending'));
    expect(res.status).toBe(202);
    const summary = (await res.json()) as { accepted: number; ignored: number; rejected: number };
    const events = ports.producer.acknowledged.filter((r) => r.topic === config.topics.events.name);
    expect(publishedRaw(ports.producer, config.topics.raw.name)).toHaveLength(summary.accepted);
    expect(summary.rejected).toBe(0);
    // The batch's events, users' and user-less alike, in one record keyed by the site (one engine correlates a site).
    expect(events.map((r) => [r.key, r.partition])).toEqual([['default', undefined]]);
    const published = publishedEvents(ports.producer, config.topics.events.name);
    expect(new Set(published.map((e) => e.id)).size).toBe(summary.accepted);
    expect(published).toHaveLength(summary.accepted);
  });

  it('takes the <Events>-wrapped ToXml() batches of deploy/windows/Send-OtpTraceEvents.ps1 like bare events', async () => {
    const { post } = await started();
    const bare = (await (await post(scenario('success'))).json()) as object;
    const wrapped = await post(`<Events>\n${scenario('success')}\n</Events>`);
    expect(wrapped.status).toBe(202);
    expect(await wrapped.json()).toEqual(bare);
  });

  it("dead-letters events stamped further in the future than analysis.maxFutureMs after the collector's clock", async () => {
    // The scenario's events are of 2026-11-02; a collector whose clock says 2026-10-01 finds them a month ahead.
    const { ports, post } = await started(4, Date.parse('2026-10-01T00:00:00Z'));
    const summary = (await (await post(scenario('success'))).json()) as { accepted: number; rejected: number };
    expect(summary.accepted).toBe(0);
    expect(summary.rejected).toBeGreaterThan(0);
    const letters = ports.producer.acknowledged.filter((r) => r.topic === config.topics.deadLetter.name);
    expect(letters).toHaveLength(summary.rejected);
  });

  it('refuses without a valid bearer token', async () => {
    const { ports, post } = await started();
    expect((await post(scenario('success'), null)).status).toBe(401);
    expect((await post(scenario('success'), 'wrong-token-0123456789')).status).toBe(401);
    expect(ports.producer.acknowledged).toEqual([]);
  });

  it('refuses a body over the limit with 413', async () => {
    const { ports, post } = await started();
    expect((await post('x'.repeat(200_001))).status).toBe(413);
    expect(ports.producer.acknowledged).toEqual([]);
  });

  it('answers 503 with Retry-After, and acknowledges nothing, while Kafka is unavailable', async () => {
    const { ports, post } = await started();
    ports.producer.unavailable = true;
    const res = await post(scenario('success'));
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '7']);
    expect(collector?.readiness()).toEqual({ ready: false, reasons: ['kafka: last write failed'] });
    ports.producer.unavailable = false;
    expect((await post(scenario('success'))).status).toBe(202);
    expect(collector?.readiness().ready).toBe(true);
  });

  it('answers 429 with Retry-After when the in-flight limit is reached', async () => {
    const { ports, post } = await started();
    let open: () => void = () => {};
    ports.producer.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = post(scenario('success'));
    await new Promise((r) => setTimeout(r, 50));
    const second = await post(scenario('success'));
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '7']);
    open();
    expect((await first).status).toBe(202);
  });

  it('sends an event that fails validation to the dead-letter topic with the reason and the raw text', async () => {
    const { ports, post } = await started();
    const broken = scenario('success').replace(
      /<EventRecordID>\d+<\/EventRecordID>/,
      '<EventRecordID>x</EventRecordID>',
    );
    const res = await post(broken);
    expect(res.status).toBe(202);
    const letters = ports.producer.acknowledged.filter((r) => r.topic === config.topics.deadLetter.name);
    expect(letters).toHaveLength(1);
    const letter = JSON.parse(String(letters[0]?.value));
    expect(letter).toMatchObject({ origin: expect.stringMatching(/^http:/) });
    expect(letter.code).toMatch(/invalid_field|missing_field|malformed_xml/);
    expect(letter.raw).toContain('<EventRecordID>x</EventRecordID>');
  });
});
