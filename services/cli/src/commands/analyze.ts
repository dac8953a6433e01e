import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { analyzePaths, namedFew } from '@otptrace/files';
import { ROOT_CAUSES } from '@otptrace/model';
import type { OtlpProtocol, TraceExporterOptions } from '@otptrace/otlp';
import { type AnalysisResult, toJson } from '@otptrace/pipeline';
import { type CommandSpec, type Invocation, isoTime, oneOf, runCommand, wholeNumber } from '@otptrace/runtime/args';
import type { AnalysisConfig, Outcome, Stage } from '@otptrace/schemas';
import { ANALYSIS_SCHEMA_VERSION, OUTCOMES, STAGES } from '@otptrace/schemas/vocabulary';
import { checkedAnalysisConfig, readAnalysisSettings } from '../analysis-settings.js';
import { TextWriter } from '../file-text.js';
import { textReport } from '../format-text.js';
import type { Io } from '../io.js';
import { type Write, writeCsv, writeJsonDocument, writeNdjson } from '../outputs.js';
import { ProgressReporter } from '../progress.js';
import { type AttemptFilter, filters, selectionOf, selects } from '../select.js';

export const ANALYZE_HELP = `otptrace analyze [options] <files or folders...>

Reads exported Windows event logs (binary .evtx files, or EVTX-XML: wevtutil qe /f:xml output, Event Viewer "Save as
XML", one event per line; UTF-8 or UTF-16LE; folders may mix them) of the DirectAccess client, the DA server's IIS,
NPS and the CA, and the text logs many sites keep instead of the IIS and NPS events (IIS W3C logs u_ex*.log, HTTP.sys'
error logs httperr*.log; NPS log files IN*.log, DTS, database-compatible or IAS format; Winlogbeat documents
exported from Elasticsearch as NDJSON or pretty-printed JSON; every input is recognised by its content; each may also
be gzip-compressed, e.g. u_ex261102.log.gz), and prints every OTP attempt: its outcome, the stage that failed, the
root cause with its evidence and remediation. From folders it reads *.evtx, *.xml, *.log, *.txt, *.ndjson and *.jsonl (and the same .gz)
and any other file whose first bytes are one of these logs,
opens zip archives (named, in the folders, or inside other zips) and tar archives (.tar, .tar.gz, .tgz) and reads
the same files in them, and names the archives it does not open (.7z, .rar, ...); it follows symbolic links. "-" reads standard input (Event XML or text logs; e.g.
wevtutil qe Security /f:xml | otptrace analyze -).

Output:
  -f, --format FORMAT    text (default): a timeline per attempt and a summary; json: the JSON document
                         (schemas/json/analysis-document.schema.json); ndjson: one attempt per line, then a summary
                         line; csv: one row per attempt (user, start, end, outcome, stage, cause, DA/NPS/CA servers,
                         client, trace ID; RFC 4180, a field that would start a formula gets a leading '); html: one
                         self-contained report file with a trace waterfall per attempt
  -o, --out FILE         write the output to FILE instead of standard output
  --trace-url TEMPLATE   in the HTML report, link each attempt to a trace viewer, e.g.
                         http://localhost:16686/trace/{traceId} (Jaeger) or http://localhost:9411/zipkin/traces/{traceId}

Which attempts (the summary and statistics always cover the whole input):
  --user NAME            this user's attempts (repeatable; case-insensitive; alice matches CORP\\alice too)
  --outcome LIST         ${OUTCOMES.join(',')}
  --stage LIST           the failed stage: ${STAGES.join(',')}
  --cause LIST           root-cause codes, e.g. ca_denied_key_length
  --since ISO            attempts that started at or after this time
  --until ISO            attempts that started before this time
  --probes               show the DA server's RADIUS probes in the text timeline (hidden by default; counted)

Analysis:
  --config FILE          analysis settings (JSON, see schemas/src/analysis-config.ts)
  --probe-user NAME      the DA server's RADIUS probe account (repeatable; default DAProbeUser)
  --domain NB=DNS[,DNS]  map a NetBIOS domain to its DNS domain / UPN suffixes (repeatable)
  --sources LIST         sources the input holds (client,gateway,radius,ca); default: those that appear
  -j, --jobs N           read the input with N threads (default: every core for inputs of 64 MB or more, else
                         one; big files are cut into parts, the output is the same whatever N)

Traces:
  --otlp-file FILE       also write every attempt as a trace, in the standard OTLP JSON encoding, to FILE
  --otlp-endpoint URL    also send the traces over OTLP/HTTP to URL (e.g. http://localhost:4318); the standard
                         OTEL_EXPORTER_OTLP_* variables are honoured (--otlp uses them alone)
  --otlp-protocol P      http/protobuf (default), http/json, or zipkin (Zipkin's own API: --otlp-endpoint is the
                         Zipkin server, e.g. http://localhost:9411)
  --otlp                 send the traces to the endpoint the OTEL_* environment variables name

Progress and messages (standard error):
  --progress             show reading progress and a final summary line even when standard error is not a terminal
                         (on a terminal they show by themselves for runs longer than a second)
  -q, --quiet            no progress and no summary lines: errors only
  -h, --help             this text
  -V, --version          otptrace's version
  --                     the arguments after it are paths, even when they start with -

Exit code: 0 when the analysis ran (whatever it found), 2 when the input could not be read or the options are wrong
(refused before anything is read), 3 when the analysis ran but its output or traces could not all be written.`;

