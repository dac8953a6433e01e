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
  /** Where a learned offset changed, in log order: the UTC time of the first record at the new offset, and the offset. */
  readonly changes?: { from: string; offset: string }[];
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
 * How far apart a log record's decision and an event of the same user (the CA request after an accept, a client
 * result after a reject, the user's audit events) may lie once its server's offset is removed: the hosts' clock skew
 * plus a minute for the steps between them, and less than half a quarter hour, so that one event never speaks for two
 * offsets.
 */
export function userWindowMs(clockSkewToleranceMs: number): number {
  return Math.min(clockSkewToleranceMs + 60_000, QUARTER_HOUR_MS / 2 - 30_000);
}

/**
 * The offsets (ms: whole quarter hours within ±14 h, ascending) that put a log record read at `logTime` within
 * `windowMs` of one of its user's events at `times` (ascending, UTC).
 */
export function userOffsets(logTime: number, times: readonly number[], windowMs: number): number[] {
  const out: number[] = [];
  let lo = 0;
  let hi = times.length;
  const from = logTime - MAX_OFFSET_MS - windowMs;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < times.length && times[i]! <= logTime + MAX_OFFSET_MS + windowMs; i++) {
    const delta = logTime - times[i]!;
    const rounded = Math.round(delta / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    if (Math.abs(rounded) > MAX_OFFSET_MS || Math.abs(delta - rounded) > windowMs) continue;
    if (!out.includes(rounded)) out.push(rounded);
  }
  return out.sort((a, b) => a - b);
}

/** What one log record says about its server's offset. */
export interface OffsetEvidence {
  /** Its time as read (local, taken as UTC). */
  readonly time: number;
  /** The offset its audit twins give (`ownOffset`): it is taken, whatever its neighbours say. */
  readonly twins?: number;
  /** The offsets its user's events allow (`userOffsets`); a record may match another attempt of the same user. */
  readonly user: readonly number[];
}

/** A record whose user's events allow other offsets than the one in force costs this; changing the offset costs more. */
const MISMATCH_COST = 1;
const CHANGE_COST = 2;
const FORCED_COST = 1e9;
/** A log's time going back by more than this between two records: its server's clock was set back (NPS appends). */
const SET_BACK_MS = 60_000;
/** A gap of at least this between two records may hide a clock set forward (five-minute probes leave none at night). */
const SET_FORWARD_MS = 3_600_000;

/**
 * The offset of each of one server's log records (in log order), given what each says.
 *
 * The records that speak (an audit twin, or user events allowing an offset weighed: `candidateOffsets`) get the
 * sequence of offsets with the fewest records whose user's events disagree, never against a record's audit twins,
 * counting each change of offset as two records (a daylight-saving change, not one user's other attempt) unless the
 * log shows one in between: its time going back (then a change of half an hour or an hour back is free), or a gap of
 * an hour or more (one forward). On a tie, the offset stays. A record that says nothing takes the offset of the
 * nearest earlier record that speaks, or of the next one after the last such sign between them. Before the first
 * record that speaks (a night of probes before the morning's users), the first one's offset, undone by the change a
 * clear sign between them shows (`clearClockChange`); after the last, the last one's, with such a change. Undefined
 * for every record when none speaks.
 */
