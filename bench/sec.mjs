// Benchmark ⑤b: SEC, the classic Simple Event Correlator (Debian package `sec`), doing the NPS-grant → CA-denial
// pairing per user, beside `otptrace analyze` on the very same file: the generated events, one per line, in time
// order (a format analyze reads too). Both are measured in events per CPU-second (user + system time of the
// process, from /usr/bin/time). Two rule files: bench/sec/otp-pairing.sec (PairWithWindow, as specified) and
// bench/sec/otp-pairing-contexts.sec (contexts, SEC's fast idiom). Installs sec with apt-get when it is missing.
// Measured on the first 100,000 lines and on 1,000,000 lines (--quick: 20,000 and 50,000), so that otptrace's
// start-up (Node and its modules, measured apart on a one-line file) is amortised; PairWithWindow only on the shorter
// file (its cost per line grows with the users seen: hours on the longer one). Each CPU figure is the best of --runs
// (default 3; --quick 1). On the longer file analyze is also run with --jobs 1 (one thread, as SEC), apart.
// Usage: node bench/sec.mjs [--quick] [--runs N]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { OUT, QUICK, ROOT, report, row } from './lib/common.mjs';
import { CORPORA, ensureOneLineFile } from './lib/corpus.mjs';

function ensureSec() {
  if (existsSync('/usr/bin/sec')) return true;
  console.log('sec is missing: apt-get install -y sec');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', 'sec'], { stdio: 'inherit', env });
  return r.status === 0 && existsSync('/usr/bin/sec');
}