const FORMATS = ['text', 'json', 'ndjson', 'csv', 'html'] as const;
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'zipkin'] as const satisfies readonly OtlpProtocol[];

const ANALYZE_OPTIONS = {
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  'trace-url': { type: 'string' },
  user: { type: 'string', multiple: true },
  outcome: { type: 'string', multiple: true },
  stage: { type: 'string', multiple: true },
  cause: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  probes: { type: 'boolean' },
  config: { type: 'string' },
  'probe-user': { type: 'string', multiple: true },
  domain: { type: 'string', multiple: true },
  sources: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  'otlp-file': { type: 'string' },
  'otlp-endpoint': { type: 'string' },
  'otlp-protocol': { type: 'string' },
  otlp: { type: 'boolean' },
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;
export const ANALYZE: CommandSpec<typeof ANALYZE_OPTIONS> = {
  name: 'otptrace analyze',
  help: ANALYZE_HELP,
  options: ANALYZE_OPTIONS,
  positionals: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    what: 'at least one file or folder to analyse (- for standard input)',
  },
};

/** Everything an analysis run needs, checked before anything is read. */
interface AnalyzeRun {
  readonly paths: readonly string[];
  readonly format: (typeof FORMATS)[number];
  readonly out: string | undefined;
  readonly traceUrl: string | undefined;
  readonly filter: AttemptFilter;
  readonly probes: boolean;
  readonly config: AnalysisConfig;
  /** `auto`: every core when the input is large enough to pay (see @otptrace/files). */
  readonly jobs: number | 'auto';
  /** Undefined when no traces are exported. */
  readonly otlp: TraceExporterOptions | undefined;
  readonly progress: 'auto' | 'always' | 'never';
  readonly quiet: boolean;
}

/** `otptrace analyze`: the offline analysis of a folder of exported logs. */
export function runAnalyze(argv: readonly string[], io: Io): Promise<number> {
  return runCommand(ANALYZE, argv, io, prepareAnalyze, (run) => analyze(run, io));
}

async function prepareAnalyze({ values: v, positionals }: Invocation<typeof ANALYZE_OPTIONS>): Promise<AnalyzeRun> {
  const format = oneOf('format', v.format ?? 'text', FORMATS);
  if (v.quiet === true && v.progress === true) throw new Error('--quiet and --progress contradict each other');
  if (v['trace-url'] !== undefined && !/^https?:\/\/\S*\{traceId\}/.test(v['trace-url']))
    throw new Error(`--trace-url ${v['trace-url']}: an http(s) URL containing {traceId}`);
  if (v.out !== undefined) await writableFile('out', v.out);
  const otlp = await otlpOptions(v);
  return {
    paths: positionals,
    format,
    out: v.out,
    traceUrl: v['trace-url'],
    filter: {
      users: v.user ?? [],
      outcomes: listOf('outcome', v.outcome, OUTCOMES) as Outcome[],
      stages: listOf('stage', v.stage, STAGES) as Stage[],
      causes: listOf('cause', v.cause, Object.keys(ROOT_CAUSES)),
      since: v.since === undefined ? null : isoTime('since', v.since),
      until: v.until === undefined ? null : isoTime('until', v.until),
    },
    // Asking for probes by outcome shows them too.
    probes: v.probes === true || (v.outcome ?? []).some((o) => o.split(',').includes('probe')),
    config: await loadConfig(v),
    jobs: v.jobs === undefined ? 'auto' : Math.min(wholeNumber('jobs', v.jobs, 1, 64), availableParallelism() * 2),
    otlp,
    progress: v.quiet === true ? 'never' : v.progress === true ? 'always' : 'auto',
    quiet: v.quiet === true,
  };
}

