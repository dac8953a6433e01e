import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { type ConsumedRecord, createGroupConsumer, createKafkaClient, kafkaConnectionSchema } from '@otptrace/kafka';
import { eventsOfRecordValue } from '@otptrace/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KAFKA_BROKERS,
  kafkaScript,
  loggedLine,
  type ServiceProcess,
  startService,
  uniqueName,
} from './setup-kafka.js';

// The collector process, as an operator runs it, against the real broker, under hostile and heavy senders
// (issue 17). One collector for the file; each test its own batches (EventRecordIDs are unique per test).
const NOISY = 'noisy-sender-token-0123456789abcdef';
const QUIET = 'quiet-sender-token-0123456789abcdef';
const MiB = 1024 * 1024;
const BODY_LIMIT = 40 * MiB;
const BUDGET = 160 * MiB;

// test/scenarios/success: one attempt on client01, da01 (IIS), nps01 and ca01: 5 events.
const scenarioFile = (f: string) => readFileSync(new URL(`../scenarios/success/${f}.xml`, import.meta.url), 'utf8');
const scenario = ['client', 'iis', 'nps', 'ca'].map(scenarioFile).join('\n');
const nps = scenarioFile('nps').trim();
let nextRecordId = 1_000_000;
/** `count` NPS 6272 events (1.8 KB each) with EventRecordIDs no other batch of this run has. */
function npsBatch(count: number): { body: string; ids: string[] } {
  const ids: string[] = [];
  const events: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = String(nextRecordId++);
    ids.push(id);
    events.push(nps.replace(/<EventRecordID>\d+</, `<EventRecordID>${id}<`));
  }
  return { body: `<Events>\n${events.join('\n')}\n</Events>`, ids };
}

let collector: ServiceProcess;
let port = 0;
const topics = { events: '', raw: '', dl: '' };

