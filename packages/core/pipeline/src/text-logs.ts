import type { DropReason } from '@otptrace/model';
import {
  ACCESS_ACCEPT,
  ACCESS_REJECT,
  ACCESS_REQUEST,
  classify,
  type NormalizeContext,
  normalizeNpsLog,
  normalizeW3c,
  withPlausibleTime,
} from '@otptrace/normalize';
import {
  detectEncoding,
  detectFormat,
  type InputFormat,
  type JsonPiece,
  LineSplitter,
  type NpsLogFormat,
  type NpsLogRecord,
  npsRecordFormat,
  opensPrettyJson,
  PrettyJsonDocuments,
  readDtsRecord,
  readIasLine,
  readOdbcLine,
  readWinlogbeatLine,
  type TextLine,
  type W3cHeader,
  W3cReader,
  w3cHeader,
  w3cServerFromPath,
} from '@otptrace/parse';
import type { NormalizedEvent } from '@otptrace/schemas';
import { type IngestItem, type IngestOptions, normalizeParsed, XmlIngestor } from './ingest.js';

/** Anything that turns a byte stream into ingest items. */
export interface Ingestor {
  push(chunk: Uint8Array): IngestItem[];
  end(): IngestItem[];
}

/** Where a text log comes from: a file path (its name and folder matter for W3C), or a stream's name. */
export interface TextLogSource {
  readonly label: string;
  /**
   * State carried from one batch of a stream to the next (the collector follows files and stdin in batches): the
   * format, the line count, the W3C #Fields in force, NPS requests still waiting for their answer.
   */
  readonly carry?: StreamCarry;
  /**
   * The stream has been quiet for longer than an answer takes (the collector's wall clock says so; the core reads
   * none): the NPS requests still waiting for their answer are unanswered, as at the end of a file offline.
   */
  readonly quiet?: boolean;
}

/** What a batch of a stream hands to the next; start with `{}`. */
export interface StreamCarry {
  format?: InputFormat;
  lines?: number;
  w3cHeader?: W3cHeader | null;
  npsPending?: PendingRequest[];
  /** The latest UTC time of an NPS log's decisions (to tell a clock set back: `NpsLogWhere.clockSetBack`). */
  npsLatestUtc?: number;
}

/** A carry as JSON (a follower saves it with its position, so a restart numbers lines and reads fields on). */
export interface StreamCarryJson {
  format?: InputFormat;
  lines?: number;
  w3cFields?: readonly string[] | null;
  npsPending?: PendingRequest[];
  npsLatestUtc?: number;
}

export function carryToJson(carry: StreamCarry): StreamCarryJson {
  const { w3cHeader: header, ...rest } = carry;
  return header === undefined ? rest : { ...rest, w3cFields: header === null ? null : header.names };
}

export function carryFromJson(json: StreamCarryJson): StreamCarry {
  const { w3cFields, ...rest } = json;
  return w3cFields === undefined ? rest : { ...rest, w3cHeader: w3cFields === null ? null : w3cHeader(w3cFields) };
}

const baseName = (label: string): string =>
  label
    .split(/[\\/]/)
    .filter((p) => p !== '')
    .pop() ?? label;

/**
 * ①② IIS W3C text log → gateway requests (docs/windows-events.md §9). The DA server is named by s-computername, else
 * the configured `iisServerName`, else the folder holding `W3SVC<n>` (`da01/W3SVC2/u_ex261102.log`), else s-ip.
 * Lines that are not POST requests are dropped before they are split, as 6200 events are on their bytes.
 */
export class W3cIngestor implements Ingestor {
  private readonly lines: LineSplitter;
  private readonly reader: W3cReader;
  private readonly channel: string;
  private readonly server: string | null;
  private fields: number;

  constructor(
    private readonly ctx: NormalizeContext,
    options: Pick<IngestOptions, 'maxEventBytes'>,
    private readonly source: TextLogSource,
  ) {
    this.lines = new LineSplitter(options.maxEventBytes, source.carry?.lines ?? 0);
    this.reader = new W3cReader(source.carry?.w3cHeader ?? null);
    this.fields = this.reader.header?.names.length ?? 0;
    this.channel = baseName(source.label);
    this.server = ctx.iisServerName ?? w3cServerFromPath(source.label);
  }