async function analyze(run: AnalyzeRun, io: Io): Promise<number> {
  const progress = new ProgressReporter({ write: io.stderr, isTTY: io.stderrIsTTY === true }, run.progress);
  let result: AnalysisResult;
  try {
    result = await analyzePaths(run.paths, run.config, {
      jobs: run.jobs,
      onProgress: progress.update,
      onPlan: (plan) => {
        if (plan.archives.length > 0 && !run.quiet) io.stderr(archiveWarning(plan.archives));
        if (plan.automatic && plan.threads > 1 && !run.quiet)
          io.stderr(
            `otptrace: reading ${(plan.bytes / 1e6).toFixed(0)} MB in ${plan.parts} parts with ${plan.threads} threads (all cores; --jobs 1 for one)\n`,
          );
      },
    });
  } catch (e) {
    io.stderr(`otptrace analyze: ${(e as Error).message}\n`);
    return 2;
  }
  const selected = result.attempts.filter((a) => selects(run.filter, a.record));
  if (!run.quiet) for (const line of clockWarnings(result)) io.stderr(line);
  progress.finish(
    `${result.attempts.length} attempts${selected.length === result.attempts.length ? '' : `, ${selected.length} shown`}`,
  );
  try {
    await writeOutput(run, result, selected, io);
  } catch (e) {
    io.stderr(`otptrace analyze: cannot write ${run.out ?? 'standard output'}: ${(e as Error).message}\n`);
    return 3;
  }
  return (await exportTraces(run, selected, io)) ? 0 : 3;
}

/**
 * NPS log files write local time with no offset. A server whose offset was neither configured nor learned from its
 * 6272/6273 has its times read as UTC: an hour or more off on most sites, which joins its decisions to the wrong
 * requests. The summary says so; this says it where an analyst looks first, whatever the output format.
 */
function clockWarnings(result: AnalysisResult): string[] {
  const assumed = Object.entries(result.summary.npsLogClocks ?? {})
    .filter(([, clock]) => clock.basis === 'assumed_utc')
    .map(([server]) => server);
  if (assumed.length === 0) return [];
  return [
    `otptrace: warning: NPS log times of ${assumed.join(', ')} read as UTC: NPS writes local time, and no offset was configured or learned (neither 6272/6273 of the same decisions nor CA requests or client results of the same users in the input); give each server's time zone in --config, e.g. {"npsLogUtcOffsets": {"${assumed[0]}": "Europe/Berlin"}}\n`,
  ];
}

/** Archives found in the folders are named, so that logs inside one are not missed unknowingly. */
function archiveWarning(archives: readonly string[]): string {
  const named = namedFew(archives);
  return `otptrace: warning: not read: ${archives.length === 1 ? 'an archive' : `${archives.length} archives`} in the folders (${named}); otptrace reads gzip-compressed logs (.log.gz, .xml.gz, .evtx.gz), zip and tar archives, but no other archive: extract them, then analyze the folder\n`;
}

async function writeOutput(
  run: AnalyzeRun,
  result: AnalysisResult,
  selected: AnalysisResult['attempts'],
  io: Io,
): Promise<void> {
  const selection = filters(run.filter) ? selectionOf(run.filter, selected.length, result.attempts.length) : undefined;
  const records = selected.map((a) => a.record);
  await toDestination(run.out, io, async (write) => {
    switch (run.format) {
      case 'json':
        return writeJsonDocument({ ...toJson(result), attempts: records, ...(selection ? { selection } : {}) }, write);
      case 'ndjson': {
        const line = {
          schemaVersion: ANALYSIS_SCHEMA_VERSION,
          summary: result.summary,
          rejectedCount: result.rejected.length,
          coverage: [...result.coverage],
          ...(selection ? { selection } : {}),
        };
        return writeNdjson(records, line, write);
      }
      case 'csv':
        return writeCsv(records, write);
      case 'html':
        return write(
          (await import('./report-html.js')).renderHtmlReport(
            { ...result, attempts: selected },
            {
              generatedAt: new Date().toISOString(),
              ...(run.traceUrl === undefined ? {} : { traceUrlTemplate: run.traceUrl }),
            },
          ),
        );
      case 'text':
        for (const piece of textReport(result, { shown: selected, probes: run.probes })) await write(piece);
        return;
    }
  });
}

/** Hand `fill` a writer to standard output or to a file (created or truncated), then close it. */
async function toDestination(path: string | undefined, io: Io, fill: (write: Write) => Promise<void>): Promise<void> {
  // The pieces are copied into a byte buffer as they come, and handed on a MB at a time (see file-text.ts).
  const out =
    path !== undefined
      ? await TextWriter.toFile(path)
      : io.stdoutStream !== undefined
        ? TextWriter.toStream(io.stdoutStream)
        : new TextWriter(async (bytes) => io.stdout(UTF8.decode(bytes)));
  try {
    await fill((text) => out.write(text));
  } catch (error) {
    await out.close().catch(() => undefined);
    throw error;
  }
  await out.close();
}

const UTF8 = new TextDecoder();

