import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor } from '@otptrace/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { memoryPorts, publishedEvents } from './ports.js';

// A text log posted in several bodies gets the record IDs `otptrace analyze` gives the lines of the file.
const TOKEN = 'test-token-0123456789';
const FILE = 'da01/W3SVC2/u_ex261102.log';
const w3c = readFileSync(
  new URL('../../../test/scenarios/text-logs-learned-offset/da01/W3SVC2/u_ex261102.log', import.meta.url),
  'utf8',
);
const nps = readFileSync(
  new URL('../../../test/scenarios/text-logs-learned-offset/nps01/IN2611.log', import.meta.url),
  'utf8',
);
const config = collectorConfigSchema.parse({ http: { port: 0, host: '127.0.0.1', tokens: [TOKEN] } });

let collector: Collector | undefined;
const others: Collector[] = [];
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
  for (const c of others.splice(0)) await c.stop();
});

async function started(settings = config) {
  const ports = memoryPorts(1);
  if (collector !== undefined) others.push(collector);
  collector = createCollector(settings, ports);
  await collector.start();
  const url = `http://127.0.0.1:${collector.httpPort()}/v1/events`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
  const events = () => publishedEvents(ports.producer, config.topics.events.name);
  return { post, events };
}

/** What `otptrace analyze` reads from the file: its events' ids and times. */
function offline(text: string, label: string): Array<[string, number]> {
  const ingestor = new DetectingIngestor(createNormalizeContext(config.analysis), { maxEventBytes: 65_536 }, { label });
  return [...ingestor.push(Buffer.from(text)), ...ingestor.end()].flatMap((i) =>
    i.type === 'event' ? [[i.event.id, i.event.time] as [string, number]] : [],
  );
}

/** The file's lines cut into bodies of `size` lines, each with the number of its first line. */
function bodies(text: string, size: number): Array<{ body: string; first: number }> {
  const lines = text.split(/(?<=\n)/);
  const out: Array<{ body: string; first: number }> = [];
  for (let i = 0; i < lines.length; i += size) out.push({ body: lines.slice(i, i + size).join(''), first: i + 1 });
  return out;
}

