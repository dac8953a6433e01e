import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { analysisConfigSchema, type NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { xmlSeeds } from '../fuzz/corpus.mjs';
import { checkResult, runCase } from '../fuzz/harness.mjs';
import { LIGHT_MUTATORS, mutateLight, rngFrom } from '../fuzz/mutators.mjs';
import { fuzzDeps as deps } from './fuzz-deps.js';

// Named attacks, each on the success scenario's NPS 6272 (test/scenarios/success/nps.xml, built field for field from
// test/fixtures/windows-samples/nps-6272-1.xml): what each is rejected as, and that the good event after it is still read.

const seeds = xmlSeeds();
const nps = seeds
  .find((s) => s.name.endsWith('scenarios/success/nps.xml'))!
  .bytes.toString('utf8')
  .trim();
// The same event one hour earlier, another record: the good event that must survive next to the bad one.
const goodNps = nps.replace('T08:00:00', 'T07:00:00').replace('276341001', '276341000');

function analyse(bytes: Buffer) {
  const r = runCase(deps, [{ name: 'nps.xml', bytes, kind: 'xml' }], rngFrom(1));
  expect(r.violations).toEqual([]);
  const a = new OfflineAnalysis(analysisConfigSchema.parse({}));
  const ing = new XmlIngestor(a.context, { maxEventBytes: 4 << 20 });
  a.add('nps.xml', ing.push(bytes));
  a.add('nps.xml', ing.end());
  return a.finish();
}

const withGood = (bad: string | Buffer) =>
  Buffer.concat([typeof bad === 'string' ? Buffer.from(bad) : bad, Buffer.from(`\r\n${goodNps}\r\n`)]);
const LOL_DECL =
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>';
const XXE_DECL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';

const attacks: [string, string | Buffer, string][] = [
  ['billion laughs before the event', LOL_DECL + nps.replace('>CORP<', '>&lol2;<'), 'forbidden_markup'],
  ['billion laughs inside the event', nps.replace('<System>', `${LOL_DECL}<System>`), 'forbidden_markup'],
  [
    'external entity (file:///etc/passwd) before the event',
    XXE_DECL + nps.replace('>CORP<', '>&xxe;<'),
    'forbidden_markup',
  ],
  ['external entity inside the event', nps.replace('<System>', `${XXE_DECL}<System>`), 'forbidden_markup'],
  ['an undeclared entity used', nps.replace('>CORP<', '>&xxe;<'), 'malformed_xml'],
  [
    'a processing instruction inside the event',
    nps.replace('<System>', '<?xml-stylesheet href="x"?><System>'),
    'forbidden_markup',
  ],
  ['a NUL character inside a tag name', nps.replace('<Computer>', '<Comp\u0000uter>'), 'forbidden_character'],
  [
    'a CDATA section that hides </Event>',
    nps.replace('>CORP<', '><![CDATA[</Data></EventData></Event>]]><'),
    'malformed_xml',
  ],
  [
    '10,000 Data elements of one name',
    nps.replace('<EventData>', `<EventData>${'<Data Name="X">1</Data>'.repeat(10_000)}`),
    'invalid_field',
  ],
  ['an unterminated comment', nps.replace('<System>', '<!-- <System>'), 'malformed_xml'],
];

describe('named attacks are refused, never expanded or followed', () => {
  for (const [name, bad, code] of attacks) {
    it(`${name} → ${code}, the next event still analysed`, () => {
      const r = analyse(withGood(bad));
      expect(r.rejected.map((x) => x.code)).toContain(code);
      expect(r.attempts.map((a) => a.record.user)).toEqual(['corp\\alice']);
      const out = JSON.stringify(r);
      expect(out).not.toContain('lollol');
      expect(out).not.toMatch(/root:[^:]*:0:0:/);
    });
  }

  it('10,000 nested unknown elements in EventData are skipped in linear time: the event is read on its System fields', () => {
    const deep = nps.replace('<EventData>', `<EventData>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`);
    const r = analyse(withGood(deep));
    // No depth limit exists (the scanner keeps a tag stack, no recursion); Windows never writes such an event.
    expect(r.rejected).toEqual([]);
    expect(r.attempts.map((a) => a.record.user)).toEqual(['corp\\alice', 'corp\\alice']);
  });

  it('a lone surrogate in a UTF-16LE file rejects that event as invalid_encoding', () => {
    const body = Buffer.from(`${nps}\r\n${goodNps}\r\n`, 'utf16le');
    const at = body.indexOf(Buffer.from('CORP', 'utf16le'));
    const broken = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      body.subarray(0, at),
      Buffer.from([0x00, 0xd8]),
      body.subarray(at),
    ]);
    const r = analyse(broken);
    expect(r.rejected).toEqual([expect.objectContaining({ code: 'invalid_encoding', position: 2 })]);
    expect(r.attempts).toHaveLength(1);
  });

  it('a UTF-16LE file with an odd byte count: the good event is read, the dangling byte is accounted for', () => {
    const body = Buffer.from(`${goodNps}\r\n`, 'utf16le');
    const r = analyse(Buffer.concat([Buffer.from([0xff, 0xfe]), body, Buffer.from([0x3c])]));
    expect(r.attempts).toHaveLength(1);
    expect(r.summary.eventsRead).toBe(r.summary.eventsCorrelated + r.summary.eventsIgnored + r.summary.eventsRejected);
  });

  it('a 1 MB attribute value is read within the event size limit, without a hang', () => {
    const big = nps.replace('<Computer>', `<Computer Extra="${'A'.repeat(1 << 20)}">`);
    const r = runCase(deps, [{ name: 'nps.xml', bytes: withGood(big), kind: 'xml' }], rngFrom(2));
    expect(r.violations).toEqual([]);
    expect(r.inputBytes).toBeGreaterThan(1 << 20);
  });
});

