import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createNormalizeContext } from '@otptrace/normalize';
import type { AnalysisResult } from '@otptrace/pipeline';
import { analysisConfigSchema, DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzePaths, ingestFile, listInputs } from '../src/index.js';

// Rotated logs are often kept gzip-compressed (`u_ex261102.log.gz`). Read through gunzip, a compressed file must give
// exactly what the file itself gives; damaged compressed data loses only what follows the damage.
const repo = new URL('../../../../', import.meta.url).pathname;
const samples = `${repo}test/fixtures/evtx-samples/`;
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
const max = DEFAULT_ANALYSIS_CONFIG.maxEventBytes;
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-gzip-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `path` gzip-compressed into the scratch folder (same name plus .gz). */
function gzipped(path: string, name = path.split('/').pop()!): string {
  const out = join(scratch, `${name}.gz`);
  writeFileSync(out, gzipSync(readFileSync(path)));
  return out;
}

/** Every file under `dir` replaced by its gzip-compressed copy. */
function gzipTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) gzipTree(full);
    else {
      writeFileSync(`${full}.gz`, gzipSync(readFileSync(full)));
      rmSync(full);
    }
  }
}

/** What an analysis found, without the file paths (which name the .gz files). */
function findings(result: AnalysisResult) {
  return {
    attempts: result.attempts.map((a) => a.record),
    summary: result.summary,
    rejected: result.rejected.map(({ file: _file, ...rest }) => rest),
  };
}

