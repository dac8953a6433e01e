import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../../core/archive/test/tar-writer.js';
import { writeZip } from '../../../core/archive/test/zip-writer.js';
import { analyzePaths, listInputs } from '../src/index.js';
import { configOf, filesUnder, findings, SCENARIOS } from './scenario-helpers.js';

// Tar archives (plain or gzip-compressed), as a Linux-side collection hands logs over: extracted as they stream to a
// temporary folder, each log must read as the extracted file reads.
const repo = new URL('../../../../', import.meta.url).pathname;
const FIXTURES = `${repo}test/fixtures/tar`;
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-tar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tarOf = (dir: string, top: string, longNames: 'prefix' | 'gnu' | 'pax' = 'gnu') =>
  writeTar(filesUnder(dir).map((file) => ({ name: `${top}/${file}`, data: readFileSync(join(dir, file)), longNames })));

describe('tar archives', { timeout: 60_000 }, () => {
  it('reads GNU tar and pax archives (gzip-compressed, long paths) as the folder they hold', async () => {
    const dir = join(SCENARIOS, 'success-text-logs');
    const plain = findings(await analyzePaths([dir], configOf(dir), { jobs: 1 }));
    expect(JSON.stringify(plain.attempts)).toContain('da01');
    for (const fixture of ['success-text-logs-gnu.tgz', 'success-text-logs-pax.tar.gz']) {
      const { files } = await listInputs([`${FIXTURES}/${fixture}`]);
      expect(files.some((f) => f.path.length - fixture.length > 100)).toBe(true);
      expect(findings(await analyzePaths([`${FIXTURES}/${fixture}`], configOf(dir), { jobs: 1 }))).toStrictEqual(plain);
    }
  });

  it('reads every scenario tarred, plain or compressed, as its folder', async () => {
    let scenarios = 0;
    for (const { name } of readdirSync(SCENARIOS, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const dir = join(SCENARIOS, name);
      const tar = tarOf(dir, name, (['prefix', 'gnu', 'pax'] as const)[scenarios % 3]);
      const archive = join(scratch, scenarios % 2 === 0 ? `${name}.tar` : `${name}.tgz`);
      writeFileSync(archive, scenarios % 2 === 0 ? tar : gzipSync(tar));
      scenarios++;
      const config = configOf(dir);
      const plain = findings(await analyzePaths([dir], config, { jobs: 1 }));
      expect(findings(await analyzePaths([archive], config, { jobs: 1 })), name).toStrictEqual(plain);
    }
    expect(scenarios).toBeGreaterThan(40);
  });

  it('keeps what comes before damage, says where reading stopped, and opens zips inside', async () => {
    const dir = join(SCENARIOS, 'success-text-logs');
    const tar = writeTar([
      { name: 'case/client.xml', data: readFileSync(join(dir, 'client.xml')) },
      {
        name: 'case/da01.zip',
        data: writeZip([
          { name: 'W3SVC2/u_ex261102.log', data: readFileSync(join(dir, 'da01/W3SVC2/u_ex261102.log')) },
        ]),
      },
      { name: 'case/older.7z', data: Buffer.from('7z') },
      { name: 'case/ca.xml', data: readFileSync(join(dir, 'ca.xml')) },
    ]);
    const archive = join(scratch, 'case.tar');
    writeFileSync(archive, tar);
    const listed = await listInputs([archive]);
    expect(listed.files.map((f) => f.path.slice(archive.length + 1))).toEqual([
      'case/ca.xml',
      'case/client.xml',
      'case/da01.zip/W3SVC2/u_ex261102.log',
    ]);
    expect(listed.archives).toEqual([`${archive}/case/older.7z`]);

    // The third header damaged: the first two entries are read, the damage is one rejection.
    const damaged = Buffer.from(tar);
    const third = damaged.indexOf('case/older.7z');
    damaged[third] = 0x58;
    writeFileSync(join(scratch, 'damaged.tar'), damaged);
    const result = await analyzePaths([join(scratch, 'damaged.tar')], configOf(dir), { jobs: 1 });
    expect(result.rejected.map((r) => [relative(scratch, r.file), r.code, r.reason])).toEqual([
      [
        'damaged.tar',
        'unreadable_archive_entry',
        expect.stringMatching(/read up to damage: a tar header whose checksum/),
      ],
    ]);
    expect(result.summary.eventsRead).toBeGreaterThan(1);

    // A compressed archive cut short: what was decompressed is read, and the cut is said.
    const gz = gzipSync(tar);
    writeFileSync(join(scratch, 'cut.tgz'), gz.subarray(0, Math.floor(gz.length * 0.8)));
    const cut = await analyzePaths([join(scratch, 'cut.tgz')], configOf(dir), { jobs: 1 });
    const rejected = cut.rejected.map((r) => [relative(scratch, r.file), r.code]);
    expect(rejected).toContainEqual(['cut.tgz', 'unreadable_archive_entry']);
    // Besides: the entry the cut fell in, read as far as it goes (its last event without its end).
    expect(rejected.filter(([file]) => file !== 'cut.tgz')).toEqual([['cut.tgz/case/ca.xml', 'truncated_event']]);
  });

  it("extracts entries of other names when their first bytes are a log's, and names the others", async () => {
    const dir = join(SCENARIOS, 'success-text-logs');
    const client = readFileSync(join(dir, 'client.xml'));
    const iis = readFileSync(join(dir, 'da01/W3SVC2/u_ex261102.log'));
    // Over the 1 MB the archive streams in: judged before its end, then written whole.
    const nps = readFileSync(`${repo}examples/seed-story/nps01-Security.xml`, 'utf8');
    const server = Buffer.from(Array.from({ length: 40 }, () => nps).join('\n'));
    const tar = writeTar([
      { name: 'case/client', data: client },
      { name: 'case/Security-nps01', data: server },
      { name: 'case/da01/W3SVC2/u_ex261102.log.1.gz', data: gzipSync(iis) },
      { name: 'case/backup.gz', data: gzipSync('{}') },
      { name: 'case/tiny', data: Buffer.from('#So') },
      { name: 'case/memory.dmp', data: Buffer.alloc(3 << 20, 0x41) },
      { name: 'case/notes.md', data: Buffer.from('# notes') },
    ]);
    const tarred = join(scratch, 'other-names.tgz');
    writeFileSync(tarred, gzipSync(tar));
    const listed = await listInputs([tarred]);
    expect(listed.files.map((f) => f.path.slice(tarred.length + 1))).toEqual([
      'case/Security-nps01',
      'case/client',
      'case/da01/W3SVC2/u_ex261102.log.1.gz',
    ]);
    expect(listed.notLogs.map((f) => f.slice(tarred.length + 1)).sort()).toEqual([
      'case/backup.gz',
      'case/memory.dmp',
      'case/notes.md',
      'case/tiny',
    ]);
    // Read as the same files under their usual names: the first bytes judged are written with the rest.
    const usual = join(scratch, 'usual.tar');
    writeFileSync(
      usual,
      writeTar([
        { name: 'case/client.xml', data: client },
        { name: 'case/Security-nps01.xml', data: server },
        { name: 'case/da01/W3SVC2/u_ex261102.log', data: iis },
      ]),
    );
    const [other, named] = await Promise.all([
      analyzePaths([tarred], configOf(dir), { jobs: 1 }),
      analyzePaths([usual], configOf(dir), { jobs: 1 }),
    ]);
    expect(named.summary.eventsRead).toBeGreaterThan(1);
    expect(other.summary).toEqual(named.summary);
    expect(other.attempts.map((a) => a.record)).toEqual(named.attempts.map((a) => a.record));
  });
});