  push(chunk: Uint8Array): IngestItem[] {
    return this.take(this.lines.push(chunk));
  }

  end(): IngestItem[] {
    const out = this.take(this.lines.end());
    if (this.source.carry !== undefined) {
      this.source.carry.lines = this.lines.lines;
      this.source.carry.w3cHeader = this.reader.header;
    }
    return out;
  }

  private take(items: ReturnType<LineSplitter['push']>): IngestItem[] {
    const out: IngestItem[] = [];
    for (const item of items) {
      if (item.kind === 'reject') {
        out.push({ type: 'rejected', code: item.code, reason: item.reason, position: item.position, raw: null });
        continue;
      }
      const line = item.text;
      if (line.startsWith('#')) {
        this.reader.read(line);
        if (line.startsWith('#Fields:')) this.fields = line.slice(8).trim().split(/\s+/).length;
        continue; // directives are not events
      }
      // Cheap drop of the site's other requests: a line of the right shape without a POST method value.
      if (this.fields > 0 && valueCount(line) === this.fields && !line.includes(' POST ')) {
        out.push({ type: 'ignored', reason: 'gateway_other_request', position: item.position });
        continue;
      }
      const read = this.reader.read(line);
      if (read.kind === 'directive') continue;
      if (read.kind === 'invalid') {
        out.push(rejectedLine(read.code, `line ${item.lineNumber}: ${read.reason}`, item.position));
        continue;
      }
      const n = withPlausibleTime(
        normalizeW3c(read, { channel: this.channel, lineNumber: item.lineNumber, server: this.server }, this.ctx),
        this.ctx,
        'date time',
      );
      out.push(itemOf(n, item, 'W3C'));
    }
    return out;
  }
}

function valueCount(line: string): number {
  let n = 1;
  for (let i = line.indexOf(' '); i >= 0; i = line.indexOf(' ', i + 1)) n++;
  return n;
}

/** An Access-Request waiting for its answer. */
export interface PendingRequest {
  readonly record: NpsLogRecord;
  readonly line: TextLine;
  readonly wall: number;
  readonly userKey: string | null;
  /** The latest UTC time of the log's decisions when the request was read (`NpsLogIngestor.decide`). */
  readonly notBefore?: number;
}

/** An Access-Request whose answer has not come within this much of its time is taken as unanswered. */
const ANSWER_WAIT_MS = 60_000;
/**
 * An NPS log is written in time order: a record placed this much before the log's latest decision was written after
 * the clock was set back (the autumn change of daylight saving time), in the second occurrence of the repeated hour.
 */
const CLOCK_SET_BACK_MS = 60_000;
/** A wall time this far behind the latest one read is the clock set back (by an hour; by 30 minutes on Lord Howe Island). */
const WALL_SET_BACK_MS = 20 * 60_000;

/**
 * ①② NPS log file (database-compatible, DTS or IAS) → RADIUS decisions (docs/windows-events.md §9). An Access-Accept or
 * Access-Reject is the decision; the Access-Request it answers (same NPS server, RADIUS client and user, just before)
 * is counted as ignored (`answered_radius_request`). A request with no answer in the log is evidence in itself: the
 * decision 6274 would give (discarded).
 */
export class NpsLogIngestor implements Ingestor {
  private readonly lines: LineSplitter;
  private readonly channel: string;
  private readonly pending: PendingRequest[];
  /** DTS records split over several lines are gathered here. */
  private partial: { text: string; line: TextLine } | null = null;
  /** Local time of the latest record read. */
  private latest = Number.NEGATIVE_INFINITY;
  /** UTC time of the latest decision (to tell a clock set back). */
  private latestUtc: number;

  constructor(
    private readonly ctx: NormalizeContext,
    private readonly options: Pick<IngestOptions, 'maxEventBytes'>,
    /** The file's format, as detected from its start; a line of another NPS format is read by its own shape. */
    private readonly format: NpsLogFormat,
    private readonly source: TextLogSource,
  ) {
    this.lines = new LineSplitter(options.maxEventBytes, source.carry?.lines ?? 0);
    this.channel = baseName(source.label);
    this.pending = source.carry?.npsPending ?? [];
    this.latestUtc = source.carry?.npsLatestUtc ?? Number.NEGATIVE_INFINITY;
  }