describe('gzip-compressed logs', { timeout: 60_000 }, () => {
  for (const file of readdirSync(samples).filter((f) => f.endsWith('.evtx'))) {
    it(`reads ${file}.gz as ${file} (records, rejections, ignored events)`, async () => {
      const plain = await ingestFile(`${samples}${file}`, ctx, max);
      const compressed = await ingestFile(gzipped(`${samples}${file}`), ctx, max);
      const ignored = Object.values(plain.ignoredBy).reduce((n, k) => n + k, 0);
      expect(plain.events.length + plain.rejected.length + ignored).toBeGreaterThan(0);
      expect({ ...compressed, bytes: 0 }).toStrictEqual({ ...plain, bytes: 0 });
      // Progress and bytes count the compressed file, as the plan's total does.
      expect(compressed.bytes).toBe(statSync(join(scratch, `${file}.gz`)).size);
    });
  }

  for (const scenario of ['success-text-logs', 'otp-rejected', 'radius-no-response-text-logs']) {
    it(`analyses the ${scenario} scenario compressed as it is plain, with one thread and with two`, async () => {
      const source = `${repo}test/scenarios/${scenario}`;
      const configPath = join(source, 'config.json');
      const config = analysisConfigSchema.parse(
        readdirSync(source).includes('config.json') ? JSON.parse(readFileSync(configPath, 'utf8')) : {},
      );
      const logs = readdirSync(source).filter((f) => !f.endsWith('.json'));
      const dir = join(scratch, scenario);
      mkdirSync(dir);
      for (const f of logs) cpSync(join(source, f), join(dir, f), { recursive: true });
      const plain = findings(
        await analyzePaths(
          logs.map((f) => join(source, f)),
          config,
          { jobs: 1 },
        ),
      );
      gzipTree(dir);
      expect(plain.attempts.length).toBeGreaterThan(0);
      for (const jobs of [1, 2]) expect(findings(await analyzePaths([dir], config, { jobs }))).toStrictEqual(plain);
    });
  }

  /** A log of some size: the seed story's NPS Security events (48), 40 times over (one per line). */
  function bigLog(): string {
    const path = join(scratch, 'nps-security.xml');
    const text = readFileSync(`${repo}examples/seed-story/nps01-Security.xml`, 'utf8');
    writeFileSync(path, Array.from({ length: 40 }, () => text).join('\n'));
    return path;
  }

  it('keeps the events before data cut short, and says where decoding stopped', async () => {
    const whole = bigLog();
    const plain = await ingestFile(whole, ctx, max);
    const bytes = readFileSync(gzipped(whole, 'whole-client.xml'));
    const cut = join(scratch, 'cut-client.xml.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const result = await ingestFile(cut, ctx, max);
    const damage = result.rejected.filter((r) => r.code === 'compressed_data_error');
    expect(damage).toHaveLength(1);
    expect(damage[0]!.reason).toMatch(/gzip data ends early after \d+ bytes/);
    // What was decoded is read as the same bytes of the plain file are: a prefix of its events.
    expect(result.events.length).toBeLessThan(plain.events.length);
    expect(result.events).toStrictEqual(plain.events.slice(0, result.events.length));
  });

  it('reads corrupt compressed data as far as it decodes, without failing the run', async () => {
    const whole = bigLog();
    const plain = await ingestFile(whole, ctx, max);
    const bytes = Buffer.from(readFileSync(gzipped(whole, 'corrupt-nps.xml')));
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) bytes[i] = 0xff - bytes[i]!;
    const corrupt = join(scratch, 'corrupt.xml.gz');
    writeFileSync(corrupt, bytes);
    const result = await ingestFile(corrupt, ctx, max);
    expect(result.rejected.filter((r) => r.code === 'compressed_data_error')).toHaveLength(1);
    expect(result.events.length).toBeGreaterThan(0);
    expect(result.events.length).toBeLessThan(plain.events.length);
  });

  it('takes .gz logs from folders, and names the archives it does not open', async () => {
    const dir = join(scratch, 'mixed');
    mkdirSync(join(dir, 'da01'), { recursive: true });
    for (const name of ['da01/u_ex261102.log.gz', 'client.xml.gz', 'Security.evtx.gz', 'older.7z', 'notes.json'])
      writeFileSync(join(dir, name), '');
    const { files, archives, notLogs } = await listInputs([dir]);
    expect(files.map((f) => f.path.slice(dir.length + 1)).sort()).toEqual([
      'Security.evtx.gz',
      'client.xml.gz',
      'da01/u_ex261102.log.gz',
    ]);
    expect(archives).toEqual([join(dir, 'older.7z')]);
    expect(notLogs).toEqual([join(dir, 'notes.json')]);
    const onlyArchives = join(scratch, 'archives');
    mkdirSync(onlyArchives);
    writeFileSync(join(onlyArchives, 'logs.7z'), '');
    await expect(analyzePaths([onlyArchives], DEFAULT_ANALYSIS_CONFIG)).rejects.toThrow(
      /no event log files found .*archives are not opened; extract .*logs\.7z first/,
    );
  });

  it("reads a folder's files of other names when their first bytes are a log's, and names the others", async () => {
    const seed = `${repo}examples/seed-story/`;
    const dir = join(scratch, 'other-names');
    mkdirSync(dir);
    const evtx = readdirSync(samples).find((f) => f.endsWith('.evtx'))!;
    cpSync(join(samples, evtx), join(dir, 'Security-da01'));
    const [xml, xml2] = readdirSync(seed).filter((f) => f.endsWith('.xml'));
    cpSync(join(seed, xml!), join(dir, `${xml}.old`));
    // Rotated and compressed under a name of its own; a compressed file that is not a log is not read.
    writeFileSync(join(dir, `${xml2}.1.gz`), gzipSync(readFileSync(join(seed, xml2!))));
    writeFileSync(join(dir, 'backup.gz'), gzipSync('{"name":"otptrace"}'));
    writeFileSync(join(dir, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    writeFileSync(join(dir, 'settings.json'), '{"name":"otptrace"}');
    const { files, notLogs } = await listInputs([dir]);
    expect(files.map((f) => f.path.slice(dir.length + 1))).toEqual(['Security-da01', `${xml}.old`, `${xml2}.1.gz`]);
    expect(notLogs).toEqual([join(dir, 'backup.gz'), join(dir, 'photo.png'), join(dir, 'settings.json')]);
    // Read as the same files under their usual names would be.
    const usual = join(scratch, 'usual-names');
    mkdirSync(usual);
    cpSync(join(samples, evtx), join(usual, 'Security-da01.evtx'));
    cpSync(join(seed, xml!), join(usual, xml!));
    cpSync(join(seed, xml2!), join(usual, xml2!));
    const [other, named] = await Promise.all([
      analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG),
      analyzePaths([usual], DEFAULT_ANALYSIS_CONFIG),
    ]);
    expect(other.summary.eventsRead).toBeGreaterThan(0);
    expect(other.summary).toEqual(named.summary);
    const onlyOthers = join(scratch, 'only-others');
    mkdirSync(onlyOthers);
    writeFileSync(join(onlyOthers, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await expect(analyzePaths([onlyOthers], DEFAULT_ANALYSIS_CONFIG)).rejects.toThrow(
      /no event log files found .*; not logs: .*photo\.png/,
    );
  });
});
