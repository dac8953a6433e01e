import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import type { AnalysisResult, AnalyzedAttempt } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';
import { renderHtmlReport } from '../../services/cli/src/commands/report-html.js';
import { OUTPUT_DIR } from './chromium.js';

/** The bundled example whose story the browser tests follow (corp\bsimon fails at the CA). */
export const SEED_STORY = new URL('../../examples/seed-story', import.meta.url).pathname;
export const SEED_USER = 'corp\\bsimon';
export const TRACE_URL_TEMPLATE = 'http://localhost:9411/zipkin/traces/{traceId}';

/** A user name an attacker could plant in a log: it must show as text and run nothing. */
export const HOSTILE_USER =
  'corp\\</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2"><b onmouseover=alert(1)>x';

/** The seed story analysed, plus a copy of bsimon's attempt under the hostile user name. */
export async function seedAnalysis(): Promise<AnalysisResult> {
  const result = await analyzePaths([SEED_STORY], analysisConfigSchema.parse({}));
  return { ...result, attempts: [...result.attempts, hostileCopy(seedAttempt(result))] };
}

/** The seed story's failing attempt. */
export function seedAttempt(result: AnalysisResult): AnalyzedAttempt {
  const attempt = result.attempts.find((a) => a.record.user === SEED_USER);
  if (attempt === undefined) throw new Error(`no attempt of ${SEED_USER} in ${SEED_STORY}`);
  return attempt;
}

function hostileCopy(attempt: AnalyzedAttempt): AnalyzedAttempt {
  const record = {
    ...attempt.record,
    id: 'ffffffffffffffffffffffff',
    traceId: 'f'.repeat(32),
    user: HOSTILE_USER,
  };
  return { record, events: [] };
}

/** Write the seed story's HTML report under test-output/ and return its path. */
export async function writeSeedReport(): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, 'report-seed-story.html');
  writeFileSync(path, renderHtmlReport(await seedAnalysis(), { traceUrlTemplate: TRACE_URL_TEMPLATE }));
  return path;
}