describe('text logs posted over HTTP in several bodies', () => {
  it('W3C and NPS log files: the same events as analyze of the files, the #Fields kept between bodies', async () => {
    const { post, events } = await started();
    for (const [text, file] of [
      [w3c, FILE],
      [nps, 'nps01/IN2611.log'],
    ] as const) {
      for (const { body, first } of bodies(text, 3)) {
        const res = await post(body, { 'x-otptrace-file': file, 'x-otptrace-first-line': String(first) });
        expect(res.status).toBe(202);
      }
    }
    const got = events().map((e): [string, number] => [e.id, e.time]);
    expect(got).toEqual([...offline(w3c, FILE), ...offline(nps, 'nps01/IN2611.log')]);
    expect(got.length).toBeGreaterThan(4); // several bodies' worth: requests of both logs, an NPS answer in a later body
  });

  it('a body sent again (its first answer lost) gets the same IDs; without the first line the count goes on', async () => {
    const { post, events } = await started();
    const [head, ...rest] = bodies(w3c, 3);
    const headers = (first?: number) => ({
      'x-otptrace-file': FILE,
      ...(first === undefined ? {} : { 'x-otptrace-first-line': String(first) }),
    });
    expect((await post(head!.body, headers(1))).status).toBe(202);
    expect((await post(head!.body, headers(1))).status).toBe(202);
    for (const { body } of rest) expect((await post(body, headers())).status).toBe(202);
    const ids = events().map((e) => e.id);
    const expected = offline(w3c, FILE).map(([id]) => id);
    // The repeated body's events repeat with the same IDs (the correlator counts them once, as duplicates).
    expect([...new Set(ids)]).toEqual(expected);
  });

  it('an NPS request still unanswered when its file goes quiet is published as analyze decides it at the end', async () => {
    // test/scenarios/nps-log-unanswered: NPS logged ugo's Access-Request and no answer (it discarded the request).
    const file = 'nps01/IN2611.log';
    const unanswered = readFileSync(
      new URL(`../../../test/scenarios/nps-log-unanswered/${file}`, import.meta.url),
      'utf8',
    );
    const quick = collectorConfigSchema.parse({
      http: { port: 0, host: '127.0.0.1', tokens: [TOKEN] },
      npsAnswerWaitMs: 300,
    });
    const { post, events } = await started(quick);
    const res = await post(unanswered, { 'x-otptrace-file': file, 'x-otptrace-first-line': '1' });
    expect(res.status).toBe(202);
    expect(events()).toEqual([]); // its answer may be in the file's next body
    const expected = offline(unanswered, file);
    expect(expected).toHaveLength(1);
    for (let waited = 0; events().length === 0 && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events().map((e): [string, number] => [e.id, e.time])).toEqual(expected);
    expect(events()[0]).toMatchObject({ kind: 'radius.decision', decision: 'discarded' });
    // Decided once: the file's carry no longer holds it, and a later body of the file starts from there.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(events()).toHaveLength(1);
  });

  it('a restarted collector reads the next bodies as the first would have (#Fields, NPS requests awaiting answers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-text-logs-'));
    try {
      const kept = collectorConfigSchema.parse({ ...config, http: { ...config.http, textLogStateDir: dir } });
      const logs = [
        [w3c, FILE],
        [nps, 'nps01/IN2611.log'],
      ] as const;
      // The first collector takes each file's first half; then it is gone (as after kill -9: its carries are what it
      // wrote before answering) and a second one, started on the same folder, takes the rest.
      const first = await started(kept);
      for (const [text, file] of logs) {
        const parts = bodies(text, 3);
        for (const { body, first: line } of parts.slice(0, Math.ceil(parts.length / 2)))
          expect((await post(first, body, file, line)).status).toBe(202);
      }
      const saved = readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as { file: string; carry: { npsPending?: [] } });
      expect(saved.map((c) => c.file).sort()).toEqual([FILE, 'nps01/IN2611.log']);
      // The NPS log's first body ends with a request: its answer is in the body the second collector takes.
      expect(saved.find((c) => c.file === 'nps01/IN2611.log')?.carry.npsPending).toHaveLength(1);
      const second = await started(kept);
      for (const [text, file] of logs) {
        const parts = bodies(text, 3);
        for (const { body, first: line } of parts.slice(Math.ceil(parts.length / 2)))
          expect((await post(second, body, file, line)).status).toBe(202);
      }
      const got = [...first.events(), ...second.events()].map((e): [string, number] => [e.id, e.time]);
      const byId = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
      expect(got.sort(byId)).toEqual([...offline(w3c, FILE), ...offline(nps, 'nps01/IN2611.log')].sort(byId));
      // Without the folder the second collector would not know the W3C #Fields: its lines would be dead-lettered.
      const forgetful = await started();
      const [, later] = bodies(w3c, 3).slice(-2);
      expect((await post(forgetful, later!.body, FILE, later!.first)).status).toBe(202);
      expect(forgetful.events()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Winlogbeat NDJSON, posted whole or in bodies of lines: the events analyze reads from the file', async () => {
    const ndjson = readFileSync(
      new URL('../../../test/fixtures/winlogbeat/nps-and-client.ndjson', import.meta.url),
      'utf8',
    );
    const expected = offline(ndjson, 'winlogbeat-20261102.ndjson');
    expect(expected).toHaveLength(2);
    const whole = await started();
    expect((await whole.post(ndjson)).status).toBe(202);
    expect(whole.events().map((e) => [e.id, e.time])).toEqual(expected);
    const inBodies = await started();
    for (const { body, first } of bodies(ndjson, 1))
      expect((await post(inBodies, body, 'wec01/winlogbeat-20261102.ndjson', first)).status).toBe(202);
    expect(inBodies.events().map((e) => [e.id, e.time])).toEqual(expected);
  });

  it('refuses wrong text-log headers with 400 before reading the body', async () => {
    const { post } = await started();
    for (const headers of [
      { 'x-otptrace-first-line': '3' },
      { 'x-otptrace-file': FILE, 'x-otptrace-first-line': '0' },
      { 'x-otptrace-file': FILE, 'x-otptrace-first-line': 'x' },
      { 'x-otptrace-file': 'a'.repeat(2_000) },
    ]) {
      const res = await post(w3c, headers);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/x-otptrace/);
    }
  });
});

/** Posts one body of a text log to a started collector, naming the file and its first line. */
function post(
  to: Awaited<ReturnType<typeof started>>,
  body: string,
  file: string,
  first: number,
): ReturnType<typeof fetch> {
  return to.post(body, { 'x-otptrace-file': file, 'x-otptrace-first-line': String(first) });
}
