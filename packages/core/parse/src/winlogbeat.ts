// Windows events as Elastic's Winlogbeat (and Elastic Agent's Windows integrations) ship them: one JSON document per
// event, its `winlog` object holding the record's System fields and its event data (Elastic's "Winlogbeat fields"
// reference, exported-fields-winlog). A site that forwards its logs to Elasticsearch exports them as NDJSON: the
// documents themselves (Winlogbeat's file output, Logstash), or search hits with the document under `_source`
// (elasticdump, scroll exports); a line may also hold an array of documents (Logstash's `json_batch`) or a whole
// search response (`hits.hits`). The same event gives the same ParsedEvent as its Event XML, so its IDs, duplicates
// and verdicts are the same.

import { fail, ok, type ParsedEvent, type Result } from '@otptrace/model';
import { scanEvent } from './scanner.js';

/** The events of one NDJSON line: a document, an array of documents, or a search response's hits. */
export function readWinlogbeatLine(line: string): Result<ParsedEvent>[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return [
      fail(
        'malformed_json',
        `not one JSON document on one line (${(error as Error).message}); otptrace reads NDJSON, one document per line, or JSON over many lines when its first line is a lone { or [ (jq . FILE > FILE.json writes it so)`,
      ),
    ];
  }
  const hits = asObject(asObject(value)?.hits)?.hits;
  const documents = Array.isArray(value) ? value : Array.isArray(hits) ? hits : [value];
  return documents.map(readWinlogbeatDocument);
}

/**
 * The event of one document (or search hit, the document under `_source`): from `event.original` when Winlogbeat
 * kept the record's XML (`include_xml: true`), else from the `winlog` fields:
 * - `provider_name`, `provider_guid`, `event_id`, `record_id`, `channel`, `computer_name`, `version`;
 * - the time from `@timestamp`, which Winlogbeat sets to the record's creation time;
 * - `event_data` (or `user_data`) as the event's data. Data without names (events of classic sources, such as NPS'
 *   System events) is named `param1`, `param2`, … by Winlogbeat: those become the unnamed data list, in order.
 * Values Elastic's ingest pipelines add or turn into lists are read as text (a list's items joined by ", ").
 */
export function readWinlogbeatDocument(document: unknown): Result<ParsedEvent> {
  const root = objectAt(document, '_source') ?? asObject(document);
  if (root === null) return fail('not_an_event', 'a JSON value that is not an object');
  const original = objectAt(root, 'event')?.original;
  if (typeof original === 'string' && original.trimStart().startsWith('<Event')) return scanEvent(original);
  const winlog = objectAt(root, 'winlog');
  if (winlog === null) {
    // Get-WinEvent | ConvertTo-Json: the event data are `Properties`, values without their names.
    if ('ProviderName' in root && 'Properties' in root)
      return fail(
        'not_an_event',
        "PowerShell's ConvertTo-Json of Get-WinEvent holds the event data without their names: export the log as .evtx (wevtutil epl) or as Event XML (wevtutil qe /f:xml)",
      );
    return fail('not_an_event', 'a JSON document without a winlog object (not a Windows event)');
  }
  const provider = text(winlog.provider_name);
  const eventId = integer(winlog.event_id);
  const recordId = integer(winlog.record_id);
  const channel = text(winlog.channel);
  const computer = text(winlog.computer_name);
  const systemTime = text(root['@timestamp']);
  if (provider === null) return fail('missing_field', 'no provider name', 'winlog.provider_name');
  if (eventId === null) return fail('missing_field', 'no event ID', 'winlog.event_id');
  if (recordId === null) return fail('missing_field', 'no record ID', 'winlog.record_id');
  if (channel === null) return fail('missing_field', 'no channel', 'winlog.channel');
  if (computer === null) return fail('missing_field', 'no computer name', 'winlog.computer_name');
  if (systemTime === null) return fail('missing_field', 'no time', '@timestamp');
  const { data, dataList } = eventData(objectAt(winlog, 'event_data') ?? objectAt(winlog, 'user_data') ?? {});
  const guid = text(winlog.provider_guid);
  return ok({
    provider,
    providerGuid: guid === null ? null : guid.toLowerCase(),
    eventId,
    qualifiers: null,
    version: integer(winlog.version),
    level: null,
    task: null,
    keywords: null,
    systemTime,
    recordId,
    channel,
    computer,
    data,
    dataList,
  });
}

const PARAM = /^param(\d+)$/;

/** Named data as it is; data Winlogbeat named `paramN` (every name of that form) as the unnamed list. */
function eventData(fields: Record<string, unknown>): Pick<ParsedEvent, 'data' | 'dataList'> {
  const data: Record<string, string> = {};
  const dataList: string[] = [];
  let params = true;
  for (const name in fields) {
    if (name === 'xml_name') continue;
    const value = valueText(fields[name]);
    // Most names do not start with "p": the pattern is tried on few of them.
    if (params && (name.charCodeAt(0) !== 0x70 || !PARAM.test(name))) params = false;
    data[name] = value;
    dataList.push(value);
  }
  if (!params || dataList.length === 0) return { data, dataList };
  const ordered = Object.keys(data).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return { data: {}, dataList: ordered.map((name) => data[name] as string) };
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | null {
  return asObject(asObject(value)?.[key]);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  return typeof value === 'number' ? String(value) : null;
}

/** A non-negative integer, written as a number (Winlogbeat 7) or as text (8, where event_id is a keyword). */
function integer(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
