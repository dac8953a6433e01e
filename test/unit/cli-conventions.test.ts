import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type AnalysisDocument,
  analysisDocumentSchema,
  analysisSummaryLineSchema,
  attemptRecordSchema,
} from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { ANALYZE } from '../../services/cli/src/commands/analyze.js';
import { DB_LOAD, DB_MIGRATE } from '../../services/cli/src/commands/db.js';
import { GENERATE } from '../../services/cli/src/commands/generate.js';
import { PIPELINE } from '../../services/cli/src/commands/pipeline.js';
import { STATS } from '../../services/cli/src/commands/stats.js';
import { CSV_COLUMNS, csvField } from '../../services/cli/src/outputs.js';

// The conventions of the otptrace command, checked on the BUILT command as a user runs it (npm test builds first).
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'services/cli/bin/otptrace.js');
const SEED = join(ROOT, 'examples/seed-story');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A database nobody listens on: a command that touched it would fail. */
const NO_DATABASE = { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none', PGCONNECT_TIMEOUT: '2' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function otptrace(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; nodeArgs?: readonly string[] } = {},
): Promise<Run> {
  if (!existsSync(join(ROOT, 'services/cli/dist/main.js'))) throw new Error('build first: npx tsc -b');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

/** `otptrace args` with `input` on its standard input. */
function piped(input: Buffer, args: readonly string[]): Promise<Run> {
  return new Promise<Run>((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

/** A refusal: exit code 2, nothing on standard output, exactly one line on standard error. */
function expectRefused(run: Run, pattern: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(run.code).toBe(2);
}

// Each run starts a node process: allow for a loaded machine.
const SLOW = { timeout: 180_000 };

/** Each command line is refused (in parallel: each run is a process). */
async function refusals(cases: readonly (readonly [readonly string[], RegExp])[]): Promise<void> {
  const runs = await Promise.all(cases.map(([args]) => otptrace(args, { env: NO_DATABASE })));
  for (const [i, run] of runs.entries()) expectRefused(run, cases[i]![1]);
}

describe('otptrace command conventions (built command)', SLOW, () => {
  it('-V and --version print the version from package.json, for the command and every subcommand', async () => {
    const runs = await Promise.all(
      [['--version'], ['-V'], ['analyze', '--version'], ['db', 'migrate', '-V']].map((args) =>
        otptrace(args, { env: NO_DATABASE }),
      ),
    );
    for (const run of runs) expect(run).toEqual({ code: 0, stdout: `otptrace ${VERSION}\n`, stderr: '' });
  });

  it('--version and --help load the command line alone; a command loads none of the others', async () => {
    // A module loader hook that appends the URL of every module the process loads to a file (synchronously: the hook
    // may run on a thread of its own, whose standard error is not flushed before the process exits).
    const hook = `data:text/javascript,import { appendFileSync } from 'node:fs';
      export async function load(url, context, next) {
        if (!url.startsWith('node:')) appendFileSync(process.env.OTPTRACE_MODULES_LOG, url + '\\n');
        return next(url, context);
      }`;
    const nodeArgs = [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
    ];
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-modules-'));
    let runs = 0;
    const loadedBy = async (args: string[]) => {
      const log = join(dir, `run-${++runs}.log`);
      const run = await otptrace(args, { nodeArgs, env: { OTPTRACE_MODULES_LOG: log } });
      expect(run.code).toBe(0);
      return readFileSync(log, 'utf8').split('\n').filter(Boolean);
    };
    for (const args of [['--version'], ['--help']]) {
      const modules = await loadedBy(args);
      expect(modules.some((url) => url.endsWith('/services/cli/dist/main.js'))).toBe(true);
      // No dependency (zod, pino, kafkajs, pg), no command, no analysis package.
      expect(modules.filter((url) => /\/node_modules\/|\/commands\/|\/packages\/core\/|\/schemas\//.test(url))).toEqual(
        [],
      );
    }
    const analyze = await loadedBy(['analyze', '--help']);
    expect(analyze.some((url) => url.endsWith('/services/cli/dist/commands/analyze.js'))).toBe(true);
    expect(
      analyze.filter((url) => /\/node_modules\/(pg|kafkajs|fast-xml-parser|pino)\/|\/generator\//.test(url)),
    ).toEqual([]);
    // An analysis without settings loads no zod (with its locales, a third of the start-up), not the HTML report, and
    // for Event XML not the .evtx decoder; one with settings checks them with the schema, and .evtx input loads it.
    const plain = await loadedBy(['analyze', '--format', 'json', SEED]);
    expect(plain.some((url) => url.endsWith('/packages/core/correlate/dist/engine.js'))).toBe(true);
    expect(
      plain.filter((url) =>
        /\/node_modules\/zod\/|\/report\/dist\/(page|dashboard-page)\.js|\/evtx\/dist\/binxml\//.test(url),
      ),
    ).toEqual([]);
    const evtx = await loadedBy(['analyze', '--format', 'json', join(ROOT, 'test/fixtures/evtx-samples')]);
    expect(evtx.some((url) => url.endsWith('/evtx/dist/binxml/decode.js'))).toBe(true);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ radiusTimeoutMs: 4_000 }));
    const configured = await loadedBy(['analyze', '--config', join(dir, 'settings.json'), '--format', 'json', SEED]);
    expect(configured.some((url) => url.includes('/node_modules/zod/'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('-h and --help print help on standard output with exit code 0, for every command', async () => {
    const cases = [
      ['-h'],
      ['--help'],
      ['help'],
      ['analyze', '-h'],
      ['stats', '--help'],
      ['generate', '-h'],
      ['help', 'db'],
    ];
    for (const run of await Promise.all(cases.map((args) => otptrace(args)))) {
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^otptrace/);
    }
  });

  it('db migrate --help and db load --help answer without touching the (unreachable) database', async () => {
    for (const sub of ['migrate', 'load']) {
      const run = await otptrace(['db', sub, '--help'], { env: NO_DATABASE });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`otptrace db ${sub}`);
      expect(run.stderr).toBe('');
    }
    // Without --help the same command does reach for the database, and says it could not.
    const migrate = await otptrace(['db', 'migrate'], { env: NO_DATABASE });
    expect(migrate.code).toBe(3);
    expect(migrate.stderr).toMatch(/^otptrace db migrate: /);
  });

  it('refuses unknown options and commands in one line, exit code 2', async () => {
    await refusals([
      [['analyze', '--bogus', SEED], /^otptrace analyze: unknown option --bogus/],
      [['--bogus'], /^otptrace: unknown option --bogus/],
      [['frobnicate'], /^otptrace: unknown command "frobnicate" \(run otptrace --help\)$/m],
      [['analyse', SEED], /^otptrace: unknown command "analyse"; did you mean "analyze"\?/],
      [['analyze', '--fromat', 'json', SEED], /^otptrace analyze: unknown option --fromat; did you mean --format\?/],
      [['stats', '--by'], /^otptrace stats: --by needs a value/],
      [['db', 'load', '--bogus', 'x.json'], /^otptrace db load: unknown option --bogus/],
      [['generate', '--users', '10'], /--out DIR is required/],
      [['pipeline', '--partitions', '0'], /^otptrace pipeline: --partitions 0: use a whole number from 1 to 1000/],
      [['pipeline', 'extra'], /^otptrace pipeline: unexpected argument extra/],
    ]);
  });

  it('refuses bad values before any input is read or any connection made', async () => {
    // Each would print the whole analysis first if the value were checked after the work.
    const bad: [readonly string[], RegExp][] = [
      [['--otlp-protocol', 'grpc', '--otlp'], /--otlp-protocol grpc: use http\/protobuf, http\/json/],
      [['--otlp-endpoint', 'ftp://x'], /--otlp-endpoint ftp:\/\/x: use an http/],
      [['--format', 'xml'], /--format xml/],
      [['--outcome', 'failed'], /--outcome failed: use success, failure/],
      [['--stage', 'nps'], /--stage nps/],
      [['--cause', 'no_such_cause'], /--cause no_such_cause/],
      [['--since', 'yesterday'], /--since yesterday: not an ISO 8601 time/],
      [['--jobs', '0'], /--jobs 0: use a whole number from 1 to 64/],
      [['--out', '/nonexistent/dir/report.json'], /--out \/nonexistent\/dir\/report.json: cannot write there/],
      [['--trace-url', 'http://zipkin/no-placeholder'], /--trace-url/],
    ];
    await refusals([
      ...bad.map(([args, message]): [readonly string[], RegExp] => [['analyze', ...args, SEED], message]),
      [['stats', '--limit', 'many', '--input', '/missing'], /--limit many/],
    ]);
  });

  it('warns on standard error when NPS log times had to be read as UTC (nothing configured or learned)', async () => {
    // Only a DA server's probe in the NPS log: no user's events to learn its offset from.
    const dir = join(ROOT, 'test/scenarios/gateway-rejected-request-text-logs');
    const [plain, quiet, configured] = await Promise.all([
      otptrace(['analyze', '--format', 'json', dir]),
      otptrace(['analyze', '--quiet', '--format', 'json', dir]),
      otptrace(['analyze', '--config', join(dir, 'config.json'), '--format', 'json', dir]),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^otptrace: warning: NPS log times of nps01 read as UTC: .*"npsLogUtcOffsets"/);
    expect(analysisDocumentSchema.parse(JSON.parse(plain.stdout)).summary.npsLogClocks).toEqual({
      nps01: { offset: '+00:00', basis: 'assumed_utc' },
    });
    expect(quiet.stderr).toBe('');
    expect(configured.stderr).toBe('');
  });

  it('exit code 2 with a clear message for input that cannot be read', async () => {
    await refusals([
      [['stats', '--input', '/missing'], /^otptrace stats: cannot read \/missing/],
      [['analyze', '/missing'], /^otptrace analyze: cannot read \/missing/],
      [['db', 'load', '/missing'], /^otptrace db load: cannot read \/missing/],
    ]);
  });

  it('exit code 3 when traces cannot be exported, after writing the analysis', async () => {
    const run = await otptrace(['analyze', '--format', 'json', '--otlp-endpoint', 'http://127.0.0.1:9', SEED], {
      env: { OTPTRACE_OTLP_MAX_ATTEMPTS: '1', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000' },
    });
    expect(run.code).toBe(3);
    expect(analysisDocumentSchema.parse(JSON.parse(run.stdout)).attempts.length).toBeGreaterThan(0);
  });

  it('a reader that stops early (| head) ends the command quietly: exit code 3, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-cli-'));
    expect((await otptrace(['generate', '--users', '300', '--seed', '2', '--out', dir])).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'analyze', '--format', 'json', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // The first bytes read, then the pipe closed, as `head -c 100` does; the output is megabytes, far past the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(3);
  });

  // /dev/full answers every write with ENOSPC, as a full disk behind `> report.json` does.
  it.runIf(existsSync('/dev/full'))(
    'standard output on a full disk: exit code 3 and one line saying so, no stack trace',
    async () => {
      for (const args of [
        ['analyze', '--format', 'json', SEED],
        ['analyze', SEED],
        ['analyze', '--help'],
      ]) {
        const full = openSync('/dev/full', 'w');
        try {
          const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', full, 'pipe'] });
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
          expect(code, args.join(' ')).toBe(3);
          expect(stderr).toBe('otptrace: cannot write standard output: ENOSPC: no space left on device, write\n');
        } finally {
          closeSync(full);
        }
      }
    },
  );

  it('- reads standard input: the seed story piped in gives the attempts of its folder; .evtx is refused there', async () => {
    const files = readdirSync(SEED).filter((f) => f.endsWith('.xml'));
    const input = Buffer.concat(files.map((f) => readFileSync(join(SEED, f))));
    const [fromStdin, fromFolder] = await Promise.all([
      piped(input, ['analyze', '--format', 'json', '-']),
      otptrace(['analyze', '--format', 'json', SEED]),
    ]);
    expect(fromStdin.code).toBe(0);
    const attempts = (run: Run) => analysisDocumentSchema.parse(JSON.parse(run.stdout)).attempts;
    expect(attempts(fromStdin)).toHaveLength(8);
    expect(attempts(fromStdin)).toEqual(attempts(fromFolder));
    const evtx = join(ROOT, 'test/fixtures/evtx-samples');
    const sample = readdirSync(evtx).find((f) => f.endsWith('.evtx'))!;
    expectRefused(await piped(readFileSync(join(evtx, sample)), ['analyze', '-']), /standard input: name the file/);
    expectRefused(await otptrace(['analyze', '-', '-']), /standard input \(-\) can be read only once/);
  });

  it('reads gzip-compressed logs and zip archives as the logs themselves, names the archives it does not open, refuses both on standard input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-cli-gz-'));
    const files = readdirSync(SEED).filter((f) => f.endsWith('.xml'));
    for (const f of files) writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(SEED, f))));
    writeFileSync(join(dir, 'older-logs.7z'), '');
    const [compressed, plain] = await Promise.all([
      otptrace(['analyze', '--format', 'json', dir]),
      otptrace(['analyze', '--format', 'json', SEED]),
    ]);
    expect(compressed.code).toBe(0);
    const document = (run: Run) => analysisDocumentSchema.parse(JSON.parse(run.stdout));
    expect(document(compressed).attempts).toHaveLength(8);
    expect(document(compressed).attempts).toEqual(document(plain).attempts);
    expect(document(compressed).summary).toEqual(document(plain).summary);
    expect(compressed.stderr).toMatch(/warning: not read: an archive in the folders \(.*older-logs\.7z\)/);
    const input = gzipSync(Buffer.concat(files.map((f) => readFileSync(join(SEED, f)))));
    expectRefused(await piped(input, ['analyze', '-']), /standard input is gzip-compressed: name the \.gz file/);
    const zipPath = join(ROOT, 'test/fixtures/zip/seed-story-infozip-zip64.zip');
    const zip = readFileSync(zipPath);
    expectRefused(await piped(zip, ['analyze', '-']), /standard input is a zip archive, which is read by name/);
    const [zipped, folder] = await Promise.all([
      otptrace(['analyze', '--format', 'json', zipPath]),
      otptrace(['analyze', '--format', 'json', SEED]),
    ]);
    expect(zipped.code).toBe(0);
    expect(zipped.stdout).toBe(folder.stdout);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the usual short options (-f, -o, -q, -j) do what their long forms do, grouped too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-cli-'));
    const [long, short, grouped, generated, stats] = await Promise.all([
      otptrace(['analyze', '--format', 'json', '--out', join(dir, 'long.json'), '--quiet', '--jobs', '1', SEED]),
      otptrace(['analyze', '-f', 'json', '-o', join(dir, 'short.json'), '-q', '-j', '1', SEED]),
      otptrace(['analyze', '-qf', 'csv', SEED]),
      otptrace(['generate', '--users', '3', '-o', join(dir, 'fleet')]),
      otptrace(['stats', '-f', 'json', '--input', join(SEED, '..', '..', 'test', 'fixtures', 'none.json')]),
    ]);
    expect([long.code, short.code, grouped.code, generated.code]).toEqual([0, 0, 0, 0]);
    expect(short.stderr).toBe('');
    expect(readFileSync(join(dir, 'short.json'), 'utf8')).toBe(readFileSync(join(dir, 'long.json'), 'utf8'));
    expect(grouped.stdout.split('\r\n')[0]).toBe(CSV_COLUMNS.map(([name]) => name).join(','));
    expect(existsSync(join(dir, 'fleet', 'expected.json'))).toBe(true);
    // -f is taken (the file named is what is refused).
    expectRefused(stats, /none\.json/);
    // The help of each command lists each short option beside its long one, and no other.
    for (const spec of [ANALYZE, GENERATE, STATS]) {
      const shorts = Object.entries(spec.options as Record<string, { short?: string }>)
        .filter(([, option]) => option.short !== undefined)
        .map(([name, option]) => `-${option.short}, --${name}`);
      const listed = [...spec.help.matchAll(/^ {2}(-[a-zA-Z], --[\w-]+)/gm)].map((m) => m[1]!);
      expect(listed.filter((l) => !/^-[hV],/.test(l)).sort(), spec.name).toEqual(shorts.sort());
    }
  });

  it('-- ends the options: a folder named like an option is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-cli-'));
    cpSync(SEED, join(dir, '--seed'), { recursive: true });
    const run = await otptrace(['analyze', '--format', 'json', '--', '--seed'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(analysisDocumentSchema.parse(JSON.parse(run.stdout)).attempts).toHaveLength(8);
  });
});

