import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AnalysisResult } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzePaths } from '../src/index.js';
import { configOf, SCENARIOS } from './scenario-helpers.js';

// Windows PowerShell 5 writes UTF-16LE with `>` and Out-File: a text log filtered or copied so (`Get-Content
// u_ex261102.log | Select-String POST > u_ex261102.log`) must read as the original, its lines keeping their numbers
// (their record IDs), so that the attempts are the same to the ID.
const repo = new URL('../../../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-utf16-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function textLogsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(log|ndjson)$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

function findings(result: AnalysisResult) {
  return {
    attempts: result.attempts.map((a) => a.record),
    summary: result.summary,
    // Positions count the UTF-8 text's bytes: compared without them.
    rejected: result.rejected.map(({ file, position: _position, ...rest }) => ({
      ...rest,
      file: relative(scratch, file),
    })),
  };
}

describe('text logs saved as UTF-16LE', { timeout: 60_000 }, () => {
  it('read as their UTF-8 originals: W3C, HTTPERR and NPS logs of every scenario, with a byte-order mark or not', async () => {
    let converted = 0;
    for (const entry of readdirSync(SCENARIOS, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const source = join(SCENARIOS, entry.name);
      const logs = textLogsUnder(source);
      if (logs.length === 0) continue;
      const plainDir = join(scratch, `${entry.name}-utf8`);
      const utf16Dir = join(scratch, `${entry.name}-utf16`);
      cpSync(source, plainDir, { recursive: true });
      cpSync(source, utf16Dir, { recursive: true });
      for (const [i, log] of logs.entries()) {
        const text = readFileSync(join(source, log), 'utf8');
        const bom = i % 2 === 0 ? '\ufeff' : '';
        writeFileSync(join(utf16Dir, log), Buffer.from(bom + text, 'utf16le'));
        converted++;
      }
      const config = configOf(source);
      const plain = findings(await analyzePaths([plainDir], config, { jobs: 1 }));
      const utf16 = findings(await analyzePaths([utf16Dir], config, { jobs: 1 }));
      expect(plain.attempts.length, entry.name).toBeGreaterThan(0);
      expect(
        { ...utf16, rejected: utf16.rejected.map((r) => ({ ...r, file: r.file.replace('-utf16', '') })) },
        entry.name,
      ).toStrictEqual({ ...plain, rejected: plain.rejected.map((r) => ({ ...r, file: r.file.replace('-utf8', '') })) });
    }
    expect(converted).toBeGreaterThan(10);
  });

  it('reads a Winlogbeat export saved as UTF-16LE', async () => {
    const ndjson = readFileSync(`${repo}test/fixtures/winlogbeat/nps-and-client.ndjson`, 'utf8');
    writeFileSync(join(scratch, 'export.ndjson'), Buffer.from(`\ufeff${ndjson}`, 'utf16le'));
    const result = await analyzePaths([join(scratch, 'export.ndjson')], analysisConfigSchema.parse({}), { jobs: 1 });
    expect(result.rejected).toEqual([]);
    expect(result.summary.eventsRead).toBe(3);
  });
});