/** Attempts whose spans are built and exported together. */
const TRACE_BATCH_ATTEMPTS = 1000;

/** Send every attempt shown as a trace when asked to; false when some spans could not be exported. */
async function exportTraces(run: AnalyzeRun, attempts: AnalysisResult['attempts'], io: Io): Promise<boolean> {
  if (run.otlp === undefined) return true;
  // The OpenTelemetry SDK is loaded only when traces are exported.
  const { createTraceExporter } = await import('@otptrace/otlp');
  const { toSpans } = await import('@otptrace/trace');
  const exporter = createTraceExporter(run.otlp);
  // The spans are built as the exporter takes them (a generator), so only the spans in flight are alive: built all
  // at once, they outlived the young generation and grew the heap (issue 16 item 6). A file gets one OTLP JSON
  // document per TRACE_BATCH_ATTEMPTS attempts, one per line, as the OpenTelemetry Collector's file exporter writes
  // and its otlpjsonfile receiver reads. Over HTTP the attempts go in one call: each call waits for its last
  // requests' answers, and that wait, once per 1,000 attempts, left the encoder idle.
  function* spansOf(from: number, to: number) {
    for (let i = from; i < to; i++) yield* toSpans(attempts[i]!.record, attempts[i]!.events);
  }
  const perCall = run.otlp.file === undefined ? Math.max(attempts.length, 1) : TRACE_BATCH_ATTEMPTS;
  for (let i = 0; i < attempts.length; i += perCall) {
    await exporter.export(spansOf(i, Math.min(i + perCall, attempts.length)));
  }
  const report = await exporter.shutdown();
  if (!run.quiet || !report.ok)
    io.stderr(
      `otptrace: ${report.spansExported} of ${report.spansSubmitted} spans of ${attempts.length} traces exported to ${exporter.target}${report.spansFailed > 0 ? `, ${report.spansFailed} failed` : ''}\n`,
    );
  for (const error of report.errors) io.stderr(`otptrace: ${error}\n`);
  return report.ok;
}

/** The exporter's settings when traces are asked for, validated now (with the OTEL_* environment) rather than after the analysis. */
async function otlpOptions(v: Invocation<typeof ANALYZE_OPTIONS>['values']): Promise<TraceExporterOptions | undefined> {
  const file = v['otlp-file'];
  const endpoint = v['otlp-endpoint'];
  const protocol = v['otlp-protocol'];
  if (file === undefined && endpoint === undefined && v.otlp !== true) {
    if (protocol !== undefined) throw new Error('--otlp-protocol needs --otlp-endpoint or --otlp');
    return undefined;
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]/.test(endpoint))
    throw new Error(`--otlp-endpoint ${endpoint}: use an http:// or https:// URL, e.g. http://localhost:4318`);
  const options: TraceExporterOptions = {
    ...(file === undefined ? {} : { file }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(protocol === undefined ? {} : { protocol: oneOf('otlp-protocol', protocol, OTLP_PROTOCOLS) }),
  };
  if (file !== undefined) await writableFile('otlp-file', file);
  const { resolveExporterConfig } = await import('@otptrace/otlp');
  resolveExporterConfig(options, process.env);
  return options;
}

/** A file that can be created or overwritten: its folder exists and is writable, and it is not a folder. */
async function writableFile(option: string, path: string): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`--${option} ${path}: is a folder`);
  try {
    await access(existing === null ? dirname(path) : path, constants.W_OK);
  } catch {
    throw new Error(`--${option} ${path}: cannot write there`);
  }
}

/** Values given as a list (`--outcome failure,incomplete`, or repeated), each one of `allowed`. */
function listOf(option: string, given: readonly string[] | undefined, allowed: readonly string[]): string[] {
  return (given ?? [])
    .flatMap((g) => g.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map((x) => oneOf(option, x, allowed));
}

async function loadConfig(v: Invocation<typeof ANALYZE_OPTIONS>['values']): Promise<AnalysisConfig> {
  const base = v.config === undefined ? {} : readAnalysisSettings(v.config);
  if (v['probe-user'] !== undefined) base.probeUsers = v['probe-user'];
  if (v.domain !== undefined) {
    const map: Record<string, string[]> = { ...((base.domains as Record<string, string[]>) ?? {}) };
    for (const d of v.domain) {
      const [nb, dns] = d.split('=');
      if (nb === undefined || dns === undefined || nb === '')
        throw new Error(`--domain ${d}: use NETBIOS=dns.name[,other.suffix]`);
      map[nb] = dns.split(',').filter((x) => x !== '');
    }
    base.domains = map;
  }
  if (v.sources !== undefined) base.sources = v.sources.split(',');
  return checkedAnalysisConfig(base);
}
