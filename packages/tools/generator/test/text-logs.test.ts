import { describe, expect, it } from 'vitest';
import { generateToMemory } from './helpers.js';

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

  it('refuses an unknown format', () => {
    expect(() => generateToMemory({ users: 5, seed: 1, iisFormat: 'csv' as never })).toThrow(/iisFormat/);
  });
});