export function settleServerOffsets(evidence: readonly OffsetEvidence[]): (number | undefined)[] {
  const out = new Array<number | undefined>(evidence.length).fill(undefined);
  const states = candidateOffsets(evidence);
  if (states.size === 0) return out;
  const offsets = [...states].sort((a, b) => a - b);
  const width = offsets.length;
  // Which records speak, and for each the last sign of a clock change at or before it (-1: none) and its direction.
  const speaking: number[] = [];
  const signs = new Int32Array(evidence.length);
  const direction = new Int8Array(evidence.length);
  // The same for the signs that show a change by themselves (`clearClockChange`), and the change each shows.
  const clearSigns = new Int32Array(evidence.length);
  const clearChanges = new Map<number, number>();
  let lastSign = -1;
  let lastClear = -1;
  for (let i = 0; i < evidence.length; i++) {
    const r = evidence[i]!;
    if (i > 0) {
      const step = r.time - evidence[i - 1]!.time;
      if (step < -SET_BACK_MS || step >= SET_FORWARD_MS) {
        lastSign = i;
        const change = clearClockChange(
          step,
          i > 1 ? evidence[i - 1]!.time - evidence[i - 2]!.time : Number.POSITIVE_INFINITY,
        );
        if (change !== 0) {
          lastClear = i;
          clearChanges.set(i, change);
        }
      }
    }
    signs[i] = lastSign;
    clearSigns[i] = lastClear;
    if (lastSign >= 0) direction[i] = evidence[lastSign]!.time < evidence[lastSign - 1]!.time ? -1 : 1;
    if (r.twins !== undefined || r.user.some((k) => states.has(k))) speaking.push(i);
  }
  // The offsets a daylight-saving change leads to from each: half an hour or an hour back (-1) or forward (+1).
  const indexOf = new Map(offsets.map((o, k) => [o, k]));
  const dst = (k: number, dir: number): number[] =>
    [30 * 60_000, 60 * 60_000].flatMap((d) => indexOf.get(offsets[k]! + dir * d) ?? []);
  const dstFrom = [-1, 1].map((dir) => offsets.map((_, k) => dst(k, -dir)));
  // Viterbi over the speaking records: `cost[k]` is the least cost of a path ending with offsets[k]; `came` whence that
  // path came at this record: the same offset (-1), or the offset it changed from.
  let cost = new Float64Array(width);
  let next = new Float64Array(width);
  const came = new Int16Array(speaking.length * width);
  for (let j = 0; j < speaking.length; j++) {
    let best = 0;
    for (let k = 1; k < width; k++) if (cost[k]! < cost[best]!) best = k;
    let second = best === 0 ? 1 : 0;
    for (let k = 0; k < width; k++) if (k !== best && cost[k]! < cost[second]!) second = k;
    const i = speaking[j]!;
    const r = evidence[i]!;
    // A sign of a change since the previous speaking record: the change it shows (back: the offset drops) is free.
    const free = j > 0 && signs[i]! > speaking[j - 1]! ? dstFrom[direction[i]! < 0 ? 0 : 1]! : null;
    for (let k = 0; k < width; k++) {
      let from = -1;
      let through = cost[k]!;
      const other = k === best ? second : best;
      if (width > 1 && cost[other]! + CHANGE_COST < through) {
        from = other;
        through = cost[other]! + CHANGE_COST;
      }
      for (const f of free?.[k] ?? []) {
        if (cost[f]! < through) {
          from = f;
          through = cost[f]!;
        }
      }
      came[j * width + k] = from;
      const offset = offsets[k]!;
      const own =
        r.twins !== undefined ? (r.twins === offset ? 0 : FORCED_COST) : r.user.includes(offset) ? 0 : MISMATCH_COST;
      next[k] = through + own;
    }
    [cost, next] = [next, cost];
  }
  let k = 0;
  for (let j = 1; j < width; j++) if (cost[j]! < cost[k]!) k = j;
  for (let j = speaking.length - 1; j >= 0; j--) {
    out[speaking[j]!] = evidence[speaking[j]!]!.twins ?? offsets[k]!;
    const from = came[j * width + k]!;
    if (from >= 0) k = from;
  }
  // The records that say nothing: between two that speak, the earlier one's offset up to the last sign of a change
  // between them, the later one's from there. Before the first, the first's, but for those before the last clear sign
  // of a change between them (`clearClockChange`): the offset before that change; after the last, likewise.
  let j = 0;
  for (let i = 0; i < evidence.length; i++) {
    if (out[i] !== undefined) continue;
    while (j < speaking.length && speaking[j]! < i) j++;
    const before = j > 0 ? speaking[j - 1]! : -1;
    const after = j < speaking.length ? speaking[j]! : -1;
    if (before < 0) out[i] = out[after]! - (i < clearSigns[after]! ? clearChanges.get(clearSigns[after]!)! : 0);
    else if (after < 0) out[i] = out[before]! + (clearSigns[i]! > before ? clearChanges.get(clearSigns[i]!)! : 0);
    else if (out[before] === out[after] || signs[after]! <= before || i < signs[after]!) out[i] = out[before]!;
    else out[i] = out[after]!;
  }
  return out;
}

