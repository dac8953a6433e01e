import type { AnalysisResult } from '@otptrace/pipeline';
import { renderReport } from '@otptrace/report';
import { summarizeAttempts } from '@otptrace/stats';

/** Options of `otptrace analyze --format html`. */
export interface HtmlReportOptions {
  /** Trace viewer link per attempt, `{traceId}` replaced (e.g. `http://localhost:9411/zipkin/traces/{traceId}`). */
  readonly traceUrlTemplate?: string;
  /** When the report was made (ISO); the CLI passes its clock. */
  readonly generatedAt?: string;
  readonly title?: string;
}

/** `otptrace analyze --format html`: the analysis as one self-contained HTML file (waterfalls from the events). */
export function renderHtmlReport(result: AnalysisResult, options: HtmlReportOptions = {}): string {
  return renderReport(
    {
      attempts: result.attempts,
      stats: summarizeAttempts(result.attempts.map((a) => a.record)),
      summary: result.summary,
      rejectedCount: result.rejected.length,
      coverage: result.coverage,
    },
    options,
  );
}
