import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaAdmin, createKafkaClient, kafkaConnectionSchema } from '@otptrace/kafka';
import { computerNameOf } from '@otptrace/model';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import { createPool, listTickets, type Pool, settingsFromEnv } from '@otptrace/postgres';
import { createLogger } from '@otptrace/runtime';
import { type TicketChange, ticketChangeSchema, ticketSinksConfigSchema } from '@otptrace/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../packages/core/stats/test/attempts.js';
import { createTicketSinks } from '../../services/correlator/src/ticket-sinks.js';
import { offlineAttempts, scenarioFiles } from '../../services/correlator/test/ports.js';
import { startSmallPipeline } from './pipeline.js';
import { KAFKA_BROKERS } from './setup-kafka.js';

// The correlator's ticket sinks against the real things: the Kafka broker of deploy/kafka, the machine's PostgreSQL
// (a schema of its own, dropped at the end), a local HTTP receiver that checks the signature, and an NDJSON file.

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;
const SECRET = 'webhook-test-key';
const at = (n: number, ms: number, spec: Partial<Parameters<typeof buildAttempt>[0]> = {}) =>
  buildAttempt({ n, at: ms, outcome: 'failure', ...spec });
/** A CA outage (an incident, resolved by successes), scattered ca_pending on ca02, and a DA server that got no answer. */
const stream = [
  ...Array.from({ length: 8 }, (_, i) => at(i + 1, T0 + i * MIN, { stage: 'ca', cause: 'ca_template_not_available' })),
  // Successes through ca01 once the quiet period (30 min) has passed: the incident resolves.
  ...Array.from({ length: 4 }, (_, i) => at(20 + i, T0 + 40 * MIN + i * 1000, { outcome: 'success' })),
  ...Array.from({ length: 3 }, (_, i) =>
    at(30 + i, T0 + i * 20 * MIN, { stage: 'ca', cause: 'ca_pending', ca: 'ca02.corp.example' }),
  ),
  at(40, T0 + 15 * MIN, { stage: 'radius', cause: 'radius_no_response', radius: null }),
].sort((a, b) => a.end.localeCompare(b.end));
const analyzed = (records: typeof stream): AnalyzedAttempt[] => records.map((record) => ({ record, events: [] }));
const batches = Array.from({ length: Math.ceil(stream.length / 4) }, (_, i) =>
  analyzed(stream.slice(i * 4, i * 4 + 4)),
);

