import type { NormalizedEvent, RadiusDecision } from '@otptrace/schemas';
import { W3C_PROVIDER } from './sources/w3c.js';

// NPS log files write the NPS server's local time with no offset (docs/windows-events.md §9: TechNet's own
// database-format example says 13:04:33 while its Class attribute, in UTC, says 20:04:30 the same day). A server
// with a configured offset is corrected as it is read; for the others, the offset is learned here from the same
// server's 6272/6273 events when the input holds both, else the times stay as read (UTC assumed) and the summary
// says so. Never silently.

/** Which offset was used for one NPS server's log-file times. */
export interface NpsLogClock {
  /** `+01:00` style. */
  readonly offset: string;
  readonly basis: 'configured' | 'learned' | 'assumed_utc';
  /** The configured time zone (then `offset` is the one of the server's first record). */
  readonly zone?: string;
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** A log record and its audit twin (same user, same decision) must agree to this, once the offset is removed. */
export const NPS_TWIN_MS = 5_000;
/** A W3C line and the 6200 of the same request (a site logging to both file and ETW) agree to this much. */
export const W3C_TWIN_MS = 1_000;
const MAX_OFFSET_MS = 14 * 3_600_000;

const serverOf = (e: NormalizedEvent): string => e.ref.computer.split('.')[0]!.toLowerCase();
const fromLog = (e: NormalizedEvent): e is RadiusDecision & { clock: NonNullable<RadiusDecision['clock']> } =>
  e.kind === 'radius.decision' && e.clock !== undefined;

/**
 * The text-log twins rule, shared by `settleTextLogs` (offline) and the stream: an event a text log repeats (an NPS
 * log-file decision, a W3C line) and the event-log record it repeats (6272/6273, 6200) share a key, and are twins when
 * their times agree within `windowMs`. `copy`: the key of an event that may repeat another; `original`: the key of an
 * event another may repeat; null when the event is not of that side.
 */
export const TEXT_LOG_TWINS = {
  copy(e: NormalizedEvent): { key: string; windowMs: number } | null {
    if (fromLog(e)) return { key: `nps|${serverOf(e)}|${e.user?.key ?? ''}|${e.decision}`, windowMs: NPS_TWIN_MS };
    if (e.kind === 'gateway.request' && e.ref.provider === W3C_PROVIDER)
      return { key: `iis|${w3cKey(e)}`, windowMs: W3C_TWIN_MS };
    return null;
  },
  original(e: NormalizedEvent): string | null {
    if (e.kind === 'radius.decision' && e.clock === undefined && e.user !== null)
      return `nps|${serverOf(e)}|${e.user.key}|${e.decision}`;
    if (e.kind === 'gateway.request' && e.ref.provider !== W3C_PROVIDER) return `iis|${w3cKey(e)}`;
    return null;
  },
} as const;

/** Same DA server, client address, status and time-taken. */
const w3cKey = (e: NormalizedEvent): string =>
  e.kind === 'gateway.request' ? `${serverOf(e)}|${e.clientIp}|${e.status}|${e.timeTakenMs}` : '';

/** An NPS log-file decision whose times were read as UTC because no offset is configured for its server. */
export const isUnsettledNpsLog = (
  e: NormalizedEvent,
): e is RadiusDecision & { clock: NonNullable<RadiusDecision['clock']> } =>
  fromLog(e) && e.clock.basis === 'assumed_utc';

/** The NPS server of an event, as the offsets are keyed (`npsLogUtcOffsets`: the host name, lower case). */
export const npsServerOf = serverOf;

/**
 * The offset (ms, a whole quarter hour within ±14 h) that puts a log-file record read at `logTime` on an audit event
 * of the same decision at `auditTime`; null when no such offset puts the two within `NPS_TWIN_MS` of each other.
 */
export function offsetVote(logTime: number, auditTime: number): number | null {
  const delta = logTime - auditTime;
  const rounded = Math.round(delta / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  return Math.abs(delta) > MAX_OFFSET_MS || Math.abs(delta - rounded) > NPS_TWIN_MS ? null : rounded;
}

/** A log-file decision moved to UTC by its server's learned offset `shift` (ms). */
export function withLearnedOffset<E extends RadiusDecision>(e: E, shift: number): E {
  return { ...e, time: e.time - shift, clock: { offsetMinutes: shift / 60_000, basis: 'learned' as const } };
}

/**
 * Settle the clocks of NPS log-file decisions: learn the offsets of unconfigured servers from their audit events,
 * apply them, and drop log records that repeat an audit event of the same decision (counted as duplicates).
 *
 * A server's offset changes with daylight saving time, so it is learned record by record: a record whose audit twins
 * agree on one offset (`ownOffset`) takes it; another takes the offset of its server's nearest earlier record that had
 * one (by time as read), else of the first later one; a server no record teaches keeps its times as read (UTC).
 */
export function settleNpsLogClocks(events: readonly NormalizedEvent[]): {
  readonly events: NormalizedEvent[];
  readonly duplicates: number;
  readonly clocks: Readonly<Record<string, NpsLogClock>>;
} {
  const logged = events.filter(fromLog);
  if (logged.length === 0) return { events: [...events], duplicates: 0, clocks: {} };
  const audit = new Map<string, number[]>();
  for (const e of events) {
    const key = e.kind === 'radius.decision' ? TEXT_LOG_TWINS.original(e) : null;
    if (key === null) continue;
    const times = audit.get(key);
    if (times === undefined) audit.set(key, [e.time]);
    else times.push(e.time);
  }
  const twinKey = (e: RadiusDecision) => TEXT_LOG_TWINS.copy(e)!.key;
  // The offsets records taught, per unconfigured server, in order of their time as read.
  const own = new Map<RadiusDecision, number>();
  const taught = new Map<string, { time: number; shift: number }[]>();
  for (const e of logged) {
    if (e.clock.basis !== 'assumed_utc') continue;
    const shift = ownOffset(e.time, audit.get(twinKey(e)) ?? []);
    if (shift === undefined) continue;
    own.set(e, shift);
    const list = taught.get(serverOf(e));
    if (list === undefined) taught.set(serverOf(e), [{ time: e.time, shift }]);
    else list.push({ time: e.time, shift });
  }
  for (const list of taught.values()) list.sort((a, b) => a.time - b.time);
  const clocks: Record<string, NpsLogClock> = {};
  const out: NormalizedEvent[] = [];
  let duplicates = 0;
  for (const e of events) {
    if (!fromLog(e)) {
      out.push(e);
      continue;
    }
    const shift =
      e.clock.basis === 'assumed_utc' ? (own.get(e) ?? nearestTaught(taught.get(serverOf(e)), e.time)) : undefined;
    const settled = shift === undefined ? e : withLearnedOffset(e, shift);
    clocks[e.ref.computer.toLowerCase()] ??= {
      offset: formatOffset(settled.clock.offsetMinutes),
      basis: settled.clock.basis,
      ...(settled.clock.zone === undefined ? {} : { zone: settled.clock.zone }),
    };
    // The same decision in the Security log and in the log file: the audit event stands for both.
    if ((audit.get(twinKey(settled)) ?? []).some((t) => Math.abs(t - settled.time) <= NPS_TWIN_MS)) duplicates++;
    else out.push(settled);
  }
  return { events: out, duplicates, clocks };
}

/**
 * The offset (ms) a log record read at `logTime` gets from the audit events of its decision (`auditTimes`): the one
 * offset every twin among them gives; undefined when none is a twin, or when twins disagree (then its neighbours
 * decide). The stream applies the same rule to the audit events it has seen.
 */
export function ownOffset(logTime: number, auditTimes: readonly number[]): number | undefined {
  let vote: number | undefined;
  for (const t of auditTimes) {
    const v = offsetVote(logTime, t);
    if (v === null) continue;
    if (vote !== undefined && v !== vote) return undefined;
    vote = v;
  }
  return vote;
}

/** The offset of the nearest record at or before `time` (as read) that taught one, else of the first after it. */
function nearestTaught(list: readonly { time: number; shift: number }[] | undefined, time: number): number | undefined {
  if (list === undefined || list.length === 0) return undefined;
  let lo = 0;
  let hi = list.length; // first index whose time is after `time`
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return list[lo > 0 ? lo - 1 : 0]!.shift;
}

/** Minutes east of UTC → `+01:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Settle what text logs add to an input that may also hold the event logs they duplicate: NPS log-file clocks and
 * their audit twins (settleNpsLogClocks), and W3C lines whose request IIS also wrote as a 6200 event (same DA server,
 * client address, status and time-taken, within a second; a site may log to both), which count as duplicates.
 */
export function settleTextLogs(events: readonly NormalizedEvent[]): ReturnType<typeof settleNpsLogClocks> {
  const nps = settleNpsLogClocks(events);
  const etw = new Map<string, number[]>();
  let w3c = 0;
  for (const e of nps.events) {
    if (e.kind !== 'gateway.request') continue;
    const key = TEXT_LOG_TWINS.original(e);
    if (key === null) w3c++;
    else {
      // Appended in place, not spread into a new array per event (a copy of the key's times each time).
      const times = etw.get(key);
      if (times === undefined) etw.set(key, [e.time]);
      else times.push(e.time);
    }
  }
  if (w3c === 0 || etw.size === 0) return nps;
  let duplicates = nps.duplicates;
  const kept = nps.events.filter((e) => {
    const copy = e.kind === 'gateway.request' ? TEXT_LOG_TWINS.copy(e) : null;
    if (copy === null) return true;
    const twin = (etw.get(copy.key) ?? []).some((t) => Math.abs(t - e.time) <= copy.windowMs);
    if (twin) duplicates++;
    return !twin;
  });
  return { events: kept, duplicates, clocks: nps.clocks };
}
