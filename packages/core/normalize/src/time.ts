import { DateTime } from 'luxon';

// SystemTime is ISO-8601 UTC with up to 9 fractional digits (7 from FILETIME's 100 ns ticks, 9 in some renderings);
// the common shapes are parsed by hand for speed, anything else goes to luxon.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds (microsecond fraction kept) of a `TimeCreated/@SystemTime`; null when it does not parse. */
export function parseSystemTime(text: string): number | null {
  const fast = parseWindowsTime(text);
  return fast !== undefined ? fast : parseIsoTime(text);
}

/** `parseSystemTime` by the regular expression, `Date.UTC` and the check that no field rolled over. */
export function parseIsoTime(text: string): number | null {
  const m = ISO.exec(text);
  if (m === null) return parseWithLuxon(text);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || !sameFields(ms, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)))
    return null;
  const fraction = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1e6) / 1e3;
  return ms + fraction - zoneOffsetMs(zone);
}

// The day of the last time read by parseWindowsTime, and its epoch ms (NaN when the date does not exist).
let lastDay = '';
let lastDayMs = 0;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * The shape Windows writes, `2026-03-02T00:00:10.6721538Z` (fraction of 0–9 digits after `.` or `,`, then `Z` or
 * nothing), read by character codes; undefined for any other text, which `parseIsoTime` then reads. Gives exactly
 * what parseIsoTime gives: the date is checked once per day as parseIsoTime checks it (a date that does not exist is
 * null), the time of day is in range or null (Date.UTC would roll it over and the check would fail), and the fraction
 * is the same double (an integer over a power of ten, correctly rounded as Number() of `0.` and the digits is).
 */
function parseWindowsTime(text: string): number | null | undefined {
  const n = text.length;
  if (n < 19 || n > 30) return undefined;
  if (
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a
  )
    return undefined;
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const s = twoDigits(text, 17);
  if (h < 0 || mi < 0 || s < 0) return undefined;
  let at = 19;
  let fraction = 0;
  const sep = text.charCodeAt(at);
  if (sep === 0x2e || sep === 0x2c) {
    let digits = 0;
    let value = 0;
    for (at++; at < n; at++) {
      const c = text.charCodeAt(at) - 0x30;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
      digits++;
    }
    if (digits === 0 || digits > 9) return undefined;
    fraction = Math.round((value / POW10[digits]!) * 1e6) / 1e3;
  }
  if (at < n && !(at === n - 1 && text.charCodeAt(at) === 0x5a)) return undefined; // only `Z` or nothing may follow
  if (!sameDay(text)) {
    const y = twoDigits(text, 0) * 100 + twoDigits(text, 2);
    const mo = twoDigits(text, 5);
    const d = twoDigits(text, 8);
    if (twoDigits(text, 0) < 0 || twoDigits(text, 2) < 0 || mo < 0 || d < 0) return undefined;
    const ms = Date.UTC(y, mo - 1, d);
    lastDay = text.slice(0, 10);
    lastDayMs = Number.isNaN(ms) || !sameFields(ms, y, mo, d, 0, 0, 0) ? Number.NaN : ms;
  }
  if (Number.isNaN(lastDayMs) || h > 23 || mi > 59 || s > 59) return null;
  return lastDayMs + ((h * 60 + mi) * 60 + s) * 1000 + fraction;
}

/** Whether `text` starts with the day last read (its first ten characters). */
function sameDay(text: string): boolean {
  if (lastDay.length !== 10) return false;
  for (let k = 9; k >= 0; k--) if (text.charCodeAt(k) !== lastDay.charCodeAt(k)) return false;
  return true;
}

/** The two decimal digits at `at` as a number, -1 when they are not two digits. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 0x30;
  const b = text.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Epoch ms of an IIS W3C `date` (YYYY-MM-DD) and `time` (HH:MM:SS), both UTC; null when they do not parse. */
export function parseIisTime(date: string, time: string): number | null {
  return parseSystemTime(`${date.trim()}T${time.trim()}Z`);
}

/** ISO-8601 UTC with milliseconds, as the JSON contract prints times. */
export function formatTime(ms: number): string {
  const whole = Math.floor(ms);
  const day = Math.floor(whole / DAY_MS);
  // The day's `YYYY-MM-DDT` is made by Date once per day (years 0–9999: other years are written with a sign).
  if (day !== formatDay) {
    if (!Number.isFinite(whole)) return new Date(whole).toISOString();
    const text = new Date(day * DAY_MS).toISOString();
    if (text.length !== 24) return new Date(whole).toISOString();
    formatDay = day;
    for (let k = 0; k < 11; k++) FORMAT_CODES[k] = text.charCodeAt(k);
  }
  const t = whole - day * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  const mi = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  const milli = t % 1000;
  setDigits(11, h, 2);
  setDigits(14, mi, 2);
  setDigits(17, s, 2);
  setDigits(20, milli, 3);
  // One flat string from the character codes. A template literal made a tree of ~8 concatenations (~300 bytes): a
  // report's records keep their times until written, so every scavenge in between copied those trees, and the JSON
  // writer then flattened each (the times of a 1M-line file's records: ~45 MB of such trees).
  return String.fromCharCode(...FORMAT_CODES);
}

const DAY_MS = 86_400_000;
/** `YYYY-MM-DDTHH:MM:SS.mmmZ` as character codes: the day's part set once per day, the rest by each call. */
const FORMAT_CODES = Array.from('0000-00-00T00:00:00.000Z', (c) => c.charCodeAt(0));
let formatDay = Number.NaN;

/** Write `value` as `count` decimal digits into FORMAT_CODES at `at`. */
function setDigits(at: number, value: number, count: number): void {
  for (let k = at + count - 1; k >= at; k--) {
    FORMAT_CODES[k] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
}

function parseWithLuxon(text: string): number | null {
  const dt = DateTime.fromISO(text.trim(), { zone: 'utc', setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0; // SystemTime is UTC; a zone-less value is read as UTC too
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

// Date.UTC rolls 2024-02-31 over to March: a date that does not exist must not parse.
function sameFields(ms: number, y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const t = new Date(ms);
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}
