import type { NpsLogFormat, NpsLogRecord } from '@otptrace/parse';
import type { RadiusDecision } from '@otptrace/schemas';
import { IANAZone } from 'luxon';
import { intern, type NormalizeContext, type Normalized, recordIdentity, rejected } from '../outcome.js';
import { parseSystemTime } from '../time.js';

// RADIUS from NPS log files (parse/nps-log.ts; TechNet "Interpret NPS Database Format Log Files" cc771748 and
// "Interpret IAS Format Log Files" dd197432, NXLog xm_nps): Packet-Type 1 Access-Request, 2 Access-Accept, 3 Access-Reject. An answer becomes the decision 6272
// (granted) or 6273 (denied, with its Reason-Code) would give; a request with no answer in the log becomes the
// decision 6274 gives (discarded: NPS took the request and sent nothing back), with the request's Reason-Code.

export const NPS_LOG_PROVIDER = {
  odbc: 'NPS log (database-compatible)',
  dts: 'NPS log (DTS)',
  ias: 'NPS log (IAS)',
} as const;

/** Packet-Type values (RFC 2865 codes, as NPS writes them). */
export const ACCESS_REQUEST = 1;
export const ACCESS_ACCEPT = 2;
export const ACCESS_REJECT = 3;

// Authentication-Type values of NPS accounting records (cc771748): 1 PAP is what DirectAccess OTP uses.
const AUTHENTICATION_TYPES: Readonly<Record<string, string>> = {
  '1': 'PAP',
  '2': 'CHAP',
  '3': 'MS-CHAP v1',
  '4': 'MS-CHAP v2',
  '5': 'EAP',
  '7': 'Unauthenticated',
  '11': 'PEAP',
};

/** Where a record is, and how its local time is turned into UTC. */
export interface NpsLogWhere {
  readonly format: NpsLogFormat;
  /** The file's name (evidence channel); one name per stream otherwise. */
  readonly channel: string;
  readonly lineNumber: number;
  /**
   * The file had already reached a later local time (the clock was set back): a wall time the server's time zone
   * repeats is then its second occurrence (see `offsetOfLocalTime`).
   */
  readonly clockSetBack?: boolean;
}

/**
 * What the caller knows of the answer's request: the User-Name as the DA server sent it, and the attributes of the
 * request itself that an answer's record may leave out (IAS-format answers often do).
 */
export interface AnsweredRequest {
  readonly userName: string | null;
  readonly authenticationType?: string | null;
  readonly nasIdentifier?: string | null;
}

/**
 * Map an answer (Packet-Type 2/3), or a request left unanswered (Packet-Type 1), to a RADIUS decision. Times are the
 * NPS server's local time: the configured offset of the server (`npsLogUtcOffsets`) is applied here when there is
 * one; otherwise the wall clock is kept as if it were UTC and `clock.basis` says so, for the analysis to correct.
 */
export function normalizeNpsLog(
  record: NpsLogRecord,
  where: NpsLogWhere,
  ctx: NormalizeContext,
  request: AnsweredRequest | null,
): Normalized {
  const packet = Number(record.packetType);
  if (packet !== ACCESS_REQUEST && packet !== ACCESS_ACCEPT && packet !== ACCESS_REJECT)
    return rejected(
      'invalid_field',
      `NPS log Packet-Type ${record.packetType ?? '(none)'} is not 1, 2 or 3`,
      'Packet-Type',
    );
  const wall = record.localTime === null ? null : parseSystemTime(`${record.localTime}Z`);
  if (wall === null) return rejected('invalid_time', 'NPS log date/time missing or not parseable', 'Timestamp');
  const computer = record.computer;
  if (computer === null)
    return rejected('missing_field', 'NPS log record without the NPS computer name', 'ComputerName');
  const rule = ctx.npsLogOffsets?.get(computer.split('.')[0]!.toLowerCase());
  const configured = rule === undefined ? undefined : offsetOfLocalTime(rule, wall, where.clockSetBack === true);
  const user = ctx.identity.resolve(
    request?.userName ?? record.userName ?? canonicalToUser(record.fullyQualifiedUserName),
  );
  if (user === null) return rejected('missing_field', 'NPS log record without a user name', 'User-Name');
  const reasonText = record.reasonCode;
  const reasonCode = reasonText === null ? null : /^\d+$/.test(reasonText) ? Number(reasonText) : undefined;
  if (reasonCode === undefined) return rejected('invalid_field', 'Reason-Code is not a number', 'Reason-Code');
  const nasIdentifier = record.nasIdentifier ?? request?.nasIdentifier ?? null;
  const authenticationType = record.authenticationType ?? request?.authenticationType ?? null;
  const decision = packet === ACCESS_ACCEPT ? 'granted' : packet === ACCESS_REJECT ? 'denied' : 'discarded';
  if (decision === 'denied' && reasonCode === null)
    return rejected('missing_field', 'NPS log Access-Reject without Reason-Code', 'Reason-Code');
  const channel = intern(where.channel);
  const event: RadiusDecision = {
    id: recordIdentity(computer, channel, where.lineNumber),
    ref: {
      provider: NPS_LOG_PROVIDER[where.format],
      eventId: decision === 'granted' ? 6272 : decision === 'denied' ? 6273 : 6274,
      computer: intern(computer),
      channel,
      recordId: where.lineNumber,
    },
    time: wall - (configured ?? 0) * 60_000,
    kind: 'radius.decision',
    source: 'radius',
    user,
    decision,
    reasonCode:
      decision === 'granted' ? (reasonCode ?? 0) : reasonCode === 0 && decision === 'discarded' ? null : reasonCode,
    reason: null,
    clientName: record.clientName === null ? null : intern(record.clientName),
    clientIp: record.clientIp === null ? null : intern(record.clientIp),
    nasIdentifier: nasIdentifier === null ? null : intern(nasIdentifier),
    authenticationType:
      authenticationType === null ? null : intern(AUTHENTICATION_TYPES[authenticationType] ?? authenticationType),
    networkPolicy: record.policyName === null ? null : intern(record.policyName),
    clock:
      rule === undefined
        ? { offsetMinutes: 0, basis: 'assumed_utc' }
        : rule.zone === null
          ? { offsetMinutes: configured ?? 0, basis: 'configured' }
          : { offsetMinutes: configured ?? 0, basis: 'configured', zone: rule.zone.name },
  };
  return { status: 'event', event };
}

