import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { toJson } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';

// Bad input of every kind the offline analysis promises to survive: each is reported in `rejected` with its reason
// and byte position, and the good events around it are still analysed.

const scenario = (name: string, file: string) =>
  readFileSync(new URL(`../scenarios/${name}/${file}`, import.meta.url), 'utf8');
type Json = {
  attempts: { user: string; outcome: string; rootCause: { code: string } | null }[];
  summary: { eventsRead: number; eventsCorrelated: number; eventsIgnored: number; eventsRejected: number };
  rejected: { file: string; position: number; reason: string; code: string }[];
};

async function analyzeDir(files: Record<string, string | Buffer>): Promise<Json> {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-bad-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return toJson(await analyzePaths([dir], analysisConfigSchema.parse({}))) as Json;
}

// The success scenario's NPS decision, IIS request, CA events and client result, one file each.
const nps = scenario('success', 'nps.xml').trim();
const good = {
  'iis.xml': scenario('success', 'iis.xml'),
  'ca.xml': scenario('success', 'ca.xml'),
  'client.xml': scenario('success', 'client.xml'),
};

async function withBadNpsFile(bad: string): Promise<Json & { badAt: number }> {
  const content = `${bad}\r\n${nps}\r\n`;
  const json = await analyzeDir({ ...good, 'nps.xml': content });
  return Object.assign(json, { badAt: 0 });
}

function expectStillAnalysed(json: Json): void {
  expect(json.attempts.map((a) => [a.user, a.outcome])).toEqual([['corp\\alice', 'success']]);
  const s = json.summary;
  expect(s.eventsRead).toBe(s.eventsCorrelated + s.eventsIgnored + s.eventsRejected);
}

const validEvent = nps;
const cases: [string, string, string][] = [
  ['malformed XML (mismatched tags)', validEvent.replace('</Computer>', '</Computr>'), 'malformed_xml'],
  ['truncated event', validEvent.slice(0, 600), 'truncated_event'],
  // CORP\al<NUL>ice would print as "alice" and be another user (XML 1.0 forbids the character).
  ['a NUL inside the user name', validEvent.replace('CORP\\alice', 'CORP\\al\u0000ice'), 'forbidden_character'],
  [
    'an EventRecordID beyond 2^53 (never rounded)',
    validEvent.replace(/<EventRecordID>\d+</, '<EventRecordID>9007199254740993<'),
    'invalid_field',
  ],
  ['a NUL as a character reference', validEvent.replace('CORP\\alice', 'CORP\\al&#0;ice'), 'forbidden_character'],
  ['a non-event document', '<html><body>Not an event log</body></html>', 'not_an_event'],
  [
    'an unknown provider in an OTP channel',
    validEvent.replace('Microsoft-Windows-Security-Auditing', 'Fake-Radius-Provider'),
    'unknown_provider',
  ],
  ['a missing required field (Computer)', validEvent.replace(/<Computer>[^<]*<\/Computer>/, ''), 'missing_field'],
  [
    'a missing NPS user name',
    validEvent
      .replace(/<Data Name="SubjectUserName">[^<]*<\/Data>/, '<Data Name="SubjectUserName">-</Data>')
      .replace(
        /<Data Name="FullyQualifiedSubjectUserName">[^<]*<\/Data>/,
        '<Data Name="FullyQualifiedSubjectUserName">-</Data>',
      ),
    'missing_field',
  ],
  [
    'a time that does not parse',
    validEvent.replace(/SystemTime="[^"]*"/, 'SystemTime="2026-13-45T99:00:00Z"'),
    'invalid_time',
  ],
  [
    'a DOCTYPE with an entity-expansion attack',
    `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${validEvent.replace('>Windows<', '>&lol2;<').replace('2026-11-02T08:00:00', '2026-11-02T07:00:00')}`,
    'forbidden_markup',
  ],
  [
    'an external entity inside an event',
    validEvent.replace('<System>', '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><System>'),
    'forbidden_markup',
  ],
  ['an undefined entity', validEvent.replace('>Windows<', '>&xxe;<'), 'malformed_xml'],
  [
    'a duplicated Data field',
    validEvent.replace('<Data Name="EAPType">-</Data>', '<Data Name="EAPType">-</Data><Data Name="EAPType">-</Data>'),
    'invalid_field',
  ],
];

