import { DetectingIngestor, OfflineAnalysis } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { generateToMemory } from './helpers.js';

/**
 * `otptrace analyze --config analysis.json` of generated files, in memory: the verdicts of the users' attempts, sorted
 * (W3C times are whole seconds, so starts may differ by one; the probes' user names differ between the formats).
 */
function verdicts(files: Record<string, string>, settings: object) {
  const config = analysisConfigSchema.parse(settings);
  const analysis = new OfflineAnalysis(config);
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('.json')) continue;
    const ingestor = new DetectingIngestor(analysis.context, { maxEventBytes: config.maxEventBytes }, { label: name });
    analysis.add(name, [...ingestor.push(Buffer.from(text)), ...ingestor.end()]);
  }
  return analysis
    .finish()
    .attempts.filter(({ record: r }) => r.outcome !== 'probe')
    .map(({ record: r }) => `${r.user} ${r.outcome} ${r.failedStage} ${r.rootCause?.code}`)
    .sort();
}

// Issue 13: the same fleet with IIS as W3C text logs and NPS decisions as NPS log files.
describe('generateFleetLogs with text logs', { timeout: 60_000 }, () => {
  it('writes the same attempts, with W3C files per DA server and NPS log files per NPS server in local time', () => {
    const xml = generateToMemory({ users: 40, seed: 5 });
    const text = generateToMemory({ users: 40, seed: 5, iisFormat: 'w3c', npsFormat: 'dts', npsUtcOffsetMinutes: 60 });
    expect(text.files['expected.json']).toBe(xml.files['expected.json']);
    const names = Object.keys(text.files).sort();
    expect(names).not.toContain('iis.xml');
    const w3c = names.filter((n) => /^da\d+\/W3SVC1\/u_ex\d{6}\.log$/.test(n));
    const nps = names.filter((n) => /^nps\d+\/IN\d{4}\.log$/.test(n));
    expect(w3c.length).toBeGreaterThan(0);
    expect(nps.length).toBeGreaterThan(0);
    for (const n of w3c)
      expect(text.files[n]).toMatch(/^#Software: .*\r\n#Version: 1\.0\r\n#Date: .*\r\n#Fields: date time /);
    // Every 6272/6273 of the XML fleet became an Access-Request and its answer.
    const decisions = (xml.files['nps.xml']?.match(/<EventID>627[23]</g) ?? []).length;
    const records = nps.reduce((n, f) => n + (text.files[f]?.match(/<Event>/g) ?? []).length, 0);
    expect(records).toBe(2 * decisions);
    expect(JSON.parse(text.files['analysis.json'] ?? '{}')).toMatchObject({ npsLogUtcOffsets: { nps1: '+01:00' } });
  });

  it("follows the NPS servers' time zone across a daylight-saving change, and names it in analysis.json", () => {
    // Three days from Saturday 24 October 2026: Europe/Berlin leaves summer time (UTC+2) for UTC+1 on the 25th.
    const fleet = { users: 120, seed: 7, days: 3, startTime: '2026-10-24T00:00:00.000Z', unrelatedRatio: 0 };
    const xml = generateToMemory(fleet);
    const text = generateToMemory({ ...fleet, iisFormat: 'w3c', npsFormat: 'dts', npsTimeZone: 'Europe/Berlin' });
    const settings = JSON.parse(text.files['analysis.json'] ?? '{}') as { npsLogUtcOffsets: Record<string, string> };
    expect(settings).toEqual({ npsLogUtcOffsets: { nps1: 'Europe/Berlin', nps2: 'Europe/Berlin' } });
    // Local times of both sides of the change: a record at 10:00 UTC reads 12:00 on the 24th and 11:00 on the 26th.
    const nps = Object.entries(text.files).filter(([n]) => /^nps\d+\//.test(n));
    const stamps = nps.flatMap(([, t]) => [...t.matchAll(/<Timestamp data_type="4">([^<]+)</g)].map((m) => m[1]));
    expect(stamps.some((s) => s?.startsWith('10/24/2026'))).toBe(true);
    expect(stamps.some((s) => s?.startsWith('10/26/2026'))).toBe(true);
    // With the zone, the text-log fleet gives the XML fleet's verdicts; one fixed offset misplaces a side's records.
    const expected = verdicts(xml.files, {});
    expect(expected.length).toBeGreaterThan(100);
    expect(verdicts(text.files, settings)).toEqual(expected);
    const fixed = { npsLogUtcOffsets: { nps1: '+01:00', nps2: '+01:00' } };
    expect(verdicts(text.files, fixed)).not.toEqual(expected);
  });

  it('refuses an unknown format', () => {
    expect(() => generateToMemory({ users: 5, seed: 1, iisFormat: 'csv' as never })).toThrow(/iisFormat/);
    expect(() => generateToMemory({ users: 5, seed: 1, npsTimeZone: 'Europe/Atlantis' })).toThrow(/npsTimeZone/);
  });
});
