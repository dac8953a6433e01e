import { readdirSync } from 'node:fs';
import { createNormalizeContext } from '@otptrace/normalize';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
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
