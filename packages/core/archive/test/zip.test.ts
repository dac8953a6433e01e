import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CENTRAL_DIRECTORY_TAIL_BYTES,
  localDataOffset,
  readCentralDirectory,
  readEndOfCentralDirectory,
  readZip64EndRecord,
  type ZipEntry,
  ZipFormatError,
  zipEntryOrder,
} from '../src/index.js';
import { type WriterOptions, type WrittenEntry, writeZip } from './zip-writer.js';

/** Lists an archive the way the files adapter does: tail, (ZIP64 record), directory. */
function list(bytes: Buffer): ZipEntry[] {
  const tail = bytes.subarray(Math.max(0, bytes.length - CENTRAL_DIRECTORY_TAIL_BYTES));
  const end = readEndOfCentralDirectory(tail, bytes.length);
  const directory =
    end.kind === 'directory'
      ? end.directory
      : readZip64EndRecord(bytes.subarray(end.recordOffset, end.recordOffset + 56), end.recordOffset);
  return readCentralDirectory(bytes.subarray(directory.offset, directory.offset + directory.size), directory);
}

/** An entry's data, decompressed, found through its local header. */
function dataOf(bytes: Buffer, entry: ZipEntry): Buffer {
  const start = localDataOffset(bytes.subarray(entry.localHeaderOffset), entry);
  const stored = bytes.subarray(start, start + entry.compressedSize);
  return entry.method === 8 ? inflateRawSync(stored) : stored;
}

const text = (s: string) => Buffer.from(s, 'utf8');

function roundTrip(entries: WrittenEntry[], options?: WriterOptions) {
  const bytes = writeZip(entries, options);
  const listed = list(bytes);
  return { bytes, listed };
}

