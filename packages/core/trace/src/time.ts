import { contractTimeMs } from '@otptrace/model';

/**
 * Epoch milliseconds of an ISO-8601 UTC time, keeping a sub-millisecond fraction (`.1234567Z`), which
 * Date.parse would drop; NaN when the text is not an ISO time.
 */
export function isoToEpochMs(iso: string): number {
  // The records' own form (every attempt's start and end) is read digit by digit.
  return contractTimeMs(iso) ?? generalIsoToEpochMs(iso);
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
