import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { xmlSeeds } from '../fuzz/corpus.mjs';

// Implausible times, conflicting duplicates and foreign computer names: the rules as the core applies them now.
// Events: the success scenario (test/scenarios/success/*.xml; NPS 6272 field for field as
// test/fixtures/windows-samples/nps-6272-1.xml, System/TimeCreated/@SystemTime and System/EventRecordID as Windows writes).

const seeds = xmlSeeds();
const file = (n: string) =>
  seeds
    .find((s) => s.name.endsWith(`scenarios/success/${n}`))!
    .bytes.toString('utf8')
    .trim();
const nps = file('nps.xml');
const success = { 'client.xml': file('client.xml'), 'iis.xml': file('iis.xml'), 'ca.xml': file('ca.xml') };
const AT = Date.parse('2026-11-02T08:00:00Z');

function analyse(files: Record<string, string>, referenceTime?: number) {
  const a = new OfflineAnalysis(analysisConfigSchema.parse({}), referenceTime);
  for (const [name, text] of Object.entries(files)) {
    const ing = new XmlIngestor(a.context, { maxEventBytes: 4 << 20 });
    a.add(name, ing.push(Buffer.from(text)));
    a.add(name, ing.end());
  }
  return a.finish();
}

const at = (text: string, iso: string) => text.replace(/SystemTime="[^"]*"/, `SystemTime="${iso}"`);

describe('event times out of the plausible range', () => {
  it('an event more than maxFutureMs (1 day) after the run clock is rejected as implausible_time', () => {
    const r = analyse(
      { 'nps.xml': `${nps}\r\n${at(nps, '2026-11-04T08:00:00.0000000Z').replace('276341001', '9')}` },
      AT,
    );
    expect(r.rejected).toEqual([expect.objectContaining({ code: 'implausible_time', file: 'nps.xml' })]);
    expect(r.attempts).toHaveLength(1);
  });

  it('an event within maxFutureMs of the run clock is accepted (clocks drift)', () => {
    const r = analyse({ 'nps.xml': at(nps, '2026-11-02T20:00:00.0000000Z') }, AT);
    expect(r.rejected).toEqual([]);
    expect(r.attempts).toHaveLength(1);
  });

  it('without a run clock no future bound applies', () => {
    const r = analyse({ 'nps.xml': at(nps, '2099-01-01T00:00:00.0000000Z') });
    expect(r.rejected).toEqual([]);
  });

  for (const iso of ['1601-01-01T00:00:00.0000000Z', '1970-01-01T00:00:00.0000000Z', '1999-12-31T23:59:59.0000000Z']) {
    it(`an event at ${iso.slice(0, 10)} (before earliestEventTime, 2000-01-01) is rejected as implausible_time`, () => {
      const r = analyse({ 'nps.xml': at(nps, iso) }, AT);
      expect(r.rejected.map((x) => x.code)).toEqual(['implausible_time']);
      expect(r.attempts).toEqual([]);
    });
  }
});

describe('duplicated EventRecordIDs', () => {
  it('the same event twice is counted once and the copy ignored as duplicate_event', () => {
    const r = analyse({ 'nps.xml': `${nps}\r\n${nps}`, 'nps-again.xml': nps });
    expect(r.summary.eventsIgnored).toBe(2);
    expect(r.summary.ignoredBy).toEqual({ duplicate_event: 2 });
    expect(r.attempts).toHaveLength(1);
  });

  it('the same record ID with another decision is rejected as conflicting_duplicate, and the first one kept', () => {
    const denied = nps
      .replace('<EventID>6272</EventID>', '<EventID>6273</EventID>')
      .replace('<Data Name="QuarantineState">', '<Data Name="ReasonCode">16</Data><Data Name="QuarantineState">');
    const r = analyse({ ...success, 'nps.xml': nps, 'nps-forged.xml': at(denied, '2026-11-02T08:00:00.3600000Z') });
    expect(r.rejected).toEqual([expect.objectContaining({ code: 'conflicting_duplicate' })]);
    expect(r.rejected[0]!.file).toBe('nps01.corp.example/Security');
    expect(r.attempts.map((a) => a.record.outcome)).toEqual(['success']);
  });
  // Rule (found by bench/fuzz.mjs, seed 1014837): a record ID is remembered for the duplicate window (twice the close
  // delay of event time, about 20 minutes by default). Beyond it, the same ID is a new event: a cleared log restarts
  // EventRecordID. Both events are accounted for, each in its own attempt.
  it('the same record ID reused an hour later for another user is a new event, accounted for, not a crash', () => {
    const later = at(nps, '2026-11-02T09:00:00.3500000Z').replace(/alice/g, 'bob');
    const r = analyse({ 'nps.xml': nps, 'nps-later.xml': later });
    expect(r.summary.eventsRead).toBe(2);
    expect(r.summary.eventsCorrelated).toBe(2);
    expect(r.rejected).toEqual([]);
    expect(r.attempts.map((a) => a.record.user)).toEqual(['corp\\alice', 'corp\\bob']);
  });

  it('a CA log copied an hour later with other users and request IDs (the input that crashed) is accounted for', () => {
    const ca = success['ca.xml']!;
    const later = ca
      .replace(/SystemTime="2026-11-02T08/g, 'SystemTime="2026-11-02T09')
      .replace(/alice/g, 'vera')
      .replace(/4100/g, '4111');
    const r = analyse({ ...success, 'ca-later.xml': later });
    const s = r.summary;
    expect(s.eventsRead).toBe(s.eventsCorrelated + s.eventsIgnored + s.eventsRejected);
    expect(r.rejected).toEqual([]);
  });
});

describe('events that name another computer', () => {
  it('offline, an event is taken on the computer it names, whatever file it came in (no sender binding)', () => {
    const forged = nps.replace('nps01.corp.example', 'nps99.corp.example');
    const r = analyse({ ...success, 'client.xml': `${success['client.xml']}`, 'nps.xml': forged });
    expect(r.rejected).toEqual([]);
    const radius = r.attempts.flatMap((a) => a.events).filter((e) => e.source === 'radius');
    expect(radius.map((e) => e.ref.computer)).toEqual(['nps99.corp.example']);
  });
});
