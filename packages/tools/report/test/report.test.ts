import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { type AttemptRecord, analysisConfigSchema } from '@otptrace/schemas';
import { summarizeAttempts } from '@otptrace/stats';
import { describe, expect, it } from 'vitest';
import {
  buildReportData,
  describeDaServer,
  describeNpsClock,
  detailLines,
  type ReportData,
  renderReport,
  stageBars,
} from '../src/index.js';

const SEED = new URL('../../../../examples/seed-story', import.meta.url).pathname;
/** The seed story analysed by the pipeline itself (no file adapter: a lower layer than this package's). */
function analyzeSeed() {
  const config = analysisConfigSchema.parse({});
  const analysis = new OfflineAnalysis(config);
  for (const file of readdirSync(SEED).filter((name) => name.endsWith('.xml'))) {
    const ingestor = new XmlIngestor(analysis.context, config);
    analysis.add(file, [...ingestor.push(readFileSync(join(SEED, file))), ...ingestor.end()]);
  }
  return analysis.finish();
}
const seed = analyzeSeed();
const bsimon = seed.attempts.find((a) => a.record.user === 'corp\\bsimon')!;

/** The JSON embedded in a report, read back the way the page's script reads it. */
function embedded(html: string): ReportData {
  const match = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  return JSON.parse(match![1]!) as ReportData;
}

function withUser(record: AttemptRecord, user: string): AttemptRecord {
  return { ...record, user };
}

describe('renderReport', () => {
  it('embeds a hostile user name as inert data that reads back unchanged', () => {
    const hostile = 'corp\\</script><script>window.pwned=1</script><img src=x onerror=alert(1)><!--';
    const record = withUser(bsimon.record, hostile);
    const html = renderReport({ attempts: [{ record }], stats: summarizeAttempts([record]) }, { title: '<b>x</b>' });
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<!--');
    expect(html).toContain('<title>&#60;b&#62;x&#60;/b&#62;</title>');
    // Three script elements and no more: config, data and the page's own script.
    expect(html.match(/<script/g)).toHaveLength(3);
    const data = embedded(html);
    expect(data.strings[data.attempts[0]![2]]).toBe(hostile);
  });

  it('forbids network access from the report page', () => {
    const html = renderReport({ attempts: [], stats: summarizeAttempts([]) });
    expect(html).toContain("connect-src 'none'");
    expect(html).not.toMatch(/<(link|img|iframe)\b|src="http/);
  });
});

describe('buildReportData', () => {
  it('gives the seed story a waterfall whose CA bar fails with the HRESULT, and the cause with its remediation', () => {
    const data = buildReportData({ attempts: [bsimon], stats: summarizeAttempts([bsimon.record]) });
    const [a] = data.attempts;
    const s = (i: number) => data.strings[i];
    expect(s(a![6])).toBe('ca');
    expect(s(a![8])).toBe('0x80094811 CERTSRV_E_KEY_LENGTH');
    const bars = a![10].map((b) => [s(b[0]), b[4]]);
    expect(bars.filter(([, failing]) => failing === 1)).toEqual([['ca', 1]]);
    expect(bars.map(([stage]) => stage)).toEqual(['gateway', 'radius', 'ca', 'client']);
    const [code, title, remediation] = data.causes[0]!.map(s);
    expect(code).toBe('ca_denied_key_length');
    expect(title).toBe(bsimon.record.rootCause!.title);
    expect(remediation).toContain('Microsoft RSA SChannel Cryptographic Provider');
    // Every evidence record is reachable from exactly one bar.
    expect(a![10].flatMap((b) => b[6]).sort()).toEqual(a![11].map((_, i) => i));
  });

  it('interns repeated strings once', () => {
    const data = buildReportData({
      attempts: seed.attempts,
      stats: summarizeAttempts(seed.attempts.map((a) => a.record)),
    });
    expect(data.strings.filter((x) => x === 'nps01.corp.example')).toHaveLength(1);
    expect(data.attempts).toHaveLength(seed.attempts.length);
  });
});

describe('stageBars', () => {
  it('from the JSON contract alone: one bar per stage spanning its evidence, the failed stage failing', () => {
    const bars = stageBars(bsimon.record);
    expect(bars.map((b) => [b.stage, b.failing, b.evidence.length])).toEqual([
      ['radius', false, 1],
      ['gateway', false, 1],
      ['ca', true, 3],
      ['client', false, 1],
    ]);
    const ca = bars.find((b) => b.stage === 'ca')!;
    expect(ca.endMs - ca.startMs).toBeCloseTo(31, 3);
  });

  it('from the events: the trace spans, with the IIS request starting before NPS answers', () => {
    const bars = stageBars(bsimon.record, bsimon.events);
    const gateway = bars.find((b) => b.stage === 'gateway')!;
    const radius = bars.find((b) => b.stage === 'radius')!;
    expect(gateway.startMs).toBeLessThan(radius.endMs);
    expect(bars.filter((b) => b.failing).map((b) => b.stage)).toEqual(['ca']);
  });
});

describe('describeNpsClock', () => {
  it('names the configured zone, or the offset and its changes when learned', () => {
    expect(describeNpsClock('nps01', { offset: '+02:00', basis: 'configured', zone: 'Europe/Berlin' })).toBe(
      'nps01: Europe/Berlin (configured)',
    );
    expect(describeNpsClock('nps02', { offset: '+00:00', basis: 'assumed_utc' })).toBe(
      'nps02: UTC+00:00 (assumed utc)',
    );
    const changes = [{ from: '2026-10-25T01:00:47.389Z', offset: '+01:00' }];
    expect(describeNpsClock('nps1', { offset: '+02:00', basis: 'learned', changes })).toBe(
      'nps1: UTC+02:00 (learned), UTC+01:00 from 2026-10-25T01:00:47Z',
    );
  });
});

describe('describeDaServer', () => {
  it("says how far NPS's clock is from the DA server's, and where NPS knows the server", () => {
    expect(describeDaServer('da1', { npsClockAheadMs: 1_275 })).toBe(
      "da1: NPS's clock 1.3 s ahead of its own (learned)",
    );
    expect(describeDaServer('da2', { npsClockAheadMs: -7_025, radiusClients: ['10.0.1.12', 'fd00::12'] })).toBe(
      "da2: NPS's clock 7.0 s behind its own; NPS knows it at 10.0.1.12, fd00::12 (learned)",
    );
    expect(describeDaServer('da3', { radiusClients: ['10.0.1.13'] })).toBe('da3: NPS knows it at 10.0.1.13 (learned)');
  });
});

describe('detailLines', () => {
  it('names the root causes the logs read do not rule out, and nothing more when they decide', () => {
    const record = bsimon.record;
    expect(detailLines(record).map(([label]) => label)).not.toContain('Also possible');
    const cause = { ...record.rootCause!, alsoPossible: ['client_certificate_expired', 'client_certificate_revoked'] };
    expect(detailLines({ ...record, rootCause: cause })).toContainEqual([
      'Also possible',
      'client_certificate_expired, client_certificate_revoked',
    ]);
  });

  it("says how far NPS's clock was from the DA server's when the correlation learned it", () => {
    const record = bsimon.record;
    expect(detailLines(record).map(([label]) => label)).not.toContain('Clocks');
    expect(detailLines({ ...record, npsClockAheadMs: 12_600 })).toContainEqual([
      'Clocks',
      "NPS's clock 12.6 s ahead of the DA server's; the NPS times listed are as NPS logged them, the waterfall and the trace put them on the DA server's clock",
    ]);
  });
});
