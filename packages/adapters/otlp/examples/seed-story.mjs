// Writes the OTLP-JSON traces of the bundled example (examples/seed-story) until `otptrace analyze --otlp-file` is
// wired in services/cli; both go through the same calls: analyse, toSpans per attempt, createTraceExporter({ file }).
//   npx tsc -b packages/adapters/files packages/adapters/otlp && node packages/adapters/otlp/examples/seed-story.mjs [out.json]
// (with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 and no argument, it sends them over OTLP/HTTP instead)
import { fileURLToPath } from 'node:url';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../../schemas/dist/index.js';
import { toSpans } from '../../../core/trace/dist/index.js';
import { analyzePaths } from '../../files/dist/index.js';
import { createTraceExporter } from '../dist/index.js';

const example = fileURLToPath(new URL('../../../../examples/seed-story', import.meta.url));
const out = process.argv[2] ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? undefined : 'seed-story.otlp.json');
const result = await analyzePaths([example], DEFAULT_ANALYSIS_CONFIG);
const spans = result.attempts.flatMap((attempt) => toSpans(attempt.record, attempt.events));
const exporter = createTraceExporter(out === undefined ? {} : { file: out });
const report = await exporter.export(spans);
await exporter.shutdown();
process.stdout.write(
  `${result.attempts.length} attempts, ${spans.length} spans -> ${exporter.target}\n${JSON.stringify(report)}\n`,
);
process.exitCode = report.ok ? 0 : 1;
