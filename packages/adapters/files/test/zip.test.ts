import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createNormalizeContext } from '@otptrace/normalize';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { type WrittenEntry, writeZip } from '../../../core/archive/test/zip-writer.js';
import { analyzePaths, ingestAnyPart, ingestFile, listInputs, planParts } from '../src/index.js';
import { extractEntry, listZipEntries, zipEntryHead } from '../src/zip-archive.js';
import { configOf, filesUnder, findings, SCENARIOS } from './scenario-helpers.js';

// Exported logs are usually sent as a zip archive. Read from the archive, each log must give exactly what the
// extracted file gives; what cannot be read (damage, encryption, a method zlib lacks) is a rejection that says why.
const repo = new URL('../../../../', import.meta.url).pathname;
const SEED = `${repo}examples/seed-story`;
const FIXTURES = `${repo}test/fixtures/zip`;
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
const max = DEFAULT_ANALYSIS_CONFIG.maxEventBytes;
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-zip-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `dir` as a zip archive in the scratch folder; `entry` may rename (or re-separate) each file's entry. */
function zipFolder(dir: string, name: string, entry: (file: string) => Partial<WrittenEntry> = () => ({})): string {
  const path = join(scratch, name);
  writeFileSync(
    path,
    writeZip(filesUnder(dir).map((file) => ({ name: file, data: readFileSync(join(dir, file)), ...entry(file) }))),
  );
  return path;
}

/** A log of some size: the seed story's NPS Security events, `copies` times over. */
function bigLog(copies: number): Buffer {
  const text = readFileSync(`${SEED}/nps01-Security.xml`, 'utf8');
  return Buffer.from(Array.from({ length: copies }, () => text).join('\n'));
}

async function ingestOnly(archive: string) {
  const { files } = await listInputs([archive]);
  expect(files).toHaveLength(1);
  const [planned] = planParts(files, 1);
  return ingestAnyPart(planned!.parts[0]!, ctx, max);
}