describe('otptrace analyze outputs (built command)', SLOW, () => {
  const json = async (...args: string[]) =>
    analysisDocumentSchema.parse(JSON.parse((await otptrace(['analyze', '--format', 'json', ...args, SEED])).stdout));

  it('json: the document validates, with its schemaVersion', async () => {
    const document = await json();
    expect(document.schemaVersion).toBe(1);
    expect(document.selection).toBeUndefined();
  });

  it('ndjson: one attempt record per line, then one summary line', async () => {
    const whole = await json();
    const run = await otptrace(['analyze', '--format', 'ndjson', SEED]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(whole.attempts.length + 1);
    const attempts = lines.slice(0, -1).map((l) => attemptRecordSchema.strict().parse(JSON.parse(l)));
    expect(attempts).toEqual(whole.attempts);
    const summary = analysisSummaryLineSchema.strict().parse(JSON.parse(lines.at(-1)!));
    expect(summary.summary).toEqual(whole.summary);
    expect(summary.rejectedCount).toBe(whole.rejected.length);
  });

  it('stats reads the ndjson output as it reads the json document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-cli-'));
    const [ndjson, json] = await Promise.all([
      otptrace(['analyze', '--format', 'ndjson', '--out', join(dir, 'a.ndjson'), SEED]),
      otptrace(['analyze', '--format', 'json', '--out', join(dir, 'a.json'), SEED]),
    ]);
    expect([ndjson.code, json.code]).toEqual([0, 0]);
    const [fromNdjson, fromJson] = await Promise.all(
      ['a.ndjson', 'a.json'].map((f) =>
        otptrace(['stats', '--by', 'cause', '--format', 'json', '--input', join(dir, f)]),
      ),
    );
    expect(fromNdjson!.code).toBe(0);
    expect(fromNdjson!.stdout).toBe(fromJson!.stdout);
    expect(JSON.parse(fromNdjson!.stdout).rows.length).toBeGreaterThan(1);
  });

  it('csv: a header, then one row per attempt with user, times, verdict, servers and trace ID', async () => {
    const whole = await json();
    const run = await otptrace(['analyze', '--format', 'csv', SEED]);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\r\n').slice(0, -1);
    expect(rows[0]).toBe(
      'user,start,end,outcome,stage,cause,da_server,nps_server,ca,client,client_address,trace_id,attempt_id',
    );
    expect(rows).toHaveLength(whole.attempts.length + 1);
    const failed = whole.attempts.find((a) => a.outcome === 'failure')!;
    expect(rows).toContain(
      [
        failed.user,
        failed.start,
        failed.end,
        'failure',
        failed.failedStage,
        failed.rootCause!.code,
        failed.hosts.gateway,
        failed.hosts.radius,
        failed.hosts.ca,
        failed.hosts.client,
        failed.clientAddress,
        failed.traceId,
        failed.id,
      ]
        .map((v) => v ?? '')
        .join(','),
    );
  });

  it('csv fields are quoted as RFC 4180 says', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    // A user name typed at the logon prompt must not become a spreadsheet formula.
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(CSV_COLUMNS.map(([name]) => name)).toContain('trace_id');
  });

  it('filters select attempts; the summary still covers the whole input', async () => {
    const whole = await json();
    const pick = (f: (a: AnalysisDocument['attempts'][number]) => boolean) => whole.attempts.filter(f);
    const cases: [string[], AnalysisDocument['attempts']][] = [
      [['--outcome', 'failure'], pick((a) => a.outcome === 'failure')],
      [['--outcome', 'success,probe'], pick((a) => a.outcome === 'success' || a.outcome === 'probe')],
      [['--user', 'BSIMON'], pick((a) => a.user === 'corp\\bsimon')],
      [['--stage', 'ca'], pick((a) => a.failedStage === 'ca')],
      [['--cause', 'ca_denied_key_length'], pick((a) => a.rootCause?.code === 'ca_denied_key_length')],
      [
        ['--since', '2013-10-21T09:14:00Z', '--until', '2013-10-21T09:20:00Z'],
        pick((a) => a.start >= '2013-10-21T09:14' && a.start < '2013-10-21T09:20'),
      ],
    ];
    const documents = await Promise.all(cases.map(([args]) => json(...args)));
    for (const [i, [, expected]] of cases.entries()) {
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(whole.attempts.length);
      const selected = documents[i]!;
      expect(selected.attempts).toEqual(expected);
      expect(selected.summary).toEqual(whole.summary);
      expect(selected.selection).toMatchObject({ shown: expected.length, of: whole.attempts.length });
    }
  });

  it('text hides the probes from the timeline unless --probes; the summary counts them either way', async () => {
    const hidden = await otptrace(['analyze', SEED]);
    const shown = await otptrace(['analyze', '--probes', SEED]);
    expect(hidden.stdout).not.toContain('PROBE');
    expect(hidden.stdout).toContain('probes not in the timeline: 6 (--probes shows them)');
    expect(shown.stdout.match(/ PROBE /g)).toHaveLength(6);
    const counts = (text: string) => text.split('\n').find((l) => l.startsWith('  attempts: '));
    expect(counts(hidden.stdout)).toContain('probe 6');
    expect(counts(hidden.stdout)).toBe(counts(shown.stdout));
  });

  it('progress: silent when standard error is not a terminal, a final line with --progress, nothing with --quiet', async () => {
    expect((await otptrace(['analyze', SEED])).stderr).toBe('');
    const progress = await otptrace(['analyze', '--progress', SEED]);
    expect(progress.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^otptrace: read \d+ kB \(87 events\) in \d+\.\d s, \S+ events\/s: 8 attempts$/,
    );
    const quiet = await otptrace(['analyze', '--quiet', '--otlp-file', join(tmpdir(), 'otptrace-quiet.json'), SEED]);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
  });
});

describe('help texts', () => {
  it('name every option their command accepts', () => {
    for (const spec of [ANALYZE, STATS, GENERATE, PIPELINE, DB_MIGRATE, DB_LOAD]) {
      for (const name of [...Object.keys(spec.options), 'help', 'version']) expect(spec.help).toContain(`--${name}`);
    }
  });
});
