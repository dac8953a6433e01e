import type { DropReason, ParsedEvent } from '@otptrace/model';
import { classify, type NormalizeContext, normalizeEvent, prefilterIisBytes } from '@otptrace/normalize';
import { decodeEventBytes, EventSplitter, peekHeader, peekHeaderBytes, scanEvent } from '@otptrace/parse';
import type { NormalizedEvent, Rejection } from '@otptrace/schemas';

/** What ingestion makes of one piece of input: every event read ends as exactly one of these. */
export type IngestItem =
  | { readonly type: 'event'; readonly event: NormalizedEvent; readonly position: number; readonly raw: string | null }
  | { readonly type: 'ignored'; readonly reason: DropReason; readonly position: number }
  | {
      readonly type: 'rejected';
      readonly code: DropReason;
      readonly reason: string;
      readonly position: number;
      readonly raw: string | null;
    };

/** What ingesting one input gives: kept events, rejections, and ignored events counted by reason. */
export interface IngestedFile {
  events: NormalizedEvent[];
  rejected: Omit<Rejection, 'file'>[];
  ignoredBy: Record<string, number>;
  bytes: number;
}

/** The ingest tally (one place): fold ingest items into kept events, rejections and ignored counts by reason. */
export function tallyItems(into: IngestedFile, items: Iterable<IngestItem>): IngestedFile {
  for (const item of items) {
    if (item.type === 'event') into.events.push(item.event);
    else if (item.type === 'ignored') into.ignoredBy[item.reason] = (into.ignoredBy[item.reason] ?? 0) + 1;
    else into.rejected.push({ position: item.position, reason: item.reason, code: item.code });
  }
  return into;
}

/** An empty tally. */
export function emptyIngested(): IngestedFile {
  return { events: [], rejected: [], ignoredBy: {}, bytes: 0 };
}

/** Options of an ingestor. */
export interface IngestOptions {
  readonly maxEventBytes: number;
  /** Keep the raw XML of accepted and rejected events (the collector's raw and dead-letter topics need it). */
  readonly keepRaw?: boolean;
  /** File offset of the first byte pushed, when reading starts at an event boundary inside a file (default 0). */
  readonly startPosition?: number;
}

/**
 * ①② Raw EVTX-XML bytes of one file or stream → normalised events, with every other event accounted for. Unrelated
 * events (most of a Security log) are dropped after reading three header fields, before any parse.
 */
export class XmlIngestor {
  private readonly splitter: EventSplitter;

  constructor(
    private readonly ctx: NormalizeContext,
    private readonly options: IngestOptions,
  ) {
    this.splitter = new EventSplitter(options.maxEventBytes, options.startPosition ?? 0);
  }

  /** Feed the next bytes. */
  push(chunk: Uint8Array): IngestItem[] {
    return this.splitter.push(chunk).map((item) => this.take(item));
  }

  /** The input ended. */
  end(): IngestItem[] {
    return this.splitter.end().map((item) => this.take(item));
  }

  private take(item: ReturnType<EventSplitter['push']>[number]): IngestItem {
    if (item.kind === 'reject')
      return { type: 'rejected', code: item.code, reason: item.reason, position: item.position, raw: null };
    // Hot path: most of a Security log is unrelated. The header is read from the UTF-8 bytes, so such an event is
    // never decoded (nor its encoding checked: it is ignored either way).
    let classified = false;
    if (item.encoding === 'utf8' && this.options.keepRaw !== true) {
      const header = peekHeaderBytes(item.source, item.start, item.end);
      classified = header !== null;
      if (header !== null && classify(header.provider, header.eventId, header).kind === 'unrelated')
        return { type: 'ignored', reason: 'unrelated_event', position: item.position };
      // Most IIS requests on the DA server are not OTP sign-ins: dropped on the bytes too.
      if (header?.eventId === 6200) {
        const drop = prefilterIisBytes(item.source, item.start, item.end);
        if (drop !== null) return { type: 'ignored', reason: drop, position: item.position };
      }
    }
    const text = decodeEventBytes(item.bytes, item.encoding);
    if (text === null)
      return {
        type: 'rejected',
        code: 'invalid_encoding',
        reason: `bytes that are not valid ${item.encoding === 'utf8' ? 'UTF-8' : 'UTF-16LE'}`,
        position: item.position,
        raw: null,
      };
    // A header already read from the bytes is not read again from the text.
    return classified
      ? parseAndNormalize(text, item.position, this.ctx, this.options)
      : ingestEventText(text, item.position, this.ctx, this.options);
  }
}

/** ①② One event's XML text → an ingest item (the collector and the offline reader share this). */
export function ingestEventText(
  text: string,
  position: number,
  ctx: NormalizeContext,
  options: Pick<IngestOptions, 'keepRaw'>,
): IngestItem {
  const header = peekHeader(text);
  if (header !== null && classify(header.provider, header.eventId, header.channel).kind === 'unrelated')
    return { type: 'ignored', reason: 'unrelated_event', position };
  return parseAndNormalize(text, position, ctx, options);
}

/** ①② An event's XML text whose header is known not to be unrelated → an ingest item. */
function parseAndNormalize(
  text: string,
  position: number,
  ctx: NormalizeContext,
  options: Pick<IngestOptions, 'keepRaw'>,
): IngestItem {
  const keep = options.keepRaw === true ? text : null;
  const parsed = scanEvent(text);
  if (!parsed.ok)
    return { type: 'rejected', code: parsed.issue.code, reason: parsed.issue.message, position, raw: keep };
  return normalizeParsed(parsed.value, position, ctx, keep);
}

/** ② A parsed event (from XML or a binary .evtx file) → an ingest item. */
export function normalizeParsed(
  p: ParsedEvent,
  position: number,
  ctx: NormalizeContext,
  raw: string | null = null,
): IngestItem {
  const n = normalizeEvent(p, ctx);
  switch (n.status) {
    case 'event':
      return { type: 'event', event: n.event, position, raw };
    case 'ignored':
      return { type: 'ignored', reason: n.reason, position };
    case 'rejected': {
      const where = n.issue.path === undefined ? '' : ` (${n.issue.path})`;
      return {
        type: 'rejected',
        code: n.issue.code,
        reason: `${p.provider} ${p.eventId}: ${n.issue.message}${where}`,
        position,
        raw,
      };
    }
  }
}
