import type { AnalysisDocument } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { writeJsonDocument } from '../src/outputs.js';

/** An attempt-like record with nesting, nulls, empty lists and a non-Latin-1 character (as IIS summaries have). */
function attempt(i: number): Record<string, unknown> {
  return {
    id: `a${i}`,
    user: `corp\\user${i}`,
    failedStage: i % 3 === 0 ? null : 'radius',
    detail: { httpStatus: 200 + i, npsReason: null },
    evidence: Array.from({ length: i % 4 }, (_, k) => ({ eventId: 6272 + k, summary: `IIS POST → ${k}` })),
    findings: [],
    hosts: {},
  };
}

async function written(document: unknown): Promise<string> {
  const pieces: string[] = [];
  await writeJsonDocument(document as AnalysisDocument, async (text) => {
    pieces.push(text);
  });
  return pieces.join('');
}

describe('writeJsonDocument', () => {
  it('writes the bytes of JSON.stringify(document, null, 2) for any number of attempts, batches cut anywhere', async () => {
    for (const count of [0, 1, 7, 8, 9, 16, 17, 33, 100]) {
      const document = {
        schemaVersion: 1,
        attempts: Array.from({ length: count }, (_, i) => attempt(i)),
        summary: { eventsRead: count, ignoredBy: { unrelated_event: 3 } },
        rejected: [],
        coverage: ['radius', 'ca'],
        selection: undefined,
      };
      expect(await written(document)).toBe(`${JSON.stringify(document, null, 2)}\n`);
    }
  });
});
