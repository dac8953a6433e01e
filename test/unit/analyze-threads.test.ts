import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { generateFleetLogs } from '@otptrace/generator';
import type { AnalysisResult } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// With several threads, big files are cut into parts, which this thread and worker threads take as they come free;
// workers post their kept events back as JSON text, a hundred at a time as they read, then the rest of each part's
// result (analyze-paths.ts; the messages are checked in packages/adapters/files/test/hand-over.test.ts). Whichever
// thread reads which part, the analysis is the one thread's: the same attempts, rejections, summary and coverage.
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-threads-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A generated fleet day written as its four logs; the Security logs of NPS and the CA are over 16 MB (two parts). */
beforeAll(() => {
  const it = generateFleetLogs({ users: 450, seed: 11, unrelatedRatio: 0.9, maxClockSkewMs: 30_000 });
  for (let step = it.next(); step.done !== true; step = it.next()) {
    const path = join(scratch, step.value.file);
    appendFileSync(path, step.value.text);
  }
}, 120_000);

/** What an analysis found, in a form to compare. */
function findings(result: AnalysisResult) {
  return {
    attempts: result.attempts,
    rejected: result.rejected,
    summary: result.summary,
    coverage: result.coverage,
  };
}

describe('analysis with several threads', { timeout: 120_000 }, () => {
  it('reads files cut into parts by worker threads exactly as one thread reads them', async () => {
    const sizes = ['nps.xml', 'ca.xml'].map((f) => statSync(join(scratch, f)).size);
    expect(Math.max(...sizes)).toBeGreaterThan(16 << 20);
    const one = findings(await analyzePaths([scratch], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 }));
    expect(one.attempts.length).toBeGreaterThan(400);
    for (const jobs of [2, 3]) {
      let threads = 0;
      const result = await analyzePaths([scratch], DEFAULT_ANALYSIS_CONFIG, {
        jobs,
        onPlan: (plan) => {
          threads = plan.threads;
        },
      });
      expect(threads).toBe(jobs);
      expect(findings(result)).toStrictEqual(one);
    }
  });
});
