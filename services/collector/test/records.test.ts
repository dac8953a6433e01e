import { readFileSync } from 'node:fs';
import { recordFits } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor, type IngestItem } from '@otptrace/pipeline';
import { eventRecordSchema, eventsOfRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { collectorConfigSchema } from '../src/config.js';
import { batchRecords, EVENT_RECORD_MAX_BYTES } from '../src/records.js';

const config = collectorConfigSchema.parse({ http: { enabled: false } });
const topics = config.topics;
const nps = readFileSync(new URL('../../../test/scenarios/success/nps.xml', import.meta.url), 'utf8').trim();

/**
 * `count` accepted NPS decisions (distinct record numbers), as the ingestor hands them to the publisher; `policy`
 * characters more in the policy name (kept in the normalised event), `padding` more in the XML alone.
 */
function items(count: number, { policy = 0, padding = 0 } = {}, text?: string): IngestItem[] {
  const xml =
    text ??
    Array.from({ length: count }, (_, i) =>
      nps
        .replace(/<EventRecordID>\d+</, `<EventRecordID>${1000 + i}<`)
        .replace('DirectAccess OTP<', `DirectAccess OTP${'p'.repeat(policy)}<`)
        .replace('</EventData>', `<Data Name="Padding">${'x'.repeat(padding)}</Data></EventData>`),
    ).join('\n');
  const ingestor = new DetectingIngestor(
    createNormalizeContext(config.analysis),
    { maxEventBytes: 4 << 20, keepRaw: true },
    { label: 'test' },
  );
  const out = [...ingestor.push(Buffer.from(xml)), ...ingestor.end()];
  expect(out.every((item) => item.type === 'event')).toBe(true);
  return out;
}

const eventsOf = (values: readonly string[]) =>
  values.flatMap((v) => eventsOfRecordValue(JSON.parse(v)) as NormalizedEvent[]);

describe('records of a batch', () => {
  it('writes the events topic in ASCII, names beyond it as JSON escapes that read back the same', () => {
    const xml = items(3)
      .map((i) => (i.type === 'event' ? i.raw : ''))
      .join('\n')
      .replace(/DirectAccess OTP</g, 'DirectAccess OTP – Zürich ✓ 𝔘<');
    const batch = items(0, {}, xml);
    const out = batchRecords(batch, 'http:test', topics, 'site-a', () => 1 << 20);
    const values = out.records.filter((r) => r.topic === topics.events.name).map((r) => String(r.value));
    expect(values.join('')).toMatch(/^[\x20-\x7e]*$/);
    expect(values.join('')).toContain('\\u00fc');
    expect(eventsOf(values)).toEqual(batch.map((i) => (i.type === 'event' ? i.event : null)));
    expect(JSON.stringify(eventsOf(values))).toContain('Zürich ✓ 𝔘');
    // The raw topic keeps the text as received.
    expect(
      out.records
        .filter((r) => r.topic === topics.raw.name)
        .map((r) => String(r.value))
        .join(''),
    ).toContain('Zürich ✓ 𝔘');
  });

  it("packs a batch's events into few records of the events topic, in order, each a valid event record", () => {
    const batch = items(500);
    const out = batchRecords(batch, 'http:test', topics, 'site-a', () => 1 << 20);
    const records = out.records.filter((r) => r.topic === topics.events.name);
    const values = records.map((r) => String(r.value));
    expect(out.accepted).toBe(500);
    expect(records.length).toBeLessThan(10);
    expect(records.every((r) => r.key === 'site-a' && r.headers?.origin === 'http:test')).toBe(true);
    expect(values.every((v) => Buffer.byteLength(v) <= EVENT_RECORD_MAX_BYTES)).toBe(true);
    expect(values.every((v) => eventRecordSchema.safeParse(JSON.parse(v)).success)).toBe(true);
    expect(eventsOf(values).map((e) => e.id)).toEqual(batch.map((i) => (i.type === 'event' ? i.event.id : '')));
    // The raw XML, packed the same way, gives the same events, in order, when read again (a replay).
    const raws = out.records.filter((r) => r.topic === topics.raw.name);
    expect(raws.length).toBeLessThan(10);
    expect(raws.every((r) => r.key === 'site-a' && Buffer.byteLength(String(r.value)) <= EVENT_RECORD_MAX_BYTES)).toBe(
      true,
    );
    const replayed = items(0, {}, raws.map((r) => String(r.value)).join('\n'));
    expect(replayed.map((i) => (i.type === 'event' ? i.event : null))).toEqual(eventsOf(values));
  });

  it("cuts the records to the topic's max.message.bytes, and dead-letters only an event that fits no record alone", () => {
    const limit = 16 * 1024;
    const limits = (topic: string) => (topic === topics.deadLetter.name ? 1 << 24 : limit);
    // Events of ~2.5 KB; one whose event is over the limit; one whose raw XML alone is.
    const batch = [
      ...items(30, { policy: 2_000 }),
      ...items(1, { policy: 20_000 }),
      ...items(1, { padding: 20_000 }),
      ...items(30, { policy: 2_000 }),
    ];
    const out = batchRecords(batch, 'http:test', topics, 'site-a', limits);
    const records = out.records.filter((r) => r.topic === topics.events.name);
    expect(records.length).toBeGreaterThan(4);
    expect(records.every((r) => recordFits(r, limit))).toBe(true);
    expect([out.accepted, [...out.rejected]]).toEqual([60, [['event_too_large_for_topic', 2]]]);
    const reasons = out.records
      .filter((r) => r.topic === topics.deadLetter.name)
      .map((r) => JSON.parse(String(r.value)).reason);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(
      /^its record for otptrace\.events \(about 2\d{4} bytes\) is over the topic's max\.message/,
    );
    expect(reasons[1]).toMatch(/^its record for otptrace\.raw \(about 2\d{4} bytes\) is over the topic's max\.message/);
    const expected = [...batch.slice(0, 30), ...batch.slice(32)].map((i) => (i.type === 'event' ? i.event.id : ''));
    expect(eventsOf(records.map((r) => String(r.value))).map((e) => e.id)).toEqual(expected);
  });
});
