import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE, iterateEvtxRecords, readChunk, readEvtx } from '../src/index.js';
import { requireSamplesDir } from './samples.js';

// Damaged files made in memory from real samples (the shared files stay untouched): whatever is readable is read,
// everything else is a rejection with its byte position, and nothing throws.
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(`${requireSamplesDir()}${file}`));
const chunkAt = (index: number): number => FILE_HEADER_BLOCK_SIZE + index * CHUNK_SIZE;

describe('damaged .evtx files', () => {
  const security = load('security.evtx');
  const whole = readEvtx(security);

  test('the intact file reads with no rejection (baseline for the cases below)', () => {
    expect(whole.rejected).toEqual([]);
    expect(whole.events).toHaveLength(2261);
  });

  test('a file cut inside a chunk keeps every record before the cut and reports the cut record', () => {
    const cut = chunkAt(3) + 20_000;
    const reading = readEvtx(security.subarray(0, cut));
    const before = whole.events.filter((e) => e.position < cut);
    const complete = reading.events.map((e) => e.position);
    expect(reading.events).toEqual(before.slice(0, complete.length));
    expect(before.length - complete.length).toBe(1); // only the record straddling the cut is lost
    expect(reading.rejected).toEqual([
      {
        position: before[before.length - 1]?.position,
        code: 'truncated_event',
        reason: 'the file ends inside this record',
      },
    ]);
  });

  test('a file cut inside a chunk header reports the chunk', () => {
    const reading = readEvtx(security.subarray(0, chunkAt(2) + 100));
    expect(reading.events.every((e) => e.position < chunkAt(2))).toBe(true);
    expect(reading.rejected).toEqual([
      { position: chunkAt(2), code: 'truncated_event', reason: 'file ends 100 bytes into a chunk' },
    ]);
  });

  test('a chunk with a bad magic is skipped and reported; the other chunks read as before', () => {
    const damaged = security.slice();
    damaged.set([0x58, 0x58, 0x58], chunkAt(1));
    const reading = readEvtx(damaged);
    const inChunk1 = (p: number): boolean => p >= chunkAt(1) && p < chunkAt(2);
    expect(reading.events).toEqual(whole.events.filter((e) => !inChunk1(e.position)));
    expect(reading.rejected).toEqual([
      { position: chunkAt(1), code: 'corrupt_chunk', reason: 'chunk signature is not "ElfChnk": chunk skipped' },
    ]);
  });

  test('a bad header checksum is flagged on the chunk and its records are still read', () => {
    const damaged = security.slice();
    damaged[chunkAt(4) + 0x60] = 0xff; // an unused header byte covered by the checksum
    const reading = readEvtx(damaged);
    expect(reading.chunks[4]?.headerChecksumOk).toBe(false);
    expect(whole.chunks[4]?.headerChecksumOk).toBe(true);
    expect(reading.events).toEqual(whole.events);
  });

  test('a record whose BinXML is broken is rejected at its position; its neighbours are read', () => {
    const records = [...iterateEvtxRecords(security)].filter((r) => r.kind === 'record');
    const victim = records[10];
    if (victim === undefined) throw new Error('sample too small');
    const damaged = security.slice();
    damaged[victim.position + 24] = 0xee; // the fragment header token becomes an unknown token
    const reading = readEvtx(damaged);
    expect(reading.rejected).toHaveLength(1);
    expect(reading.rejected[0]).toMatchObject({ position: victim.position, code: 'corrupt_chunk' });
    expect(reading.events).toEqual(whole.events.filter((e) => e.position !== victim.position));
  });

  test('bytes that are not an .evtx file are one rejection at position 0', () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('<Event/>'), new Uint8Array(8192).fill(7)]) {
      const reading = readEvtx(bytes);
      expect(reading.events).toEqual([]);
      expect(reading.rejected).toHaveLength(1);
      expect(reading.rejected[0]).toMatchObject({ position: 0, code: 'not_an_event' });
    }
  });

  test('reading chunk by chunk gives what reading the whole file gives', () => {
    const events = [];
    for (let at = FILE_HEADER_BLOCK_SIZE; at < security.length; at += CHUNK_SIZE) {
      for (const item of readChunk(security.subarray(at, at + CHUNK_SIZE), at).items) {
        if (item.kind === 'record') events.push(item.position);
      }
    }
    expect(events).toEqual(whole.events.map((e) => e.position));
  });

  test('random corruption never throws, and every record is either an event or a rejection', () => {
    const small = load('Security_short_selected.evtx');
    const intact = readEvtx(small);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: FILE_HEADER_BLOCK_SIZE, max: small.length - 1 }),
            fc.integer({ min: 0, max: 255 }),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        (edits) => {
          const damaged = small.slice();
          for (const [at, value] of edits) damaged[at] = value;
          const reading = readEvtx(damaged);
          // A record can only be lost to a rejection, never silently, unless the damage hit the chunk's own header.
          expect(reading.events.length + reading.rejected.length).toBeGreaterThan(0);
          expect(reading.events.length).toBeLessThanOrEqual(intact.events.length + edits.length);
        },
      ),
      { numRuns: 300, seed: 20250818 },
    );
  });
});