/** An HTTP receiver that authenticates each POST and answers 503 to the first try of every third delivery. */
function receiver() {
  const posts: { delivery: string; change: TicketChange }[] = [];
  const refused = new Set<string>();
  let forged = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      if (req.headers['x-otptrace-signature'] !== expected) {
        forged += 1;
        res.writeHead(401).end();
        return;
      }
      const delivery = String(req.headers['x-otptrace-delivery']);
      if (posts.length % 3 === 0 && !refused.has(delivery)) {
        refused.add(delivery);
        res.writeHead(503).end();
        return;
      }
      posts.push({ delivery, change: ticketChangeSchema.parse(JSON.parse(body)) });
      res.writeHead(204).end();
    });
  });
  return {
    server,
    posts,
    refused,
    forged: () => forged,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`,
  };
}

const hook = receiver();
const dir = mkdtempSync(join(tmpdir(), 'otptrace-ticket-sinks-'));
const schema = `otptrace_tickets_${process.pid}_${Date.now().toString(36)}`;
const topic = `otptrace.tickets.${randomUUID().slice(0, 8)}`;
const connection = kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'ticket-sinks-test' });
const kafka = createKafkaClient(connection);
const logger = createLogger({ name: 'ticket-sinks-test', level: 'silent' });
const env = { ...process.env, OTPTRACE_TICKET_WEBHOOK_SECRET: SECRET };
let pool: Pool;

beforeAll(async () => {
  await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
  pool = createPool({ ...settingsFromEnv(process.env), schema });
});

afterAll(async () => {
  hook.server.close();
  const admin = createKafkaAdmin(kafka);
  await admin.connect();
  await admin.deleteTopics([topic]).catch(() => {});
  await admin.disconnect();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

/** Every record of the topic, read from the beginning until `count` arrived. */
async function topicRecords(count: number): Promise<{ key: string; change: TicketChange }[]> {
  const consumer = kafka.raw.consumer({ groupId: `ticket-sinks-check-${randomUUID()}` });
  const records: { key: string; change: TicketChange }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: message.key!.toString(),
          change: ticketChangeSchema.parse(JSON.parse(message.value!.toString())),
        });
        if (records.length >= count) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  // Anything beyond `count` would be a duplicate: give it a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await consumer.disconnect();
  return records;
}

describe('ticket sinks from configuration, against the real things', () => {
  const config = ticketSinksConfigSchema.parse({
    postgres: { enabled: true, schema },
    kafka: { topic },
    webhook: { url: 'http://placeholder.invalid/', baseDelayMs: 10, maxDelayMs: 50 },
    ndjson: { path: join(dir, 'tickets.ndjson') },
  });
  const make = () =>
    createTicketSinks({ ...config, webhook: { ...config.webhook, url: hook.url() } }, { logger, env, kafka });
  const delivered: TicketChange[] = [];

  it('delivers every ticket change to PostgreSQL, Kafka, the webhook and the file, once per revision', async () => {
    const sink = make()!;
    for (const batch of batches) await sink.write(batch);
    await sink.close?.();
    // The webhook: each ticket once per revision, signed (no forgery accepted), after retries of the refused tries.
    expect(hook.forged()).toBe(0);
    expect(hook.refused.size).toBeGreaterThan(0);
    const ids = hook.posts.map((p) => p.delivery);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(hook.posts.map((p) => `${p.change.ticket.key}:${p.change.ticket.revision}`));
    delivered.push(...hook.posts.map((p) => p.change));
    // Three tickets: the CA incident (resolved by the successes), scattered ca_pending on ca02, da01's silence.
    const finals = new Map(delivered.map((c) => [c.ticket.key, c.ticket]));
    expect([...finals.values()].map((t) => [t.code, t.scope.label, t.pattern, t.status]).sort()).toEqual([
      ['ca_pending', 'ca:ca02', 'scattered', 'open'],
      ['ca_template_not_available', 'ca:ca01', 'incident', 'resolved'],
      ['radius_no_response', 'gateway:da01', 'scattered', 'open'],
    ]);
    // The same changes in the file, in the same order; on the topic, keyed by ticket key, in order within each key.
    const lines = readFileSync(config.ndjson.path!, 'utf8').trim().split('\n');
    expect(lines.map((l) => ticketChangeSchema.parse(JSON.parse(l)))).toEqual(delivered);
    const records = await topicRecords(delivered.length);
    const byKey = (changes: TicketChange[]) =>
      [...changes].sort((a, b) => a.ticket.key.localeCompare(b.ticket.key) || a.ticket.revision - b.ticket.revision);
    expect(byKey(records.map((r) => r.change))).toEqual(byKey(delivered));
    for (const key of new Set(delivered.map((c) => c.ticket.key))) {
      const revisions = records.filter((r) => r.key === key).map((r) => r.change.ticket.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }
    expect(records.every((r) => r.key === r.change.ticket.key)).toBe(true);
    // PostgreSQL holds each ticket's latest revision.
    const rows = await listTickets(pool);
    expect(rows.map((t) => [t.key, t.revision]).sort()).toEqual(
      [...finals.values()].map((t) => [t.key, t.revision]).sort(),
    );
  });

  it('a replay of the same stream, by a restarted correlator, sends nothing new anywhere', async () => {
    const posts = hook.posts.length;
    const lines = readFileSync(config.ndjson.path!, 'utf8');
    const sink = make()!;
    for (const batch of batches) await sink.write(batch);
    await sink.write(analyzed([...stream].reverse()));
    await sink.close?.();
    expect(hook.posts.length).toBe(posts);
    expect(readFileSync(config.ndjson.path!, 'utf8')).toBe(lines);
    expect(await topicRecords(delivered.length)).toHaveLength(delivered.length);
  });

  it('reads a state an earlier version saved whole (one row, its remembered IDs inside), and a replay sends nothing', async () => {
    const name = config.postgres.stateName;
    const row = async (n: string) =>
      (await pool.query('SELECT state FROM ticket_engine_state WHERE name = $1', [n])).rows[0]?.state;
    const engine = await row(name);
    const delivery = await row(`${name}/delivery`);
    expect(engine.seen).toEqual({});
    expect(Object.keys(delivery).sort()).toEqual(['delivered', 'outbox']);
    const seen = (await pool.query('SELECT attempt_id, end_ms FROM ticket_seen WHERE name = $1', [name])).rows;
    expect(seen.length).toBe(stream.length);
    // As it was saved before the remembered IDs and the delivery had rows of their own.
    const whole = {
      engine: { ...engine, seen: Object.fromEntries(seen.map((r) => [r.attempt_id, Number(r.end_ms)])) },
    };
    await pool.query('UPDATE ticket_engine_state SET state = $2::jsonb WHERE name = $1', [
      name,
      JSON.stringify({ ...whole, ...delivery }),
    ]);
    await pool.query('DELETE FROM ticket_engine_state WHERE name = $1', [`${name}/delivery`]);
    await pool.query('DELETE FROM ticket_seen WHERE name = $1', [name]);
    const posts = hook.posts.length;
    const sink = make()!;
    for (const batch of batches) await sink.write(batch);
    await sink.close?.();
    expect(hook.posts.length).toBe(posts);
    // Saved again in the present form.
    expect(await row(name)).toEqual(engine);
    expect(await row(`${name}/delivery`)).toEqual(delivery);
    const after = await pool.query('SELECT count(*) AS n FROM ticket_seen WHERE name = $1', [name]);
    expect(Number(after.rows[0].n)).toBe(stream.length);
  });

  it('without PostgreSQL, a state file carries the engine and the ledger over a restart', async () => {
    const path = join(dir, 'only-file.ndjson');
    const fileConfig = ticketSinksConfigSchema.parse({ stateFile: join(dir, 'state.json'), ndjson: { path } });
    const first = createTicketSinks(fileConfig, { logger, env })!;
    for (const batch of batches.slice(0, 2)) await first.write(batch);
    const second = createTicketSinks(fileConfig, { logger, env })!;
    for (const batch of batches) await second.write(batch);
    const changes = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => ticketChangeSchema.parse(JSON.parse(l)));
    expect(changes).toEqual(delivered);
  });

  // The attempt goes out once the later scenario moves the site's watermark past it, on its own: with the successes
  // of the idle flush in the same ticket step, its ticket would open and resolve at once (`opened`, then `resolved`).
  it('the correlator delivers the tickets of a streamed scenario to the configured sinks', async () => {
    // test/scenarios/ca-pending: the CA left the request pending (manager approval on the template).
    const files = scenarioFiles('ca-pending');
    const [failed] = offlineAttempts(files).filter((a) => a.rootCause?.code === 'ca_pending');
    expect(failed).toBeDefined();
    const path = join(dir, 'correlator.ndjson');
    const posts = hook.posts.length;
    const pipeline = await startSmallPipeline('tickets', {
      OTPTRACE_CORRELATOR_TICKETS__NDJSON__PATH: path,
      OTPTRACE_CORRELATOR_TICKETS__STATE_FILE: join(dir, 'correlator-state.json'),
      OTPTRACE_CORRELATOR_TICKETS__WEBHOOK__URL: hook.url(),
      OTPTRACE_TICKET_WEBHOOK_SECRET: SECRET,
    });
    try {
      await pipeline.post(files);
      // Events of two hours later move the event-time watermark past the attempt, which then closes whatever the
      // end-of-input flush does.
      await pipeline.post(scenarioFiles('issued-but-unusable'));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && hook.posts.length === posts) await new Promise((r) => setTimeout(r, 500));
    } finally {
      await pipeline.stop();
    }
    const received = hook.posts
      .slice(posts)
      .map((p) => p.change)
      .filter((c) => c.ticket.code === 'ca_pending');
    expect(received.map((c) => [c.change, c.ticket.code, c.ticket.scope.label, c.ticket.pattern])).toEqual([
      ['opened', 'ca_pending', `ca:${computerNameOf(failed!.hosts.ca!)}`, 'scattered'],
    ]);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const written = lines.map((l) => ticketChangeSchema.parse(JSON.parse(l)));
    expect(written.filter((c) => c.ticket.code === 'ca_pending')).toEqual(received);
  });
});
