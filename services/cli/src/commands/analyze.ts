import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { analyzePaths } from '@otptrace/files';
import { type AnalysisResult, toJson } from '@otptrace/pipeline';
import { type AnalysisConfig, analysisConfigSchema } from '@otptrace/schemas';
import { optionValue, type ParsedArgs, parseArgs } from '../args.js';
import { formatText } from '../format-text.js';
import type { Io } from '../io.js';

export const ANALYZE_HELP = `otptrace analyze [options] <files or folders...>

Reads exported Windows event logs (binary .evtx files, or EVTX-XML: wevtutil qe /f:xml output, Event Viewer "Save as
XML", one event per line; UTF-8 or UTF-16LE; folders may mix them) of the DirectAccess client, the DA server's IIS, NPS and the CA, and prints every OTP
attempt: its outcome, the stage that failed, the root cause with its evidence and remediation.

Options:
  --format text|json|html
                         text (default): a timeline per attempt and a summary; json: the JSON contract;
                         html: one self-contained report file (use with --out) with a trace waterfall per attempt
  --trace-url TEMPLATE   in the HTML report, link each attempt to a trace viewer, e.g.
                         http://localhost:16686/trace/{traceId} (Jaeger) or http://localhost:9411/zipkin/traces/{traceId}
  --out FILE             write the report to FILE instead of standard output
  --config FILE          analysis settings (JSON, see schemas/src/analysis-config.ts)
  --probe-user NAME      the DA server's RADIUS probe account (repeatable; default DAProbeUser)
  --domain NB=DNS[,DNS]  map a NetBIOS domain to its DNS domain / UPN suffixes (repeatable)
  --sources LIST         sources the input holds (client,gateway,radius,ca); default: those that appear
  --otlp-file FILE       also write every attempt as a trace, in the standard OTLP JSON encoding, to FILE
  --otlp-endpoint URL    also send the traces over OTLP/HTTP to URL (e.g. http://localhost:4318); the standard
                         OTEL_EXPORTER_OTLP_* variables are honoured (--otlp uses them alone)
  --otlp-protocol P      http/protobuf (default) or http/json
  --otlp                 send the traces to the endpoint the OTEL_* environment variables name
  --jobs N               read the input with N threads (default: every core for inputs of 64 MB or more, else
                         one; big files are cut into parts, the output is the same whatever N)
  --progress             progress on standard error (automatic for inputs over 64 MB)
  --help                 this text

Exit code: 0 when the analysis ran (whatever it found), 2 when the input could not be read or the options are wrong,
3 when the analysis ran but traces could not all be exported.`;

/** `otptrace analyze`: the offline analysis of a folder of exported logs. */
export async function runAnalyze(argv: readonly string[], io: Io): Promise<number> {
  let args: ParsedArgs;
  let config: AnalysisConfig;
  try {
    args = parseArgs(
      argv,
      [
        'format',
        'out',
        'config',
        'probe-user',
        'domain',
        'sources',
        'otlp-file',
        'otlp-endpoint',
        'otlp-protocol',
        'trace-url',
        'jobs',
      ],
      ['progress', 'help', 'otlp'],
    );
    if (args.options.has('help')) {
      io.stdout(`${ANALYZE_HELP}\n`);
      return 0;
    }
    if (args.positional.length === 0) throw new Error('name at least one file or folder to analyse (see --help)');
    const format = optionValue(args, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'html')
      throw new Error(`--format ${format}: use text, json or html`);
    config = await loadConfig(args);
  } catch (e) {
    io.stderr(`otptrace analyze: ${(e as Error).message}\n`);
    return 2;
  }
  let result: AnalysisResult;
  try {
    result = await analyzePaths(args.positional, config, {
      jobs: await jobsOf(args),
      onProgress: progressReporter(io, args.options.has('progress')),
      onPlan: (plan) => {
        if (plan.automatic && plan.threads > 1)
          io.stderr(
            `otptrace: reading ${(plan.bytes / 1e6).toFixed(0)} MB in ${plan.parts} parts with ${plan.threads} threads (all cores; --jobs 1 for one)\n`,
          );
      },
    });
  } catch (e) {
    io.stderr(`otptrace analyze: ${(e as Error).message}\n`);
    return 2;
  }
  const format = optionValue(args, 'format') ?? 'text';
  const traceUrl = optionValue(args, 'trace-url');
  const out = optionValue(args, 'out');
  if (format === 'json') {
    await writeJson(result, out, io);
    return (await exportTraces(result, args, io)) ? 0 : 3;
  }
  const report =
    format === 'html'
      ? (await import('./report-html.js')).renderHtmlReport(result, {
          generatedAt: new Date().toISOString(),
          ...(traceUrl === undefined ? {} : { traceUrlTemplate: traceUrl }),
        })
      : formatText(result);
  if (out === undefined) io.stdout(report);
  else await writeFile(out, report);
  return (await exportTraces(result, args, io)) ? 0 : 3;
}