describe('bad input is reported, the rest is analysed', () => {
  for (const [name, bad, code] of cases) {
    it(`${name} → rejected as ${code}`, async () => {
      const json = await withBadNpsFile(bad.replace('#276341001', ''));
      expectStillAnalysed(json);
      // Nothing of the bad text may become an attempt: every rejection is in nps.xml.
      expect(json.rejected.every((x) => x.file.endsWith('nps.xml'))).toBe(true);
      const r = json.rejected.find((x) => x.code === code);
      expect(r, JSON.stringify(json.rejected)).toBeDefined();
      expect(r!.file).toMatch(/nps\.xml$/);
      expect(r!.reason.length).toBeGreaterThan(10);
      expect(r!.position).toBeGreaterThanOrEqual(0);
      expect(r!.position).toBeLessThan(bad.length + 200);
    });
  }

  it('invalid UTF-8 inside one event rejects that event only, at its byte position', async () => {
    const broken = Buffer.from(validEvent.replace('2026-11-02T08:00:00', '2026-11-02T07:00:00'), 'utf8');
    const at = broken.indexOf('Windows');
    broken[at] = 0xc3; // a lead byte followed by ASCII: not UTF-8
    const prefix = Buffer.from('<Events>\r\n');
    const json = await analyzeDir({
      ...good,
      'nps.xml': Buffer.concat([prefix, broken, Buffer.from(`\r\n${nps}\r\n</Events>`)]),
    });
    expectStillAnalysed(json);
    expect(json.rejected).toEqual([expect.objectContaining({ code: 'invalid_encoding', position: prefix.length })]);
  });

  it('a 100 MB single line of junk is one rejection, with memory bounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-huge-'));
    for (const [name, content] of Object.entries(good)) writeFileSync(join(dir, name), content);
    const out = createWriteStream(join(dir, 'nps.xml'));
    const line = Buffer.alloc(1 << 20, 'A');
    for (let i = 0; i < 100; i++) if (!out.write(line)) await once(out, 'drain');
    out.end(`\n${nps}\n`);
    await once(out, 'finish');
    const before = process.memoryUsage().rss;
    const json = toJson(await analyzePaths([dir], analysisConfigSchema.parse({}))) as Json;
    expectStillAnalysed(json);
    expect(json.rejected).toEqual([expect.objectContaining({ code: 'not_an_event', position: 0 })]);
    // Streaming: the 100 MB are never held at once (a chunk is 1 MB).
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
  }, 60_000);

  it('a 100 MB event is rejected as too large without being buffered whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-bigevent-'));
    for (const [name, content] of Object.entries(good)) writeFileSync(join(dir, name), content);
    const out = createWriteStream(join(dir, 'nps.xml'));
    const [head, tail] = validEvent
      .replace('2026-11-02T08:00:00', '2026-11-02T07:00:00')
      .split('<Data Name="LoggingResult">');
    out.write(`${head}<Data Name="Huge">`);
    const line = Buffer.alloc(1 << 20, 'B');
    for (let i = 0; i < 100; i++) if (!out.write(line)) await once(out, 'drain');
    out.end(`</Data><Data Name="LoggingResult">${tail ?? ''}\n${nps}\n`);
    await once(out, 'finish');
    const before = process.memoryUsage().rss;
    const json = toJson(await analyzePaths([dir], analysisConfigSchema.parse({}))) as Json;
    expectStillAnalysed(json);
    expect(json.rejected).toEqual([expect.objectContaining({ code: 'event_too_large', position: 0 })]);
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
  }, 60_000);

  it('valid events of other providers and shapes are ignored, never rejected', async () => {
    const other = ['eventlog-1102-userdata.xml', 'security-4624-renderinginfo.xml', 'vss-8194-anonymous-data.xml']
      .map((f) => readFileSync(new URL(`../fixtures/windows-samples/other/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const json = await analyzeDir({ ...good, 'nps.xml': `${other}\n${nps}` });
    expectStillAnalysed(json);
    expect(json.rejected).toEqual([]);
    expect(json.summary.eventsIgnored).toBe(3);
  });

  it('a path that does not exist is a clear error, not a crash', async () => {
    await expect(analyzePaths(['/nonexistent/otp-logs'], analysisConfigSchema.parse({}))).rejects.toThrow(
      /no such file or folder/,
    );
  });
});

describe('implausible event times', () => {
  it('rejects an event from the distant past (a zeroed FILETIME) or a day into the future, and keeps the rest', async () => {
    const past = nps
      .replace(/SystemTime="[^"]*"/, 'SystemTime="1601-01-01T00:00:00.0000000Z"')
      .replace(/<EventRecordID>\d+/, '<EventRecordID>1');
    const future = nps
      .replace(/SystemTime="[^"]*"/, `SystemTime="${new Date(Date.now() + 3 * 86_400_000).toISOString()}"`)
      .replace(/<EventRecordID>\d+/, '<EventRecordID>2');
    const json = await analyzeDir({ ...good, 'nps.xml': `${past}\n${future}\n${nps}` });
    expectStillAnalysed(json);
    expect(json.rejected.map((r) => [r.code, /before the earliest|future/.exec(r.reason)?.[0]])).toEqual([
      ['implausible_time', 'before the earliest'],
      ['implausible_time', 'future'],
    ]);
  });
});
