import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TicketChange } from '@otptrace/schemas';
import { ticketChangeSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../../stats/test/attempts.js';
import { processAttempts } from '../../src/engine.js';
import { createKafkaTicketSink } from '../../src/sinks/kafka.js';
import { createNdjsonTicketSink } from '../../src/sinks/ndjson.js';
import { createWebhookTicketSink, type DeadLetter, type WebhookPorts } from '../../src/sinks/webhook.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const changes: TicketChange[] = processAttempts(null, [
  buildAttempt({ n: 1, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
  buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'radius', cause: 'radius_no_response' }),
]).changes;
const retry = {
  url: 'http://hooks.invalid/tickets',
  secret: 's3cret',
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 250,
};

/** A webhook port answering with scripted statuses (a string throws as a network error). */
function scripted(answers: (number | string)[]) {
  const calls: { body: string; headers: Record<string, string> }[] = [];
  const sleeps: number[] = [];
  const dead: DeadLetter[] = [];
  const ports: WebhookPorts = {
    post: async (_url, body, headers) => {
      calls.push({ body, headers });
      const answer = answers.shift() ?? 200;
      if (typeof answer === 'string') throw new Error(answer);
      return { status: answer };
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    deadLetter: async (entry) => {
      dead.push(entry);
    },
  };
  return { ports, calls, sleeps, dead };
}

describe('ticket sinks', () => {
  it('NDJSON: one schema-valid line per change', async () => {
    const written: string[] = [];
    const result = await createNdjsonTicketSink({ append: async (t) => void written.push(t) }).deliver(changes);
    expect(result).toEqual({ delivered: 2, deadLettered: 0 });
    const lines = written.join('').trimEnd().split('\n');
    expect(lines.map((l) => ticketChangeSchema.parse(JSON.parse(l)))).toEqual(changes);
  });

  it('Kafka: one record per change, keyed by ticket key', async () => {
    const sent: [string, string, string][] = [];
    await createKafkaTicketSink('otp.tickets', { send: async (...r) => void sent.push(r) }).deliver(changes);
    expect(sent.map(([topic, key]) => [topic, key])).toEqual(changes.map((c) => ['otp.tickets', c.ticket.key]));
    expect(JSON.parse(sent[0]![2])).toEqual(changes[0]);
  });

  it('webhook: retries server errors and network errors with doubling, capped backoff', async () => {
    const { ports, calls, sleeps, dead } = scripted([503, 'ECONNRESET', 429, 200, 200]);
    const result = await createWebhookTicketSink(retry, ports).deliver(changes);
    expect(result).toEqual({ delivered: 2, deadLettered: 0 });
    expect(sleeps).toEqual([100, 200, 250]);
    expect(calls).toHaveLength(5);
    expect(dead).toEqual([]);
  });

  it('webhook: dead-letters a permanent refusal at once and an exhausted change after its tries', async () => {
    const { ports, calls, dead } = scripted([400, 500, 500, 500, 500]);
    const result = await createWebhookTicketSink(retry, ports).deliver(changes);
    expect(result).toEqual({ delivered: 0, deadLettered: 2 });
    expect(calls).toHaveLength(5);
    expect(dead.map((d) => [d.reason, d.attempts, d.lastStatus, d.change.ticket.key])).toEqual([
      ['permanent', 1, 400, changes[0]!.ticket.key],
      ['exhausted', 4, 500, changes[1]!.ticket.key],
    ]);
  });

  it('webhook: POSTs JSON to a real HTTP server with an HMAC-SHA256 signature the receiver can verify', async () => {
    const received: { body: string; signature: string; type: string; delivery: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({
          body,
          signature: String(req.headers['x-otptrace-signature']),
          type: String(req.headers['content-type']),
          delivery: String(req.headers['x-otptrace-delivery']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const sink = createWebhookTicketSink(
        { ...retry, url: `http://127.0.0.1:${port}/hook` },
        {
          post: async (url, body, headers) => ({
            status: (await fetch(url, { method: 'POST', body, headers })).status,
          }),
          sleep: async () => {},
          deadLetter: async () => {},
        },
      );
      expect(await sink.deliver(changes.slice(0, 1))).toEqual({ delivered: 1, deadLettered: 0 });
    } finally {
      server.close();
    }
    const [hit] = received;
    const expected = `sha256=${createHmac('sha256', 's3cret').update(hit!.body).digest('hex')}`;
    expect(hit).toMatchObject({ signature: expected, type: 'application/json' });
    expect(hit!.delivery).toBe(`${changes[0]!.ticket.key}:1`);
    expect(JSON.parse(hit!.body)).toEqual(changes[0]);
  });
});
