// Inputs shared by the stream's tests (unit, correlator, integration, bench): the scenario corpus as one stream of
// logons, a generated fleet day, and the offline analysis (`otptrace analyze`) of the same files as the reference.
import { readdirSync, readFileSync } from 'node:fs';
import { generateFleetLogs, type IncidentName, type RadiusClientNames } from '@otptrace/generator';
import {
  createNormalizeContext,
  type NormalizeContext,
  offsetOfLocalTime,
  parseNpsLogClock,
} from '@otptrace/normalize';
import { DetectingIngestor, engineConfigOf, OfflineAnalysis } from '@otptrace/pipeline';
import {
  type AnalysisConfig,
  type AttemptRecord,
  DEFAULT_ANALYSIS_CONFIG,
  type NormalizedEvent,
} from '@otptrace/schemas';
import { reorderWindowMs, type StreamSettings } from '../src/index.js';

const scenarios = new URL('../../../../test/scenarios/', import.meta.url);

/** Names of the scenarios of test/scenarios (each a folder of real-format client, IIS, NPS and CA renderings). */
export function scenarioNames(): string[] {
  return readdirSync(scenarios, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * The log files of one scenario, as [name, bytes]: its Event XML renderings, and with `textLogs` its IIS W3C, HTTP.sys
 * and NPS log files too (`da01/W3SVC2/u_ex261102.log`, `da01/HTTPERR/httperr1.log`, `nps01/IN2611.log`: the folders
 * name the servers, as analyze reads them).
 */
export function scenarioFiles(name: string, { textLogs = false } = {}): Array<[string, Buffer]> {
  const dir = new URL(`${name}/`, scenarios);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.replaceAll('\\', '/'))
    .filter((f) => (f.includes('/') ? textLogs && isTextLog(f) : f.endsWith('.xml')))
    .sort()
    .map((f): [string, Buffer] => [`${name}/${f}`, readFileSync(new URL(f, dir))]);
}

const W3C_LOG = /(^|\/)W3SVC\d+\/u_ex\d{6}\.log$/i;
/** HTTP.sys' error log, W3C-shaped (`da01/HTTPERR/httperr1.log`). */
const HTTPERR_LOG = /(^|\/)HTTPERR\/httperr\d+\.log$/i;
const NPS_LOG = /(^|\/)IN\d+\.log$/i;
const isTextLog = (file: string) => W3C_LOG.test(file) || HTTPERR_LOG.test(file) || NPS_LOG.test(file);

/**
 * Scenarios whose dates are the point (a daylight-saving change): they cannot move to another day, and the two share
 * theirs, so they are streamed on their own (stream.test.ts, pipeline-equality.test.ts), not in the corpus.
 */
const PINNED = /^text-logs-daylight-saving/;

/**
 * Every scenario on one stream, as a long run of logons: scenario i moves to day i after 2026-08-01 and its
 * EventRecordIDs get i·10⁹ added, so scenarios neither overlap in time nor share record identities (the scenarios
 * pinned to their dates left out). The text keeps
 * its encoding (UTF-16LE files stay UTF-16LE with their byte-order mark). With `textLogs`, the scenarios' W3C and NPS
 * log files come too, moved to the same day and named for it (a text log's records are identified by its file name
 * and line numbers: `u_ex260801.log`, `IN260801.log`, a daily NPS log).
 */
export function shiftedCorpus(
  names: readonly string[] = scenarioNames().filter((n) => !PINNED.test(n)),
  { textLogs = false } = {},
) {
  return names.flatMap((name, i) =>
    scenarioFiles(name, { textLogs }).map(([file, bytes]): [string, Buffer] => {
      const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
      const text = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
      const day = new Date(Date.UTC(2026, 7, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const [yyyy, mm, dd] = day.split('-');
      const shifted = text
        .replace(/2026-11-02/g, day)
        .replace(/11\/02\/2026/g, `${mm}/${dd}/${yyyy}`)
        .replace(/<EventRecordID>(\d+)</g, (_, n: string) => `<EventRecordID>${Number(n) + i * 1e9}<`);
      const yymmdd = `${yyyy!.slice(2)}${mm}${dd}`;
      const renamed = file.replace(/u_ex\d{6}\.log$/i, `u_ex${yymmdd}.log`).replace(/IN\d+\.log$/i, `IN${yymmdd}.log`);
      return [
        renamed,
        utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(shifted, 'utf16le')]) : Buffer.from(shifted),
      ];
    }),
  );
}

/**
 * The shifted corpus with the scenarios' text logs, as one site's stream, without two NPS log files. nps01 is the NPS
 * server of every scenario, its offset is configured in none here, and offline gives a log record that teaches nothing
 * the offset of its server's nearest record that does, however far away: that of `text-logs-learned-offset` (its
 * audit twins) would move the records of every other day's nps01 too, those weeks before included; and the first
 * nps01 record of the corpus, a probe in `gateway-rejected-request-text-logs` (no user events, no audit twin), takes
 * the offset offline that the next scenario with text logs teaches, three days later. A stream learns the offset when
 * the first evidence arrives, and a record cannot wait for days (test/stream.test.ts tests both scenarios on their
 * own); on a real site a server's records, its Security log and its users' events run side by side.
 */
export function corpusWithTextLogs(): Array<[string, Buffer]> {
  return shiftedCorpus(undefined, { textLogs: true }).filter(
    ([f]) =>
      !f.startsWith('text-logs-learned-offset/nps01/') && !f.startsWith('gateway-rejected-request-text-logs/nps01/'),
  );
}

/**
 * A generated fleet day (the generator's four files, OTP events only unless `unrelatedRatio`), as [name, bytes].
 * Fleets share host names and the DA servers' probe schedule: give fleets meant as different sites different days.
 */
export function generatedDay(
  users: number,
  seed: number,
  startTime?: string,
  unrelatedRatio = 0,
  /** IIS and NPS as text logs (`{ iisFormat: 'w3c', npsFormat: 'dts' }`; their settings file is left out), and more. */
  formats: {
    iisFormat?: 'xml' | 'w3c';
    npsFormat?: 'xml' | 'dts' | 'odbc' | 'ias';
    npsTimeZone?: string;
    radiusClientNames?: RadiusClientNames;
    /** Each host's clock off by up to this much, either way (`otptrace generate --clock-skew-ms`). */
    maxClockSkewMs?: number;
    /** The laptops' clocks off by up to this much instead (`otptrace generate --laptop-clock-skew-ms`). */
    maxLaptopClockSkewMs?: number;
    /** DA servers, NPS servers and CAs (`otptrace generate --da-servers`, `--nps-servers`, `--cas`); 2 each else. */
    daServers?: number;
    npsServers?: number;
    cas?: number;
    /** Incidents added to the day (`otptrace generate --incident`). */
    incidents?: readonly IncidentName[];
  } = {},
) {
  const byFile = new Map<string, string[]>();
  const options = {
    users,
    seed,
    days: 1,
    unrelatedRatio,
    ...formats,
    ...(startTime === undefined ? {} : { startTime }),
  };
  for (const { file, text } of generateFleetLogs(options)) {
    if (file === 'expected.json' || file === 'analysis.json') continue;
    const list = byFile.get(file) ?? [];
    list.push(text);
    byFile.set(file, list);
  }
  return [...byFile].map(([file, parts]): [string, Buffer] => [file, Buffer.from(parts.join(''))]);
}

/** A site stream's settings as the correlator runs it by default (its `graceMs`, 60 s), for `config`. */
export function streamSettings(
  config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG,
  ctx: NormalizeContext = createNormalizeContext(config),
): StreamSettings {
  return {
    engine: engineConfigOf(config, ctx, 'sorted'),
    analysis: config,
    reorderMs: reorderWindowMs(config, 60_000),
  };
}

/** The offline analysis (`otptrace analyze`) of the files: the reference the stream must match. */
export function offlineAnalysis(files: Array<[string, Buffer]>, config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG) {
  const analysis = new OfflineAnalysis(config);
  for (const [name, bytes] of files) {
    // By content, as analyze reads a folder: Event XML, or a text log (its path names its file and DA server).
    const ingestor = new DetectingIngestor(analysis.context, { maxEventBytes: config.maxEventBytes }, { label: name });
    analysis.add(name, [...ingestor.push(bytes), ...ingestor.end()]);
  }
  return analysis.finish();
}

/** The attempt records of the offline analysis. */
export function offlineAttempts(files: Array<[string, Buffer]>, config?: AnalysisConfig): AttemptRecord[] {
  return offlineAnalysis(files, config).attempts.map((a) => a.record);
}

/** The normalised events of the files, as the collector would publish them, in file order (text logs by their path). */
export function eventsOf(
  files: Array<[string, Buffer]>,
  config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG,
): NormalizedEvent[] {
  const ctx = createNormalizeContext(config);
  return files.flatMap(([label, bytes]) => {
    const ingestor = new DetectingIngestor(ctx, { maxEventBytes: config.maxEventBytes }, { label });
    return [...ingestor.push(bytes), ...ingestor.end()].flatMap((i) => (i.type === 'event' ? [i.event] : []));
  });
}

/** The events as a live forwarding stream delivers them (`arrivalOrder` of @otptrace/generator). */
export { arrivalOrder } from '@otptrace/generator';

/** One event's XML per item with its time, in event-time order (what a forwarder posts), from the files' text. */
export function eventItems(files: Array<[string, Buffer]>): Array<{ time: number; text: string }> {
  const items: Array<{ time: number; text: string }> = [];
  for (const [name, bytes] of files) {
    // Text logs are posted as lines of their file (W3C lines: w3cBodies; Winlogbeat NDJSON: ndjsonBodies).
    if (name.endsWith('.log') || name.endsWith('.ndjson')) continue;
    const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
    const text = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
    for (const m of text.matchAll(/<Event[ >][\s\S]*?<\/Event>/g)) {
      const time = /SystemTime=['"]([^'"]+)['"]/.exec(m[0]);
      items.push({ time: time ? Date.parse(time[1]!) : 0, text: m[0] });
    }
  }
  return items.sort((a, b) => a.time - b.time);
}

/** One event's XML per item, in event-time order (what a forwarder posts), from the files' text. */
export function eventTexts(files: Array<[string, Buffer]>): string[] {
  return eventItems(files).map((i) => i.text);
}

/**
 * An IIS W3C log posted over HTTP as a forwarder of the file would: bodies of consecutive lines, each naming the file
 * and the number of its first line (the lines' record IDs), the directives going with the data line after them; with
 * each body the time of its first data line, to interleave it with the other logs in event-time order.
 */
export function w3cBodies(file: string, bytes: Buffer, linesPerBody = 3): TextLogBody[] {
  return textLogBodies(file, bytes, linesPerBody, (line) =>
    line.startsWith('#') ? null : Date.parse(`${line.slice(0, 10)}T${line.slice(11, 19)}Z`),
  );
}

/**
 * A Winlogbeat NDJSON export posted over HTTP as a forwarder of the file would: bodies of consecutive lines naming
 * the file and their first line, each with its first document's time (`@timestamp`).
 */
export function ndjsonBodies(file: string, bytes: Buffer, linesPerBody = 2): TextLogBody[] {
  return textLogBodies(file, bytes, linesPerBody, (line) => {
    if (line.trim() === '') return null;
    const document = JSON.parse(line) as { '@timestamp'?: string; _source?: { '@timestamp'?: string } };
    return Date.parse((document._source ?? document)['@timestamp'] ?? '');
  });
}

/**
 * An NPS log file posted over HTTP as a forwarder of the file would: bodies of consecutive lines naming the file and
 * their first line, each with the time its first record was written, to interleave it with the other logs: the time
 * the file reads (the server's local time) less the server's offset when the sender knows it (`clock`: minutes east of
 * UTC, or a time zone name or offset as `npsLogUtcOffsets` takes them).
 */
export function npsLogBodies(file: string, bytes: Buffer, linesPerBody = 4, clock: number | string = 0): TextLogBody[] {
  const rule = typeof clock === 'string' ? parseNpsLogClock(clock) : { minutes: clock, zone: null };
  if (rule === null) throw new Error(`not an NPS log clock: ${clock}`);
  let previous = Number.NEGATIVE_INFINITY;
  return textLogBodies(file, bytes, linesPerBody, (line) => {
    // DTS: <Timestamp data_type="4">11/02/2026 10:00:00.345</Timestamp>; ODBC and IAS: ...,11/02/2026,10:00:00,...
    const m = /(\d\d)\/(\d\d)\/(\d{4})[ ,](\d\d:\d\d:\d\d)/.exec(line);
    if (m === null) return Number.NaN;
    const wall = Date.parse(`${m[3]}-${m[1]}-${m[2]}T${m[4]}Z`);
    // Written in time order: a wall time of the repeated autumn hour read after a later one is its second occurrence.
    const first = wall - offsetOfLocalTime(rule, wall) * 60_000;
    const utc = first < previous - 60_000 ? wall - offsetOfLocalTime(rule, wall, true) * 60_000 : first;
    previous = Math.max(previous, utc);
    return utc;
  });
}

/** How often a forwarder following a text log sends what was written since (ms). */
const FORWARD_INTERVAL_MS = 1_000;

/** A body of a text log's lines: the file, its first line's number and the time of its first record. */
export interface TextLogBody {
  readonly time: number;
  readonly file: string;
  readonly firstLine: number;
  readonly text: string;
}

/**
 * Bodies of at most `linesPerBody` records written within a second of the body's first, as a forwarder following the
 * file sends what was written since it last looked (`timeOf`: a record's time, null for a directive line, which goes
 * with the next record).
 */
function textLogBodies(
  file: string,
  bytes: Buffer,
  linesPerBody: number,
  timeOf: (line: string) => number | null,
): TextLogBody[] {
  const lines = bytes.toString('utf8').split(/(?<=\n)/);
  const bodies: TextLogBody[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let records = 0;
    let time = Number.NaN;
    while (end < lines.length && records < linesPerBody) {
      const at = timeOf(lines[end]!);
      if (at !== null && records > 0 && at - time > FORWARD_INTERVAL_MS) break;
      end++;
      if (at === null) continue;
      records++;
      if (Number.isNaN(time)) time = at;
    }
    // A forwarder sends a file's lines in their order (an NPS log's times step back when its clock is set back).
    const previous = bodies.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
    bodies.push({ time: Math.max(time, previous), file, firstLine: start + 1, text: lines.slice(start, end).join('') });
    start = end;
  }
  return bodies;
}
