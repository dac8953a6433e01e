import type { AnalyzedAttempt } from '@otptrace/pipeline';

/**
 * Where finished attempts go besides the attempts topic: traces (OpenTelemetry exporter), tickets, statistics.
 * `write` resolves once the sink has taken the attempts; a rejection holds back the partition's commit, so the
 * attempts are re-read and written again (sinks must accept duplicates: IDs and ticket keys are deterministic).
 */
export interface AttemptSink {
  readonly name: string;
  write(attempts: readonly AnalyzedAttempt[]): Promise<void>;
  close?(): Promise<void>;
}
