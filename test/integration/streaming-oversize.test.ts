import {
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  kafkaConnectionSchema,
  maxValueBytes,
} from '@otptrace/kafka';
import { fitEvidence } from '@otptrace/pipeline';
import type { AttemptRecord } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { eventsOf, offlineAttempts, shiftedCorpus } from '../../packages/core/stream/test/corpus.js';
import { byId, differences, readAttempts } from './pipeline.js';
import { KAFKA_BROKERS, startService, uniqueName } from './setup-kafka.js';

// An operator's attempts topic that takes 8 KiB records, and a CA that logs one denial in a tight loop: that attempt's
// JSON is ~500 KB. The broker refuses it whole; before issue 12 the partition re-read and failed on it forever.
const MAX_MESSAGE_BYTES = 8 * 1024;
const LOOPING = 'ca-denied-template-permission';
const REPEATS = 2_000;

/** Scenarios on one stream, day after day; the CA of the middle one repeats its event 53 (the denial) REPEATS times. */
function files(): Array<[string, Buffer]> {
  return shiftedCorpus(['otp-rejected', 'cancelled', LOOPING, 'probe', 'ca-pending']).map(([name, bytes]) => {
    if (name !== `${LOOPING}/ca.xml`) return [name, bytes];
    const lines = bytes.toString('utf8').split('\n').filter(Boolean);
    const denial = lines.find((l) => l.includes('<EventID>53<')) as string;
    const loop = Array.from({ length: REPEATS }, (_, k) =>
      denial
        .replace(/<EventRecordID>(\d+)</, (_, n: string) => `<EventRecordID>${Number(n) + 1 + k}<`)
        .replace(
          /SystemTime="([^".]+)\.(\d{3})\d*Z"/,
          (_, s: string, ms: string) => `SystemTime="${s}.${ms}${String(k).padStart(4, '0')}Z"`,
        ),
    );
    return [name, Buffer.from(`${[...lines, ...loop].join('\n')}\n`)];
  });
}

describe("streaming: an attempt larger than the attempts topic's max.message.bytes", () => {
  it('is published with its evidence cut to fit, and the partition goes on publishing the attempts after it', async () => {
    const input = files();
    const offline = offlineAttempts(input);
    const looping = offline.find((a) => a.evidence.length > REPEATS) as AttemptRecord;
    expect(Buffer.byteLength(JSON.stringify(looping))).toBeGreaterThan(50 * MAX_MESSAGE_BYTES);
    const expected = byId(
      offline.map((a) => fitEvidence(a, maxValueBytes(MAX_MESSAGE_BYTES, a.user)) as AttemptRecord),
    );
    // Attempts come after it on the same (one) partition.
    expect(offline.filter((a) => a.start > looping.end).length).toBeGreaterThan(2);

    const prefix = uniqueName('oversize');
    const spec = (name: string, configs: Record<string, string> = {}) => ({
      name: `${prefix}.${name}`,
      partitions: 1,
      replicationFactor: 1,
      configs,
    });
    const topics = {
      events: spec('events'),
      attempts: spec('attempts', { 'max.message.bytes': String(MAX_MESSAGE_BYTES) }),
      late: spec('late'),
    };
    const client = createKafkaClient(
      kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'oversize-test' }),
    );
    const admin = createKafkaAdmin(client);
    await admin.connect();
    await admin.ensureTopics(Object.values(topics));
    expect((await admin.maxMessageBytes([topics.attempts.name])).get(topics.attempts.name)).toBe(MAX_MESSAGE_BYTES);
    // The events as the collector publishes them: keyed by site, in event-time order.
    const producer = createRecordProducer(client);
    await producer.connect();
    const events = eventsOf(input).sort((x, y) => x.time - y.time);
    await producer.send(events.map((e) => ({ topic: topics.events.name, key: 'default', value: JSON.stringify(e) })));
    await producer.disconnect();

    const correlator = startService('correlator', {
      OTPTRACE_CORRELATOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
      OTPTRACE_CORRELATOR_GROUP_ID: `${prefix}.correlator`,
      OTPTRACE_CORRELATOR_TOPICS: JSON.stringify(topics),
      OTPTRACE_CORRELATOR_CREATE_TOPICS: 'false',
      OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '2000',
      OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
      OTPTRACE_CORRELATOR_LOG_LEVEL: 'info',
    });
    try {
      const streamed = await readAttempts(
        { brokers: KAFKA_BROKERS, topics: { attempts: topics.attempts.name } },
        expected.length,
        { timeoutMs: 120_000 },
      );
      expect(differences(streamed, expected)).toEqual({ duplicated: [], missing: [], invented: [], differing: [] });
      const cut = streamed.find((a) => a.id === looping.id) as AttemptRecord;
      expect(cut.evidenceOmitted).toBe(looping.evidence.length - cut.evidence.length);
      expect(cut.evidence[0]).toEqual(looping.evidence[0]);
      expect(cut.evidence.at(-1)).toEqual(looping.evidence.at(-1));
      expect(streamed.filter((a) => a.evidenceOmitted !== undefined)).toHaveLength(1);
      // The warning names the attempt and what was left out.
      const warning = correlator
        .output()
        .split('\n')
        .find((l) => l.includes('published with evidence left out'));
      expect(JSON.parse(warning as string)).toMatchObject({
        attempt: looping.id,
        evidenceOmitted: cut.evidenceOmitted,
      });
      expect(correlator.output()).not.toContain('record_too_large');
    } finally {
      correlator.child.kill('SIGTERM');
      expect(await correlator.exited).toBe('0');
      await admin.deleteTopics(Object.values(topics).map((t) => t.name));
      await admin.disconnect();
    }
  });
});
