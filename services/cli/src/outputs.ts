import type { AnalysisDocument, AnalysisSummaryLine, AttemptRecord } from '@otptrace/schemas';

/** Writes text somewhere, waiting when it is full. */
export type Write = (text: string) => Promise<void>;

/**
 * Attempts stringified together: one native call and one write per batch instead of per attempt, and a batch's text
 * (about 2.7 K characters an attempt) small enough for V8's young generation: text of over 128 KB goes to the
 * large-object space, which only a full garbage collection frees (a fleet's report grew the heap by its own size).
 * The text is two bytes a character as soon as one value has a non-Latin-1 character (the `→` of every IIS evidence
 * summary): 32 attempts went over 128 KB, and flattening each batch's indented text for the write then cost 2.5 × the
 * stringify itself (0.7 CPU-s for a 57 MB report against 0.28 with 8).
 */
const JSON_BATCH = 8;
const BATCH_OPEN = '{\n  "attempts": [\n    ';
const BATCH_CLOSE = '\n  ]\n}';

/**
 * The JSON document piece by piece, a batch of attempts at a time, so a fleet's report is never one string in memory.
 * The bytes are those of `JSON.stringify(document, null, 2)`: a batch is stringified inside an object shaped like the
 * document, so its attempts come out already indented as they are in the document, and only the wrapper is cut off.
 */
export async function writeJsonDocument(document: AnalysisDocument, write: Write): Promise<void> {
  let first = true;
  await write('{');
  for (const [key, value] of Object.entries(document)) {
    if (value === undefined) continue;
    await write(`${first ? '' : ','}\n  ${JSON.stringify(key)}: `);
    first = false;
    if (!Array.isArray(value) || value.length === 0 || key !== 'attempts') {
      await write(JSON.stringify(value, null, 2).replaceAll('\n', '\n  '));
      continue;
    }
    await write('[');
    for (let at = 0; at < value.length; at += JSON_BATCH) {
      const text = JSON.stringify({ attempts: value.slice(at, at + JSON_BATCH) }, null, 2);
      await write(at === 0 ? '\n    ' : ',\n    ');
      await write(text.slice(BATCH_OPEN.length, text.length - BATCH_CLOSE.length));
    }
    await write('\n  ]');
  }
  await write('\n}\n');
}

/** NDJSON: one attempt record per line (the attempts topic's record), then the summary line. */
export async function writeNdjson(
  attempts: readonly AttemptRecord[],
  summary: AnalysisSummaryLine,
  write: Write,
): Promise<void> {
  for (const a of attempts) await write(`${JSON.stringify(a)}\n`);
  await write(`${JSON.stringify(summary)}\n`);
}

/** The CSV columns, one row per attempt. */
export const CSV_COLUMNS: readonly (readonly [string, (a: AttemptRecord) => string | null])[] = [
  ['user', (a) => a.user],
  ['start', (a) => a.start],
  ['end', (a) => a.end],
  ['outcome', (a) => a.outcome],
  ['stage', (a) => a.failedStage],
  ['cause', (a) => a.rootCause?.code ?? null],
  ['da_server', (a) => a.hosts.gateway],
  ['nps_server', (a) => a.hosts.radius],
  ['ca', (a) => a.hosts.ca],
  ['client', (a) => a.hosts.client],
  ['client_address', (a) => a.clientAddress],
  ['trace_id', (a) => a.traceId],
  ['attempt_id', (a) => a.id],
];

/**
 * RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled; empty for none. A field that
 * a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first; a user name comes from whoever typed
 * it at a logon prompt) gets a leading apostrophe, as OWASP's "CSV Injection" page advises.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV with a header row; lines end in CRLF as RFC 4180 says. */
export async function writeCsv(attempts: readonly AttemptRecord[], write: Write): Promise<void> {
  await write(`${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`);
  for (const a of attempts) await write(`${CSV_COLUMNS.map(([, get]) => csvField(get(a))).join(',')}\r\n`);
}