/** Run a command under /usr/bin/time; returns { cpu, wall, rssMb, status, stdout, stderr }. */
function timed(command, args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 << 20,
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? 'TIME 0 0 0 0';
  const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number);
  return { cpu: user + sys, wall, rssMb: rssKb / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The first `count` lines of a (possibly gigabyte-sized) file. */
function firstLines(path, count) {
  const fd = openSync(path, 'r');
  const parts = [];
  const chunk = Buffer.alloc(16 << 20);
  let seen = 0;
  for (let n = readSync(fd, chunk); n > 0 && seen < count; n = readSync(fd, chunk)) {
    let end = 0;
    while (seen < count) {
      const nl = chunk.indexOf(10, end);
      if (nl < 0 || nl >= n) {
        end = n;
        break;
      }
      end = nl + 1;
      seen++;
    }
    parts.push(Buffer.from(chunk.subarray(0, end)));
  }
  closeSync(fd);
  return Buffer.concat(parts);
}

if (!ensureSec()) {
  report([
    row('baseline', 'SEC pairing', null, 'events/CPU-s', null, 'sec not installed (apt-get install sec failed)'),
  ]);
  process.exit(0);
}

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : QUICK ? 1 : 3;
/** The run with the least CPU time of `RUNS` (the machine is shared: the least disturbed one). */
function bestOf(command, args, runs = RUNS) {
  let top = null;
  for (let i = 0; i < runs; i++) {
    const r = timed(command, args);
    if (top === null || r.cpu < top.cpu) top = r;
  }
  return top;
}

// A corpus with more than a million events (unrelated ones included), one per line in time order; both tools get
// the same prefix of it.
const SHORT = QUICK ? 20_000 : 100_000;
const LONG = QUICK ? 50_000 : 1_000_000;
const source = await ensureOneLineFile(QUICK ? CORPORA.quick.analyze : { ...CORPORA.full.analyze, size: '1300MB' });
const version = spawnSync('/usr/bin/sec', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
const inputOf = (lines) => {
  const path = `${OUT}sec-input-${lines}.log`;
  const bytes = firstLines(source, lines);
  let count = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) count++;
  if (count < lines) throw new Error(`${source} has fewer than ${lines} lines`);
  writeFileSync(path, bytes);
  return path;
};

function sec(rules, input, lines, runs = RUNS) {
  const args = [`--conf=${ROOT}bench/sec/${rules}`, `--input=${input}`, '--notail', '--intevents=0', '--log=/dev/null'];
  const r = bestOf('/usr/bin/sec', args, runs);
  const pairs = r.stdout.split('\n').filter((l) => l.includes('OTP failure at the CA')).length;
  console.log(`${version} ${rules}: ${lines} lines, ${r.cpu.toFixed(2)} CPU-s, ${pairs} pairings; exit ${r.status}`);
  return { rate: lines / r.cpu, pairs };
}

/** `otptrace analyze` of `input`, best of RUNS; `jobs` as the option says (default: chosen by analyze). */
function otptrace(input, jobs = null) {
  const r = bestOf(process.execPath, [
    `${ROOT}services/cli/bin/otptrace.js`,
    'analyze',
    ...(jobs === null ? [] : ['--jobs', String(jobs)]),
    '--format',
    'json',
    '--out',
    `${OUT}sec-analyze.json`,
    input,
  ]);
  if (r.status !== 0) {
    const why = r.stderr.split('\n').find((l) => l.startsWith('otptrace')) ?? `exit ${r.status}`;
    console.log(`otptrace analyze failed on ${input}: ${why.slice(0, 300)}`);
    return null;
  }
  return r;
}

const rows = [];
const failed = (metric, file) => row('baseline', metric, null, 'events/CPU-s', null, `FAILED on ${file}`);

// Start-up: Node, otptrace's modules and an analysis of one line, i.e. what every run pays before its input.
const startup = otptrace(inputOf(1));
const startCpu = startup?.cpu ?? 0;
if (startup !== null) console.log(`otptrace start-up (analyze of a one-line file): ${startCpu.toFixed(2)} CPU-s`);
rows.push(row('baseline', 'otptrace start-up (analyze of a one-line file)', startup?.cpu ?? null, 'CPU-s'));

for (const lines of [SHORT, LONG]) {
  const input = inputOf(lines);
  const label = `${lines.toLocaleString('en-US')} lines`;
  // PairWithWindow: one run (about a minute and a half of CPU); its figure has no target.
  const pairWithWindow = lines === SHORT ? sec('otp-pairing.sec', input, lines, 1) : null;
  const contexts = sec('otp-pairing-contexts.sec', input, lines);
  if (pairWithWindow !== null)
    rows.push(row('baseline', `SEC PairWithWindow, ${label}`, pairWithWindow.rate, 'events/CPU-s', null, version));
  rows.push(
    row('baseline', `SEC contexts, ${label}`, contexts.rate, 'events/CPU-s', null, `${contexts.pairs} pairings`),
  );
  const ours = otptrace(input);
  if (ours === null) {
    rows.push(failed(`otptrace analyze, ${label}`, input));
    continue;
  }
  const rate = lines / ours.cpu;
  const net = lines / Math.max(0.01, ours.cpu - startCpu);
  console.log(`otptrace analyze, ${label}: ${ours.cpu.toFixed(2)} CPU-s (${startCpu.toFixed(2)} of it start-up)`);
  rows.push(row('baseline', `otptrace analyze, ${label} (whole process)`, rate, 'events/CPU-s', null, 'full job'));
  rows.push(row('baseline', `otptrace analyze, ${label}, start-up excluded`, net, 'events/CPU-s'));
  if (pairWithWindow !== null)
    rows.push(row('baseline', `otptrace ÷ SEC PairWithWindow, ${label}`, rate / pairWithWindow.rate, '×'));
  rows.push(
    row(
      'baseline',
      `otptrace ÷ SEC contexts, ${label} (whole processes)`,
      rate / contexts.rate,
      '×',
      lines === LONG ? { op: '>=', value: 2 } : null,
    ),
  );
  rows.push(row('baseline', `otptrace ÷ SEC contexts, ${label}, our start-up excluded`, net / contexts.rate, '×'));
  // SEC runs on one core. On a big input analyze reads with every core, which costs CPU time of its own (a second
  // isolate, results sent across threads, cores sharing caches): the one-thread figure shows what that costs.
  const single = lines === LONG ? otptrace(input, 1) : null;
  if (single !== null) {
    console.log(`otptrace analyze --jobs 1, ${label}: ${single.cpu.toFixed(2)} CPU-s`);
    rows.push(
      row('baseline', `otptrace analyze --jobs 1, ${label} (whole process)`, lines / single.cpu, 'events/CPU-s'),
    );
    rows.push(row('baseline', `otptrace --jobs 1 ÷ SEC contexts, ${label}`, lines / single.cpu / contexts.rate, '×'));
  }
}
report(rows);