describe('zip central directory', () => {
  it('lists stored and deflated entries with their sizes and CRC-32, and finds their data', () => {
    const log = text('#Fields: date time s-ip cs-method cs-uri-stem\n'.repeat(50));
    const { bytes, listed } = roundTrip([
      { name: 'da01/W3SVC1/u_ex261102.log', data: log },
      { name: 'ca01-Security.xml', data: text('<Event/>'), method: 0 },
    ]);
    expect(listed.map((e) => [e.name, e.method, e.size, e.directory, e.encrypted])).toEqual([
      ['da01/W3SVC1/u_ex261102.log', 8, log.length, false, false],
      ['ca01-Security.xml', 0, 8, false, false],
    ]);
    expect(listed[0]!.compressedSize).toBeLessThan(log.length);
    expect(dataOf(bytes, listed[0]!)).toEqual(log);
    expect(dataOf(bytes, listed[1]!).toString()).toBe('<Event/>');
  });

  it('reads names as UTF-8 when flagged, from the Unicode Path field when present, else as code page 437', () => {
    const { listed } = roundTrip([
      { name: 'München/Security.evtx', utf8: true },
      // "Zürich" in code page 437 (ü = 0x81) with Info-ZIP's UTF-8 copy beside it.
      { name: '', rawName: Buffer.from([0x5a, 0x81, 0x72, 0x69, 0x63, 0x68, 0x2f, 0x61]), unicodePath: 'Zürich/a' },
      { name: '', rawName: Buffer.from([0x5a, 0x81, 0x72, 0x69, 0x63, 0x68, 0x2f, 0x62]) },
      { name: '', rawName: Buffer.from([0x80, 0xe1, 0xff]) },
    ]);
    expect(listed.map((e) => e.name)).toEqual(['München/Security.evtx', 'Zürich/a', 'Zürich/b', 'Çß\u00a0']);
  });

  it("reads backslashes as folder separators (PowerShell 5's Compress-Archive), and tells folders", () => {
    const { listed } = roundTrip([
      { name: 'logs\\da01\\HTTPERR\\httperr1.log', host: 0 },
      { name: './nps01/IN2611.log' },
      { name: 'empty/', method: 0 },
      { name: 'dos-folder', host: 0, externalAttributes: 0x10, method: 0 },
      { name: 'unix-file', host: 3, externalAttributes: 0x10, method: 0 },
    ]);
    expect(listed.map((e) => [e.name, e.directory])).toEqual([
      ['logs/da01/HTTPERR/httperr1.log', false],
      ['nps01/IN2611.log', false],
      ['empty/', true],
      ['dos-folder', true],
      ['unix-file', false],
    ]);
  });

  it('tells encrypted entries (flag bit 0, WinZip AES) and keeps other methods for the caller to refuse', () => {
    const { listed } = roundTrip([
      { name: 'a.xml', encrypted: true, method: 0 },
      { name: 'b.xml', method: 99 },
      { name: 'c.xml', method: 9 },
    ]);
    expect(listed.map((e) => [e.encrypted, e.method])).toEqual([
      [true, 0],
      [true, 99],
      [false, 9],
    ]);
  });

  it('finds the end record before an archive comment, even one that holds its signature', () => {
    const entries = [{ name: 'a.log', data: text('x') }];
    const fake = `comment PK\x05\x06${'\0'.repeat(18)} end`;
    for (const comment of ['exported from NPS01 on 2026-11-02', fake, 'z'.repeat(0xffff)]) {
      const { bytes, listed } = roundTrip(entries, { comment });
      expect(listed.map((e) => e.name)).toEqual(['a.log']);
      expect(dataOf(bytes, listed[0]!).toString()).toBe('x');
    }
  });

  it("moves every offset by the bytes before the archive (a self-extractor's stub)", () => {
    const prefix = Buffer.alloc(5000, 0x4d);
    const { bytes, listed } = roundTrip(
      [
        { name: 'a.log', data: text('first') },
        { name: 'b.log', data: text('second') },
      ],
      { prefix },
    );
    expect(listed[0]!.localHeaderOffset).toBe(5000);
    expect(listed.map((e) => dataOf(bytes, e).toString())).toEqual(['first', 'second']);
  });

  it('reads ZIP64: sizes and offsets from the extra field, the directory from the ZIP64 end record', () => {
    const { bytes, listed } = roundTrip(
      [
        { name: 'Security.evtx', data: text('E'.repeat(3000)), zip64: true },
        { name: 'small.log', data: text('s') },
      ],
      { zip64End: true },
    );
    const end = readEndOfCentralDirectory(bytes.subarray(-CENTRAL_DIRECTORY_TAIL_BYTES), bytes.length);
    expect(end.kind).toBe('zip64');
    expect(listed.map((e) => [e.name, e.size])).toEqual([
      ['Security.evtx', 3000],
      ['small.log', 1],
    ]);
    expect(dataOf(bytes, listed[0]!).toString()).toBe('E'.repeat(3000));
    expect(dataOf(bytes, listed[1]!).toString()).toBe('s');
  });

  it('says what is wrong with what is not a readable archive', () => {
    const bytes = writeZip([
      { name: 'a.log', data: text('a') },
      { name: 'b.log', data: text('b') },
    ]);
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ZipFormatError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(() => list(text('<Events>not a zip</Events>')))).toMatch(
      /no end of central directory record .*: not a zip, or one cut short/,
    );
    // The first bytes gone (a copy that kept only the end): the directory runs past where the end record says.
    expect(error(() => list(bytes.subarray(bytes.length - 60)))).toMatch(/cut short/);
    const damaged = Buffer.from(bytes);
    const directoryStart = damaged.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    damaged[directoryStart + 46 + 1] = 0x5f; // inside the first entry's name: the second entry is still found
    expect(list(damaged)).toHaveLength(2);
    damaged.writeUInt16LE(200, directoryStart + 28); // the first name's length: the second entry is not where it was
    expect(error(() => list(damaged))).toMatch(/damaged|cut short/);
    const split = Buffer.from(bytes);
    split.writeUInt16LE(1, split.length - 22 + 4);
    expect(error(() => list(split))).toMatch(/split over several files/);
    const entry = list(bytes)[0]!;
    expect(error(() => localDataOffset(Buffer.alloc(30), entry))).toMatch(/no local file header/);
  });

  it('lists a damaged archive or says it is not readable, never another error (property)', () => {
    const bytes = writeZip(
      [
        { name: 'da01/W3SVC1/u_ex261102.log', data: text('#Fields: date time\n'.repeat(20)) },
        { name: 'Security.evtx', data: text('ElfFile\0'), method: 0, zip64: true },
        { name: 'caf\u00e9.xml', utf8: true, data: text('<Event/>') },
      ],
      { zip64End: true, comment: 'exported' },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(bytes.length),
        (edits, keep) => {
          const damaged = Buffer.from(bytes.subarray(bytes.length - keep));
          for (const [at, value] of edits) if (at < damaged.length) damaged[at] = value;
          try {
            for (const entry of list(damaged)) {
              expect(entry.localHeaderOffset).toBeGreaterThanOrEqual(0);
              if (entry.localHeaderOffset + 30 <= damaged.length)
                try {
                  localDataOffset(damaged.subarray(entry.localHeaderOffset), entry);
                } catch (error) {
                  expect(error).toBeInstanceOf(ZipFormatError);
                }
            }
          } catch (error) {
            expect(error).toBeInstanceOf(ZipFormatError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('orders entries as a walk of the extracted folder orders files: folder by folder', () => {
    const names = ['da01/u_ex.log', 'da01/W3SVC1/u_ex.log', 'ca01.xml', 'da01.log', 'da01/b.log'];
    expect([...names].sort(zipEntryOrder)).toEqual([
      'ca01.xml',
      'da01/W3SVC1/u_ex.log',
      'da01/b.log',
      'da01/u_ex.log',
      'da01.log',
    ]);
  });
});
