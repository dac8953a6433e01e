import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsOfRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../src/collector.js';
import { type CollectorConfigInput, collectorConfigSchema } from '../src/config.js';
import { computerMatcher, createRateLimiter } from '../src/http-security.js';
import type { DeadLetter } from '../src/records.js';
import { memoryPorts } from './ports.js';

const NPS_TOKEN = 'nps-token-0123456789abcdef';
const OPEN_TOKEN = 'open-token-0123456789abcdef';
// test/scenarios/success: one attempt seen on client01, da01 (IIS), nps01 and ca01 (all .corp.example).
const scenario = ['client', 'iis', 'nps', 'ca']
  .map((file) => readFileSync(new URL(`../../../test/scenarios/success/${file}.xml`, import.meta.url), 'utf8'))
  .join('\n');

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function started(http: NonNullable<CollectorConfigInput['http']>, env: Record<string, string> = {}) {
  const config = collectorConfigSchema.parse({ http: { port: 0, host: '127.0.0.1', ...http } });
  const ports = memoryPorts(1);
  collector = createCollector(config, { ...ports, secrets: { env, readFile: (path) => readFileSync(path) } });
  await collector.start();
  const port = collector.httpPort() as number;
  const post = (token: string, body = scenario) =>
    fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}` },
    });
  const topic = (name: string) => ports.producer.acknowledged.filter((r) => r.topic === name);
  return { config, port, post, topic };
}

describe('senders bound to computers and sources', () => {
  it('dead-letters, as computer_not_allowed, the events of computers the token may not speak for', async () => {
    const { config, post, topic } = await started(
      { tokens: [OPEN_TOKEN], clients: [{ name: 'nps', tokenEnv: 'NPS_TOKEN', computers: ['NPS01.corp.example'] }] },
      { NPS_TOKEN },
    );
    const res = await post(NPS_TOKEN);
    expect(res.status).toBe(202);
    const summary = (await res.json()) as { accepted: number; rejected: number };
    const events = topic(config.topics.events.name).flatMap(
      (r) => eventsOfRecordValue(JSON.parse(String(r.value))) as NormalizedEvent[],
    );
    expect(events.map((e) => e.ref.computer)).toEqual(['nps01.corp.example']);
    const letters = topic(config.topics.deadLetter.name).map((r) => JSON.parse(String(r.value)) as DeadLetter);
    expect(summary).toMatchObject({ accepted: 1, rejected: letters.length });
    expect(letters.length).toBe(4);
    for (const letter of letters) {
      expect(letter).toMatchObject({ code: 'computer_not_allowed', origin: 'http:nps' });
      expect(letter.reason).not.toMatch(/corp\.example/); // names the sender, never a value of the event
      expect(letter.raw).toMatch(/<Computer>(client01|da01|ca01)\.corp\.example<\/Computer>/);
    }
    // The plain token speaks for everyone.
    expect(await (await post(OPEN_TOKEN)).json()).toMatchObject({ accepted: 5, rejected: 0 });
  });

  it('rejects events of sources the token is not bound to, even from an allowed computer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-token-'));
    writeFileSync(join(dir, 'token'), `${NPS_TOKEN}\n`);
    const { post } = await started({
      clients: [{ name: 'wec', tokenFile: join(dir, 'token'), computers: ['*.corp.example'], sources: ['ca'] }],
    });
    expect(await (await post(NPS_TOKEN)).json()).toMatchObject({ accepted: 2, rejected: 3 });
  });

  it('refuses to start when a token variable is unset, a token is short, or two senders share a token', async () => {
    const client = { name: 'nps', tokenEnv: 'NPS_TOKEN', computers: ['*'] };
    await expect(started({ clients: [client] })).rejects.toThrow(/NPS_TOKEN unset/);
    await expect(started({ clients: [client] }, { NPS_TOKEN: 'short' })).rejects.toThrow(/shorter than 16/);
    await expect(started({ tokens: [NPS_TOKEN], clients: [client] }, { NPS_TOKEN })).rejects.toThrow(/shares its/);
    expect(() => collectorConfigSchema.parse({ http: { clients: [{ name: 'x', computers: ['*'] }] } })).toThrow(
      /exactly one of tokenEnv and tokenFile/,
    );
  });

  it('matches computer names exactly, by domain suffix or any, ignoring case', () => {
    const allowed = computerMatcher(['nps01.corp.example', '*.dmz.example']);
    expect(['NPS01.corp.example', 'web.DMZ.example'].map(allowed)).toEqual([true, true]);
    expect(['nps02.corp.example', 'dmz.example', 'x.evil-dmz.example'].map(allowed)).toEqual([false, false, false]);
    expect(computerMatcher(['*'])('anything')).toBe(true);
  });
});

describe('rate limit per token', () => {
  it('answers 429 with the seconds until the bucket refills, per sender, then admits again', async () => {
    let clock = 0;
    const limiter = createRateLimiter({ perSecond: 0.5, burst: 2 }, () => clock);
    expect([limiter('a'), limiter('a'), limiter('b')].every((d) => d.allowed)).toBe(true);
    expect(limiter('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock = 2_000;
    expect(limiter('a')).toEqual({ allowed: true });
  });

  it('over HTTP: the burst passes, the next batch gets 429 with Retry-After and writes nothing', async () => {
    const { config, post, topic } = await started({ tokens: [OPEN_TOKEN], rateLimit: { perSecond: 0.2, burst: 2 } });
    expect((await post(OPEN_TOKEN)).status).toBe(202);
    expect((await post(OPEN_TOKEN)).status).toBe(202);
    const before = topic(config.topics.events.name).length;
    const refused = await post(OPEN_TOKEN);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '5']);
    expect(topic(config.topics.events.name)).toHaveLength(before);
  });
});

/** Opens a raw connection that sends `head` and then one byte of body every `everyMs`; resolves with what came back. */
function trickle(port: number, head: string, everyMs: number): Promise<{ response: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let response = '';
    const timer = setInterval(() => socket.write('<'), everyMs);
    socket.on('data', (chunk) => {
      response += String(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ response, ms: Date.now() - started });
    });
  });
}

describe('timeouts against slow clients', () => {
  const http = { tokens: [OPEN_TOKEN], headersTimeoutMs: 300, requestTimeoutMs: 800 };

  it('cuts off a body that trickles in past requestTimeoutMs with 408', async () => {
    const { port } = await started(http);
    const head = `POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${OPEN_TOKEN}\r\ncontent-length: 100000\r\n\r\n`;
    const { response, ms } = await trickle(port, head, 50);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(3_000);
  });

  it('cuts off headers that trickle in past headersTimeoutMs with 408', async () => {
    const { port } = await started(http);
    const { response, ms } = await trickle(port, 'POST /v1/events HTTP/1.1\r\nx-slow: ', 50);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(2_000);
  });
});
