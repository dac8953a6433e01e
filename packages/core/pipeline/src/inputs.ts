import type { NormalizeContext } from '@otptrace/normalize';
import type { AnalysisConfig, AnalysisDocument } from '@otptrace/schemas';
import { ANALYSIS_SCHEMA_VERSION } from '@otptrace/schemas/vocabulary';
import { summarizeAttempts } from '@otptrace/stats';
import { type AnalysisResult, OfflineAnalysis } from './analysis.js';
import type { IngestedFile } from './ingest.js';

/** One input of an offline analysis: where it is, and its size in bytes (for progress). */
export interface AnalysisInput {
  readonly path: string;
  readonly size: number;
}

/** How far ingestion is: bytes read of the inputs' total, and events taken in so far. */
export interface IngestProgress {
  readonly bytes: number;
  readonly totalBytes: number;
  readonly events: number;
}

/**
 * Ingest every input, in any order and with any parallelism, reporting what was read since the last report through
 * `onRead`; the result is keyed by input path. Reading is the caller's (an adapter's): this package does no I/O.
 */
export type IngestInputs = (
  inputs: readonly AnalysisInput[],
  ctx: NormalizeContext,
  onRead: (bytes: number, events: number) => void,
) => Promise<ReadonlyMap<string, IngestedFile>>;

/** How to run an offline analysis of listed inputs. */
export interface AnalyzeInputsOptions {
  /** The run's clock: it bounds event times from above (an event a day in the future is implausible). */
  readonly referenceTime: number;
  readonly ingest: IngestInputs;
  /** Called as inputs are read. */
  readonly onProgress?: (progress: IngestProgress) => void;
}

/** Ingest and analyse every input: the files are added in the order listed, whatever order they were read in. */
export async function analyzeInputs(
  inputs: readonly AnalysisInput[],
  config: AnalysisConfig,
  options: AnalyzeInputsOptions,
): Promise<AnalysisResult> {
  const analysis = new OfflineAnalysis(config, options.referenceTime);
  const totalBytes = inputs.reduce((n, f) => n + f.size, 0);
  let bytes = 0;
  let events = 0;
  const onRead = (moreBytes: number, moreEvents: number): void => {
    bytes = Math.min(totalBytes, bytes + moreBytes);
    events += moreEvents;
    options.onProgress?.({ bytes, totalBytes, events });
  };
  const results = await options.ingest(inputs, analysis.context, onRead);
  // Added in input order whatever order they finished in, so the report does not depend on scheduling.
  for (const input of inputs) analysis.addIngested(input.path, results.get(input.path)!);
  return analysis.finish();
}

/** The JSON contract: attempts, summary, rejected (plus the sources seen, and the attempts' statistics). */
export function toJson(result: AnalysisResult): AnalysisDocument {
  const attempts = result.attempts.map((a) => a.record);
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    attempts,
    summary: result.summary,
    rejected: [...result.rejected],
    coverage: [...result.coverage],
    stats: summarizeAttempts(attempts),
  };
}
