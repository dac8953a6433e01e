import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNormalizeContext } from '@otptrace/normalize';
import { analysisConfigSchema, type NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { DetectingIngestor } from '../src/index.js';

// A kept normalised event must not hold the text it was read from: V8 makes a substring of 13 characters or more a
// view on its whole parent, so one value kept as read holds its event's text (here 128 KB) alive, and a correlator
// holding thousands of open attempts would hold their texts.

const config = analysisConfigSchema.parse({});
const SEED_STORY = fileURLToPath(new URL('../../../../examples/seed-story', import.meta.url));
const PADDING = 128 * 1024;
const COPIES = 16;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterCollections = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

/** The events of `bytes` (one file, named `label`), read by the product's ingestor in chunks of 16 KB. */
function eventsOf(bytes: Buffer, label: string): NormalizedEvent[] {
  const ingestor = new DetectingIngestor(createNormalizeContext(config), { maxEventBytes: 1 << 20 }, { label });
  const events: NormalizedEvent[] = [];
  const take = (items: ReturnType<DetectingIngestor['end']>) => {
    for (const item of items) if (item.type === 'event') events.push(item.event);
  };
  for (let i = 0; i < bytes.length; i += 16 * 1024) take(ingestor.push(bytes.subarray(i, i + 16 * 1024)));
  take(ingestor.end());
  return events;
}

/** Each event of the seed story's XML files, with a Data value of PADDING bytes that no field reads, COPIES times. */
function paddedSeedStory(): { label: string; bytes: Buffer }[] {
  const pad = `<Data Name="Padding">${'p'.repeat(PADDING)}</Data>`;
  return readdirSync(SEED_STORY)
    .filter((name) => name.endsWith('.xml'))
    .map((name) => {
      const events = readFileSync(join(SEED_STORY, name), 'utf8').match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [];
      const padded = events.map((e) => e.replace('</EventData>', `${pad}</EventData>`));
      return { label: name, bytes: Buffer.from(Array.from({ length: COPIES }, () => padded.join('\n')).join('\n')) };
    });
}

/** An IIS W3C log whose requests each carry a user agent of PADDING bytes. */
function paddedW3c(): { label: string; bytes: Buffer } {
  const lines = ['#Fields: date time s-ip cs-method cs-uri-stem sc-status sc-substatus time-taken c-ip cs(User-Agent)'];
  for (let i = 0; i < 40; i++)
    lines.push(
      `2026-11-02 08:00:${String(i).padStart(2, '0')} 203.0.113.10 POST /DAOTPAuth/DAAUTHOTP.DLL 200 0 900 ` +
        `2001:db8:1000::${i.toString(16)} ${'u'.repeat(PADDING)}`,
    );
  return { label: 'exports/da01/W3SVC1/u_ex261102.log', bytes: Buffer.from(`${lines.join('\r\n')}\r\n`) };
}

describe('normalised events', () => {
  it('keep none of the text they were read from (a few hundred bytes each, not their 128 KB events)', () => {
    const inputs = [...paddedSeedStory(), paddedW3c()];
    const inputBytes = inputs.reduce((sum, i) => sum + i.bytes.length, 0);
    // Read in a function of its own, so that nothing but the events outlives it; once before measuring, so that the
    // code, the shapes learned and the tables of names exist already.
    const read = () => inputs.flatMap((i) => eventsOf(i.bytes, i.label));
    read();
    const before = heapAfterCollections();
    const kept = read();
    const held = heapAfterCollections() - before;
    // Every kind of the seed story and the W3C requests were read (a padded event the reader refused proves nothing).
    expect(new Set(kept.map((e) => e.kind))).toEqual(
      new Set(['client.result', 'gateway.request', 'radius.decision', 'ca.request', 'ca.result']),
    );
    expect(kept.length).toBeGreaterThan(250);
    expect(inputBytes).toBeGreaterThan(kept.length * PADDING);
    // One event's text held per 32 events would already be 4 KB an event.
    expect(held / kept.length).toBeLessThan(4096);
  });
});
