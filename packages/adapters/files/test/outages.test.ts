import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzePaths } from '../src/index.js';
import { SCENARIOS } from './scenario-helpers.js';

// Outages at a busy hour, built from the scenarios' events: every request of many users fails the same way, and the
// servers log an event per request that explains them all. Each user must get the outage's verdict, each attempt a
// few of those events as evidence (not all of them: that grew with the square of the outage), and every event read
// must be accounted for.
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-outages-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const eventsOf = (scenario: string, file: string) =>
  readFileSync(join(SCENARIOS, scenario, file), 'utf8').match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [];

/** The event XML at `time` (epoch ms) with record ID `recordId`, its user renamed to `user` when given. */
function at(xml: string, time: number, recordId: number, user?: [string, string]): string {
  const iso = new Date(time).toISOString();
  const out = xml
    .replace(/SystemTime="[^"]*"/, `SystemTime="${iso}"`)
    // An IIS 6200's time is its W3C date and time fields (whole seconds, UTC); TimeCreated only refines them.
    .replace(/<Data Name="date">[^<]*<\/Data>/, `<Data Name="date">${iso.slice(0, 10)}</Data>`)
    .replace(/<Data Name="time">[^<]*<\/Data>/, `<Data Name="time">${iso.slice(11, 19)}</Data>`)
    .replace(/<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${recordId}</EventRecordID>`);
  return user === undefined ? out : out.replaceAll(user[0], user[1]);
}

/** A folder of `files` (name → text). */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const causes = (result: AnalysisResult) => {
  const count = new Map<string | null, number>();
  for (const a of result.attempts)
    count.set(a.record.rootCause?.code ?? null, (count.get(a.record.rootCause?.code ?? null) ?? 0) + 1);
  return Object.fromEntries(count);
};
const evidenceOf = (result: AnalysisResult, eventId: number) =>
  result.attempts.map((a) => a.record.evidence.filter((e) => e.eventId === eventId).length);

const T0 = Date.parse('2026-11-02T10:31:00Z');
const REQUESTS = 200;
const SPACING_MS = 100;

describe('outages at a busy hour', { timeout: 60_000 }, () => {
  it('a stopped application pool: every user of its HTTP.sys 503s gets it, though whose request is whose is not told', async () => {
    const [failure] = eventsOf('gateway-app-pool-stopped', 'client.xml');
    const second = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
    const lines = Array.from(
      { length: REQUESTS },
      (_, i) =>
        `${second(T0 + i * SPACING_MS)} 198.51.100.${i % 250} ${50_000 + i} 203.0.113.10 443 HTTP/1.1 POST /otp/DAAuthOtp.dll?r=1 - 503 2 AppOffline DefaultAppPool`,
    );
    const dir = folder('app-pool', {
      'da01/HTTPERR/httperr1.log': `#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-11-02 10:31:00\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n${lines.join('\n')}\n`,
      'client.xml': Array.from({ length: REQUESTS }, (_, i) =>
        at(failure!, T0 + i * SPACING_MS + 400, 1_000 + i, ['CORP\\jon', `CORP\\u${i}`]).replace('client01', `pc${i}`),
      ).join('\n'),
    });
    const result = await analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 });
    expect(causes(result)).toEqual({ gateway_error: REQUESTS });
  });

  it('domain controllers unreachable: every denial explained by the NPS 4402s, each carrying its nearest one', async () => {
    const events = eventsOf('radius-directory-unavailable', 'nps.xml');
    const noDc = events.find((e) => e.includes('>4402</EventID>'));
    const denial = events.find((e) => e.includes('>6273</EventID>'));
    const dir = folder('dc-outage', {
      'nps.xml': Array.from({ length: REQUESTS }, (_, i) => [
        at(noDc!, T0 + i * SPACING_MS, 10_000 + 2 * i),
        at(denial!, T0 + i * SPACING_MS + 20, 10_001 + 2 * i, ['frank', `u${i}`]),
      ])
        .flat()
        .join('\n'),
    });
    const result = await analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 });
    expect(causes(result)).toEqual({ radius_directory_unavailable: REQUESTS });
    expect(new Set(evidenceOf(result, 4402))).toEqual(new Set([1]));
    expect(result.summary.eventsCorrelated).toBe(2 * REQUESTS);
  });

  it('a wrong RADIUS shared secret: each unanswered request carries the 3 nearest NPS refusals, the rest are counted', async () => {
    const scenario = 'radius-client-misconfigured';
    const [refusal] = eventsOf(scenario, 'nps.xml').filter((e) => e.includes('<Provider Name="NPS"'));
    const [, request] = eventsOf(scenario, 'iis.xml');
    const [, failure] = eventsOf(scenario, 'client.xml');
    const dir = folder('shared-secret', {
      // The success before the outage, from which NPS's address of the DA server is known.
      'first.xml': [...['nps.xml', 'iis.xml', 'ca.xml', 'client.xml'].map((f) => eventsOf(scenario, f)[0]!)].join('\n'),
      'nps.xml': Array.from({ length: REQUESTS }, (_, i) => at(refusal!, T0 + i * SPACING_MS, 90_000 + i)).join('\n'),
      'iis.xml': Array.from({ length: REQUESTS }, (_, i) =>
        at(request!, T0 + i * SPACING_MS + 15_300, 60_000 + i),
      ).join('\n'),
      'client.xml': Array.from({ length: REQUESTS }, (_, i) =>
        at(failure!, T0 + i * SPACING_MS + 15_600, 1_000 + i, ['ida', `u${i}`]).replace('client01', `pc${i}`),
      ).join('\n'),
    });
    const result = await analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 });
    const misconfigured = result.attempts.filter((a) => a.record.rootCause?.code === 'radius_client_misconfigured');
    expect(misconfigured.length).toBeGreaterThan(REQUESTS * 0.95);
    expect(Math.max(...evidenceOf(result, 14))).toBe(3);
    const { eventsRead, eventsCorrelated, eventsIgnored, eventsRejected, ignoredBy } = result.summary;
    expect(eventsRejected).toBe(0);
    expect(eventsRead).toBe(eventsCorrelated + eventsIgnored);
    expect(ignoredBy.repeated_radius_client_event).toBeGreaterThan(0);
  });
});