  push(chunk: Uint8Array): IngestItem[] {
    return this.take(this.lines.push(chunk));
  }

  end(): IngestItem[] {
    const out = this.take(this.lines.end());
    if (this.partial !== null) {
      out.push(rejectedLine('truncated_event', 'NPS DTS <Event> without its end tag', this.partial.line.position));
      this.partial = null;
    }
    const carry = this.source.carry;
    if (carry === undefined || this.source.quiet === true) {
      for (const p of this.pending.splice(0)) out.push(this.decide(p.record, p.line, null, p.notBefore));
      if (carry !== undefined) this.save(carry);
      return out;
    }
    // A stream read in batches: a request may be answered in the next batch; only those that waited long enough go.
    while (this.pending.length > 0 && this.pending[0]!.wall < this.latest - ANSWER_WAIT_MS) {
      const p = this.pending.shift()!;
      out.push(this.decide(p.record, p.line, null, p.notBefore));
    }
    this.save(carry);
    return out;
  }

  private save(carry: StreamCarry): void {
    carry.npsPending = this.pending;
    carry.lines = this.lines.lines;
    if (Number.isFinite(this.latestUtc)) carry.npsLatestUtc = this.latestUtc;
  }

  private take(items: ReturnType<LineSplitter['push']>): IngestItem[] {
    const out: IngestItem[] = [];
    for (const item of items) {
      if (item.kind === 'reject') {
        out.push({ type: 'rejected', code: item.code, reason: item.reason, position: item.position, raw: null });
        continue;
      }
      // NPS's log format can be switched while it runs: the file then goes on in the new one.
      const format = this.partial !== null ? 'dts' : (npsRecordFormat(item.text) ?? this.format);
      const whole = format === 'dts' ? this.gather(item, out) : item;
      if (whole === null) continue;
      const read = READERS[format](whole.text);
      if (!read.ok) {
        out.push(rejectedLine(read.code, `line ${whole.lineNumber}: ${read.reason}`, whole.position));
        continue;
      }
      this.onRecord(read.record, whole, out);
    }
    return out;
  }

  private gather(item: TextLine, out: IngestItem[]): TextLine | null {
    const text = this.partial === null ? item.text : `${this.partial.text}\n${item.text}`;
    const first = this.partial?.line ?? item;
    if (!text.trimStart().startsWith('<Event>') || text.includes('</Event>')) {
      this.partial = null;
      return { ...first, text };
    }
    if (text.length > this.options.maxEventBytes) {
      this.partial = null;
      out.push(
        rejectedLine('event_too_large', `NPS DTS record longer than ${this.options.maxEventBytes}`, first.position),
      );
      return null;
    }
    this.partial = { text, line: first };
    return null;
  }

  private onRecord(record: NpsLogRecord, line: TextLine, out: IngestItem[]): void {
    const packet = Number(record.packetType);
    const wall = record.localTime === null ? Number.NaN : Date.parse(`${record.localTime}Z`);
    const notBefore = this.latestUtc;
    // Requests that waited too long for an answer are settled first: the log is in time order.
    if (Number.isFinite(wall)) {
      // In time order, save where the clock was set back (then the log goes on from the earlier wall time).
      this.latest = wall < this.latest - WALL_SET_BACK_MS ? wall : Math.max(this.latest, wall);
      while (this.pending.length > 0 && this.pending[0]!.wall < wall - ANSWER_WAIT_MS) {
        const p = this.pending.shift()!;
        out.push(this.decide(p.record, p.line, null, p.notBefore));
      }
    }
    if (packet === ACCESS_REQUEST && Number.isFinite(wall)) {
      const userKey = this.userKeyOf(record);
      this.pending.push(
        Number.isFinite(notBefore) ? { record, line, wall, userKey, notBefore } : { record, line, wall, userKey },
      );
      return;
    }
    if (packet === ACCESS_ACCEPT || packet === ACCESS_REJECT) {
      const key = this.userKeyOf(record);
      const i = this.pending.findIndex(
        (p) =>
          p.record.computer === record.computer &&
          (p.record.clientIp ?? p.record.clientName) === (record.clientIp ?? record.clientName) &&
          (key === null || p.userKey === null || p.userKey === key),
      );
      const request = i < 0 ? null : this.pending.splice(i, 1)[0]!;
      if (request !== null)
        out.push({ type: 'ignored', reason: 'answered_radius_request', position: request.line.position });
      out.push(this.decide(record, line, request?.record ?? null, notBefore));
      return;
    }
    // Accounting records (Packet-Type 4/5) and others say nothing about authentication.
    if (packet > 3 && Number.isFinite(packet))
      out.push({ type: 'ignored', reason: 'unrelated_event', position: line.position });
    else out.push(this.decide(record, line, null, notBefore)); // rejected with its reason by the mapper
  }