/**
 * The change of offset (ms) a step between two consecutive records of an NPS log (in log order, their times as read)
 * shows by itself, where no record on its far side speaks to confirm it: the time going back by an hour less the few
 * minutes between two records (an hour back) or by a quarter to half an hour (half an hour back: Lord Howe); or, in a
 * log that had a record every few minutes (`previousStep`: the step before; the DA servers' probe every five), a gap
 * of an hour and at most GAP_EXTRA_MS more (an hour forward). Any other step is as likely a clock set right or a
 * quiet night: 0.
 */
export function clearClockChange(step: number, previousStep: number): number {
  const HALF_HOUR = SET_FORWARD_MS / 2;
  if (step < -HALF_HOUR) return step >= -SET_FORWARD_MS - SET_BACK_MS ? -SET_FORWARD_MS : 0;
  if (step < -GAP_EXTRA_MS) return -HALF_HOUR;
  const regular = previousStep >= 0 && previousStep < GAP_EXTRA_MS;
  return regular && step >= SET_FORWARD_MS && step < SET_FORWARD_MS + GAP_EXTRA_MS ? SET_FORWARD_MS : 0;
}

/** How far from a whole change a step in the log may be and still show it alone (the time between two probes). */
const GAP_EXTRA_MS = 15 * 60_000;

/** At most this many offsets are weighed for one server (the path's memory is records × offsets). */
const MAX_CANDIDATES = 64;
/** An offset fewer records allow than this share of the best supported one's is not weighed. */
const MIN_SUPPORT_SHARE = 1 / 1000;

/**
 * The offsets weighed for one server: every offset an audit twin gives, and those its records' users' events allow,
 * the best supported first, down to a thousandth of the best one's support (a user's other attempts scatter over many
 * offsets, each allowed by few records; a server's true offsets are allowed by most).
 */
function candidateOffsets(evidence: readonly OffsetEvidence[]): Set<number> {
  const support = new Map<number, number>();
  const states = new Set<number>();
  for (const r of evidence) {
    if (r.twins !== undefined) states.add(r.twins);
    for (const k of r.user) support.set(k, (support.get(k) ?? 0) + 1);
  }
  const ranked = [...support].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const floor = ranked.length === 0 ? 1 : Math.max(1, Math.floor(ranked[0]![1] * MIN_SUPPORT_SHARE));
  for (let i = 0; i < ranked.length && i < MAX_CANDIDATES && ranked[i]![1] >= floor; i++) states.add(ranked[i]![0]);
  return states;
}

/**
 * Settle the clocks of NPS log-file decisions: learn the offsets of unconfigured servers, apply them, and drop log
 * records that repeat an audit event of the same decision (counted as duplicates).
 *
 * A server's offset changes with daylight saving time, so it is learned record by record (`settleServerOffsets`): a
 * record whose audit twins agree on one offset (`ownOffset`) takes it; the others follow what their user's events
 * (CA requests, client results: UTC) allow, across the server's records, each within `userWindowMs` of the decision;
 * a server nothing teaches keeps its times as read (UTC). `windowMs`: `userWindowMs` of the analysis's clock-skew
 * tolerance (a parameter, not the configuration's default: this module is loaded by worker threads that never load the
 * configuration's schemas).
 */