function rssBytes(): number {
  const status = readFileSync(`/proc/${collector.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

async function post(body: string | Buffer, headers: Record<string, string> = {}, token = NOISY) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Every committed record of a topic (read_committed), once `until` holds or `ms` passed. */
async function readTopic(
  topic: string,
  until: (records: ConsumedRecord[]) => boolean,
  ms = 60_000,
): Promise<ConsumedRecord[]> {
  const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'load-test' }));
  const consumer = createGroupConsumer(client, {
    groupId: uniqueName('load-read'),
    topics: [topic],
    fromBeginning: true,
  });
  const records: ConsumedRecord[] = [];
  await consumer.start({ onAssigned: () => {}, onBatch: async (batch) => void records.push(...batch.records) });
  const deadline = Date.now() + ms;
  while (!until(records) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  // A little longer: a duplicate would arrive right behind.
  await new Promise((r) => setTimeout(r, 1_000));
  await consumer.stop();
  return records;
}

/** The record numbers of the events a record of the events topic holds (a batch's events, in order). */
const recordIdsOf = (r: ConsumedRecord) =>
  (eventsOfRecordValue(JSON.parse(String(r.value))) as { ref: { recordId: string | number } }[]).map((e) =>
    String(e.ref.recordId),
  );
const idsOf = (records: readonly ConsumedRecord[]) => records.flatMap(recordIdsOf);

beforeAll(async () => {
  const prefix = uniqueName('load');
  Object.assign(topics, { events: `${prefix}.events`, raw: `${prefix}.raw`, dl: `${prefix}.dl` });
  const spec = (name: string, maxMessageBytes: number) => ({
    name,
    partitions: 1,
    replicationFactor: 1,
    configs: { 'max.message.bytes': String(maxMessageBytes) },
  });
  collector = startService('collector', {
    OTPTRACE_COLLECTOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_COLLECTOR_KAFKA__SEND_TIMEOUT_MS: '10000',
    OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({
      events: spec(topics.events, MiB),
      raw: spec(topics.raw, MiB),
      deadLetter: spec(topics.dl, 16 * MiB),
    }),
    OTPTRACE_COLLECTOR_TRANSACTIONAL_ID_PREFIX: prefix,
    OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
    OTPTRACE_COLLECTOR_HTTP__PORT: '0',
    OTPTRACE_COLLECTOR_HTTP__TOKENS: JSON.stringify([NOISY, QUIET]),
    OTPTRACE_COLLECTOR_HTTP__BODY_LIMIT_BYTES: String(BODY_LIMIT),
    OTPTRACE_COLLECTOR_HTTP__MEMORY_BUDGET_BYTES: String(BUDGET),
    OTPTRACE_COLLECTOR_HTTP__RETRY_AFTER_SECONDS: '1',
    OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
    OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(10 * 365 * 86_400_000),
    OTPTRACE_COLLECTOR_LOG_LEVEL: 'info',
  });
  port = (await loggedLine(collector, 'accepting EVTX-XML batches')).port as number;
}, 120_000);

afterAll(async () => {
  collector?.child.kill('SIGTERM');
  await collector?.exited;
  mkdirSync(new URL('../../test-output', import.meta.url), { recursive: true });
  writeFileSync(new URL('../../test-output/collector-load.log', import.meta.url), collector?.output() ?? '');
});

describe('batches of any allowed size land', () => {
  it('takes 2,000- and 20,000-event batches (3.7 and 37 MB) with 202, every event once on the topic', async () => {
    const small = npsBatch(2_000);
    const large = npsBatch(20_000);
    expect(Buffer.byteLength(large.body)).toBeLessThan(BODY_LIMIT);
    const first = await post(small.body);
    expect([first.status, first.body]).toEqual([202, { accepted: 2_000, ignored: 0, rejected: 0 }]);
    const second = await post(gzipSync(large.body), { 'content-encoding': 'gzip' });
    expect([second.status, second.body]).toEqual([202, { accepted: 20_000, ignored: 0, rejected: 0 }]);
    const wanted = new Set([...small.ids, ...large.ids]);
    const records = await readTopic(topics.events, (rs) => idsOf(rs).length >= wanted.size);
    const ids = idsOf(records).filter((id) => wanted.has(id));
    expect(ids.length).toBe(wanted.size);
    expect(new Set(ids).size).toBe(wanted.size);
  });

  it('dead-letters a 1.5 MB event as event_too_large_for_topic, with its text, while the rest of its batch lands', async () => {
    const batch = npsBatch(50);
    const bigId = String(nextRecordId++);
    const big = nps
      .replace(/<EventRecordID>\d+</, `<EventRecordID>${bigId}<`)
      .replace('</EventData>', `<Data Name="Padding">${'p'.repeat(1_500_000)}</Data></EventData>`);
    const answer = await post(`${batch.body}\n${big}`);
    expect([answer.status, answer.body]).toEqual([202, { accepted: 50, ignored: 0, rejected: 1 }]);
    const letters = await readTopic(topics.dl, (rs) => rs.some((r) => String(r.value).includes(bigId)));
    const letter = letters.map((r) => JSON.parse(String(r.value))).find((l) => String(l.raw).includes(bigId));
    expect(letter).toMatchObject({ code: 'event_too_large_for_topic', origin: 'http:token-1' });
    expect(letter.raw.length).toBe(big.length);
    const events = await readTopic(topics.events, (rs) => idsOf(rs).includes(batch.ids[49] as string));
    const landed = idsOf(events).filter((id) => batch.ids.includes(id));
    expect(new Set(landed).size).toBe(50);
    expect(idsOf(events)).not.toContain(bigId);
  });
});

describe('hostile senders', () => {
  it('answers 401 to a 200 MB upload and closes the connection within a second, the body unread', async () => {
    const size = 200 * MiB;
    const started = Date.now();
    const outcome = await new Promise<{ response: string; sent: number }>((resolve) => {
      const piece = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      let response = '';
      let closed = false;
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /v1/events HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`);
        const pump = () => {
          while (!closed && sent < size) {
            sent += piece.length;
            if (!socket.write(piece)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
      socket.on('data', (c) => {
        response += String(c);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        closed = true;
        resolve({ response, sent });
      });
    });
    expect(outcome.response).toMatch(/^HTTP\/1\.1 401/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(outcome.sent).toBeLessThan(size / 4);
  });

  it('40 concurrent 15 MiB bodies from one token: RSS growth bounded by the budget, the other sender served', async () => {
    // Real events, so that what an admitted body holds (parsed events, raw text) is the most it can be.
    const body = Buffer.from(npsBatch(8_200).body.slice(0, 15 * MiB));
    const before = rssBytes();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes());
    }, 50);
    const answers: string[] = [];
    const sockets: Socket[] = [];
    // Each connection declares 15 MiB and sends 14 of them in 1 MiB pieces every 100 ms, then stalls.
    for (let i = 0; i < 40; i++) {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${NOISY}\r\ncontent-length: ${body.length}\r\n\r\n`,
        );
        let offset = 0;
        const timer = setInterval(() => {
          if (offset >= 14 * MiB || socket.destroyed) return clearInterval(timer);
          socket.write(body.subarray(offset, offset + MiB));
          offset += MiB;
        }, 100);
      });
      socket.on('data', (c) => answers.push(String(c).slice(9, 12)));
      socket.on('error', () => {});
      sockets.push(socket);
    }
    await new Promise((r) => setTimeout(r, 500));
    const quiet = await post(scenario, {}, QUIET);
    await new Promise((r) => setTimeout(r, 2_500)).finally(() => clearInterval(sampler));
    const refused = answers.filter((s) => s === '429').length;
    const closedByServer = sockets.filter((s) => s.destroyed || s.readableEnded).length;
    for (const socket of sockets) socket.destroy();
    console.log(
      `memory attack: RSS ${Math.round(before / MiB)} -> peak ${Math.round(peak / MiB)} MiB (budget ${BUDGET / MiB} MiB); ${refused} of 40 refused`,
    );
    expect(quiet.status).toBe(202);
    // Alone, the sender may hold half the budget (80 MiB): 2 bodies of 15 MiB, each counted twice; the 38 others are
    // refused and closed.
    expect(refused).toBe(38);
    expect(closedByServer).toBe(38);
    expect(answers.filter((s) => s !== '429')).toEqual([]);
    expect(peak - before).toBeLessThan(BUDGET);
  });

  it('gives a quiet sender its share while a noisy one floods the collector', async () => {
    const noisyBatch = npsBatch(500).body;
    const noisy = { accepted: 0, refused: 0 };
    let quietDone = false;
    // Eight connections of the noisy sender post as fast as they are answered, until the quiet sender is done.
    const flood = Array.from({ length: 8 }, async () => {
      while (!quietDone) {
        const answer = await post(noisyBatch);
        if (answer.status === 202) noisy.accepted++;
        else noisy.refused++;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const quiet: number[] = [];
    for (let i = 0; i < 8; i++) quiet.push((await post(npsBatch(20).body, {}, QUIET)).status);
    quietDone = true;
    await Promise.all(flood);
    console.log(`fair share: noisy ${noisy.accepted} accepted, ${noisy.refused} refused; quiet ${quiet.join(' ')}`);
    expect(noisy.refused).toBeGreaterThan(0);
    expect(quiet).toEqual(Array(8).fill(202));
  });

  it('takes gzip and deflate; refuses a gzip bomb with 413 within its budget, and brotli with 415', async () => {
    for (const [coding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const) {
      const answer = await post(encode(npsBatch(10).body), { 'content-encoding': coding });
      expect([coding, answer.status, answer.body]).toEqual([coding, 202, { accepted: 10, ignored: 0, rejected: 0 }]);
    }
    const bomb = gzipSync(Buffer.alloc(256 * MiB, ' ')); // 256 MiB of spaces in about 250 KB
    const before = rssBytes();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes());
    }, 20);
    const answer = await post(bomb, { 'content-encoding': 'gzip' }).finally(() => clearInterval(sampler));
    expect(answer.status).toBe(413);
    expect(peak - before).toBeLessThan(BODY_LIMIT);
    expect((await post(brotliCompressSync(scenario), { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('rejects NUL inside a value (literal or &#0;) as forbidden_character and takes the rest', async () => {
    const [literal, referenced, clean] = npsBatch(3).body.split('\n').slice(1, 4) as [string, string, string];
    const body = [
      literal.replace('CORP\\alice', 'CORP\\al\u0000ice'),
      referenced.replace('CORP\\alice', 'CORP\\al&#0;ice'),
      clean,
    ];
    const answer = await post(body.join('\n'));
    expect([answer.status, answer.body]).toEqual([202, { accepted: 1, ignored: 0, rejected: 2 }]);
    const isNul = (r: ConsumedRecord) => String(r.value).includes('"code":"forbidden_character"');
    const letters = await readTopic(topics.dl, (rs) => rs.filter(isNul).length >= 2);
    expect(letters.filter(isNul)).toHaveLength(2);
  });
});

/** The broker's process id, from the pid file of deploy/kafka/kafka.sh. */
function brokerPid(): number {
  const home = process.env.OTPTRACE_KAFKA_HOME ?? new URL('../../.kafka', import.meta.url).pathname;
  return Number(readFileSync(`${home}/kafka.pid`, 'utf8').trim());
}

describe('exactly once from sender to topic', () => {
  it('a batch answered 503 while the broker is frozen past the deadline is never written once it thaws', async () => {
    const batch = npsBatch(2_000);
    const pid = brokerPid();
    process.kill(pid, 'SIGSTOP');
    let refused: Awaited<ReturnType<typeof post>>;
    try {
      refused = await post(batch.body);
    } finally {
      // Thaw right after the deadline: whatever the collector had sent is now processed by the broker.
      process.kill(pid, 'SIGCONT');
    }
    expect(refused.status).toBe(503);
    let status = 0;
    for (let attempt = 0; attempt < 60 && status !== 202; attempt++) {
      status = (await post(batch.body)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(status).toBe(202);
    const wanted = new Set(batch.ids);
    const records = await readTopic(topics.events, (rs) => idsOf(rs).filter((id) => wanted.has(id)).length >= 2_000);
    const ids = idsOf(records).filter((id) => wanted.has(id));
    expect(ids.length).toBe(2_000);
    expect(new Set(ids).size).toBe(2_000);
  });

  it('a batch answered 503 while the broker restarts is never written; its re-post lands each event once', async () => {
    const batch = npsBatch(2_000);
    await kafkaScript('stop');
    try {
      const refused = await post(batch.body);
      expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    } finally {
      await kafkaScript('start');
    }
    // The forwarder's loop: post again after Retry-After until 202.
    let status = 0;
    for (let attempt = 0; attempt < 60 && status !== 202; attempt++) {
      status = (await post(batch.body)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(status).toBe(202);
    const wanted = new Set(batch.ids);
    const records = await readTopic(topics.events, (rs) => idsOf(rs).filter((id) => wanted.has(id)).length >= 2_000);
    const ids = idsOf(records).filter((id) => wanted.has(id));
    expect(ids.length).toBe(2_000);
    expect(new Set(ids).size).toBe(2_000);
  });
});
