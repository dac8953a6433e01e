/**
 * `Date.parse` for the one form the contract writes times in, `YYYY-MM-DDTHH:MM:SS.mmmZ` (formatTime), read digit by
 * digit; any other text, or a field outside the usual ranges, goes to Date.parse itself. The same number either way:
 * a day past the month's end rolls over into the next month as in Date.parse (the tests compare the two).
 */
export function parseContractTime(text: string): number {
  return contractTimeMs(text) ?? Date.parse(text);
}

/**
 * Epoch milliseconds of a time in the contract's form, read digit by digit (in toSpans, a regular expression and
 * `Date.parse` took four times as long); null for any other text, or a field outside the usual ranges, which the
 * caller reads its own way.
 */
export function contractTimeMs(text: string): number | null {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a ||
    text.charCodeAt(19) !== 0x2e ||
    text.charCodeAt(23) !== 0x5a
  )
    return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const milli = digits(text, 20, 3);
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    milli < 0
  )
    return null;
  const days = daysFromCivil(year, month) + day - 1;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

/** The number written with `count` ASCII digits at `from`; -1 when one of them is not a digit. */
function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let k = from; k < from + count; k++) {
    const d = text.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days from 1970-01-01 to the first of `month` of `year` (proleptic Gregorian; years from 0). */
function daysFromCivil(year: number, month: number): number {
  // Years counted from March, so that the leap day is the last day of a year (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
