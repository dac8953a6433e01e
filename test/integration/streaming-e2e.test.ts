import { type Collector, collectorConfigSchema, createCollector } from '@otptrace/collector';
import {
  type ConsumedRecord,
  createGroupConsumer,
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  type KafkaClient,
  kafkaConnectionSchema,
} from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import type { AttemptRecord } from '@otptrace/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineAttempts, shiftedCorpus, verdicts } from '../../services/correlator/test/ports.js';
import { KAFKA_BROKERS, type ServiceProcess, startService, uniqueName } from './setup-kafka.js';

// The whole scenario corpus (test/scenarios), each scenario on its own day, as one stream of logons.
const corpus = shiftedCorpus();
const offline = offlineAttempts(corpus);
const TOKEN = 'integration-token-0123456789';
const connection = kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'e2e-test', sendTimeoutMs: 15_000 });

/**
 * Topic names and settings of one isolated pipeline (its own prefix). A prefix ending in "-p4" spreads the events
 * over four partitions (correlation shared by the group's members); otherwise one, the exact default.
 */
function pipelineTopics(prefix: string) {
  const spec = (name: string, partitions: number) => ({ name: `${prefix}.${name}`, partitions, replicationFactor: 1 });
  return {
    events: spec('events', prefix.endsWith('-p4') ? 4 : 1),
    raw: spec('raw', 2),
    deadLetter: spec('dead-letter', 1),
    attempts: spec('attempts', 2),
    late: spec('late', 1),
    userless: spec('userless', 3),
  };
}

/** Environment of a correlator process on these topics. */
function correlatorEnv(prefix: string): Record<string, string> {
  const t = pipelineTopics(prefix);
  return {
    OTPTRACE_CORRELATOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_CORRELATOR_GROUP_ID: prefix,
    OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
      events: t.events,
      attempts: t.attempts,
      late: t.late,
      userless: t.userless,
    }),
    OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '2000',
    // A killed member is noticed after this long; the default (30 s) only makes the test slower.
    OTPTRACE_CORRELATOR_SESSION_TIMEOUT_MS: '8000',
    OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
    OTPTRACE_CORRELATOR_LOG_LEVEL: 'warn',
  };
}

async function startCollector(client: KafkaClient, prefix: string): Promise<Collector> {
  const t = pipelineTopics(prefix);
  const admin = createKafkaAdmin(client);
  await admin.connect();
  // Every topic of the pipeline exists before anything reads it (each service would create its own at start-up).
  await admin.ensureTopics(Object.values(t).map((spec) => ({ ...spec, configs: {} })));
  const collector = createCollector(
    collectorConfigSchema.parse({
      kafka: connection,
      topics: { events: t.events, raw: t.raw, deadLetter: t.deadLetter },
      http: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
      // The scenarios carry fixed dates; this test is about streaming, not about the collector's clock.
      analysis: { maxFutureMs: 10 * 365 * 86_400_000 },
    }),
    {
      producer: createRecordProducer(client),
      admin,
      logger: createLogger({ name: 'collector', level: 'warn' }),
      metrics: createMetrics(),
    },
  );
  await collector.start();
  return collector;
}

