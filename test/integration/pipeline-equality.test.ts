import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFleetLogs } from '@otptrace/generator';
import { scanEvent } from '@otptrace/parse';
import { type AttemptRecord, analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import {
  corpusWithTextLogs,
  generatedDay,
  offlineAttempts,
  scenarioFiles,
  shiftedCorpus,
} from '../../packages/core/stream/test/corpus.js';
import {
  byId,
  differences,
  type PipelineOptions,
  type RunningPipeline,
  readAttempts,
  startPipeline,
} from './pipeline.js';

// A small generated day, then the scenario corpus (each scenario on its own later day, its IIS W3C and NPS log files
// posted as lines of their files), posted in event-time order as one site: the stream must give exactly what
// `otptrace analyze` gives on the same files. OTPTRACE_PIPELINE_USERS makes the day bigger (the 10,000-user day:
// `OTPTRACE_PIPELINE_USERS=10000 npx vitest run <this file>`). Without the NPS log of nps-log-unanswered, whose
// request no later line answers: the collector decides it when the file has been quiet for a while (a forwarder sends
// lines as they are written), by which time this fast replay has moved days on (tested apart below).
const USERS = Number(process.env.OTPTRACE_PIPELINE_USERS ?? 150);
const UNANSWERED = 'nps-log-unanswered/nps01/';
const files = [...generatedDay(USERS, 21), ...corpusWithTextLogs().filter(([f]) => !f.startsWith(UNANSWERED))];
const expected = byId(offlineAttempts(files));

describe('otptrace pipeline: every attempt identical to otptrace analyze', () => {
  for (const [partitions, correlators] of [
    [1, 1],
    [4, 2],
    [12, 3],
  ] as const) {
    it(`${partitions} partition(s), ${correlators} correlator(s)`, async () => {
      // The scenarios' NPS servers write UTC+01:00.
      const post = { npsClock: 60 };
      await streamsAsOffline(
        `eq-p${partitions}-c${correlators}`,
        files,
        expected,
        { partitions, correlators },
        post,
        180_000 + USERS * 60,
      );
    });
  }
});

describe('otptrace pipeline: text logs beside the event logs they repeat', () => {
  // IIS logs each request to W3C and as a 6200, NPS each decision to its log file (local time, no offset configured)
  // and as a 6272/6273: test/scenarios/text-logs-learned-offset (UTC+01:00), and text-logs-daylight-saving-learned
  // (Europe/Berlin across the autumn change: +02:00, then +01:00). The text logs are posted as lines of their files
  // (X-Otptrace-File, X-Otptrace-First-Line), interleaved with the event logs in event-time order; the stream learns
  // each NPS log record's offset from its audit twins, as offline does, and every W3C line and NPS log record that
  // repeats an event-log record is a duplicate in the stream as offline.
  for (const [name, npsClock] of [
    ['text-logs-learned-offset', 60],
    ['text-logs-daylight-saving-learned', 'Europe/Berlin'],
  ] as const) {
    const files = scenarioFiles(name, { textLogs: true });
    const expected = byId(offlineAttempts(files));

    it(`${name}, 4 partitions, 2 correlators: every attempt identical to otptrace analyze`, async () => {
      expect(files.some(([f]) => f.endsWith('/nps.xml'))).toBe(true);
      expect(expected.length).toBeGreaterThan(1);
      await streamsAsOffline(
        `eq-${name}`,
        files,
        expected,
        { partitions: 4, correlators: 2 },
        { batch: 5, npsClock },
        120_000,
      );
    });
  }
});

describe('otptrace pipeline: Winlogbeat NDJSON beside event logs', () => {
  // Sites that forward with Winlogbeat post its documents (NDJSON lines) with the files' other logs: the client and NPS
  // logs of three scenarios (NPS' classic System events among them, their data as param1…N) as Winlogbeat 8 writes
  // them, posted as lines of their files in event-time order beside the IIS and CA logs as Event XML.
  const files = asWinlogbeat(shiftedCorpus(['success', 'otp-rejected', 'radius-client-misconfigured']));
  const expected = byId(offlineAttempts(files));

  it('4 partitions, 2 correlators: every attempt identical to otptrace analyze', async () => {
    expect(files.filter(([f]) => f.endsWith('.ndjson')).length).toBe(6);
    expect(expected.length).toBeGreaterThan(3);
    await streamsAsOffline('eq-winlogbeat', files, expected, { partitions: 4, correlators: 2 }, { batch: 5 }, 60_000);
  });
});

/** The client and NPS Event XML files as Winlogbeat 8's documents (Elastic's "Winlogbeat fields"), one per line. */
function asWinlogbeat(files: Array<[string, Buffer]>): Array<[string, Buffer]> {
  return files.map(([name, bytes]): [string, Buffer] => {
    if (!/(^|\/)(client|nps)\.xml$/.test(name)) return [name, bytes];
    const lines = [...bytes.toString('utf8').matchAll(/<Event[\s>][\s\S]*?<\/Event>/g)].map(([xml]) => {
      const parsed = scanEvent(xml);
      if (!parsed.ok) throw new Error(`${name}: ${parsed.issue.message}`);
      const p = parsed.value;
      const named = Object.keys(p.data).length > 0;
      return JSON.stringify({
        '@timestamp': p.systemTime,
        event: { code: String(p.eventId), kind: 'event', provider: p.provider },
        message: 'The rendered message.',
        winlog: {
          channel: p.channel,
          computer_name: p.computer,
          event_data: named ? p.data : Object.fromEntries(p.dataList.map((v, i) => [`param${i + 1}`, v])),
          event_id: String(p.eventId),
          ...(p.providerGuid === null ? {} : { provider_guid: p.providerGuid }),
          provider_name: p.provider,
          record_id: p.recordId,
        },
      });
    });
    return [name.replace(/\.xml$/, '.ndjson'), Buffer.from(`${lines.join('\n')}\n`)];
  });
}

describe('otptrace pipeline: an NPS request left unanswered at the end of its file', () => {
  // test/scenarios/nps-log-unanswered: NPS logged ugo's Access-Request and nothing after it. Offline decides it at the
  // end of the file (discarded); the collector once the file has been quiet for npsAnswerWaitMs.
  const files = shiftedCorpus(['nps-log-unanswered'], { textLogs: true });
  const expected = byId(offlineAttempts(files));

  it('is published as offline decides it, once the file went quiet', async () => {
    expect(files.some(([f]) => f.startsWith('nps-log-unanswered/nps01/'))).toBe(true);
    expect(expected.some((a) => a.failedStage === 'radius')).toBe(true);
    await streamsAsOffline(
      'eq-unanswered',
      files,
      expected,
      {
        idleFlushMs: 6_000,
        env: { OTPTRACE_COLLECTOR_NPS_ANSWER_WAIT_MS: '500' },
      },
      { batch: 5 },
      60_000,
    );
  });
});

describe('otptrace pipeline --config: the settings otptrace analyze --config was given', () => {
  // IIS and NPS log only to text files, and the NPS server's clock is in the scenario's config.json:
  // test/scenarios/radius-no-response-text-logs (a fixed offset; its NPS log holds only a DA server's probe, so
  // nothing could teach the offset and the settings matter) and text-logs-daylight-saving (a time zone, the NPS log
  // spanning the autumn change; its users' events teach the same offsets). With the same settings, the same attempts.
  for (const [name, settingsMatter] of [
    ['radius-no-response-text-logs', true],
    ['text-logs-daylight-saving', false],
  ] as const) {
    const config = fileURLToPath(new URL(`../scenarios/${name}/config.json`, import.meta.url));
    const settings = analysisConfigSchema.parse(JSON.parse(readFileSync(config, 'utf8')));
    const files = scenarioFiles(name, { textLogs: true });
    const expected = byId(offlineAttempts(files, settings));

    it(`${name}, 4 partitions, 2 correlators: every attempt identical to otptrace analyze --config`, async () => {
      expect(expected.length).toBeGreaterThan(1);
      if (settingsMatter) expect(byId(offlineAttempts(files))).not.toEqual(expected);
      else expect(byId(offlineAttempts(files))).toEqual(expected);
      await streamsAsOffline(
        `eq-config-${name}`,
        files,
        expected,
        { partitions: 4, correlators: 2, config },
        { batch: 5, npsClock: settings.npsLogUtcOffsets.nps01! },
        60_000,
      );
    });
  }
});

describe('otptrace pipeline: a generated day whose IIS and NPS log only to text files', () => {
  // `otptrace generate --iis w3c --nps dts --nps-time-zone Europe/Berlin`: W3C logs, NPS DTS logs in the servers'
  // local time, and the settings file naming their zone (analysis.json), given to analyze and to the pipeline alike.
  // The day runs from noon on 24 October 2026 over the night the clocks go back (UTC+2, then UTC+1).
  const options = { iisFormat: 'w3c', npsFormat: 'dts', npsTimeZone: 'Europe/Berlin' } as const;
  const start = '2026-10-24T12:00:00.000Z';
  const files = generatedDay(USERS, 23, start, 0, options);
  const written = [...generateFleetLogs({ users: USERS, seed: 23, days: 1, startTime: start, ...options })].find(
    (c) => c.file === 'analysis.json',
  )!.text;
  const config = join(mkdtempSync(join(tmpdir(), 'otptrace-eq-')), 'analysis.json');
  writeFileSync(config, written);
  const expected = byId(offlineAttempts(files, analysisConfigSchema.parse(JSON.parse(written))));

  it(
    '4 partitions, 2 correlators: every attempt identical to otptrace analyze --config',
    async () => {
      expect(files.some(([f]) => /W3SVC\d+\/u_ex\d{6}\.log$/.test(f))).toBe(true);
      expect(files.some(([f]) => /(^|\/)IN\d+\.log$/.test(f))).toBe(true);
      expect(expected.length).toBeGreaterThan(USERS);
      // A forwarder sends each NPS log line as it is written: at its local time less the zone's offset.
      expect(JSON.parse(written)).toEqual({ npsLogUtcOffsets: { nps1: 'Europe/Berlin', nps2: 'Europe/Berlin' } });
      // One token for every machine here (a site gives each forwarder its own): lift the per-sender rate limit.
      const env = {
        OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__PER_SECOND: '100000',
        OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__BURST: '100000',
      };
      const pipeline = { partitions: 4, correlators: 2, config, env };
      await streamsAsOffline(
        'eq-text-day',
        files,
        expected,
        pipeline,
        { npsClock: 'Europe/Berlin' },
        120_000 + USERS * 60,
      );
    },
    300_000 + USERS * 120,
  ); // a text log goes as bodies of the lines written within a second: many posts

  it(
    "4 partitions, 2 correlators, no settings: the offsets learned from the users' events, as otptrace analyze learns them",
    async () => {
      // Nothing says the NPS servers' clocks: analyze and the stream learn them from the users' CA requests and client
      // results (UTC), over the change too, and give what analyze --config gives.
      const learned = byId(offlineAttempts(files));
      expect(learned).toEqual(expected);
      const env = {
        OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__PER_SECOND: '100000',
        OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__BURST: '100000',
      };
      const pipeline = { partitions: 4, correlators: 2, env };
      await streamsAsOffline(
        'eq-text-day-learned',
        files,
        learned,
        pipeline,
        { npsClock: 'Europe/Berlin' },
        120_000 + USERS * 60,
      );
    },
    300_000 + USERS * 120,
  );
});

describe('otptrace pipeline: a small site whose NPS logs in the IAS format, nothing configured', () => {
  // 24 users: at night the NPS servers see only the DA servers' probes for hours, and analyze gives those records the
  // offset the morning's first user teaches. The stream holds the site back for them (up to a night) and learns the
  // same offset; NPS logs in the IAS format ("IAS (Legacy)"), local time UTC+1, posted as NPS writes them.
  const files = generatedDay(24, 203, undefined, 0, { iisFormat: 'w3c', npsFormat: 'ias' });
  const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: '+01:00', nps2: '+01:00' } });
  const expected = byId(offlineAttempts(files));

  it('4 partitions, 2 correlators: every attempt identical to otptrace analyze, which gives what --config gives', async () => {
    expect(files.some(([f, bytes]) => /(^|\/)IN\d+\.log$/.test(f) && /^[\d.]+,/.test(String(bytes)))).toBe(true);
    expect(expected).toEqual(byId(offlineAttempts(files, configured)));
    const env = {
      OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__PER_SECOND: '100000',
      OTPTRACE_COLLECTOR_HTTP__RATE_LIMIT__BURST: '100000',
    };
    await streamsAsOffline(
      'eq-small-ias',
      files,
      expected,
      { partitions: 4, correlators: 2, env },
      { npsClock: 60 },
      180_000,
    );
  }, 360_000);
});

/**
 * Starts `otptrace pipeline` with `options`, posts `files` as forwarders would (`post`), and expects the attempts
 * topic to hold exactly `expected`: each attempt once and identical, none missing, none extra; no error-level log line.
 */
async function streamsAsOffline(
  name: string,
  files: Array<[string, Buffer]>,
  expected: AttemptRecord[],
  options: PipelineOptions,
  post: Parameters<RunningPipeline['post']>[1],
  timeoutMs: number,
): Promise<void> {
  const pipeline = await startPipeline(name, options);
  try {
    await pipeline.post(files, post);
    const streamed = await readAttempts(pipeline.ready, expected.length, { timeoutMs });
    expect(differences(streamed, expected)).toEqual({ duplicated: [], missing: [], invented: [], differing: [] });
    expect(byId(streamed)).toEqual(expected);
    expect(pipeline.output()).not.toMatch(/"level":(50|60)/);
  } finally {
    expect(await pipeline.stop()).toBe(0);
  }
}
