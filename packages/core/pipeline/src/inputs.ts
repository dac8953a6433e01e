import type { NormalizeContext } from '@otptrace/normalize';
import type { AnalysisConfig } from '@otptrace/schemas';
import { summarizeAttempts } from '@otptrace/stats';
import { type AnalysisResult, OfflineAnalysis } from './analysis.js';
import type { IngestedFile } from './ingest.js';

/** One input of an offline analysis: where it is, and its size in bytes (for progress). */
export interface AnalysisInput {
  readonly path: string;
  readonly size: number;
}

/**
 * Ingest every input, in any order and with any parallelism, reporting bytes read through `onBytes`; the result is
 * keyed by input path. Reading is the caller's (an adapter's): this package does no I/O.
 */
export type IngestInputs = (
  inputs: readonly AnalysisInput[],
  ctx: NormalizeContext,
  onBytes: (n: number) => void,
) => Promise<ReadonlyMap<string, IngestedFile>>;

/** How to run an offline analysis of listed inputs. */
export interface AnalyzeInputsOptions {
  /** The run's clock: it bounds event times from above (an event a day in the future is implausible). */
  readonly referenceTime: number;
  readonly ingest: IngestInputs;
  /** Called as bytes are read: bytes done so far, of the inputs' total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Ingest and analyse every input: the files are added in the order listed, whatever order they were read in. */
export async function analyzeInputs(
  inputs: readonly AnalysisInput[],
  config: AnalysisConfig,
  options: AnalyzeInputsOptions,
): Promise<AnalysisResult> {
  const analysis = new OfflineAnalysis(config, options.referenceTime);
  const total = inputs.reduce((n, f) => n + f.size, 0);
  let done = 0;
  const onBytes = (n: number): void => {
    done += n;
    options.onProgress?.(done, total);
  };
  const results = await options.ingest(inputs, analysis.context, onBytes);
  // Added in input order whatever order they finished in, so the report does not depend on scheduling.
  for (const input of inputs) analysis.addIngested(input.path, results.get(input.path)!);
  return analysis.finish();
}

/** The JSON contract: attempts, summary, rejected (plus the sources seen, and the attempts' statistics). */
export function toJson(result: AnalysisResult): object {
  const attempts = result.attempts.map((a) => a.record);
  return {
    attempts,
    summary: result.summary,
    rejected: result.rejected,
    coverage: result.coverage,
    stats: summarizeAttempts(attempts),
  };
}
