import type { DropReason, Issue, ParsedEvent } from '@otptrace/model';
import { detach } from '@otptrace/parse';
import type { NormalizedEvent } from '@otptrace/schemas';
import type { IdentityResolver } from './identity.js';
import type { NpsLogClockRule } from './sources/nps-log.js';
import { parseSystemTime } from './time.js';

/** What normalising one parsed event gives: an event, a counted drop, or a rejection with its issue. */
export type Normalized =
  | { readonly status: 'event'; readonly event: NormalizedEvent }
  | { readonly status: 'ignored'; readonly reason: DropReason }
  | { readonly status: 'rejected'; readonly issue: Issue };

/** What every source mapper needs besides the event. */
export interface NormalizeContext {
  readonly identity: IdentityResolver;
  /** Matches certificate template names of OTP logon templates. */
  readonly otpTemplate: RegExp;
  /** Matches the DA server's OTP signing template, whose machine requests are kept. */
  readonly signingTemplate: RegExp;
  /** Configured clocks of NPS servers' local time (offset or time zone), by lower-case short name (NPS log files). */
  readonly npsLogOffsets?: ReadonlyMap<string, NpsLogClockRule>;
  /** The DA server of W3C logs that do not name it (configuration `iisServerName`). */
  readonly iisServerName?: string | null;
  /** Event times outside [earliest, latest] are implausible (latest: the reference time plus maxFutureMs). */
  readonly earliest: number;
  readonly latest: number;
}

export const ignored = (reason: DropReason): Normalized => ({ status: 'ignored', reason });
export const rejected = (code: Issue['code'], message: string, path?: string): Normalized => ({
  status: 'rejected',
  issue: path === undefined ? { code, message } : { code, message, path },
});

/**
 * Fields every normalised event shares; the time failure is reported by the caller. Mappers copy id, ref and time
 * into their object literal instead of spreading this object: built by spread, kept events measured 0.5 KB larger.
 */
export function baseFields(p: ParsedEvent): { id: string; ref: NormalizedEvent['ref']; time: number } | null {
  const time = parseSystemTime(p.systemTime);
  if (time === null) return null;
  return {
    // Identity of the log record: the same event exported twice has the same id.
    id: recordIdentity(p.computer, p.channel, p.recordId),
    ref: {
      provider: intern(p.provider),
      eventId: p.eventId,
      computer: intern(p.computer),
      channel: intern(p.channel),
      recordId: p.recordId,
    },
    time,
  };
}

/**
 * The identity of a log record: its computer and channel in lower case and its record number (EventRecordID, or a
 * text log's line number), as `da1.corp.example.com|security|4711`. Lower-cased once as a whole, which makes one flat
 * string: the parts (views on the event text) are not kept, and no view over a copy is either (32 bytes less an event
 * than detaching the joined text).
 */
export function recordIdentity(computer: string, channel: string, recordNumber: number): string {
  return `${computer}|${channel}|${recordNumber}`.toLowerCase();
}

/** A Data value with `-` and white space read as absent. */
export function field(p: ParsedEvent, name: string): string | null {
  const v = p.data[name]?.trim();
  return v === undefined || v === '' || v === '-' ? null : intern(v);
}

/**
 * `field` for a value that is only read, never kept (a number, a date to parse): the same text, not interned (most
 * such values are new in each event, and would only fill the intern table).
 */
export function transientField(p: ParsedEvent, name: string): string | null {
  const v = p.data[name]?.trim();
  return v === undefined || v === '' || v === '-' ? null : v;
}

export { detach };

// Kept events repeat the same strings (providers, channels, host names, NPS reason texts, templates): one copy each.
// Two generations of at most INTERN_GENERATION strings each, so that a stream of unique values (user names, client
// computers) can neither grow the table without limit nor fill it for good: a string seen again moves to the current
// generation, so the servers' names stay shared however many unique values pass by (a correlator compares and looks up
// host names on every event, which costs far less between shared strings).
let interned = new Map<string, string>();
let internedBefore = new Map<string, string>();
const INTERN_GENERATION = 32_768;
const INTERN_MAX_LENGTH = 256;

/** One shared, detached copy of a short, often repeated string. */
export function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (s.length > INTERN_MAX_LENGTH) return detach(s);
  const copy = internedBefore.get(s) ?? detach(s);
  if (interned.size >= INTERN_GENERATION) {
    internedBefore = interned;
    interned = new Map();
  }
  interned.set(copy, copy);
  return copy;
}

/** An integer Data value; undefined when present but not an integer, null when absent. */
export function intField(p: ParsedEvent, name: string): number | null | undefined {
  const v = transientField(p, name);
  if (v === null) return null;
  // Beyond 2^53 a number is rounded: such a value is invalid, not silently changed.
  return /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
}

/** `0x` + 8 upper-case hex digits of an HRESULT written as signed/unsigned decimal or hex (with or without 0x). */
export function toHresult(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(t)) n = Number.parseInt(t.slice(2), 16);
  else if (/^-?\d+$/.test(t)) n = Number(t);
  else if (/^[0-9a-f]{8}$/i.test(t)) n = Number.parseInt(t, 16);
  else return null;
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) return null;
  // Shared: a fleet's events carry a few codes many times.
  return intern(`0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
}

/** The first HRESULT named in a message text: `0x80094811` or a signed decimal in parentheses. */
export function hresultInText(text: string | null): string | null {
  if (text === null) return null;
  const hex = /0x([0-9a-fA-F]{8})/.exec(text);
  if (hex?.[1] !== undefined) return `0x${hex[1].toUpperCase()}`;
  const dec = /\((-2\d{9})\b/.exec(text);
  return dec?.[1] !== undefined ? toHresult(dec[1]) : null;
}