  private userKeyOf(record: NpsLogRecord): string | null {
    return this.ctx.identity.resolve(record.userName ?? record.fullyQualifiedUserName)?.key ?? null;
  }

  /**
   * The decision of a record; `notBefore`: the latest UTC time of the log's decisions when the record was read. A
   * record of a server with a time zone placed well before it was written after the clock was set back: it is read
   * again as the second occurrence of its repeated wall time.
   */
  private decide(
    record: NpsLogRecord,
    line: TextLine,
    request: NpsLogRecord | null,
    notBefore = Number.NEGATIVE_INFINITY,
  ): IngestItem {
    const format = record.format ?? this.format;
    const where = { format, channel: this.channel, lineNumber: line.lineNumber };
    const answered =
      request === null
        ? null
        : {
            userName: request.userName,
            authenticationType: request.authenticationType,
            nasIdentifier: request.nasIdentifier,
          };
    let n = normalizeNpsLog(record, where, this.ctx, answered);
    if (n.status === 'event' && n.event.time < notBefore - CLOCK_SET_BACK_MS && isZoned(n.event))
      n = normalizeNpsLog(record, { ...where, clockSetBack: true }, this.ctx, answered);
    // Before it counts as the log's latest: a record dated in the future would set every record after it back.
    n = withPlausibleTime(n, this.ctx, 'Timestamp');
    if (n.status === 'event' && n.event.time > this.latestUtc) this.latestUtc = n.event.time;
    return itemOf(n, line, FORMAT_NAMES[format]);
  }
}

const READERS = { dts: readDtsRecord, odbc: readOdbcLine, ias: readIasLine } as const;
const FORMAT_NAMES = { dts: 'NPS DTS', odbc: 'NPS database-format', ias: 'NPS IAS-format' } as const;

/** A decision read with a configured time zone (whose offset changes, and may repeat a wall time). */
const isZoned = (e: NormalizedEvent): boolean => e.kind === 'radius.decision' && e.clock?.zone !== undefined;

function rejectedLine(code: DropReason, reason: string, position: number): IngestItem {
  return { type: 'rejected', code, reason, position, raw: null };
}

function itemOf(n: ReturnType<typeof normalizeW3c>, line: TextLine, what: string): IngestItem {
  switch (n.status) {
    case 'event':
      return { type: 'event', event: n.event, position: line.position, raw: null };
    case 'ignored':
      return { type: 'ignored', reason: n.reason, position: line.position };
    case 'rejected': {
      const where = n.issue.path === undefined ? '' : ` (${n.issue.path})`;
      return rejectedLine(n.issue.code, `${what} line ${line.lineNumber}: ${n.issue.message}${where}`, line.position);
    }
  }
}

/** Bytes to look at before choosing a reader. */
export const DETECT_BYTES = 512;

/** The ingestor for a detected format (binary .evtx has its own file reader and is not streamed). */
export function ingestorFor(
  format: Exclude<InputFormat, 'evtx'>,
  ctx: NormalizeContext,
  options: IngestOptions,
  source: TextLogSource,
): Ingestor {
  switch (format) {
    case 'iis-w3c':
      return new W3cIngestor(ctx, options, source);
    case 'nps-odbc':
      return new NpsLogIngestor(ctx, options, 'odbc', source);
    case 'nps-dts':
      return new NpsLogIngestor(ctx, options, 'dts', source);
    case 'nps-ias':
      return new NpsLogIngestor(ctx, options, 'ias', source);
    case 'winlogbeat-ndjson':
      return new WinlogbeatIngestor(ctx, options, source);
    case 'event-xml':
      return new XmlIngestor(ctx, options);
  }
}

const STRING_VALUE = /\s*:\s*"([^"\\]*)"/y;
const INTEGER_VALUE = /\s*:\s*"?(\d+)/y;