/** Attempts whose spans are built and exported together. */
const TRACE_BATCH_ATTEMPTS = 1000;

/** Send every attempt as a trace when asked to; false when some spans could not be exported. */
async function exportTraces(result: AnalysisResult, args: ParsedArgs, io: Io): Promise<boolean> {
  const file = optionValue(args, 'otlp-file');
  const endpoint = optionValue(args, 'otlp-endpoint');
  if (file === undefined && endpoint === undefined && !args.options.has('otlp')) return true;
  const protocol = optionValue(args, 'otlp-protocol');
  // The OpenTelemetry SDK is loaded only when traces are exported.
  const { createTraceExporter } = await import('@otptrace/otlp');
  const { toSpans } = await import('@otptrace/trace');
  let exporter: ReturnType<typeof createTraceExporter>;
  try {
    exporter = createTraceExporter({
      ...(file === undefined ? {} : { file }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(protocol === undefined ? {} : { protocol: protocol as 'http/protobuf' | 'http/json' }),
    });
  } catch (e) {
    io.stderr(`otptrace analyze: ${(e as Error).message}\n`);
    return false;
  }
  // In batches: the spans of a fleet are never all in memory at once (a file gets one OTLP JSON document per batch,
  // one per line, as the OpenTelemetry Collector's file exporter writes and its otlpjsonfile receiver reads).
  for (let i = 0; i < result.attempts.length; i += TRACE_BATCH_ATTEMPTS) {
    const batch = result.attempts.slice(i, i + TRACE_BATCH_ATTEMPTS);
    await exporter.export(batch.flatMap((a) => toSpans(a.record, a.events)));
  }
  const report = await exporter.shutdown();
  io.stderr(
    `otptrace: ${report.spansExported} of ${report.spansSubmitted} spans of ${result.attempts.length} traces exported to ${exporter.target}${report.spansFailed > 0 ? `, ${report.spansFailed} failed` : ''}\n`,
  );
  for (const error of report.errors) io.stderr(`otptrace: ${error}\n`);
  return report.ok;
}

/** Progress on standard error, every 32 MB read: when asked to, or by itself for inputs over 64 MB. */
function progressReporter(io: Io, asked: boolean): (done: number, total: number) => void {
  let lastShown = 0;
  return (done, total) => {
    if ((asked || total > 64 * 1024 * 1024) && done - lastShown > 32 * 1024 * 1024) {
      lastShown = done;
      io.stderr(`otptrace: read ${(done / 1e6).toFixed(0)} of ${(total / 1e6).toFixed(0)} MB\n`);
    }
  };
}

/**
 * Write the JSON contract piece by piece: one attempt at a time, so a fleet's report is never one string in memory.
 * The document is the same as `JSON.stringify(toJson(result), null, 2)`.
 */
async function writeJson(result: AnalysisResult, path: string | undefined, io: Io): Promise<void> {
  const file = path === undefined ? null : createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (file === null) io.stdout(text);
    else if (!file.write(text)) await once(file, 'drain');
  };
  const whole = toJson(result) as Record<string, unknown>;
  const attempts = whole.attempts as unknown[];
  await write('{\n  "attempts": [');
  for (const [i, a] of attempts.entries()) {
    await write(`${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(a, null, 2).replaceAll('\n', '\n    ')}`);
  }
  await write(attempts.length === 0 ? ']' : '\n  ]');
  for (const [key, value] of Object.entries(whole)) {
    if (key !== 'attempts')
      await write(`,\n  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replaceAll('\n', '\n  ')}`);
  }
  await write('\n}\n');
  if (file !== null)
    await new Promise<void>((resolve, reject) => file.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Threads to read with: --jobs, else `auto` (every core when the input is large enough to pay, see @otptrace/files). */
async function jobsOf(args: ParsedArgs): Promise<number | 'auto'> {
  const given = optionValue(args, 'jobs');
  if (given === undefined) return 'auto';
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--jobs ${given}: use a whole number from 1 to 64`);
  return Math.min(n, availableParallelism() * 2);
}

async function loadConfig(args: ParsedArgs): Promise<AnalysisConfig> {
  const file = optionValue(args, 'config');
  const base: Record<string, unknown> =
    file === undefined ? {} : (JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>);
  const probes = args.options.get('probe-user');
  if (probes !== undefined) base.probeUsers = probes;
  const domains = args.options.get('domain');
  if (domains !== undefined) {
    const map: Record<string, string[]> = { ...((base.domains as Record<string, string[]>) ?? {}) };
    for (const d of domains) {
      const [nb, dns] = d.split('=');
      if (nb === undefined || dns === undefined || nb === '')
        throw new Error(`--domain ${d}: use NETBIOS=dns.name[,other.suffix]`);
      map[nb] = dns.split(',').filter((x) => x !== '');
    }
    base.domains = map;
  }
  const sources = optionValue(args, 'sources');
  if (sources !== undefined) base.sources = sources.split(',');
  const parsed = analysisConfigSchema.safeParse(base);
  if (!parsed.success)
    throw new Error(
      `invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
