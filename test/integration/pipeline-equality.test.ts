import { describe, expect, it } from 'vitest';
import { generatedDay, offlineAttempts, shiftedCorpus } from '../../packages/core/stream/test/corpus.js';
import { byId, differences, readAttempts, startPipeline } from './pipeline.js';

// A small generated day, then the scenario corpus (each scenario on its own later day), posted in event-time order
// as one site: the stream must give exactly what `otptrace analyze` gives on the same files.
const files = [...generatedDay(150, 21), ...shiftedCorpus()];
const expected = byId(offlineAttempts(files));

describe('otptrace pipeline: every attempt identical to otptrace analyze', () => {
  for (const [partitions, correlators] of [
    [1, 1],
    [4, 2],
    [12, 3],
  ] as const) {
    it(`${partitions} partition(s), ${correlators} correlator(s)`, async () => {
      const pipeline = await startPipeline(`eq-p${partitions}-c${correlators}`, { partitions, correlators });
      try {
        await pipeline.post(files);
        const streamed = await readAttempts(pipeline.ready, expected.length);
        expect(differences(streamed, expected)).toEqual({ duplicated: [], missing: [], invented: [], differing: [] });
        expect(byId(streamed)).toEqual(expected);
        expect(pipeline.output()).not.toMatch(/"level":(50|60)/);
      } finally {
        expect(await pipeline.stop()).toBe(0);
      }
    });
  }
});
