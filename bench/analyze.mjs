// Benchmark ③: `otptrace analyze --format json` on a generated folder (1 GB; --quick: 100 MB), as a user runs it
// (all cores by default), then with --jobs 1: wall times and their ratio, peak RSS (/usr/bin/time's maximum resident
// set size of the process), CPU time, and whether both outputs are the same bytes; then the output is checked
// against the generator's expected.json (bench/verify.mjs). Usage: node bench/analyze.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { analyzeInProcess } from './lib/analyze-inprocess.mjs';
import { OUT, QUICK, ROOT, report, row } from './lib/common.mjs';
import { CORPORA, ensureCorpus } from './lib/corpus.mjs';
import { formatVerification, verify } from './verify.mjs';

const dir = await ensureCorpus((QUICK ? CORPORA.quick : CORPORA.full).analyze);
const inputBytes = ['client.xml', 'iis.xml', 'nps.xml', 'ca.xml'].reduce((n, f) => n + statSync(`${dir}/${f}`).size, 0);
const outFile = `${OUT}analyze-${QUICK ? 'quick' : 'full'}.json`;
const oneThreadFile = `${OUT}analyze-${QUICK ? 'quick' : 'full'}-jobs1.json`;

/** `otptrace analyze --format json` under /usr/bin/time, with `extra` options: wall, CPU, peak RSS, stderr. */
function timedAnalyze(out, extra) {
  rmSync(out, { force: true });
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'TIME %e %U %S %M',
      process.execPath,
      `${ROOT}services/cli/bin/otptrace.js`,
      'analyze',
      ...extra,
      '--format',
      'json',
      '--out',
      out,
      dir,
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const timeLine = run.stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? '';
  const [wall, user, sys, maxRssKb] = timeLine.split(' ').slice(1).map(Number);
  return { run, wall, cpu: user + sys, maxRssKb, failed: run.status !== 0 || !existsSync(out) };
}

// Default (all cores when the input is large enough), then one thread: the speed-up, and the same bytes out.
const all = timedAnalyze(outFile, []);
const one = timedAnalyze(oneThreadFile, ['--jobs', '1']);
const { run, wall, maxRssKb, failed } = all;
const cpu = all.cpu;
const threadsLine = run.stderr.split('\n').find((l) => l.includes('threads')) ?? '(one thread)';
const errorText = failed
  ? run.stderr
      .split('\n')
      .filter((l) => l && !l.startsWith('TIME') && !l.includes('read '))
      .join(' ')
      .slice(0, 300)
  : '';
console.log(
  `analyze ${(inputBytes / 1e6).toFixed(0)} MB: exit ${run.status}, wall ${wall}s, CPU ${cpu.toFixed(2)}s, peak RSS ${(maxRssKb / 1024).toFixed(0)} MB; ${threadsLine}`,
);
console.log(`--jobs 1: wall ${one.wall}s, CPU ${one.cpu.toFixed(2)}s, peak RSS ${(one.maxRssKb / 1024).toFixed(0)} MB`);
if (failed) console.log(`analyze failed: ${errorText}`);
const identical =
  !failed && !one.failed && Buffer.compare(readFileSync(outFile), readFileSync(oneThreadFile)) === 0 ? 1 : 0;

const rows = [
  row(
    'analyze',
    `analyze ${(inputBytes / 2 ** 30).toFixed(2)} GiB folder: wall time`,
    wall,
    's',
    null,
    failed ? `FAILED: ${errorText.slice(0, 120)}` : '',
  ),
  row('analyze', 'analyze: peak RSS', maxRssKb / 1024, 'MB', { op: '<=', value: 400 }, threadsLine.trim()),
  row('analyze', 'analyze: input MB per wall second', inputBytes / 1e6 / wall, 'MB/s'),
  row('analyze', 'analyze --jobs 1: wall time', one.wall, 's', null, `peak RSS ${(one.maxRssKb / 1024).toFixed(0)} MB`),
  row('analyze', 'all cores ÷ one thread, wall-time speed-up', one.wall / wall, '×', { op: '>=', value: 1.7 }),
  row('analyze', 'output byte-identical to --jobs 1 (1 = yes)', identical, '', { op: '>=', value: 1 }),
];
function verification(attempts, how) {
  const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'));
  const v = verify(expected, attempts);
  writeFileSync(`${OUT}verify-${QUICK ? 'quick' : 'full'}.txt`, `${how}\n${formatVerification(v, 1e9)}\n`);
  console.log(`${how}\n${formatVerification(v, 20)}`);
  const note = `${v.agree}/${v.total}; ${v.missed.length} missed, ${v.extra.length} extra; ${how}`;
  const rows = [row('verify', 'analyze verdicts = expected.json', (100 * v.agree) / v.total, '%', null, note)];
  const joins = v.gatewayJoins;
  // A corpus generated before expected.json named each attempt's request address has none to compare.
  if (joins.expected > 0)
    rows.push(
      row(
        'verify',
        "IIS requests joined to their own attempt (the request's c-ip is the expected one)",
        (100 * joins.own) / joins.expected,
        '%',
        null,
        `${joins.own}/${joins.expected}; ${joins.another} to another user's attempt, ${joins.none} to none`,
      ),
    );
  return rows;
}

if (!failed) {
  const analysis = JSON.parse(readFileSync(outFile, 'utf8'));
  const events = analysis.summary.eventsRead;
  rows.push(
    row(
      'analyze',
      'analyze: whole job, events per CPU-second',
      events / cpu,
      'events/CPU-s',
      null,
      `${events} events, ${cpu.toFixed(1)} CPU-s`,
    ),
  );
  rows.push(...verification(analysis.attempts, 'from otptrace analyze --format json'));
} else {
  // analyze stopped on its own accounting check: verify the verdicts from the same pipeline steps run in-process.
  const r = await analyzeInProcess(dir);
  console.log(
    `in-process: ${r.normalised} normalised events, ${r.closedEvents} in attempts, ${r.drops} dropped; counted twice: ${r.twice.length}`,
  );
  for (const line of r.twice.slice(0, 10)) console.log(`  twice: ${line}`);
  rows.push(...verification(r.attempts, 'from the pipeline steps in-process (analyze failed)'));
}
report(rows);
