// The reference, as the generator and the scenarios render NPS logs: a zone's offset at a UTC instant, from the
// runtime's Intl time zone data (not luxon's, which the normaliser uses).
import { zoneOffsetMinutes } from '@otptrace/generator';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { offsetOfLocalTime, parseNpsLogClock } from '../src/index.js';

// NPS log files write the server's local wall clock (docs/windows-events.md §9). A server configured with a time zone
// gets the offset in force at each record's wall time. Reference: every instant of a year at a 30-minute step, turned
// into its wall time by Intl; a wall time reached by two instants (the hour repeated in autumn) belongs to the
// earlier one, a wall time no instant reaches (skipped in spring) is read with the offset in force before the change.
const STEP = 30 * 60_000;
const YEAR = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) };

function reference(zone: string) {
  const instantsOf = new Map<number, number[]>();
  for (let utc = YEAR.from; utc < YEAR.to; utc += STEP) {
    const wall = utc + zoneOffsetMinutes(zone, utc) * 60_000;
    instantsOf.set(wall, [...(instantsOf.get(wall) ?? []), utc]);
  }
  return instantsOf;
}

describe('NPS log clocks with a time zone', () => {
  for (const zone of [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'Australia/Lord_Howe', // a 30-minute change
    'America/Santiago', // changes at local midnight
    'Asia/Kolkata', // no daylight saving time
  ]) {
    it(`${zone}: every wall time of 2026 at its instant; the repeated hour at its first`, () => {
      const rule = parseNpsLogClock(zone);
      expect(rule?.zone?.name).toBe(zone);
      const instantsOf = reference(zone);
      const wrong: string[] = [];
      let repeated = 0;
      for (const [wall, instants] of instantsOf) {
        if (instants.length > 1) repeated++;
        if (wall - offsetOfLocalTime(rule!, wall) * 60_000 !== Math.min(...instants))
          wrong.push(new Date(wall).toISOString());
      }
      let skipped = 0;
      for (let wall = YEAR.from + 86_400_000; wall < YEAR.to - 86_400_000; wall += STEP) {
        if (instantsOf.has(wall)) continue;
        skipped++;
        if (offsetOfLocalTime(rule!, wall) !== zoneOffsetMinutes(zone, wall - 86_400_000))
          wrong.push(`skipped ${new Date(wall).toISOString()}`);
      }
      expect(wrong).toEqual([]);
      // Zones with daylight saving time repeat and skip the same number of half hours in a year.
      expect(repeated).toBe(skipped);
      if (zone !== 'Asia/Kolkata') expect(repeated).toBeGreaterThan(0);
    });
  }

  it('Europe/Berlin around the changes of 2026', () => {
    const berlin = parseNpsLogClock('Europe/Berlin')!;
    const utcOf = (local: string) => {
      const wall = Date.parse(`${local}Z`);
      return new Date(wall - offsetOfLocalTime(berlin, wall) * 60_000).toISOString();
    };
    expect(utcOf('2026-03-29T01:59:59.000')).toBe('2026-03-29T00:59:59.000Z'); // CET
    expect(utcOf('2026-03-29T02:30:00.000')).toBe('2026-03-29T01:30:00.000Z'); // skipped: read as CET
    expect(utcOf('2026-03-29T03:00:00.000')).toBe('2026-03-29T01:00:00.000Z'); // CEST
    expect(utcOf('2026-10-25T01:59:59.000')).toBe('2026-10-24T23:59:59.000Z'); // CEST
    expect(utcOf('2026-10-25T02:30:00.000')).toBe('2026-10-25T00:30:00.000Z'); // repeated: its first occurrence
    expect(utcOf('2026-10-25T03:00:00.000')).toBe('2026-10-25T02:00:00.000Z'); // CET
  });

  it('reads offsets and zone names, and nothing else', () => {
    expect(parseNpsLogClock('+01:00')).toEqual({ minutes: 60, zone: null });
    expect(parseNpsLogClock('UTC-5')).toEqual({ minutes: -300, zone: null });
    expect(parseNpsLogClock('UTC')?.zone?.name).toBe('UTC');
    expect(parseNpsLogClock('Mars/Olympus_Mons')).toBeNull();
    expect(parseNpsLogClock('+25:00')).toBeNull();
  });

  it('the settings accept a zone name and refuse an unknown one with a clear message', () => {
    expect(analysisConfigSchema.parse({ npsLogUtcOffsets: { nps01: 'Europe/Berlin' } }).npsLogUtcOffsets).toEqual({
      nps01: 'Europe/Berlin',
    });
    const refused = analysisConfigSchema.safeParse({ npsLogUtcOffsets: { nps01: 'Europe/Atlantis' } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['npsLogUtcOffsets', 'nps01'],
      message: 'expected a UTC offset (`+01:00`) or a time zone name (`Europe/Berlin`)',
    });
  });
});