async function postAll(collector: Collector, files: Array<[string, Buffer]>): Promise<void> {
  for (const [, body] of files) {
    const res = await fetch(`http://127.0.0.1:${collector.httpPort()}/v1/events`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(202);
  }
}

/** Reads the attempts topic from the beginning until `done` says so (or the time runs out). */
async function readAttempts(
  client: KafkaClient,
  topic: string,
  done: (byId: Map<string, AttemptRecord[]>) => boolean,
  // Generous: the wait ends as soon as every attempt is out; a slow, loaded machine only makes it longer.
  timeoutMs = 240_000,
): Promise<Map<string, AttemptRecord[]>> {
  const byId = new Map<string, AttemptRecord[]>();
  const consumer = createGroupConsumer(client, { groupId: uniqueName('reader'), topics: [topic], fromBeginning: true });
  const take = (records: ConsumedRecord[]) => {
    for (const r of records) {
      const a = JSON.parse(String(r.value)) as AttemptRecord;
      byId.set(a.id, [...(byId.get(a.id) ?? []), a]);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), timeoutMs);
      consumer
        .start({
          onAssigned: () => {},
          onBatch: async (batch) => {
            take(batch.records);
            if (done(byId)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.stop();
  }
  return byId;
}

/** The verdicts the stream gave, one per attempt id; every copy of an attempt must carry the same verdict. */
function streamedVerdicts(byId: Map<string, AttemptRecord[]>) {
  for (const copies of byId.values())
    for (const copy of copies) expect(verdicts([copy])).toEqual(verdicts([copies[0]!]));
  return verdicts([...byId.values()].map((copies) => copies[0]!));
}

/**
 * Compares with the offline analysis: same ids, trace IDs, verdicts and evidence. With several partitions an IIS
 * request that overlapped two users' attempts is joined by each user's partition instead of being marked ambiguous
 * (services/correlator/README.md, "Known limits"): only those attempts may differ, and only in their evidence.
 */
function expectSameAsOffline(byId: Map<string, AttemptRecord[]>, prefix: string): void {
  const streamed = streamedVerdicts(byId);
  const expected = verdicts(offline);
  if (!prefix.endsWith('-p4')) return void expect(streamed).toEqual(expected);
  const core = (v: ReturnType<typeof verdicts>) => v.map(({ evidence, gatewayAmbiguous, ...rest }) => rest);
  expect(core(streamed)).toEqual(core(expected));
  const ambiguousOffline = new Set(expected.filter((v) => v.gatewayAmbiguous).map((v) => v.id));
  expect(streamed.filter((v) => !ambiguousOffline.has(v.id))).toEqual(
    expected.filter((v) => !ambiguousOffline.has(v.id)),
  );
}

const allOut = (byId: Map<string, AttemptRecord[]>) => offline.every((a) => byId.has(a.id));

let client: KafkaClient;
const processes: ServiceProcess[] = [];
beforeAll(() => {
  client = createKafkaClient(connection);
});
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
});

describe('streaming pipeline against the real broker', () => {
  it('the scenario corpus posted over HTTP gives the same attempts and trace IDs as `otptrace analyze`', async () => {
    expect(offline.length).toBeGreaterThan(25);
    const prefix = uniqueName('e2e');
    const collector = await startCollector(client, prefix);
    const correlator = startService('correlator', correlatorEnv(prefix));
    processes.push(correlator);
    try {
      await postAll(collector, corpus);
      const byId = await readAttempts(client, pipelineTopics(prefix).attempts.name, allOut);
      expectSameAsOffline(byId, prefix);
      expect(byId.size).toBe(offline.length);
    } finally {
      correlator.child.kill('SIGTERM');
      expect(await correlator.exited).toBe('0');
      await collector.stop();
    }
  });

  it('a correlator killed with SIGKILL mid-stream, then restarted, emits every attempt (4 partitions too)', async () => {
    await killAndRestart(uniqueName('kill'));
    await killAndRestart(`${uniqueName('kill')}-p4`);
  });
});

async function killAndRestart(prefix: string): Promise<void> {
  const collector = await startCollector(client, prefix);
  const first = startService('correlator', correlatorEnv(prefix));
  processes.push(first);
  const half = Math.floor(corpus.length / 2);
  try {
    await postAll(collector, corpus.slice(0, half));
    // Wait until the first correlator has emitted something, then kill it without any chance to clean up.
    const before = await readAttempts(client, pipelineTopics(prefix).attempts.name, (byId) => byId.size >= 3);
    first.child.kill('SIGKILL');
    // Mid-stream: attempts of the half already posted were still open in the killed process.
    expect(before.size).toBeLessThan(offlineAttempts(corpus.slice(0, half)).length);
    expect(await first.exited).toBe('SIGKILL');
    await postAll(collector, corpus.slice(half));
    const second = startService('correlator', correlatorEnv(prefix));
    processes.push(second);
    const byId = await readAttempts(client, pipelineTopics(prefix).attempts.name, allOut);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe('0');
    expectSameAsOffline(byId, prefix);
  } finally {
    await collector.stop();
  }
}

describe('streaming pipeline against the real broker, several correlators', () => {
  it('two correlators in one group give the same attempts as one, and stopping one mid-stream loses nothing', async () => {
    // Four partitions, so that both members correlate (the scenario corpus has no client shared between users).
    const prefix = `${uniqueName('pair')}-p4`;
    const collector = await startCollector(client, prefix);
    const a = startService('correlator', correlatorEnv(prefix));
    const b = startService('correlator', correlatorEnv(prefix));
    processes.push(a, b);
    const half = Math.floor(corpus.length / 2);
    try {
      await postAll(collector, corpus.slice(0, half));
      await readAttempts(client, pipelineTopics(prefix).attempts.name, (byId) => byId.size >= 3);
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe('0');
      await postAll(collector, corpus.slice(half));
      const byId = await readAttempts(client, pipelineTopics(prefix).attempts.name, allOut);
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe('0');
      expectSameAsOffline(byId, prefix);
    } finally {
      await collector.stop();
    }
  });
});
