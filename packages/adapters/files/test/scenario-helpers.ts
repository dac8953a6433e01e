import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AnalysisResult } from '@otptrace/pipeline';
import { type AnalysisConfig, analysisConfigSchema } from '@otptrace/schemas';

// What the tests that read the scenarios in another packing (gzip, zip, tar) share.

/** The scenarios' folder. */
export const SCENARIOS = new URL('../../../../test/scenarios', import.meta.url).pathname;

/** Every file under `dir`, relative to it, in walk order. */
export function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

/** What an analysis found, without the file paths (which name the archive or the compressed file). */
export function findings(result: AnalysisResult) {
  return {
    attempts: result.attempts.map((a) => a.record),
    summary: result.summary,
    rejected: result.rejected.map(({ file: _file, ...rest }) => rest),
  };
}

/** A scenario's analysis settings (its config.json, else the defaults). */
export function configOf(dir: string): AnalysisConfig {
  const path = join(dir, 'config.json');
  const exists = statSync(path, { throwIfNoEntry: false }) !== undefined;
  return analysisConfigSchema.parse(exists ? JSON.parse(readFileSync(path, 'utf8')) : {});
}