export function settleNpsLogClocks(
  events: readonly NormalizedEvent[],
  windowMs: number,
): {
  readonly events: NormalizedEvent[];
  readonly duplicates: number;
  readonly clocks: Readonly<Record<string, NpsLogClock>>;
} {
  const logged = events.filter(fromLog);
  if (logged.length === 0) return { events: [...events], duplicates: 0, clocks: {} };
  const audit = new Map<string, number[]>();
  const byUser = new Map<string, number[]>();
  const unsettled = new Map<string, RadiusDecision[]>();
  // The users' events are only needed when some server's offset is to be learned.
  const learning = logged.some((e) => e.clock.basis === 'assumed_utc');
  for (const e of events) {
    if (fromLog(e)) {
      if (e.clock.basis !== 'assumed_utc') continue;
      const list = unsettled.get(serverOf(e));
      if (list === undefined) unsettled.set(serverOf(e), [e]);
      else list.push(e);
      continue;
    }
    if (learning && e.user !== null) {
      const times = byUser.get(e.user.key);
      if (times === undefined) byUser.set(e.user.key, [e.time]);
      else times.push(e.time);
    }
    const key = e.kind === 'radius.decision' ? TEXT_LOG_TWINS.original(e) : null;
    if (key === null) continue;
    const times = audit.get(key);
    if (times === undefined) audit.set(key, [e.time]);
    else times.push(e.time);
  }
  const twinKey = (e: RadiusDecision) => TEXT_LOG_TWINS.copy(e)!.key;
  const learned = new Map<RadiusDecision, number>();
  const changes = new Map<string, { from: string; offset: string }[]>();
  if (unsettled.size > 0) {
    for (const times of byUser.values()) times.sort((a, b) => a - b);
    for (const records of unsettled.values()) {
      // In log order: NPS appends, so a file's lines are in time order, the repeated hour of an autumn change too.
      records.sort(inLogOrder);
      const evidence = records.map((e): OffsetEvidence => {
        const twins = ownOffset(e.time, audit.get(twinKey(e)) ?? []);
        if (twins !== undefined) return { time: e.time, twins, user: [] };
        const user = e.user === null ? [] : userOffsets(e.time, byUser.get(e.user.key) ?? [], windowMs);
        return { time: e.time, user };
      });
      const shifts = settleServerOffsets(evidence);
      const moves: { from: string; offset: string }[] = [];
      for (let i = 0; i < records.length; i++) {
        const shift = shifts[i];
        if (shift === undefined) continue;
        learned.set(records[i]!, shift);
        const before = i > 0 ? shifts[i - 1] : undefined;
        if (before !== undefined && before !== shift)
          moves.push({ from: new Date(records[i]!.time - shift).toISOString(), offset: formatOffset(shift / 60_000) });
      }
      if (moves.length > 0) changes.set(serverOf(records[0]!), moves);
    }
  }
  const clocks: Record<string, NpsLogClock> = {};
  const out: NormalizedEvent[] = [];
  let duplicates = 0;
  for (const e of events) {
    if (!fromLog(e)) {
      out.push(e);
      continue;
    }
    const shift = learned.get(e);
    const settled = shift === undefined ? e : withLearnedOffset(e, shift);
    const moves = shift === undefined ? undefined : changes.get(serverOf(e));
    clocks[e.ref.computer.toLowerCase()] ??= {
      offset: formatOffset(settled.clock.offsetMinutes),
      basis: settled.clock.basis,
      ...(settled.clock.zone === undefined ? {} : { zone: settled.clock.zone }),
      ...(moves === undefined ? {} : { changes: moves }),
    };
    // The same decision in the Security log and in the log file: the audit event stands for both.
    if ((audit.get(twinKey(settled)) ?? []).some((t) => Math.abs(t - settled.time) <= NPS_TWIN_MS)) duplicates++;
    else out.push(settled);
  }
  return { events: out, duplicates, clocks };
}

/**
 * Log order: by file name (NPS names its files by date, `IN2610.log`, `IN261025.log`), then line. Files of one naming
 * scheme sort in time order.
 */
function inLogOrder(a: RadiusDecision, b: RadiusDecision): number {
  const fa = a.ref.channel.toLowerCase();
  const fb = b.ref.channel.toLowerCase();
  return fa < fb ? -1 : fa > fb ? 1 : a.ref.recordId - b.ref.recordId;
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
export function settleTextLogs(
  events: readonly NormalizedEvent[],
  windowMs: number,
): ReturnType<typeof settleNpsLogClocks> {
  const nps = settleNpsLogClocks(events, windowMs);
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
