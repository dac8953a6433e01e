import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNormalizeContext } from '@otptrace/normalize';
import { emptyIngested, type IngestedFile } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type FilePart, ingestAnyPart, planParts } from '../src/index.js';

// A big file read in parts (cut anywhere, then moved to event boundaries) must give exactly the items of one whole
// reading: same events, rejections with the same positions and reasons, same ignored counts.
const dir = mkdtempSync(join(tmpdir(), 'otptrace-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
const MAX_EVENT = 4096;
const repo = new URL('../../../../', import.meta.url).pathname;
// Events of the seed story: client results and NPS decisions among unrelated Security events.
const story = ['win7-clients-OtpCredentialProvider-Operational.xml', 'nps01-Security.xml']
  .map((f) => readFileSync(`${repo}examples/seed-story/${f}`, 'utf8'))
  .join('\n');
const events = story.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [];

/** The parts' results joined as analyzePaths joins them. */
function joined(results: IngestedFile[]): IngestedFile {
  const whole = emptyIngested();
  for (const part of results) {
    whole.events.push(...part.events);
    whole.rejected.push(...part.rejected);
    for (const [reason, n] of Object.entries(part.ignoredBy))
      whole.ignoredBy[reason] = (whole.ignoredBy[reason] ?? 0) + n;
    whole.bytes += part.bytes;
  }
  return whole;
}

async function readInParts(path: string, size: number, cuts: number[]): Promise<IngestedFile> {
  const points = [...new Set(cuts.map((c) => c % size))].filter((c) => c > 0).sort((a, b) => a - b);
  const bounds = [0, ...points, Number.POSITIVE_INFINITY];
  const parts: FilePart[] = bounds
    .slice(1)
    .map((end, i) => ({ path, start: bounds[i] as number, end, format: 'xml' as const }));
  const read: IngestedFile[] = [];
  for (const part of parts) read.push(await ingestAnyPart(part, ctx, MAX_EVENT));
  return joined(read);
}

describe('a file read in parts', () => {
  it('has a seed of real events', () => {
    expect(events.length).toBeGreaterThan(5);
  });

  it('gives the items of one whole reading, wherever it is cut, with damage between and inside events', async () => {
    const pieces = [
      ...events,
      'junk between events',
      '<Event xmlns="x"><System><Provider Name="cut short"/>',
      `<Event><System>${'x'.repeat(MAX_EVENT)}</System></Event>`,
      '</Event>',
      '<!-- a comment </Event> <Event> -->',
      '<Event/>',
      '\n\n   \n',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(pieces.length - 1), { minLength: 3, maxLength: 40 }),
        fc.array(fc.nat(1 << 20), { maxLength: 12 }),
        fc.constantFrom('\n', '', '\r\n  '),
        async (picks, cuts, separator) => {
          const text = `<?xml version="1.0"?>\n<Events>\n${picks.map((i) => pieces[i]).join(separator)}\n</Events>\n`;
          const path = join(dir, 'log.xml');
          writeFileSync(path, text);
          const size = Buffer.byteLength(text);
          const whole = await ingestAnyPart(
            { path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' },
            ctx,
            MAX_EVENT,
          );
          expect(await readInParts(path, size, cuts)).toEqual(whole);
        },
      ),
      { numRuns: 200, seed: 20261130 },
    );
  }, 120_000);

  it('plans parts only for big files and more than one thread', () => {
    const path = join(dir, 'small.xml');
    writeFileSync(path, story);
    expect(planParts([{ path, size: 1000 }], 4)[0]?.parts).toHaveLength(1);
    expect(planParts([{ path, size: 200 << 20 }], 1)[0]?.parts).toHaveLength(1);
    const parts = planParts([{ path, size: 200 << 20 }], 2)[0]?.parts ?? [];
    expect(parts.length).toBeGreaterThan(4);
    expect(parts.every((p, i) => i === 0 || p.start === parts[i - 1]?.end)).toBe(true);
    expect(parts.at(-1)?.end).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('a whole file read at the size it was listed with', () => {
  const text = `<?xml version="1.0"?>\n<Events>\n${events.join('\n')}\n</Events>\n`;
  const path = join(dir, 'listed.xml');
  const size = Buffer.byteLength(text);
  const wholeReading = (): Promise<IngestedFile> => {
    writeFileSync(path, text);
    return ingestAnyPart({ path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' }, ctx, MAX_EVENT);
  };

  it('is read whole whether it grew, shrank or kept its size since it was listed', async () => {
    const expected = await wholeReading();
    expect(expected.events.length).toBeGreaterThan(5);
    // Listed smaller than it is (it grew, or a byte short of the first read's end), exactly, and larger (it shrank).
    for (const listed of [0, 7, 100, size - 1, size, size + 1, 10 * size]) {
      writeFileSync(path, text);
      const [planned] = planParts([{ path, size: listed }], 1);
      expect(planned?.parts[0]?.listedSize).toBe(listed);
      expect(await ingestAnyPart(planned!.parts[0]!, ctx, MAX_EVENT), `listed at ${listed}`).toEqual(expected);
    }
  });

  it('keeps what its parts need when it is cut into ranges, and no listed size', () => {
    const parts = planParts([{ path, size: 200 << 20, label: 'inside.tar/listed.xml', readFrom: path }], 2)[0]?.parts;
    expect(parts?.length).toBeGreaterThan(4);
    expect(
      parts?.every((p) => p.listedSize === undefined && p.readFrom === path && p.label === 'inside.tar/listed.xml'),
    ).toBe(true);
  });
});