describe('zip archives', { timeout: 120_000 }, () => {
  it('reads the seed story zipped by Info-ZIP (with ZIP64 records) as its folder', async () => {
    const config = DEFAULT_ANALYSIS_CONFIG;
    const zipped = await analyzePaths([`${FIXTURES}/seed-story-infozip-zip64.zip`], config);
    const plain = await analyzePaths([SEED], config);
    expect(plain.attempts).toHaveLength(8);
    expect(findings(zipped)).toStrictEqual(findings(plain));
  });

  it('reads every scenario zipped as PowerShell 5 zips (backslashes) as its folder', async () => {
    const scenarios = readdirSync(SCENARIOS, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(scenarios.length).toBeGreaterThan(40);
    for (const { name } of scenarios) {
      const dir = join(SCENARIOS, name);
      const config = configOf(dir);
      const archive = zipFolder(dir, `${name}.zip`, (file) => ({
        name: `${name}\\${file.replaceAll('/', '\\')}`,
        host: 0,
      }));
      const plain = findings(await analyzePaths([dir], config, { jobs: 1 }));
      expect(findings(await analyzePaths([archive], config, { jobs: 1 })), name).toStrictEqual(plain);
    }
  });

  it('names the DA server of a text log by its folder inside the archive, and reads with one thread or two', async () => {
    for (const name of ['gateway-app-pool-stopped', 'success-text-logs']) {
      const dir = join(SCENARIOS, name);
      const archive = zipFolder(dir, `server-${name}.zip`);
      const plain = findings(await analyzePaths([dir], configOf(dir), { jobs: 1 }));
      expect(JSON.stringify(plain.attempts)).toContain('da01');
      for (const jobs of [1, 2])
        expect(findings(await analyzePaths([archive], configOf(dir), { jobs }))).toStrictEqual(plain);
    }
  });

  it('streams a large entry, stored or deflated, and a .gz inside the archive, as the file itself', async () => {
    const log = bigLog(120); // > 8 MiB: streamed rather than decompressed in one call
    expect(log.length).toBeGreaterThan(8 << 20);
    const plainPath = join(scratch, 'nps-big.xml');
    writeFileSync(plainPath, log);
    const plain = await ingestFile(plainPath, ctx, max);
    for (const [name, entry] of [
      ['deflated.zip', { name: 'nps01/Security.xml', data: log }],
      ['stored.zip', { name: 'nps01/Security.xml', data: log, method: 0 }],
      ['gz-inside.zip', { name: 'nps01/Security.xml.gz', data: gzipSync(log) }],
    ] as const) {
      const archive = join(scratch, name);
      writeFileSync(archive, writeZip([entry]));
      const zipped = await ingestOnly(archive);
      expect({ ...zipped, bytes: 0 }, name).toStrictEqual({ ...plain, bytes: 0 });
      expect(zipped.bytes).toBe((await listInputs([archive])).files[0]!.size);
    }
  });

  it('reads Deflate64 entries (as Windows Explorer writes archives over 2 GB) as the files themselves', async () => {
    const evtx = await ingestOnly(`${FIXTURES}/post-Security-7zip-deflate64.zip`);
    const plain = await ingestFile(`${repo}test/fixtures/evtx-samples/post-Security.evtx`, ctx, max);
    expect(plain.events.length + Object.keys(plain.ignoredBy).length).toBeGreaterThan(0);
    expect({ ...evtx, bytes: 0 }).toStrictEqual({ ...plain, bytes: 0 });
    const iisOnly = join(scratch, 'iis-only');
    mkdirSync(iisOnly);
    writeFileSync(join(iisOnly, 'iis.xml'), readFileSync(`${SEED}/da01-Microsoft-IIS-Logging-Logs.xml`));
    const zipped = await analyzePaths([`${FIXTURES}/seed-story-7zip-deflate64.zip`], DEFAULT_ANALYSIS_CONFIG);
    expect(zipped.summary.eventsRead).toBeGreaterThan(0);
    expect(findings(zipped)).toStrictEqual(findings(await analyzePaths([iisOnly], DEFAULT_ANALYSIS_CONFIG)));
    // Damaged Deflate64 data: what was decoded before the damage is read, and the damage is one rejection.
    const bytes = Buffer.from(readFileSync(`${FIXTURES}/post-Security-7zip-deflate64.zip`));
    for (let i = 6000; i < 6100; i++) bytes[i] = 0x55;
    writeFileSync(join(scratch, 'damaged-deflate64.zip'), bytes);
    const damaged = await ingestOnly(join(scratch, 'damaged-deflate64.zip'));
    expect(damaged.rejected.filter((r) => r.code === 'compressed_data_error')).toHaveLength(1);
    expect(damaged.events).toStrictEqual(plain.events.slice(0, damaged.events.length));
  });

  it('keeps the events before damaged data and says so; a CRC-32 mismatch is one rejection', async () => {
    const log = bigLog(30);
    const plainPath = join(scratch, 'nps-30.xml');
    writeFileSync(plainPath, log);
    const plain = await ingestFile(plainPath, ctx, max);
    const bytes = writeZip([{ name: 'Security.xml', data: log }]);
    const middle = Math.floor(bytes.length / 2);
    for (let i = middle; i < middle + 64; i++) bytes[i] = 0xff - bytes[i]!;
    writeFileSync(join(scratch, 'damaged.zip'), bytes);
    const damaged = await ingestOnly(join(scratch, 'damaged.zip'));
    const damage = damaged.rejected.filter((r) => r.code === 'compressed_data_error');
    expect(damage).toHaveLength(1);
    expect(damage[0]!.reason).toMatch(/^zip entry data .* after \d+ bytes: the rest of .*damaged\.zip\/Security\.xml/);
    expect(damaged.events.length).toBeGreaterThan(0);
    expect(damaged.events.length).toBeLessThan(plain.events.length);
    expect(damaged.events).toStrictEqual(plain.events.slice(0, damaged.events.length));

    writeFileSync(join(scratch, 'crc.zip'), writeZip([{ name: 'Security.xml', data: log, crc32: 1234 }]));
    const badCrc = await ingestOnly(join(scratch, 'crc.zip'));
    expect(badCrc.events).toStrictEqual(plain.events);
    expect(badCrc.rejected.map((r) => [r.code, r.reason])).toEqual([
      [
        'compressed_data_error',
        expect.stringMatching(
          /fails its CRC-32 check .* after \d+ bytes: the rest of .*crc\.zip\/Security\.xml is not read/,
        ),
      ],
    ]);
  });

  it('rejects, with the reason, entries it cannot read and archives it cannot list; the rest is read', async () => {
    writeFileSync(join(scratch, 'bzip2.zip'), writeZip([{ name: 'Security.xml', data: bigLog(1), method: 12 }]));
    const bzip2 = await ingestOnly(join(scratch, 'bzip2.zip'));
    expect(bzip2.rejected.map((r) => [r.code, r.reason])).toEqual([
      ['unreadable_archive_entry', expect.stringMatching(/compressed with bzip2, which otptrace does not read/)],
    ]);
    const encrypted = await ingestOnly(`${FIXTURES}/seed-story-encrypted.zip`);
    expect(encrypted.rejected.map((r) => [r.code, r.reason])).toEqual([
      ['unreadable_archive_entry', expect.stringMatching(/encrypted: extract it with its password/)],
    ]);
    const dir = join(scratch, 'with-cut-archive');
    mkdirSync(dir);
    const whole = readFileSync(`${FIXTURES}/seed-story-infozip-zip64.zip`);
    writeFileSync(join(dir, 'a-cut.zip'), whole.subarray(0, whole.length - 100));
    writeFileSync(
      join(dir, 'b-client.xml'),
      readFileSync(`${SEED}/win7-clients-OtpCredentialProvider-Operational.xml`),
    );
    const result = await analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG);
    expect(result.rejected.map((r) => [relative(dir, r.file), r.code])).toEqual([
      ['a-cut.zip', 'unreadable_archive_entry'],
    ]);
    expect(result.rejected[0]!.reason).toMatch(/^not read as a zip archive: /);
    expect(result.summary.eventsRead).toBe(1 + (await ingestFile(join(dir, 'b-client.xml'), ctx, max)).events.length);
  });

  it('stops an entry at the size the archive states (a decompression bomb is one rejection, read no further)', async () => {
    const bomb = Buffer.alloc(200 << 20, 0x20); // 200 MiB of spaces: some 200 KB deflated
    const log = bigLog(1);
    for (const [name, size] of [
      ['small-bomb.zip', log.length], // decoded in one call: refused there, then streamed up to the size
      ['large-bomb.zip', 9 << 20], // streamed from the start
    ] as const) {
      const archive = join(scratch, name);
      const bytes = writeZip([{ name: 'Security.xml', data: Buffer.concat([log, bomb]) }]);
      // The stated size (central directory, offset 24 of the entry) says less than the data holds.
      const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      bytes.writeUInt32LE(size, central + 24);
      writeFileSync(archive, bytes);
      const started = performance.now();
      const result = await ingestOnly(archive);
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(result.rejected.map((r) => [r.code, r.reason.replace(/\d+/g, 'N')])).toEqual([
        [
          'compressed_data_error',
          expect.stringContaining('zip entry data is longer than the N bytes the archive states after N bytes'),
        ],
      ]);
      expect(result.events.length).toBeGreaterThan(0);
    }
  });

  it('reads damaged archives without failing the run: every other file is read, the damage is rejected', async () => {
    const whole = readFileSync(`${FIXTURES}/seed-story-infozip-zip64.zip`);
    const client = readFileSync(`${SEED}/win7-clients-OtpCredentialProvider-Operational.xml`);
    const clientEvents = (await ingestFile(`${SEED}/win7-clients-OtpCredentialProvider-Operational.xml`, ctx, max))
      .events.length;
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let run = 0; run < 60; run++) {
      const dir = join(scratch, `damaged-${run}`);
      mkdirSync(dir);
      const bytes = Buffer.from(whole);
      // Run 0: the directory intact, the second entry's local header gone (its signature overwritten).
      if (run === 0)
        bytes.fill(0x20, bytes.indexOf('PK\x03\x04', 4, 'latin1'), bytes.indexOf('PK\x03\x04', 4, 'latin1') + 4);
      for (let edit = 0; run > 0 && edit < 1 + random(6); edit++) bytes[random(bytes.length)] = random(256);
      writeFileSync(join(dir, 'a.zip'), run % 5 === 4 ? bytes.subarray(0, random(bytes.length)) : bytes);
      writeFileSync(join(dir, 'b-client.xml'), client);
      const result = await analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 });
      const { eventsRead, eventsCorrelated, eventsIgnored, eventsRejected } = result.summary;
      expect(eventsRead, `run ${run}`).toBe(eventsCorrelated + eventsIgnored + eventsRejected);
      expect(eventsRead, `run ${run}`).toBeGreaterThanOrEqual(clientEvents);
      for (const r of result.rejected.filter((r) => r.file.includes('a.zip')))
        expect(r.reason, `run ${run}`).not.toMatch(/internal|TypeError|RangeError/);
      if (run === 0)
        expect(result.rejected.map((r) => [r.code, r.reason])).toEqual([
          ['unreadable_archive_entry', expect.stringMatching(/^not read: .*: no local file header at byte \d+$/)],
        ]);
    }
  });

  it('opens zips inside zips (a bundle of per-server bundles) as the folders they extract to', async () => {
    const dir = join(SCENARIOS, 'success-text-logs');
    const entriesOf = (folder: string) =>
      filesUnder(join(dir, folder)).map((file) => ({ name: file, data: readFileSync(join(dir, folder, file)) }));
    const bundle = writeZip([
      { name: 'ca.xml', data: readFileSync(join(dir, 'ca.xml')) },
      { name: 'client.xml', data: readFileSync(join(dir, 'client.xml')) },
      { name: 'da01.zip', data: writeZip(entriesOf('da01')) },
      { name: 'nps01.zip', data: writeZip(entriesOf('nps01')), method: 0 },
    ]);
    const outer = join(scratch, 'case-1234.zip');
    writeFileSync(outer, writeZip([{ name: 'bundle.zip', data: bundle }]));
    const config = configOf(dir);
    const plain = findings(await analyzePaths([dir], config, { jobs: 1 }));
    expect(JSON.stringify(plain.attempts)).toContain('da01');
    const { files } = await listInputs([outer]);
    expect(files.map((f) => f.path.slice(outer.length + 1))).toEqual([
      'bundle.zip/ca.xml',
      'bundle.zip/client.xml',
      'bundle.zip/da01.zip/W3SVC2/u_ex261102.log',
      'bundle.zip/nps01.zip/IN2611.log',
    ]);
    for (const jobs of [1, 2]) expect(findings(await analyzePaths([outer], config, { jobs }))).toStrictEqual(plain);

    // A damaged archive inside is one rejection; too deep a nesting is named as not opened.
    const damaged = writeZip([{ name: 'da01.zip', data: writeZip(entriesOf('da01')), crc32: 99 }]);
    writeFileSync(join(scratch, 'damaged-inside.zip'), damaged);
    const result = await analyzePaths([join(scratch, 'damaged-inside.zip')], config, { jobs: 1 });
    expect(result.rejected.map((r) => [r.file.split('/').slice(-2).join('/'), r.code, r.reason])).toEqual([
      [
        'damaged-inside.zip/da01.zip',
        'unreadable_archive_entry',
        expect.stringMatching(/another CRC-32 than the archive states/),
      ],
    ]);
    let deep = writeZip(entriesOf('da01'));
    for (let level = 0; level < 4; level++) deep = writeZip([{ name: `level${level}.zip`, data: deep }]);
    writeFileSync(join(scratch, 'deep.zip'), deep);
    const listed = await listInputs([join(scratch, 'deep.zip')]);
    expect(listed.files).toEqual([]);
    expect(listed.archives.map((a) => a.slice(scratch.length + 1))).toEqual([
      'deep.zip/level3.zip/level2.zip/level1.zip/level0.zip',
    ]);
  });

  it("lists an archive's logs as a folder's, skips macOS metadata and folders, names archives inside", async () => {
    const archive = join(scratch, 'export.bin'); // a zip by its first bytes, whatever its name
    writeFileSync(
      archive,
      writeZip([
        { name: 'da01/', method: 0 },
        { name: 'da01/u_ex261102.log', data: Buffer.from('#Fields: date\n') },
        { name: '__MACOSX/da01/._u_ex261102.log', data: Buffer.from([0, 5, 22, 7]) },
        { name: 'Security.evtx.gz', data: gzipSync(Buffer.from('x')) },
        { name: 'older.zip', data: writeZip([]) },
        { name: 'older.7z', data: Buffer.from('7z') },
        { name: 'notes.txt', data: Buffer.from('n') },
        { name: 'report.pdf', data: Buffer.from('%PDF') },
      ]),
    );
    const { files, archives, notLogs } = await listInputs([archive]);
    expect(files.map((f) => f.path.slice(archive.length + 1))).toEqual([
      'Security.evtx.gz',
      'da01/u_ex261102.log',
      'notes.txt',
    ]);
    expect(archives).toEqual([`${archive}/older.7z`]); // older.zip is opened: it is empty
    expect(notLogs).toEqual([`${archive}/report.pdf`]);
    const empty = join(scratch, 'empty.zip');
    writeFileSync(empty, writeZip([]));
    expect(await listInputs([empty])).toEqual({ files: [], archives: [], notLogs: [] });
  });

  it("reads entries of other names when their first bytes are a log's, stored, deflated or Deflate64", async () => {
    const evtx = readdirSync(`${repo}test/fixtures/evtx-samples`).find((f) => f.endsWith('.evtx'))!;
    const evtxBytes = readFileSync(`${repo}test/fixtures/evtx-samples/${evtx}`);
    const xml = readFileSync(`${SEED}/nps01-Security.xml`);
    const ca = readFileSync(`${SEED}/ca01-Security.xml`);
    const iis = readFileSync(`${SEED}/da01-Microsoft-IIS-Logging-Logs.xml`);
    const folder = join(scratch, 'usual-names');
    mkdirSync(folder);
    writeFileSync(join(folder, 'Security-da01.evtx'), evtxBytes);
    writeFileSync(join(folder, 'nps01-Security.xml'), xml);
    writeFileSync(join(folder, 'ca01-Security.xml'), ca);
    writeFileSync(join(folder, 'da01-Microsoft-IIS-Logging-Logs.xml'), iis);
    const archive = join(scratch, 'other-names.zip');
    writeFileSync(
      archive,
      writeZip([
        { name: 'Security-da01', data: evtxBytes, method: 0 },
        { name: 'nps01-Security.xml.old', data: xml },
        // Gzip data, under a .gz name or another.
        { name: 'ca01-Security.xml.1.gz', data: gzipSync(ca) },
        { name: 'iis-da01', data: gzipSync(iis) },
        { name: 'photo.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
        { name: 'settings.json', data: Buffer.from('{"name":"otptrace"}') },
        { name: 'empty', data: Buffer.alloc(0) },
      ]),
    );
    const { files, notLogs } = await listInputs([archive]);
    expect(files.map((f) => f.path.slice(archive.length + 1))).toEqual([
      'Security-da01',
      'ca01-Security.xml.1.gz',
      'iis-da01',
      'nps01-Security.xml.old',
    ]);
    expect(notLogs.map((f) => f.slice(archive.length + 1))).toEqual(['empty', 'photo.png', 'settings.json']);
    const [zipped, plain] = await Promise.all([
      analyzePaths([archive], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 }),
      analyzePaths([folder], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 }),
    ]);
    expect(plain.summary.eventsRead).toBeGreaterThan(0);
    expect(zipped.summary).toEqual(plain.summary);
    // The head of every entry of the fixtures, whatever its method, is the start of what it extracts to.
    for (const fixture of readdirSync(FIXTURES).filter((f) => f.endsWith('.zip') && !f.includes('encrypted'))) {
      for (const entry of listZipEntries(`${FIXTURES}/${fixture}`).filter((e) => !e.directory)) {
        const whole = join(scratch, 'whole');
        await extractEntry(`${FIXTURES}/${fixture}`, entry, whole);
        expect(zipEntryHead(`${FIXTURES}/${fixture}`, entry, 4096), `${fixture} ${entry.name}`).toEqual(
          readFileSync(whole).subarray(0, 4096),
        );
      }
    }
    const encrypted = listZipEntries(`${FIXTURES}/seed-story-encrypted.zip`).find((e) => !e.directory)!;
    expect(zipEntryHead(`${FIXTURES}/seed-story-encrypted.zip`, encrypted, 4096)).toBeNull();
  });
});
