import { readFileSync } from 'node:fs';
import type { AnalysisConfig } from '@otptrace/schemas';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas/vocabulary';

// The analysis settings of `--config FILE`, shared by `otptrace analyze` and `otptrace pipeline` (whose collector and
// correlators must analyse with the very settings analyze used, to find the same attempts).

/** The settings file as written (a JSON object); a clear error names the file when it cannot be read or parsed. */
export function readAnalysisSettings(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`--config ${file}: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`--config ${file}: a JSON object of settings is expected`);
  return parsed as Record<string, unknown>;
}

/**
 * The settings checked against the schema (defaults filled in); every wrong one listed in one error. No settings are
 * the defaults, without loading zod: most runs give none, and zod is a third of analyze's start-up.
 */
export async function checkedAnalysisConfig(settings: Record<string, unknown>): Promise<AnalysisConfig> {
  if (Object.keys(settings).length === 0) return DEFAULT_ANALYSIS_CONFIG;
  const { analysisConfigSchema } = await import('@otptrace/schemas');
  const parsed = analysisConfigSchema.safeParse(settings);
  if (!parsed.success)
    throw new Error(
      `invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
