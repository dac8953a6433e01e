import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { KafkaAdapterError } from '@otptrace/kafka';
import { createLogger } from '@otptrace/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdmission } from '../src/admission.js';
import { type Collector, createCollector } from '../src/collector.js';
import { type CollectorConfigInput, collectorConfigSchema } from '../src/config.js';
import type { DeadLetter } from '../src/records.js';
import { memoryPorts, publishedRaw } from './ports.js';

const TOKEN = 'noisy-token-0123456789abcdef';
const QUIET = 'quiet-token-0123456789abcdef';
// test/scenarios/success: one attempt seen on client01, da01 (IIS), nps01 and ca01; 5 events in all.
const scenario = ['client', 'iis', 'nps', 'ca']
  .map((file) => readFileSync(new URL(`../../../test/scenarios/success/${file}.xml`, import.meta.url), 'utf8'))
  .join('\n');

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function started(http: NonNullable<CollectorConfigInput['http']>) {
  const config = collectorConfigSchema.parse({
    http: { port: 0, host: '127.0.0.1', tokens: [TOKEN, QUIET], ...http },
    analysis: { maxFutureMs: 10 * 365 * 86_400_000 },
  });
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const ports = { ...memoryPorts(1), logger: createLogger({ name: 'test', level: 'debug', destination }) };
  collector = createCollector(config, ports);
  await collector.start();
  const port = collector.httpPort() as number;
  const post = (body: string | Buffer, headers: Record<string, string> = {}, token = TOKEN) =>
    fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  const topic = (name: string) => ports.producer.acknowledged.filter((r) => r.topic === name);
  return { config, port, post, topic, ports, lines };
}

interface RawExchange {
  response: string;
  /** Body bytes the server took before it closed the connection. */
  bodyBytesSent: number;
}

/** Sends `head` and then up to `bodyBytes` of body as fast as the server reads it; resolves when the connection ends. */
function upload(port: number, head: string, bodyBytes: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const piece = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let response = '';
    let ended = false;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      const pump = () => {
        while (!ended && sent < bodyBytes) {
          sent += piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    socket.on('data', (chunk) => {
      response += String(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      ended = true;
      resolve({ response, bodyBytesSent: sent });
    });
  });
}

const head = (token: string | null, length: number, extra = '') =>
  `POST /v1/events HTTP/1.1\r\nhost: x\r\n${token ? `authorization: Bearer ${token}\r\n` : ''}` +
  `content-length: ${length}\r\n${extra}\r\n`;

describe('admission before buffering', () => {
  it('answers 401 to a 200 MB upload at once and closes the connection without reading the body', async () => {
    const { port, ports } = await started({});
    const size = 200 * 1024 * 1024;
    const exchange = await upload(port, head(null, size), size);
    const refused = { status: '401', reason: 'unauthenticated' };
    expect(ports.metrics.value('otptrace_collector_http_refused_total', refused)).toBe(1);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 401/);
    expect(exchange.response.toLowerCase()).toContain('connection: close');
    expect(exchange.bodyBytesSent).toBeLessThan(size / 4);
  });

  it('answers Expect: 100-continue with the refusal, or with 100 Continue once the batch is admitted', async () => {
    const { port } = await started({});
    const ask = (token: string | null) =>
      new Promise<string>((resolve) => {
        let response = '';
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(head(token, scenario.length, 'expect: 100-continue\r\n')),
        );
        socket.on('data', (c) => {
          response += String(c);
          if (response.startsWith('HTTP/1.1 100')) socket.end(scenario);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(response));
        setTimeout(() => socket.destroy(), 3_000);
      });
    expect(await ask(null)).toMatch(/^HTTP\/1\.1 401/);
    expect(await ask(TOKEN)).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202/);
  });

  it('answers 404, 405, 413 and 415 before the body and closes the connection', async () => {
    const { port } = await started({ bodyLimitBytes: 1_000_000 });
    const size = 50 * 1024 * 1024;
    const cases: [string, RegExp][] = [
      [`POST /other HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`, /^HTTP\/1\.1 404/],
      [`PUT /v1/events HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`, /^HTTP\/1\.1 405/],
      [head(TOKEN, size), /^HTTP\/1\.1 413/],
      [head(TOKEN, 500_000, 'content-encoding: br\r\n'), /^HTTP\/1\.1 415/],
    ];
    for (const [request, status] of cases) {
      const exchange = await upload(port, request, size);
      expect(exchange.response).toMatch(status);
      expect(exchange.bodyBytesSent).toBeLessThan(size / 4);
    }
  });

  it('refuses a body the memory budget cannot hold before reading it, with Retry-After, then takes it', async () => {
    const { post, port } = await started({
      bodyLimitBytes: 400_000,
      memoryBudgetBytes: 1_600_000,
      retryAfterSeconds: 3,
    });
    // The noisy sender holds its share (half the budget: a 400 KB body counts twice) with a body it is slow to send.
    const holding = connect(port, '127.0.0.1', () => holding.write(`${head(TOKEN, 400_000)}<Events>`));
    holding.on('error', () => {});
    await new Promise((r) => setTimeout(r, 100));
    const second = await post(scenario.padEnd(390_000, ' '));
    expect([second.status, second.headers.get('retry-after'), second.headers.get('connection')]).toEqual([
      429,
      '3',
      'close',
    ]);
    expect((await post(scenario, {}, QUIET)).status).toBe(202);
    holding.destroy();
    await new Promise((r) => setTimeout(r, 100));
    // The noisy sender's room was given back when its client went away.
    expect((await post(scenario)).status).toBe(202);
  });

  it('shares batch slots fairly: a sender at its share gets 429, another sender is still admitted', async () => {
    const { post, ports } = await started({ maxInFlightBatches: 4 });
    let open: () => void = () => {};
    ports.producer.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Alone, a sender may hold half the slots (2 of 4).
    const noisy = [post(scenario), post(scenario)];
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(scenario)).status).toBe(429);
    const quiet = post(scenario, {}, QUIET);
    await new Promise((r) => setTimeout(r, 100));
    open();
    expect((await quiet).status).toBe(202);
    expect((await Promise.all(noisy)).map((r) => r.status)).toEqual([202, 202]);
  });

  it('an "overloaded" refusal does not spend the sender\'s rate budget', async () => {
    const { post, ports } = await started({ maxInFlightBatches: 2, rateLimit: { perSecond: 0.01, burst: 2 } });
    let open: () => void = () => {};
    ports.producer.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = post(scenario); // spends 1 of the burst of 2
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) expect((await post(scenario)).status).toBe(429); // over its 1 slot: spends nothing
    open();
    expect((await first).status).toBe(202);
    expect((await post(scenario)).status).toBe(202); // the second of the burst is still there
    const limited = await post(scenario);
    expect([limited.status, (await limited.json()) as object]).toEqual([429, { error: 'rate limit' }]);
  });

  it('keeps the connection of an accepted batch open (keep-alive)', async () => {
    const { post } = await started({});
    const res = await post(scenario);
    expect(res.status).toBe(202);
    expect(res.headers.get('connection')).not.toBe('close');
  });
});

