import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { memoryPorts, publishedEvents } from './ports.js';

// Issue 13: a followed IIS W3C log (no </Event> anywhere) is sent line by line as it grows, with its #Fields kept
// from the first batch to the next.
function events(
  ports: ReturnType<typeof memoryPorts>,
): { kind: string; ref: { computer: string; recordId: number } }[] {
  return publishedEvents(ports.producer);
}

/** A followed IIS log folder: the W3SVC<n> folder itself (IIS writes one per site), whose parent names the DA server. */
function followedW3cLog() {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-w3c-'));
  mkdirSync(join(dir, 'da01', 'W3SVC1'), { recursive: true });
  const log = join(dir, 'da01', 'W3SVC1', 'u_ex261102.log');
  const config = collectorConfigSchema.parse({
    http: { enabled: false },
    files: { paths: [join(dir, 'da01', 'W3SVC1')], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
  });
  return { log, config };
}

describe('collector following a W3C log', () => {
  it('sends complete lines only and keeps the #Fields of the file across batches', async () => {
    const { log, config } = followedW3cLog();
    writeFileSync(
      log,
      '#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem sc-status time-taken c-ip\r\n' +
        '2026-11-02 08:00:01 203.0.113.10 POST /otp/DAAuthOtp.dll 200 640 198.51.100.23\r\n2026-11-02 08:00:02 203.0.1',
    );
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    await collector.pollFiles();
    expect(events(ports).map((e) => e.ref.recordId)).toEqual([3]);
    appendFileSync(log, '13.10 POST /otp/DAAuthOtp.dll 403 20 198.51.100.24\r\n');
    await collector.pollFiles();
    await collector.stop();
    expect(events(ports).map((e) => [e.kind, e.ref.computer, e.ref.recordId])).toEqual([
      ['gateway.request', 'da01', 3],
      ['gateway.request', 'da01', 4],
    ]);
  });
});

describe('a followed text log across refusals and restarts', () => {
  const HEADER =
    '#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem sc-status time-taken c-ip\r\n';
  const line = (second: number, status: number) =>
    `2026-11-02 08:00:0${second} 203.0.113.10 POST /otp/DAAuthOtp.dll ${status} 20 198.51.100.2${second}\r\n`;

  it('numbers the lines of a batch Kafka refused as it numbers them when it takes them', async () => {
    const { log, config } = followedW3cLog();
    writeFileSync(log, HEADER + line(1, 200));
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    ports.producer.unavailable = true;
    await collector.pollFiles();
    ports.producer.unavailable = false;
    await collector.pollFiles();
    appendFileSync(log, line(2, 401));
    await collector.pollFiles();
    await collector.stop();
    // Line numbers are the record IDs (as `otptrace analyze` numbers the file's lines): 3 and 4, whatever was refused.
    expect(events(ports).map((e) => [e.kind, e.ref.recordId])).toEqual([
      ['gateway.request', 3],
      ['gateway.request', 4],
    ]);
  });

  it('goes on numbering the lines, with the #Fields of the file, after a restart', async () => {
    const { log, config } = followedW3cLog();
    writeFileSync(log, HEADER + line(1, 200));
    const first = memoryPorts();
    const before = createCollector(config, first);
    await before.start();
    await before.pollFiles();
    await before.stop();
    appendFileSync(log, line(2, 401));
    const second = memoryPorts();
    const after = createCollector(config, second);
    await after.start();
    await after.pollFiles();
    await after.stop();
    expect(events(first).map((e) => [e.kind, e.ref.computer, e.ref.recordId])).toEqual([
      ['gateway.request', 'da01', 3],
    ]);
    expect(events(second).map((e) => [e.kind, e.ref.computer, e.ref.recordId])).toEqual([
      ['gateway.request', 'da01', 4],
    ]);
  });
});
