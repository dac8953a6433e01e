import { DateTime } from 'luxon';

// SystemTime is ISO-8601 UTC with up to 9 fractional digits (7 from FILETIME's 100 ns ticks, 9 in some renderings);
// the common shapes are parsed by hand for speed, anything else goes to luxon.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds (microsecond fraction kept) of a `TimeCreated/@SystemTime`; null when it does not parse. */
export function parseSystemTime(text: string): number | null {
  const m = ISO.exec(text);
  if (m === null) return parseWithLuxon(text);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || !sameFields(ms, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)))
    return null;
  const fraction = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1e6) / 1e3;
  return ms + fraction - zoneOffsetMs(zone);
}

/** Epoch ms of an IIS W3C `date` (YYYY-MM-DD) and `time` (HH:MM:SS), both UTC; null when they do not parse. */
export function parseIisTime(date: string, time: string): number | null {
  return parseSystemTime(`${date.trim()}T${time.trim()}Z`);
}

/** ISO-8601 UTC with milliseconds, as the JSON contract prints times. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
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
