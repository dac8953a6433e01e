import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DirectReader } from '../src/binxml/direct.js';
import {
  CHUNK_SIZE,
  type ChunkEvents,
  FILE_HEADER_BLOCK_SIZE,
  parsedOrRejected,
  readChunk,
  readChunkEvents,
  TemplateCache,
} from '../src/index.js';
import { requireSamplesDir, SAMPLE_FILES } from './samples.js';

// The direct reader (fields straight from the substitution values of known templates) must give exactly what the
// general path gives (the XML tree, then toParsedEvent), event for event and rejection for rejection, on every sample
// and on randomly damaged chunks.
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(`${requireSamplesDir()}${file}`));

function generalChunk(chunk: Uint8Array, position: number): ChunkEvents {
  const reading = readChunk(chunk, position);
  return {
    header: reading.header,
    items: reading.items.map((item) => (item.kind === 'record' ? parsedOrRejected(item) : item)),
  };
}

function chunksOf(bytes: Uint8Array): Array<{ chunk: Uint8Array; position: number }> {
  const chunks: Array<{ chunk: Uint8Array; position: number }> = [];
  for (let position = FILE_HEADER_BLOCK_SIZE; position < bytes.length; position += CHUNK_SIZE)
    chunks.push({ chunk: bytes.subarray(position, position + CHUNK_SIZE), position });
  return chunks;
}

/** Counts the records the direct reader reads itself (not handed to the general path). */
function countDirect<T>(run: () => T): { result: T; direct: number; general: number } {
  const original = DirectReader.prototype.read;
  let direct = 0;
  let general = 0;
  DirectReader.prototype.read = function (this: DirectReader, start: number, end: number) {
    const event = original.call(this, start, end);
    if (event === null) general++;
    else direct++;
    return event;
  };
  try {
    return { result: run(), direct, general };
  } finally {
    DirectReader.prototype.read = original;
  }
}

describe('direct reading from template substitutions', () => {
  for (const { file } of SAMPLE_FILES) {
    test(`${file}: same events and rejections as the general path`, () => {
      const bytes = load(file);
      const { result, direct } = countDirect(() =>
        chunksOf(bytes).map(({ chunk, position }) => readChunkEvents(chunk, position)),
      );
      const general = chunksOf(bytes).map(({ chunk, position }) => generalChunk(chunk, position));
      expect(result).toEqual(general);
      if (file !== 'MSExchange_Management_wec.evtx') expect(direct).toBeGreaterThan(0);
    });
  }

  test('template definitions reused across the chunks of a file: the same events and rejections, every sample', () => {
    for (const { file } of SAMPLE_FILES) {
      const chunks = chunksOf(load(file));
      const templates = new TemplateCache();
      const shared = chunks.map(({ chunk, position }) => readChunkEvents(chunk, position, templates));
      expect(shared).toEqual(chunks.map(({ chunk, position }) => generalChunk(chunk, position)));
    }
  });

  test('security.evtx: 26 chunks each define their templates again; 40 definitions are decoded, the rest reused', () => {
    const templates = new TemplateCache();
    const chunks = chunksOf(load('security.evtx'));
    for (const { chunk, position } of chunks) readChunkEvents(chunk, position, templates);
    expect(chunks.length).toBeGreaterThanOrEqual(26);
    expect(templates.size).toBeGreaterThan(0);
    expect(templates.size).toBeLessThanOrEqual(40);
  });

  test('randomly damaged chunks read after intact ones with the same cache: the same as the general path', () => {
    const system = load('system.evtx');
    const first = FILE_HEADER_BLOCK_SIZE;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(
          fc.tuple(
            fc.oneof(fc.integer({ min: 512, max: CHUNK_SIZE - 1 }), fc.integer({ min: 512, max: 4096 })),
            fc.integer({ min: 0, max: 255 }),
          ),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (index, edits) => {
          // Half the edits fall near the chunk's start, where its first definitions lie inline.
          // The cache holds the intact definitions of chunks 0-4, the damaged chunk's own included.
          const templates = new TemplateCache();
          for (let i = 0; i < 5; i++) {
            const at = first + i * CHUNK_SIZE;
            readChunkEvents(system.subarray(at, at + CHUNK_SIZE), at, templates);
          }
          const position = first + index * CHUNK_SIZE;
          const chunk = system.slice(position, position + CHUNK_SIZE);
          for (const [at, value] of edits) chunk[at] = value;
          expect(readChunkEvents(chunk, position, templates)).toEqual(generalChunk(chunk, position));
          // A chunk after the damaged one still reads as it would alone.
          const next = position + CHUNK_SIZE;
          const after = system.subarray(next, next + CHUNK_SIZE);
          expect(readChunkEvents(after, next, templates)).toEqual(generalChunk(after, next));
        },
      ),
      { numRuns: 150, seed: 20261130 },
    );
  }, 120_000);

  test('EventData values given as string arrays (one <Data> per string) are read directly too', () => {
    type Nested = { nestedDirect: (start: number, end: number, where: string) => unknown };
    const prototype = DirectReader.prototype as unknown as Nested;
    const original = prototype.nestedDirect;
    let nested = 0;
    let general = 0;
    prototype.nestedDirect = function (this: Nested, start: number, end: number, where: string) {
      const values = original.call(this, start, end, where);
      nested++;
      if (values === null) general++;
      return values;
    };
    try {
      const bytes = load('system.evtx');
      const templates = new TemplateCache();
      const events = chunksOf(bytes).flatMap(
        ({ chunk, position }) => readChunkEvents(chunk, position, templates).items,
      );
      expect(events).toEqual(chunksOf(bytes).flatMap(({ chunk, position }) => generalChunk(chunk, position).items));
    } finally {
      prototype.nestedDirect = original;
    }
    // system.evtx: 1881 classic events, 393 of them with a string array among their values.
    expect(nested).toBe(1881);
    expect(general).toBe(0);
  });

  test('nearly every record of the samples is read directly', () => {
    const { direct, general } = countDirect(() => {
      for (const { file } of SAMPLE_FILES)
        for (const { chunk, position } of chunksOf(load(file))) readChunkEvents(chunk, position);
    });
    // The one record left to the general path is the Windows Event Collector log's (elements without dependency id).
    expect(general).toBe(1);
    expect(direct).toBe(7159);
  });

  test('randomly damaged chunks: the same events and rejections as the general path', () => {
    const system = load('system.evtx');
    const first = FILE_HEADER_BLOCK_SIZE;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 512, max: CHUNK_SIZE - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (index, edits) => {
          const position = first + index * CHUNK_SIZE;
          const chunk = system.slice(position, position + CHUNK_SIZE);
          for (const [at, value] of edits) chunk[at] = value;
          expect(readChunkEvents(chunk, position)).toEqual(generalChunk(chunk, position));
        },
      ),
      { numRuns: 200, seed: 20261130 },
    );
  }, 120_000);
});
