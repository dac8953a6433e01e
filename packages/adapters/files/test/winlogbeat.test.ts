import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createNormalizeContext } from '@otptrace/normalize';
import { scanEvent } from '@otptrace/parse';
import type { AnalysisResult } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzePaths, ingestFile, listInputs } from '../src/index.js';
import { configOf, SCENARIOS } from './scenario-helpers.js';

// Sites that forward their Windows logs to Elasticsearch export them as NDJSON: Winlogbeat's documents, or search hits
// with the document under `_source`. Read so, every scenario must give what its Event XML gives.
const repo = new URL('../../../../', import.meta.url).pathname;
const FIXTURES = `${repo}test/fixtures/winlogbeat`;
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
const max = DEFAULT_ANALYSIS_CONFIG.maxEventBytes;
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-winlogbeat-'));
type ParsedEvent = Extract<ReturnType<typeof scanEvent>, { ok: true }>['value'];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * An event as Winlogbeat 8 ships it (Elastic's "Winlogbeat fields" reference): the System fields under `winlog`
 * (event_id as text), named data under `event_data`, unnamed data as `param1`, `param2`, …, beside the ECS fields
 * Winlogbeat adds. `variant` varies what real exports vary: the time's precision (milliseconds from Elasticsearch's
 * own formatting), numbers as numbers, the document under `_source` (a search hit), the record's XML kept in
 * `event.original` (`include_xml: true`).
 */
function winlogbeatLine(p: ParsedEvent, xml: string, variant: number): string {
  const named = Object.keys(p.data).length > 0;
  const eventData = named ? p.data : Object.fromEntries(p.dataList.map((value, i) => [`param${i + 1}`, value]));
  const time = variant % 4 === 1 ? new Date(Date.parse(p.systemTime)).toISOString() : p.systemTime;
  const document = {
    '@timestamp': time,
    agent: { type: 'winlogbeat', version: '8.15.3', name: 'wec01' },
    ecs: { version: '8.0.0' },
    event: {
      code: String(p.eventId),
      kind: 'event',
      provider: p.provider,
      created: '2026-11-30T10:00:00.000Z',
      ...(variant % 4 === 3 ? { original: xml } : {}),
    },
    host: { name: p.computer.toLowerCase() },
    log: { level: 'information' },
    message: 'The rendered message, which otptrace does not read.',
    winlog: {
      api: 'wineventlog',
      channel: p.channel,
      computer_name: p.computer,
      event_data: eventData,
      event_id: variant % 4 === 2 ? p.eventId : String(p.eventId),
      keywords: ['Audit Success'],
      opcode: 'Info',
      process: { pid: 700, thread: { id: 800 } },
      ...(p.providerGuid === null ? {} : { provider_guid: p.providerGuid.toUpperCase() }),
      provider_name: p.provider,
      record_id: variant % 4 === 2 ? String(p.recordId) : p.recordId,
      task: 'Network Policy Server',
      ...(p.version === null || p.version === 0 ? {} : { version: p.version }),
    },
  };
  return JSON.stringify(
    variant % 4 === 2 ? { _index: '.ds-logs', _id: `r${p.recordId}`, _source: document } : document,
  );
}

/** `xml` (a scenario's Event XML file) as Winlogbeat NDJSON; null when an event of it does not parse (kept as XML). */
function toNdjson(xml: string): string | null {
  const lines: string[] = [];
  for (const [i, event] of (xml.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? []).entries()) {
    const parsed = scanEvent(event);
    if (!parsed.ok) return null;
    lines.push(winlogbeatLine(parsed.value, event, i));
  }
  return lines.length === 0 ? null : `${lines.join('\n')}\n`;
}

/** Layouts of a JSON file written over many lines: `jq .` of NDJSON, an array, a search response (`?pretty`). */
const PRETTY_LAYOUTS = ['stream', 'array', 'search'] as const;