describe('content encodings', () => {
  it('takes gzip and deflate bodies exactly like plain ones', async () => {
    const { post } = await started({});
    const plain = (await (await post(scenario)).json()) as object;
    expect(plain).toEqual({ accepted: 5, ignored: 0, rejected: 0 });
    for (const [coding, body] of [
      ['gzip', gzipSync(scenario)],
      ['deflate', deflateSync(scenario)],
    ] as const) {
      const res = await post(body, { 'content-encoding': coding });
      expect([coding, res.status, await res.json()]).toEqual([coding, 202, plain]);
    }
  });

  it('answers 415 for brotli and any other coding, and 400 for a body that is not what it claims', async () => {
    const { post } = await started({});
    expect((await post(brotliCompressSync(scenario), { 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(scenario, { 'content-encoding': 'compress' })).status).toBe(415);
    expect((await post(scenario, { 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('refuses a gzip bomb with 413 once its decompressed size passes the body limit, holding no more', async () => {
    const { post, topic, config } = await started({ bodyLimitBytes: 1_000_000 });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' ')); // 64 MiB of spaces, about 64 KB compressed
    expect(bomb.length).toBeLessThan(1_000_000);
    const res = await post(bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(topic(config.topics.events.name)).toEqual([]);
  });

  it('takes a chunked body (no Content-Length), growing its room as it comes', async () => {
    const { port } = await started({});
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(scenario.slice(0, 1000)));
        controller.enqueue(new TextEncoder().encode(scenario.slice(1000)));
        controller.close();
      },
    });
    const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${TOKEN}` },
    } as RequestInit);
    expect([res.status, await res.json()]).toEqual([202, { accepted: 5, ignored: 0, rejected: 0 }]);
  });
});

describe('events too large for their topic', () => {
  it('dead-letters the one event as event_too_large_for_topic, with its text, while the rest of the batch lands', async () => {
    const { post, topic, config, ports } = await started({});
    const big = readFileSync(new URL('../../../test/scenarios/success/nps.xml', import.meta.url), 'utf8')
      .trim()
      .replace(/<EventRecordID>(\d+)</, '<EventRecordID>999$1<')
      .replace('</EventData>', `<Data Name="Padding">${'x'.repeat(1_500_000)}</Data></EventData>`);
    const res = await post(`${scenario}\n${big}`);
    expect([res.status, await res.json()]).toEqual([202, { accepted: 5, ignored: 0, rejected: 1 }]);
    const letters = topic(config.topics.deadLetter.name).map((r) => JSON.parse(String(r.value)) as DeadLetter);
    expect(letters.map((l) => l.code)).toEqual(['event_too_large_for_topic']);
    expect(letters[0]?.reason).toMatch(/over the topic's max\.message\.bytes \(1048576\)/);
    expect(letters[0]?.raw?.length).toBe(big.length);
    expect(publishedRaw(ports.producer, config.topics.raw.name)).toHaveLength(5);
  });
});

describe('no 500 for input', () => {
  it('answers 503 with Retry-After, and logs an error, when Kafka refuses a batch for a reason of its own', async () => {
    const { post, ports, lines } = await started({});
    ports.producer.send = async () => {
      throw new KafkaAdapterError('produce: not authorized', { retriable: false, code: 'not_authorized' });
    };
    const res = await post(scenario);
    expect([res.status, res.headers.get('retry-after'), await res.json()]).toEqual([
      503,
      '5',
      { error: 'Kafka refused the batch' },
    ]);
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('Kafka refused a batch'))).toBe(true);
  });
});

describe('logs', () => {
  it("logs a client's abort at info, without a stack trace or an error", async () => {
    const { port, lines } = await started({});
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(head(TOKEN, 100_000));
        socket.write('<Event');
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => setTimeout(resolve, 200));
    });
    const aborted = lines.filter((l) => String(l.msg).includes('went away'));
    expect(aborted).toHaveLength(1);
    expect(aborted[0]?.level).toBe(30);
    expect(JSON.stringify(lines)).not.toMatch(/"stack"|"err"/);
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('rejects NUL inside a value as forbidden_character and takes the rest', async () => {
    const { post, topic, config } = await started({});
    const res = await post(scenario.replace('CORP\\alice', 'CORP\\al\u0000ice'));
    const summary = (await res.json()) as { accepted: number; rejected: number };
    expect([res.status, summary.rejected]).toEqual([202, 1]);
    const letters = topic(config.topics.deadLetter.name).map((r) => JSON.parse(String(r.value)) as DeadLetter);
    expect(letters.map((l) => l.code)).toEqual(['forbidden_character']);
  });
});

describe('admission shares', () => {
  it('gives each of k senders at most 1/(k+1) of the budget (at least one body), refusing without holding', () => {
    const admission = createAdmission({ memoryBudgetBytes: 900, maxInFlightBatches: 6, minShareBytes: 100 });
    const a = admission.admit('a', 300);
    expect(a.admitted).toBe(true);
    expect(admission.admit('a', 200)).toMatchObject({ admitted: false, status: 429 }); // alone: 450 of 900
    expect(admission.admit('b', 300).admitted).toBe(true); // two senders: 300 each
    expect(admission.admit('c', 250)).toMatchObject({ admitted: false, status: 429 }); // three: 225 each
    const c = admission.admit('c', 200);
    expect(admission.admit('d', 150)).toMatchObject({ admitted: false, status: 503 }); // 950 > 900
    expect(admission.state()).toEqual({ bytes: 800, batches: 3, senders: 3 });
    if (!a.admitted || !c.admitted) throw new Error('admitted above');
    expect(c.cover(225)).toBe(true);
    expect(c.cover(226)).toBe(false);
    a.release();
    a.release(); // once only
    expect(admission.state()).toEqual({ bytes: 525, batches: 2, senders: 2 });
  });

  it('gives a sender alone half the batch slots, and always at least one', () => {
    const admission = createAdmission({ memoryBudgetBytes: 1000, maxInFlightBatches: 6, minShareBytes: 1 });
    expect([1, 2, 3, 4].map(() => admission.admit('a', 1).admitted)).toEqual([true, true, true, false]);
    const tight = createAdmission({ memoryBudgetBytes: 1000, maxInFlightBatches: 1, minShareBytes: 1 });
    expect(tight.admit('a', 1)).toMatchObject({ admitted: true });
    expect(tight.admit('b', 1)).toMatchObject({ admitted: false, status: 503 });
  });
});
