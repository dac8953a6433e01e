import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createNormalizeContext } from '@otptrace/normalize';
import type { IngestedFile } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { type WorkerEvents, type WorkerMessage, type WorkerResult, WorkerResults } from '../src/analyze-paths.js';
import { ingestFile } from '../src/index.js';

// A worker thread hands each part's result to the main thread as JSON text (analyze-paths.ts, WorkerResult): that is
// only the same result if an ingested file is JSON data (no undefined, NaN, Date, shared state that JSON would lose).
const repo = new URL('../../../../', import.meta.url).pathname;
const story = `${repo}examples/seed-story/`;

describe('the JSON hand-over of a worker thread', () => {
  const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
  for (const file of readdirSync(story).filter((f) => f.endsWith('.xml'))) {
    it(`gives back exactly the ingested result of ${file}`, async () => {
      const result = await ingestFile(`${story}${file}`, ctx, DEFAULT_ANALYSIS_CONFIG.maxEventBytes);
      expect(result.events.length + result.rejected.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
    });
  }
});

describe("a worker thread's messages", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'otptrace-hand-over-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const referenceTime = Date.parse('2030-01-01T00:00:00Z');
  const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, referenceTime);

  it("post a part's kept events as they are read, at most 100 a message, then the rest with its result", async () => {
    // The seed story's NPS log a hundred times over, each copy under record numbers of its own: 800 kept events.
    const original = `${story}nps01-Security.xml`;
    const once = await ingestFile(original, ctx, DEFAULT_ANALYSIS_CONFIG.maxEventBytes);
    const text = readFileSync(original, 'utf8');
    const events = text.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [];
    const copies = Array.from({ length: 100 }, (_, k) =>
      events.map((e) => e.replace(/<EventRecordID>(\d+)</, (_, n: string) => `<EventRecordID>${n}${100 + k}<`)),
    );
    const path = join(scratch, 'nps-many.xml');
    writeFileSync(path, `<Events>\n${copies.flat().join('\n')}\n</Events>\n`);
    const here = await ingestFile(path, ctx, DEFAULT_ANALYSIS_CONFIG.maxEventBytes);
    expect(here.events.length).toBe(100 * once.events.length);
    expect(here.events.length).toBeGreaterThan(400);

    const messages = await workerMessages(path, referenceTime);
    const early = messages.filter((m): m is WorkerEvents => 'eventsJson' in m);
    expect(early.length).toBeGreaterThan(1);
    expect('json' in messages.at(-1)!).toBe(true);
    expect(messages.filter((m) => 'json' in m)).toHaveLength(1);
    for (const m of early) expect((JSON.parse(m.eventsJson) as unknown[]).length).toBeLessThanOrEqual(100);
    const results: IngestedFile[] = [];
    const joined = new WorkerResults(results);
    for (const m of messages) joined.take(m);
    expect(results).toHaveLength(1);
    expect(results[0]).toStrictEqual(here);
    // Progress adds up: every byte and every item counted once across the messages.
    expect(messages.reduce((n, m) => n + m.bytes, 0)).toBe(statSync(path).size);
    const items = here.events.length + here.rejected.length + Object.values(here.ignoredBy).reduce((a, b) => a + b, 0);
    expect(messages.reduce((n, m) => n + m.events, 0)).toBe(items);
  });
});

describe('WorkerResults', () => {
  it("puts each part's events together in the order they were posted: the early ones, then the result's", () => {
    const event = (id: string) => ({ id }) as unknown as IngestedFile['events'][number];
    const file = (ids: string[], bytes: number): IngestedFile => ({
      events: ids.map(event),
      rejected: [],
      ignoredBy: { unrelated_event: 3 },
      bytes,
    });
    const results: IngestedFile[] = [];
    const joined = new WorkerResults(results);
    const early = (index: number, ids: string[]): WorkerEvents => ({
      index,
      eventsJson: JSON.stringify(ids.map(event)),
      bytes: 1,
      events: ids.length,
    });
    const last = (index: number, ids: string[]): WorkerResult => ({
      index,
      json: JSON.stringify(file(ids, 10)),
      bytes: 1,
      events: ids.length,
    });
    // Two parts of one worker, and a part of another worker in between (each worker's own messages stay in order).
    for (const m of [
      early(0, ['a', 'b']),
      early(2, ['x']),
      early(0, ['c']),
      last(2, []),
      last(0, ['d']),
      last(1, ['y']),
    ])
      joined.take(m);
    expect(results).toStrictEqual([file(['a', 'b', 'c', 'd'], 10), file(['y'], 10), file(['x'], 10)]);
  });
});

/** The messages the built worker script posts for one whole file, in order. */
function workerMessages(path: string, referenceTime: number): Promise<(WorkerEvents | WorkerResult)[]> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const tasks = [{ first: 0, parts: [{ path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' }] }];
  const worker = new Worker(new URL('../dist/ingest-worker.js', import.meta.url), {
    workerData: { config: DEFAULT_ANALYSIS_CONFIG, referenceTime, tasks, counter },
  });
  const messages: (WorkerEvents | WorkerResult)[] = [];
  return new Promise((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if ('error' in m) reject(new Error(m.error));
      else messages.push(m);
    });
    worker.on('error', reject);
    worker.on('exit', () => resolve(messages));
  });
}

describe('the worker script', () => {
  it('loads neither zod nor the schemas package: a worker starts in half the time without them', () => {
    const loaded = staticImportGraph(fileURLToPath(new URL('../dist/ingest-worker.js', import.meta.url)));
    expect(loaded.files.size).toBeGreaterThan(20);
    expect(loaded.packages).toContain('@otptrace/normalize');
    expect(loaded.packages).not.toContain('zod');
    expect(loaded.packages).not.toContain('@otptrace/schemas');
  });
});

/**
 * The modules a built script loads through static imports (`import … from`, `export … from`, `import '…'`; type
 * imports are gone from the built JavaScript, dynamic ones load only when run), and the packages they name.
 */
function staticImportGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const specifier = m[1]!;
      if (specifier.startsWith('node:')) continue;
      if (!specifier.startsWith('.')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        packages.add(name);
        if (!name.startsWith('@otptrace/')) continue;
      }
      pending.push(createRequire(file).resolve(specifier));
    }
  }
  return { files, packages };
}
