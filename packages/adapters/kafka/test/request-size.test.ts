import { describe, expect, it } from 'vitest';
import {
  groupWithin,
  maxValueBytes,
  type OutgoingRecord,
  recordBytes,
  recordFits,
  splitIntoRequests,
  valueRoom,
} from '../src/index.js';

const record = (topic: string, bytes: number, key = 'k'): OutgoingRecord => ({
  topic,
  key,
  value: 'v'.repeat(bytes),
  headers: { origin: 'http:test' },
});

describe('produce requests cut to the topics’ max.message.bytes', () => {
  it('keeps every topic’s share of each request under its limit, in order, with nothing lost', () => {
    const limits: Record<string, number> = { events: 10_000, raw: 50_000 };
    const records = Array.from({ length: 200 }, (_, i) => record(i % 3 === 0 ? 'raw' : 'events', 300 + (i % 7) * 100));
    const requests = splitIntoRequests(records, (t) => limits[t] as number);
    expect(requests.flat()).toEqual(records);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      for (const topic of ['events', 'raw']) {
        const bytes = request.filter((r) => r.topic === topic).reduce((sum, r) => sum + recordBytes(r), 0);
        expect(bytes + 128).toBeLessThanOrEqual(limits[topic] as number);
      }
    }
  });

  it('maxValueBytes: the largest value, in UTF-8 bytes, that fits alone with its key in a topic', () => {
    for (const [limit, key] of [
      [8_192, 'corp\\alice'],
      [1_048_588, 'björn@corp.example.com'],
    ] as const) {
      const budget = maxValueBytes(limit, key);
      const value = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2)) + 'v'.repeat(bytes % 2);
      expect(Buffer.byteLength(value(budget))).toBe(budget);
      expect(recordFits({ topic: 't', key, value: value(budget) }, limit)).toBe(true);
      expect(recordFits({ topic: 't', key, value: value(budget + 1) }, limit)).toBe(false);
      expect(() => splitIntoRequests([{ topic: 't', key, value: value(budget) }], () => limit)).not.toThrow();
    }
  });

  it('counts key, value and headers in UTF-8 bytes', () => {
    expect(recordBytes({ topic: 't', key: 'é', value: '€', headers: { a: 'b' } })).toBe(40 + 2 + 3 + 8 + 2);
    expect(recordFits(record('t', 1_000), 1_200)).toBe(true);
    expect(recordFits(record('t', 1_100), 1_200)).toBe(false);
  });

  it('refuses, before sending anything, a record that fits no request alone (non-retriable record_too_large)', () => {
    expect(() => splitIntoRequests([record('t', 10), record('t', 2_000)], () => 1_000)).toThrow(
      expect.objectContaining({ code: 'record_too_large', retriable: false }),
    );
  });
});

describe('payloads grouped into records', () => {
  it('cuts texts, in order, into as few groups as stay within the bytes once joined; one too large goes alone', () => {
    const texts = ['aaaa', 'é'.repeat(3), 'bb', 'x'.repeat(20), 'c', 'dd'];
    // Joined as a JSON array: brackets (2) and one comma between two texts.
    const groups = groupWithin(texts, 14, 2);
    expect(groups.flat()).toEqual(texts);
    expect(groups).toEqual([['aaaa', 'ééé'], ['bb'], ['x'.repeat(20)], ['c', 'dd']]);
    for (const group of groups.filter((g) => g.length > 1))
      expect(Buffer.byteLength(`[${group.join(',')}]`)).toBeLessThanOrEqual(14);
    // Exactly at the limit: `[aaaa,bb]` is 9 bytes.
    expect(groupWithin(['aaaa', 'bb'], 9, 2)).toEqual([['aaaa', 'bb']]);
    expect(groupWithin(['aaaa', 'bb'], 8, 2)).toEqual([['aaaa'], ['bb']]);
    expect(groupWithin([], 100, 0)).toEqual([]);
  });

  it('leaves a record of the largest group value within its topic when the room is what valueRoom gives', () => {
    const base = record('t', 0);
    const room = valueRoom(base, 1_000);
    const texts = Array.from({ length: 100 }, (_, i) => `line ${i} ${'z'.repeat(i % 17)}`);
    for (const group of groupWithin(texts, room, 0))
      expect(recordFits({ ...base, value: group.join('\n') }, 1_000)).toBe(true);
  });
});