/** A canonical name `corp.example/Users/bob` → `corp.example/bob` (domain and account). */
function canonicalToUser(name: string | null): string | null {
  if (name === null) return null;
  const parts = name.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[parts.length - 1]}` : name;
}

/** `+01:00`, `-0530`, `+1` → minutes east of UTC; null when it does not parse. */
export function parseUtcOffset(text: string): number | null {
  const m = /^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(text.trim());
  if (m === null) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return minutes > 14 * 60 ? null : (m[1] === '-' ? -1 : 1) * minutes;
}

/** How one NPS server's local log times become UTC (`npsLogUtcOffsets`): a fixed offset, or a time zone. */
export interface NpsLogClockRule {
  /** Minutes east of UTC, when fixed. */
  readonly minutes: number;
  /** The time zone whose offset at each record's time applies instead (daylight saving time included). */
  readonly zone: IANAZone | null;
}

/** `+01:00` (see parseUtcOffset) or an IANA time zone name → the rule; null when it is neither. */
export function parseNpsLogClock(text: string): NpsLogClockRule | null {
  const minutes = parseUtcOffset(text);
  if (minutes !== null) return { minutes, zone: null };
  const zone = IANAZone.isValidZone(text.trim()) ? IANAZone.create(text.trim()) : null;
  return zone === null ? null : { minutes: 0, zone };
}

/** A day: no zone changes its offset twice within one (the candidates are the offsets a day before and after). */
const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 15 * 60_000;
/**
 * Offsets of wall-time quarter hours with no change within a day either side, per zone: a pure memo of the zone data
 * (a zone's offset needs Intl, some microseconds, and an NPS log's records share their quarter hours).
 */
const steadyOffsets = new Map<string, Map<number, number>>();

/**
 * The offset (minutes) of the rule at a local wall-clock time (`wall`: the local time read as if UTC). Around a
 * daylight-saving change a wall time can have two offsets (the hour repeated in autumn) or none (the hour skipped in
 * spring). A repeated wall time is its first occurrence unless `secondOccurrence` (the log had already gone past it:
 * its clock was set back); a skipped one, which a correct clock never writes, takes the offset before the change.
 */
export function offsetOfLocalTime(rule: NpsLogClockRule, wall: number, secondOccurrence = false): number {
  const zone = rule.zone;
  if (zone === null) return rule.minutes;
  // Most of the year no change is near: the offset of a quarter hour of wall time is looked up once.
  const quarter = Math.floor(wall / QUARTER_HOUR_MS);
  const known = steadyOffsets.get(zone.name)?.get(quarter);
  if (known !== undefined) return known;
  const before = zone.offset(wall - DAY_MS);
  const after = zone.offset(wall + DAY_MS);
  if (before === after) {
    let byQuarter = steadyOffsets.get(zone.name);
    if (byQuarter === undefined) {
      byQuarter = new Map();
      steadyOffsets.set(zone.name, byQuarter);
    }
    if (byQuarter.size >= 100_000) byQuarter.clear();
    byQuarter.set(quarter, before);
    return before;
  }
  const fits = (offset: number) => zone.offset(wall - offset * 60_000) === offset;
  if (fits(before) && fits(after)) return secondOccurrence ? Math.min(before, after) : Math.max(before, after);
  if (fits(before)) return before;
  if (fits(after)) return after;
  return Math.min(before, after); // skipped: the offset before clocks went forward
}