/** NDJSON as pretty-printed JSON in `layout`. */
function prettyOf(ndjson: string, layout: (typeof PRETTY_LAYOUTS)[number]): string {
  const documents = ndjson
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
  if (layout === 'stream') return `${documents.map((d) => JSON.stringify(d, null, 2)).join('\n')}\n`;
  if (layout === 'array') return `${JSON.stringify(documents, null, 4)}\n`;
  // Some lines are search hits already (winlogbeatLine): a hit's document is its _source.
  const sourceOf = (d: unknown) => (d as { _source?: unknown })._source ?? d;
  const hits = documents.map((d, i) => ({ _index: '.ds-logs', _id: String(i), _score: null, _source: sourceOf(d) }));
  return `${JSON.stringify({ took: 3, timed_out: false, hits: { total: { value: hits.length }, hits } }, null, 2)}\n`;
}

/** `dir` copied, its UTF-8 Event XML files as `.ndjson` (or pretty-printed `.json`); how many were converted. */
function convert(dir: string, out: string, pretty?: (typeof PRETTY_LAYOUTS)[number]): number {
  let converted = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, name.name);
    if (name.isDirectory()) {
      mkdirSync(join(out, name.name));
      converted += convert(from, join(out, name.name), pretty);
      continue;
    }
    const bytes = readFileSync(from);
    const ndjson = name.name.endsWith('.xml') && bytes[0] !== 0xff ? toNdjson(bytes.toString('utf8')) : null;
    if (ndjson === null) cpSync(from, join(out, name.name));
    else {
      // A folder's .json files are not read (configuration files): the pretty ones are named .ndjson to be found.
      writeFileSync(join(out, name.name.replace(/\.xml$/, '.ndjson')), pretty ? prettyOf(ndjson, pretty) : ndjson);
      converted++;
    }
  }
  return converted;
}

function findings(result: AnalysisResult) {
  return {
    attempts: result.attempts.map((a) => a.record),
    summary: result.summary,
    rejected: result.rejected.map(({ file, ...rest }) => ({ ...rest, file: file.replace(/\.(xml|ndjson)$/, '') })),
  };
}

/**
 * Every scenario converted (`layoutOf` the n-th converted one: NDJSON when undefined, else a pretty-printed layout)
 * must give what its Event XML gives; returns how many scenarios had Event XML to convert.
 */
