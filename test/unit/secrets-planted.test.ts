import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@otptrace/cli';
import { statsQuerySchema } from '@otptrace/schemas';
import { statsReport, summarizeAttempts } from '@otptrace/stats';
import { processAttempts } from '@otptrace/ticket';
import { describe, expect, it } from 'vitest';

// Secrets planted in event fields Windows really writes, then looked for in everything otptrace produces:
// `analyze` text and JSON, the OTLP-JSON trace file, tickets and statistics. Field names: IIS 6200 cs-uri-query,
// csCookie, csReferer (../../docs/windows-events.md, IIS section; test/scenarios/success/iis.xml);
// NPS 6272 CalledStationID, AccountSessionIdentifier (../fixtures/windows-samples/nps-6272-1.xml); CA 4886
// RequestClientInfo (test/scenarios/success/ca.xml); client 10001 path (domain doc, client table).

const OTP = '739154';
const PASSWORD = 'Hunter2-Pl4nted';
const TOKEN = 'tok9f8e7d6c5b4aPLANT';
const SHARED_SECRET = 'S3cretRadiusSharedPLANT';
const SECRETS = [OTP, PASSWORD, TOKEN, SHARED_SECRET];

const scenario = (name: string, file: string) =>
  readFileSync(new URL(`../scenarios/${name}/${file}`, import.meta.url), 'utf8').trim();
const setData = (xml: string, name: string, value: string) =>
  xml.replace(
    new RegExp(`<Data Name="${name}">[^<]*</Data>|<Data Name="${name}" />`),
    `<Data Name="${name}">${value}</Data>`,
  );

const iis = setData(
  setData(
    setData(scenario('success', 'iis.xml'), 'cs-uri-query', `otp=${OTP}&amp;password=${PASSWORD}`),
    'csCookie',
    `session=${TOKEN}`,
  ),
  'csReferer',
  `https://da.corp.example/?secret=${SHARED_SECRET}`,
);
const nps = setData(
  setData(scenario('success', 'nps.xml'), 'CalledStationID', SHARED_SECRET),
  'AccountSessionIdentifier',
  TOKEN,
);
const ca = scenario('success', 'ca.xml').replace(
  '<Data Name="RequestClientInfo" />',
  `<Data Name="RequestClientInfo">pw=${PASSWORD}</Data>`,
);
const unreachable = setData(scenario('client-cannot-reach-server', 'client.xml'), 'path', `/otp?otp=${OTP}`);

function writeInputs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-secrets-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function analyze(dir: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['analyze', ...args, dir], {
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
    },
  });
  return { code, out: out.join(''), err: err.join('') };
}

function expectNoSecret(where: string, text: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${s} in ${where}`).toBe(false);
}

describe('planted OTP values, passwords, tokens and shared secrets never leave the input', () => {
  const files = {
    'client.xml': `${scenario('success', 'client.xml')}\r\n${unreachable}`,
    'iis.xml': iis,
    'nps.xml': nps,
    'ca.xml': ca,
  };

  it('the fixtures really hold every secret', () => {
    const all = Object.values(files).join('');
    for (const s of SECRETS) expect(all).toContain(s);
  });

  it('not in analyze text, JSON, the OTLP-JSON trace file, tickets or statistics', async () => {
    const dir = writeInputs(files);
    const otlp = join(dir, 'traces.json');
    const text = await analyze(dir, []);
    const json = await analyze(dir, ['--format', 'json', '--otlp-file', otlp]);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as { attempts: Parameters<typeof processAttempts>[1] };
    // The planted events were analysed: an attempt that succeeded and one that could not reach the server.
    expect(parsed.attempts.length).toBeGreaterThanOrEqual(2);
    expectNoSecret('analyze text', text.out + text.err);
    expectNoSecret('analyze JSON', json.out + json.err);
    expectNoSecret('OTLP-JSON file', readFileSync(otlp, 'utf8'));
    const tickets = processAttempts(null, parsed.attempts, {}, Date.parse('2026-11-02T09:00:00Z'));
    expectNoSecret(
      'tickets',
      JSON.stringify(tickets, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v)),
    );
    expectNoSecret('fleet statistics', JSON.stringify(summarizeAttempts(parsed.attempts)));
    expectNoSecret('stats report', JSON.stringify(statsReport(parsed.attempts, statsQuerySchema.parse({}))));
  });

  // BUG (reported to the lead): packages/core/parse/src/splitter.ts checkBetween() quotes the first 40 characters of
  // non-event text in the not_an_event reason, which analyze prints (text) and returns (JSON `rejected[].reason`).
  // Remove `.fails` once reasons no longer quote input text.
  it('not in the rejection of a damaged event that held them (a cut file whose tail starts inside cs-uri-query)', async () => {
    // A log cut mid-event and appended to (rotation, a forwarder restart): the tail begins inside the query string.
    const cut = iis.indexOf(`otp=${OTP}`);
    const damaged = `${iis.slice(cut)}\r\n${scenario('success', 'iis.xml')}`;
    const dir = writeInputs({ ...files, 'iis.xml': damaged });
    const text = await analyze(dir, []);
    const json = await analyze(dir, ['--format', 'json']);
    expect(JSON.parse(json.out).rejected).toEqual([expect.objectContaining({ code: 'not_an_event' })]);
    expectNoSecret('analyze text', text.out + text.err);
    expectNoSecret('analyze JSON', json.out + json.err);
  });

  // BUG (reported to the lead): packages/core/normalize/src/sources/iis.ts quotes the IIS date/time values in its
  // invalid_time reason (and client.ts the errorCode, time.ts-users the SystemTime): a damaged field's content reaches
  // the output. Remove `.fails` once reasons describe a bad value without quoting it.
  it('not in the rejection of an event whose date/time field holds one', async () => {
    const swapped = iis.replace(/<Data Name="time">[^<]*<\/Data>/, `<Data Name="time">otp=${OTP}</Data>`);
    const dir = writeInputs({ ...files, 'iis.xml': swapped });
    const json = await analyze(dir, ['--format', 'json']);
    expect(JSON.parse(json.out).rejected).toEqual([expect.objectContaining({ code: 'invalid_time' })]);
    expectNoSecret('analyze JSON', json.out + json.err);
  });
});
