import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@otptrace/cli';
import { type ExpectedAttempt, verdictOf, verifyAgainstExpected } from '@otptrace/generator';
import type { AnalysisDocument } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';

// The analyst's verdict on generated days against the generator's truth (expected.json), with every host's clock
// right and with every host's clock off by up to 3 s either way. The floors are what the analysis reached on
// 2026-12-02; before 2026-12-01's IIS-join changes (7325930 on) the same days gave 6 and 18 attempts differing and 88
// and 196 requests dropped as ambiguous, and 3 and 4 before a retry's denial waited for the retry's own result. A
// change that loses verdicts fails here; one that gains them raises the floor.

async function analysedDay(users: number, seed: number, skewMs: number, options: readonly string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-accuracy-'));
  const io = { stdout: () => {}, stderr: () => {} };
  const args = ['--users', String(users), '--seed', String(seed), '--clock-skew-ms', String(skewMs), '--out', dir];
  args.push(...options);
  expect(await main(['generate', ...args], io)).toBe(0);
  const out = join(dir, 'analysis.json');
  const files = ['client.xml', 'iis.xml', 'nps.xml', 'ca.xml'].map((f) => join(dir, f));
  expect(await main(['analyze', '--format', 'json', '--out', out, ...files], io)).toBe(0);
  const analysis = JSON.parse(readFileSync(out, 'utf8')) as AnalysisDocument;
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as ExpectedAttempt[];
  const verification = verifyAgainstExpected(expected, analysis.attempts, skewMs + 30_000);
  const wrong = [
    ...verification.mismatches.map((m) => `${m.expected.id} ${verdictOf(m.expected)} → ${verdictOf(m.actual)}`),
    ...verification.missed.map((e) => `${e.id} ${verdictOf(e)} missed`),
  ];
  return { analysis, verification, wrong };
}

describe("the analyst's verdict on generated days, against the generator's truth", { timeout: 120_000 }, () => {
  it('1,000 users, clocks right: every attempt, and the IIS requests joined rather than called ambiguous', async () => {
    const { analysis, verification, wrong } = await analysedDay(1000, 4, 0);
    expect(verification.total).toBe(1928);
    expect(wrong, wrong.join('\n')).toEqual([]);
    expect(verification.extra).toHaveLength(0);
    expect(analysis.summary.ignoredBy.ambiguous_gateway_request ?? 0).toBeLessThanOrEqual(10);
  });

  it('1,000 users, every host off by up to 3 s: a retry keeps its CA steps, each request its own attempt', async () => {
    const { analysis, verification, wrong } = await analysedDay(1000, 4, 3000);
    expect(verification.total).toBe(1928);
    expect(wrong.length, wrong.join('\n')).toBeLessThanOrEqual(1);
    expect(analysis.summary.ignoredBy.ambiguous_gateway_request ?? 0).toBeLessThanOrEqual(10);
  });

  // NPS names RADIUS clients by the administrator's friendly names. Before the DA servers' addresses were learned from
  // their requests (bbfb6e5), these days gave 2 attempts differing and 23 requests dropped as ambiguous.
  it.each([
    ['a friendly name of its own', 'friendly'],
    ['one friendly name for all', 'shared'],
  ])('the same day with NPS knowing each DA server by %s: as with their host names', async (_, names) => {
    const { analysis, verification, wrong } = await analysedDay(1000, 4, 3000, ['--radius-client-names', names]);
    expect(verification.total).toBe(1928);
    expect(wrong.length, wrong.join('\n')).toBeLessThanOrEqual(1);
    expect(analysis.summary.ignoredBy.ambiguous_gateway_request ?? 0).toBeLessThanOrEqual(10);
  });
});