async function expectScenariosAsXml(
  suffix: string,
  layoutOf: (n: number) => (typeof PRETTY_LAYOUTS)[number] | undefined,
) {
  let scenarios = 0;
  for (const entry of readdirSync(SCENARIOS, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(SCENARIOS, entry.name);
    const out = join(scratch, `${entry.name}${suffix}`);
    mkdirSync(out);
    const layout = layoutOf(scenarios);
    if (convert(dir, out, layout) === 0) continue;
    scenarios++;
    const config = configOf(dir);
    const fromXml = findings(await analyzePaths([dir], config, { jobs: 1 }));
    const fromJson = findings(await analyzePaths([out], config, { jobs: 1 }));
    expect(
      { ...fromJson, rejected: fromJson.rejected.map((r) => ({ ...r, file: relative(out, r.file) })) },
      `${entry.name} (${layout ?? 'ndjson'})`,
    ).toStrictEqual({ ...fromXml, rejected: fromXml.rejected.map((r) => ({ ...r, file: relative(dir, r.file) })) });
  }
  return scenarios;
}

describe('Winlogbeat NDJSON', { timeout: 120_000 }, () => {
  it('gives every scenario the verdicts, evidence and IDs of its Event XML', async () => {
    expect(await expectScenariosAsXml('', () => undefined)).toBeGreaterThan(40);
  });

  it('gives every scenario the same when its documents are pretty-printed: jq ., an array, a search response', async () => {
    const layoutOf = (n: number) => PRETTY_LAYOUTS[n % PRETTY_LAYOUTS.length]!;
    expect(await expectScenariosAsXml('-pretty', layoutOf)).toBeGreaterThan(40);
  });

  it('reads the events of a hand-written export as Winlogbeat 8 writes them', async () => {
    const result = await ingestFile(`${FIXTURES}/nps-and-client.ndjson`, ctx, max);
    expect(result.rejected).toEqual([]);
    expect(
      result.events.map((e) => ({
        kind: e.kind,
        user: e.user?.raw,
        computer: e.ref.computer,
        ...('reasonCode' in e ? { reasonCode: e.reasonCode } : {}),
      })),
    ).toEqual([
      { kind: 'radius.decision', user: 'CORP\\ida', computer: 'nps01.corp.example', reasonCode: 16 },
      { kind: 'client.result', user: 'CORP\\ida', computer: 'client02.corp.example' },
    ]);
    expect(result.ignoredBy).toEqual({ unrelated_event: 1 });
  });

  it("ignores an unrelated event's document by its winlog fields, before parsing it (as XML is, by its header)", async () => {
    const unrelated = readFileSync(`${FIXTURES}/nps-and-client.ndjson`, 'utf8').split('\n')[2]!;
    expect(unrelated).toContain('"event_id":"4624"');
    const path = join(scratch, 'unrelated.ndjson');
    // Cut short: parsed, it would be rejected as malformed; told from its fields, it is unrelated either way.
    writeFileSync(path, `${unrelated.slice(0, -20)}\n`);
    const result = await ingestFile(path, ctx, max);
    expect(result.rejected).toEqual([]);
    expect(result.ignoredBy).toEqual({ unrelated_event: 1 });
    // Several documents on one line, the last unrelated: the others are read all the same.
    const [nps, client] = readFileSync(`${FIXTURES}/nps-and-client.ndjson`, 'utf8').split('\n');
    writeFileSync(path, `[${nps},${client},${unrelated}]\n`);
    const batch = await ingestFile(path, ctx, max);
    expect(batch.events.map((e) => e.kind)).toEqual(['radius.decision', 'client.result']);
    expect(batch.ignoredBy).toEqual({ unrelated_event: 1 });
  });

  it('rejects, each with its reason, lines that are not Windows events, and reads the rest', async () => {
    const good = readFileSync(`${FIXTURES}/nps-and-client.ndjson`, 'utf8').split('\n')[0]!;
    const path = join(scratch, 'mixed.ndjson');
    writeFileSync(
      path,
      [
        '{"@timestamp": "2026-11-02T10:29:00Z", "message": "a Linux syslog line"}',
        good,
        '{"winlog": {"event_id": "6273", "channel": "Security"',
        '',
        '[1, 2]',
        '{"@timestamp": "2026-11-02T10:29:00Z", "winlog": {"provider_name": "NPS", "channel": "System", "computer_name": "nps01", "record_id": 5}}',
      ].join('\n'),
    );
    const result = await ingestFile(path, ctx, max);
    expect(result.events).toHaveLength(1);
    expect(result.rejected.map((r) => [r.code, r.reason])).toEqual([
      ['not_an_event', 'line 1: a JSON document without a winlog object (not a Windows event)'],
      [
        'malformed_json',
        expect.stringMatching(
          /^line 3: not one JSON document on one line .*first line is a lone \{ or \[ \(jq \. FILE/,
        ),
      ],
      ['not_an_event', 'line 5: a JSON value that is not an object'],
      ['not_an_event', 'line 5: a JSON value that is not an object'],
      ['missing_field', 'line 6: no event ID (winlog.event_id)'],
    ]);
  });

  it('takes .ndjson and .jsonl files from folders, not other .json files', async () => {
    const dir = join(scratch, 'folder');
    mkdirSync(dir);
    for (const name of ['a.ndjson', 'b.jsonl', 'config.json', 'c.ndjson.gz']) writeFileSync(join(dir, name), '');
    const { files } = await listInputs([dir]);
    expect(files.map((f) => relative(dir, f.path))).toEqual(['a.ndjson', 'b.jsonl', 'c.ndjson.gz']);
  });
});