describe('the fuzzers reach the rejection paths, and the checks can fail', () => {
  it('a run of stacked mutations meets every ingestion rejection code', () => {
    const seen = new Set<string>();
    const rng = rngFrom(7);
    for (let i = 0; i < 600; i++) {
      const file = seeds[rng.int(seeds.length)]!;
      const { bytes } = mutateLight(file.bytes, rng);
      const a = new OfflineAnalysis(analysisConfigSchema.parse({}));
      const ing = new XmlIngestor(a.context, { maxEventBytes: 4 << 20 });
      a.add(file.name, ing.push(bytes));
      a.add(file.name, ing.end());
      for (const r of a.finish().rejected) seen.add(r.code);
    }
    for (const code of [
      'malformed_xml',
      'truncated_event',
      'not_an_event',
      'invalid_encoding',
      'forbidden_markup',
      'missing_field',
      'invalid_field',
      'conflicting_duplicate',
    ])
      expect([...seen], code).toContain(code);
  });

  it('checkResult reports broken accounting, unknown codes, positions outside the input and shared events', () => {
    const a = new OfflineAnalysis(analysisConfigSchema.parse({}));
    const ing = new XmlIngestor(a.context, { maxEventBytes: 4 << 20 });
    const bytes = Buffer.from(goodNps);
    a.add('nps.xml', [...ing.push(bytes), ...ing.end()]);
    const good = a.finish();
    const inputs = [{ name: 'nps.xml', bytes }];
    expect(checkResult(deps, good, inputs, 1)).toEqual([]);
    const attempt = good.attempts[0]!;
    const doctored = {
      ...good,
      attempts: [attempt, attempt],
      summary: { ...good.summary, eventsIgnored: 5 },
      rejected: [{ file: 'nps.xml', position: 10_000, reason: 'x', code: 'made_up' }],
    };
    const v = checkResult(deps, doctored, inputs, 1).join('\n');
    expect(v).toMatch(/accounting/);
    expect(v).toMatch(/made_up/);
    expect(v).toMatch(/outside nps\.xml/);
    expect(v).toMatch(/in attempts 0 and 1/);
    expect(Object.keys(LIGHT_MUTATORS).length).toBeGreaterThan(10);
  });

  it('checkResult lets the events the engine shares be evidence for several attempts, and no other', () => {
    // Found by `node bench/fuzz.mjs 20000 20261205` (case 18056). NPS refusing a new DA node as RADIUS client logs
    // System 13 every few seconds; without the DA server's IIS requests to tell the two users' tries apart, each
    // refusal explains both denials around it.
    const inputs = seeds
      .filter((s) => /scenarios\/radius-client-new-node\/(client|nps)\.xml$/.test(s.name))
      .map((s) => ({ name: s.name, bytes: s.bytes }));
    expect(inputs).toHaveLength(2);
    const a = new OfflineAnalysis(analysisConfigSchema.parse({}));
    let items = 0;
    for (const { name, bytes } of inputs) {
      const ing = new XmlIngestor(a.context, { maxEventBytes: 4 << 20 });
      const got = [...ing.push(bytes), ...ing.end()];
      items += got.length;
      a.add(name, got);
    }
    const result = a.finish();
    const holders = new Map<NormalizedEvent, number>();
    for (const attempt of result.attempts) for (const e of attempt.events) holders.set(e, (holders.get(e) ?? 0) + 1);
    const shared = [...holders].filter(([, n]) => n > 1).map(([e]) => e);
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.every((e) => e.kind === 'radius.client_error')).toBe(true);
    expect(checkResult(deps, result, inputs, items)).toEqual([]);
    // The same result with the shared kind not declared shared is flagged: the check reads the engine's rule.
    const strict = { ...deps, isSharedEvent: () => false };
    expect(checkResult(strict, result, inputs, items).join('\n')).toMatch(
      /nps01\.corp\.example\|system\|\d+ in attempts/,
    );
  });
});