/**
 * The value of the last `key` (quotes included) in a JSON text, when `value` reads it. From the end: Winlogbeat writes
 * its keys in order, `winlog` last, after a message that may be long.
 */
function jsonField(text: string, key: string, value: RegExp): string | undefined {
  const at = text.lastIndexOf(key);
  if (at < 0) return undefined;
  value.lastIndex = at + key.length;
  return value.exec(text)?.[1];
}

/**
 * Whether a document is of an event otptrace has no use for, told from its text before it is parsed: most of a
 * Security log export is, and parsing a whole document costs many times these searches. (A key inside a JSON
 * string has its quotes escaped, so it does not match.) Undecided (false) when a field is missing or escaped, or when
 * the line holds more than one document.
 */
function unrelatedDocument(text: string): boolean {
  // One document only: a line holding several (an array, a search response) is parsed whole.
  const winlog = text.lastIndexOf('"winlog"');
  if (winlog < 0 || text.indexOf('"winlog"') !== winlog) return false;
  const provider = jsonField(text, '"provider_name"', STRING_VALUE);
  const eventId = provider === undefined ? undefined : jsonField(text, '"event_id"', INTEGER_VALUE);
  const channel = eventId === undefined ? undefined : jsonField(text, '"channel"', STRING_VALUE);
  return channel !== undefined && classify(provider!, Number(eventId), channel).kind === 'unrelated';
}

/**
 * Winlogbeat's JSON documents → the events their Event XML gives (`readWinlogbeatLine`): one per line (NDJSON, as
 * exported from Elasticsearch), or pretty-printed over many lines (`jq .`, `?pretty`, ConvertTo-Json; told by a first
 * line that is a lone `{` or `[`), cut into documents by `PrettyJsonDocuments`. A line or document that is not a
 * document, or not a Windows event, is rejected with its reason.
 */
export class WinlogbeatIngestor implements Ingestor {
  private readonly lines: LineSplitter;
  /** Set by the first line that is not blank, when it opens pretty-printed JSON. */
  private pretty: PrettyJsonDocuments | null = null;
  private started: boolean;

  constructor(
    private readonly ctx: NormalizeContext,
    private readonly options: Pick<IngestOptions, 'maxEventBytes'>,
    private readonly source: TextLogSource,
  ) {
    this.lines = new LineSplitter(options.maxEventBytes, source.carry?.lines ?? 0);
    // A followed file read in batches is NDJSON (Winlogbeat's file output): only a whole input may be pretty-printed.
    this.started = source.carry !== undefined;
  }

  push(chunk: Uint8Array): IngestItem[] {
    return this.take(this.lines.push(chunk));
  }

  end(): IngestItem[] {
    const out = this.take(this.lines.end());
    if (this.pretty !== null) for (const piece of this.pretty.end()) this.takePiece(piece, out);
    if (this.source.carry !== undefined) this.source.carry.lines = this.lines.lines;
    return out;
  }

  private take(items: ReturnType<LineSplitter['push']>): IngestItem[] {
    const out: IngestItem[] = [];
    for (const item of items) {
      if (item.kind === 'reject') {
        out.push(rejectedLine(item.code, item.reason, item.position));
        continue;
      }
      if (this.pretty !== null) {
        for (const piece of this.pretty.push(item.text, item.position, item.lineNumber)) this.takePiece(piece, out);
        continue;
      }
      if (item.text.trim() === '') continue;
      if (!this.started) {
        this.started = true;
        if (opensPrettyJson(item.text)) {
          this.pretty = new PrettyJsonDocuments(this.options.maxEventBytes);
          for (const piece of this.pretty.push(item.text, item.position, item.lineNumber)) this.takePiece(piece, out);
          continue;
        }
      }
      this.takeDocument(item.text, item.position, item.lineNumber, out);
    }
    return out;
  }

  private takePiece(piece: JsonPiece, out: IngestItem[]): void {
    if (piece.kind === 'document') this.takeDocument(piece.text, piece.position, piece.lineNumber, out);
    else out.push(rejectedLine(piece.code, piece.reason, piece.position));
  }

