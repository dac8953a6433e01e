import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { toJson } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';

// An NPS Security log also holds the decisions of other RADIUS clients (Wi-Fi with PEAP, TS Gateway): the real
// samples ../fixtures/windows-samples/nps-6272-1.xml (EAP), nps-6272-2.xml (Unauthenticated), nps-6273-1.xml (PEAP).
const sample = (f: string) => readFileSync(new URL(`../fixtures/windows-samples/${f}`, import.meta.url), 'utf8');
type Json = {
  attempts: { user: string; outcome: string; rootCause: { code: string } | null }[];
  summary: { ignoredBy: Record<string, number> };
};

async function analyze(files: Record<string, string>): Promise<Json> {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-radius-'));
  for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
  return toJson(await analyzePaths([dir], analysisConfigSchema.parse({}))) as Json;
}

describe('RADIUS traffic that is not DirectAccess OTP', () => {
  it('is ignored when nothing else corroborates it (the real EAP/PEAP/gateway samples)', async () => {
    const json = await analyze({
      'nps.xml': ['nps-6272-1.xml', 'nps-6272-2.xml', 'nps-6273-1.xml', 'nps-4402-1.xml'].map(sample).join('\n'),
    });
    expect(json.attempts).toEqual([]);
    expect(json.summary.ignoredBy.non_otp_radius).toBe(4);
  });

  it('is kept when an IIS sign-in request on the DA server contains the decision', async () => {
    // The DA server's IIS request around the NPS 6273 of nps-6273-1.xml (2014-03-07T18:55:51.061488Z).
    const iis = readFileSync(new URL('../scenarios/otp-rejected/iis.xml', import.meta.url), 'utf8')
      .replace(/SystemTime="[^"]*"/, 'SystemTime="2014-03-07T18:55:51.2000000Z"')
      .replace(/<Data Name="date">[^<]*/, '<Data Name="date">2014-03-07')
      .replace(/<Data Name="time">[^<]*/, '<Data Name="time">18:55:51')
      .replace(/<Data Name="time-taken">[^<]*/, '<Data Name="time-taken">900');
    const json = await analyze({
      'nps.xml': `${sample('nps-6273-1.xml')}\n${sample('nps-4402-1.xml')}`,
      'iis.xml': iis,
    });
    expect(json.attempts.map((a) => [a.user, a.outcome, a.rootCause?.code])).toEqual([
      ['k12\\abusby', 'failure', 'radius_directory_unavailable'],
    ]);
  });
});
