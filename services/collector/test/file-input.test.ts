import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createNormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor } from '@otptrace/pipeline';
import { createLogger } from '@otptrace/runtime';
import { describe, expect, it } from 'vitest';
import { createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { createPublisher } from '../src/publisher.js';
import { followStream } from '../src/stdin-input.js';
import { memoryPorts, publishedEvents, publishedRaw } from './ports.js';

// test/scenarios/success/nps.xml: real-format NPS 6272 renderings, one <Event> per line.
const npsEvents = readFileSync(new URL('../../../test/scenarios/success/nps.xml', import.meta.url), 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.startsWith('<Event'));

function rawRecords(ports: ReturnType<typeof memoryPorts>): string[] {
  return publishedRaw(ports.producer);
}

describe('collector file input', () => {
  it('sends complete events only, keeps its position across restarts, and never advances past a refusal', async () => {
    expect(npsEvents.length).toBeGreaterThanOrEqual(1);
    const event = npsEvents[0] as string;
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-files-'));
    const log = join(dir, 'nps.xml');
    const config = collectorConfigSchema.parse({
      http: { enabled: false },
      files: { paths: [dir], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
    });
    // Half an event: nothing is complete yet.
    writeFileSync(log, event.slice(0, 200));
    const ports = memoryPorts();
    const first = createCollector(config, ports);
    await first.start();
    await first.pollFiles();
    expect(rawRecords(ports)).toEqual([]);
    // The rest arrives, plus a second copy with another record id.
    const second = event.replace(/<EventRecordID>(\d+)</, (_, n: string) => `<EventRecordID>${Number(n) + 1}<`);
    appendFileSync(log, `${event.slice(200)}\n${second}\n`);
    await first.pollFiles();
    expect(rawRecords(ports)).toEqual([event, second]);
    // Kafka down: the third event is refused and its bytes stay unread.
    const third = event.replace(/<EventRecordID>(\d+)</, (_, n: string) => `<EventRecordID>${Number(n) + 2}<`);
    appendFileSync(log, `${third}\n`);
    ports.producer.unavailable = true;
    await first.pollFiles();
    await first.stop();
    // A restarted collector resumes after the last acknowledged event: nothing lost, nothing sent twice.
    const restartedPorts = memoryPorts();
    const restarted = createCollector(config, restartedPorts);
    await restarted.start();
    await restarted.pollFiles();
    await restarted.stop();
    expect(rawRecords(restartedPorts)).toEqual([third]);
  });

  it('publishes an NPS request still unanswered once its followed log stopped growing, once', async () => {
    // test/scenarios/nps-log-unanswered: NPS logged ugo's Access-Request and no answer.
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-files-'));
    const request = readFileSync(
      new URL('../../../test/scenarios/nps-log-unanswered/nps01/IN2611.log', import.meta.url),
      'utf8',
    );
    writeFileSync(join(dir, 'IN2611.log'), request);
    const config = collectorConfigSchema.parse({
      http: { enabled: false },
      files: { paths: [dir], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
      npsAnswerWaitMs: 100,
    });
    const events = (ports: ReturnType<typeof memoryPorts>) => publishedEvents(ports.producer);
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    await collector.pollFiles();
    expect(events(ports)).toEqual([]); // its answer may be the file's next line
    await collector.pollFiles();
    expect(events(ports)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await collector.pollFiles();
    expect(events(ports)).toMatchObject([{ kind: 'radius.decision', decision: 'discarded', user: { key: 'ugo' } }]);
    await collector.pollFiles();
    await collector.stop();
    expect(events(ports)).toHaveLength(1);
    // Decided for good: the saved position no longer holds it.
    const again = memoryPorts();
    const restarted = createCollector(config, again);
    await restarted.start();
    await restarted.pollFiles();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await restarted.pollFiles();
    await restarted.stop();
    expect(events(again)).toEqual([]);
  });

  it('reads a UTF-16LE stream, as `wevtutil qe /f:xml` may write it, from standard input', async () => {
    const ports = memoryPorts();
    const config = collectorConfigSchema.parse({ http: { enabled: false }, stdin: true });
    const text = `\ufeff${npsEvents[0]}\r\n`;
    const bytes = Buffer.from(text, 'utf16le');
    // Split mid-event, and mid-character, to prove events are cut only where they end.
    const stdin = Readable.from([bytes.subarray(0, 301), bytes.subarray(301)]);
    const collector = createCollector(config, { ...ports, stdin });
    await collector.start();
    await collector.stdinDone();
    await collector.stop();
    expect(rawRecords(ports)).toEqual([npsEvents[0]]);
  });

  it('retries a refused stdin batch until Kafka takes it', async () => {
    const ports = memoryPorts();
    ports.producer.unavailable = true;
    setTimeout(() => {
      ports.producer.unavailable = false;
    }, 30);
    const config = collectorConfigSchema.parse({ http: { enabled: false } });
    const publisher = createPublisher({
      producer: ports.producer,
      analysis: config.analysis,
      now: () => Date.now(),
      topics: config.topics,
      site: 'default',
      maxEventBytes: 1_000_000,
      topicLimits: () => 1_048_576,
      logger: createLogger({ name: 't', level: 'silent' }),
      metrics: ports.metrics,
    });
    await followStream(Readable.from([`${npsEvents[0]}\n`]), publisher, ports.logger, {
      retryDelayMs: 10,
      isClosing: () => false,
    });
    expect(rawRecords(ports)).toEqual([npsEvents[0]]);
  });

  it("follows Winlogbeat's NDJSON output line by line, though a document holds its record's </Event>", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-files-'));
    const log = join(dir, 'winlogbeat-20261102.ndjson');
    const config = collectorConfigSchema.parse({
      http: { enabled: false },
      files: { paths: [dir], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
    });
    const document = (xml: string) =>
      JSON.stringify({
        '@timestamp': '2026-11-02T10:29:00.350Z',
        event: { code: '6272', original: xml },
        message: 'Network Policy Server granted access to a user.',
        winlog: { channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing' },
      });
    const recordId = (xml: string) => Number(/<EventRecordID>(\d+)</.exec(xml)?.[1]);
    const second = npsEvents[0]!.replace(/<EventRecordID>(\d+)</, (_, n: string) => `<EventRecordID>${Number(n) + 1}<`);
    const line = document(npsEvents[0]!);
    // The first document and the second up to its record's </Event>, which must not end a batch there.
    const cut = document(second).indexOf('</Event>') + '</Event>'.length;
    writeFileSync(log, `${line}\n${document(second).slice(0, cut)}`);
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    await collector.pollFiles();
    const ids = () => publishedEvents(ports.producer).map((e) => e.ref.recordId);
    expect(ids()).toEqual([recordId(npsEvents[0]!)]);
    appendFileSync(log, `${document(second).slice(cut)}\n`);
    await collector.pollFiles();
    await collector.stop();
    expect(ids()).toEqual([recordId(npsEvents[0]!), recordId(second)]);
  });

  it('follows a W3C log saved as UTF-16LE (Windows PowerShell 5) line by line, as analyze reads its UTF-8 original', async () => {
    const original = readFileSync(
      new URL('../../../test/scenarios/success-text-logs/da01/W3SVC2/u_ex261102.log', import.meta.url),
      'utf8',
    );
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-files-'));
    const log = join(dir, 'u_ex261102.log');
    const config = collectorConfigSchema.parse({
      http: { enabled: false },
      files: { paths: [dir], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
    });
    const utf16 = Buffer.from(`\ufeff${original}`, 'utf16le');
    // Cut inside a line (and inside a code unit): only the complete lines go in the first batch.
    const cut = utf16.indexOf(Buffer.from('POST', 'utf16le'), 200) + 5;
    writeFileSync(log, utf16.subarray(0, cut));
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    await collector.pollFiles();
    appendFileSync(log, utf16.subarray(cut));
    await collector.pollFiles();
    await collector.stop();
    const expected = offlineEvents(original, log);
    expect(expected.length).toBeGreaterThan(0);
    expect(publishedEvents(ports.producer).map((e) => [e.ref.recordId, e.time])).toEqual(expected);
  });
});

/** The record IDs and times `otptrace analyze` takes from a text log (its reader, on the whole file). */
function offlineEvents(text: string, label: string): Array<[number, number]> {
  const config = collectorConfigSchema.parse({ http: { enabled: false } });
  const ingestor = new DetectingIngestor(createNormalizeContext(config.analysis), { maxEventBytes: 65_536 }, { label });
  return [...ingestor.push(Buffer.from(text)), ...ingestor.end()].flatMap((i) =>
    i.type === 'event' ? [[i.event.ref.recordId, i.event.time] as [number, number]] : [],
  );
}