  /** A line of NDJSON, or a pretty-printed document starting on line `lineNumber`. */
  private takeDocument(text: string, position: number, lineNumber: number, out: IngestItem[]): void {
    if (unrelatedDocument(text)) {
      out.push({ type: 'ignored', reason: 'unrelated_event', position });
      return;
    }
    for (const read of readWinlogbeatLine(text)) {
      if (read.ok) out.push(normalizeParsed(read.value, position, this.ctx));
      else {
        const where = read.issue.path === undefined ? '' : ` (${read.issue.path})`;
        out.push(rejectedLine(read.issue.code, `line ${lineNumber}: ${read.issue.message}${where}`, position));
      }
    }
  }
}

/** The format of a UTF-16LE text log (W3C, NPS log, NDJSON) from its first bytes; null for anything else. */
function utf16TextLog(head: Buffer): { format: Exclude<InputFormat, 'evtx' | 'event-xml'> } | null {
  if (detectEncoding(head).encoding !== 'utf16le') return null;
  const text = Buffer.from(new TextDecoder('utf-16le').decode(head.subarray(0, head.length & ~1)), 'utf8');
  const format = detectFormat(text);
  // Event XML in UTF-16 has a reader of its own (it keeps the file's byte positions).
  return format === 'evtx' || format === 'event-xml' ? null : { format };
}

/** Hands an ingestor the UTF-8 text of UTF-16LE bytes (a code unit or surrogate pair cut by a chunk waits). */
class Utf16Transcoding implements Ingestor {
  private readonly decoder = new TextDecoder('utf-16le');

  constructor(private readonly inner: Ingestor) {}

  push(chunk: Uint8Array): IngestItem[] {
    return this.inner.push(Buffer.from(this.decoder.decode(chunk, { stream: true }), 'utf8'));
  }

  end(): IngestItem[] {
    const rest = this.decoder.decode();
    return [...(rest === '' ? [] : this.inner.push(Buffer.from(rest, 'utf8'))), ...this.inner.end()];
  }
}

/**
 * An ingestor that reads the first bytes of a stream, detects its format by content (detectFormat) and hands the
 * stream to the matching reader: the collector's inputs and analyze's files share it.
 */
export class DetectingIngestor implements Ingestor {
  private inner: Ingestor | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;
  private binary = false;

  constructor(
    private readonly ctx: NormalizeContext,
    private readonly options: IngestOptions,
    private readonly source: TextLogSource,
  ) {
    // A later batch of a stream keeps the format its first bytes showed.
    const known = source.carry?.format;
    if (known !== undefined && known !== 'evtx') {
      this.format = known;
      this.inner = ingestorFor(known, ctx, options, source);
    }
  }

  /** The format chosen, once enough bytes were seen. */
  format: InputFormat | null = null;

  push(chunk: Uint8Array): IngestItem[] {
    if (this.binary) return [];
    if (this.inner !== null) return this.inner.push(chunk);
    this.head.push(Buffer.from(chunk));
    this.headBytes += chunk.length;
    return this.headBytes < DETECT_BYTES ? [] : this.choose();
  }

  end(): IngestItem[] {
    if (this.binary) return [];
    const first = this.inner === null ? this.choose() : [];
    return this.binary ? first : [...first, ...this.inner!.end()];
  }

  private choose(): IngestItem[] {
    const head = Buffer.concat(this.head);
    this.head = [];
    // (A stream read in batches, the collector's, hands over UTF-8: it transcodes what it follows.)
    const transcoded = this.source.carry === undefined ? utf16TextLog(head) : null;
    if (transcoded !== null) {
      // A text log re-saved as UTF-16 (Windows PowerShell 5's `>` and Out-File write it): read as its UTF-8 text,
      // line by line as the original, so its lines keep their numbers, which are their record IDs.
      this.format = transcoded.format;
      this.inner = new Utf16Transcoding(ingestorFor(transcoded.format, this.ctx, this.options, this.source));
      return this.inner.push(head);
    }
    this.format = detectFormat(head);
    if (this.source.carry !== undefined && head.length > 0) this.source.carry.format = this.format;
    if (this.format === 'evtx') {
      this.binary = true;
      return [
        rejectedLine('not_an_event', 'binary .evtx content in a text stream: give the file to analyze instead', 0),
      ];
    }
    this.inner = ingestorFor(this.format, this.ctx, this.options, this.source);
    return head.length === 0 ? [] : this.inner.push(head);
  }
}
