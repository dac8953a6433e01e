/**
 * Epoch milliseconds of an ISO-8601 UTC time, keeping a sub-millisecond fraction (`.1234567Z`), which
 * Date.parse would drop; NaN when the text is not an ISO time.
 */
export function isoToEpochMs(iso: string): number {
  const fast = utcDigits(iso);
  return fast === null ? generalIsoToEpochMs(iso) : fast;
}

/** `isoToEpochMs` by a regular expression and Date.parse: any offset, any date Date.parse takes. */
export function generalIsoToEpochMs(iso: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (match === null) return Number.NaN;
  const [, wholeSeconds = '', fraction = '', zone = ''] = match;
  const seconds = Date.parse(`${wholeSeconds}${zone}`);
  // Keep microseconds: the Windows SystemTime has 100 ns ticks, OTLP nanoseconds; microseconds are what we promise.
  const micros = Number(`${fraction}000000`.slice(0, 6));
  return seconds + micros / 1000;
}

/**
 * The common form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what the records hold: every attempt's start and end), read
 * digit by digit: the regular expression, the strings it cuts and Date.parse cost more than the rest of an attempt's
 * root span. Null for anything else, and for days past the 28th (Date.parse decides whether they exist), which the
 * general path reads.
 */
function utcDigits(iso: string): number | null {
  const n = iso.length;
  if (n < 20 || iso.charCodeAt(n - 1) !== 0x5a /* Z */) return null;
  if (iso.charCodeAt(4) !== 0x2d || iso.charCodeAt(7) !== 0x2d || iso.charCodeAt(10) !== 0x54) return null;
  if (iso.charCodeAt(13) !== 0x3a || iso.charCodeAt(16) !== 0x3a) return null;
  const year = digits(iso, 0, 4);
  const month = digits(iso, 5, 2);
  const day = digits(iso, 8, 2);
  const hour = digits(iso, 11, 2);
  const minute = digits(iso, 14, 2);
  const second = digits(iso, 17, 2);
  // Date.UTC reads years 0–99 as 1900–1999: such years take the general path.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59)
    return null;
  if (hour < 0 || minute < 0 || second < 0) return null;
  let micros = 0;
  if (n > 20) {
    // A fraction: '.' and at least one digit; its first six digits are the microseconds.
    if (iso.charCodeAt(19) !== 0x2e || n === 21) return null;
    let kept = 0;
    for (let i = 20; i < n - 1; i++) {
      const d = iso.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return null;
      if (kept < 6) {
        micros = micros * 10 + d;
        kept++;
      }
    }
    micros *= MICRO_SCALE[kept]!;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + micros / 1000;
}

/** What a fraction of 0–6 digits is multiplied by to give microseconds. */
const MICRO_SCALE = [1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/** The decimal number of `count` digits at `at`, or -1 when one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
