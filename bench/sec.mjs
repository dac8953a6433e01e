// Benchmark ⑤b: SEC, the classic Simple Event Correlator (Debian package `sec`), doing the NPS-grant → CA-denial
// pairing per user, beside `otptrace analyze` on the very same file: the generated events, one per line, in time
// order (a format analyze reads too). Both are measured in events per CPU-second (user + system time of the
// process, from /usr/bin/time). Two rule files: bench/sec/otp-pairing.sec (PairWithWindow, as specified) and
// bench/sec/otp-pairing-contexts.sec (contexts, SEC's fast idiom). Installs sec with apt-get when it is missing.
// Usage: node bench/sec.mjs [--quick]
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
// SEC's cost per line grows with its open pairing operations, so both tools get the same prefix of the stream.
const lines = QUICK ? 20_000 : 100_000;
const input = `${OUT}sec-input-${lines}.log`;
writeFileSync(input, firstLines(await ensureOneLineFile((QUICK ? CORPORA.quick : CORPORA.full).analyze), lines));
const version = spawnSync('/usr/bin/sec', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];

const rows = [];
const secRates = {};
for (const rules of ['otp-pairing.sec', 'otp-pairing-contexts.sec']) {
  const args = [`--conf=${ROOT}bench/sec/${rules}`, `--input=${input}`, '--notail', '--intevents=0', '--log=/dev/null'];
  const r = timed('/usr/bin/sec', args);
  const pairs = r.stdout.split('\n').filter((l) => l.includes('OTP failure at the CA')).length;
  secRates[rules] = lines / r.cpu;
  console.log(`${version} ${rules}: ${lines} events, ${r.cpu.toFixed(2)} CPU-s, ${pairs} pairings; exit ${r.status}`);
  rows.push(
    row('baseline', `SEC ${rules}`, lines / r.cpu, 'events/CPU-s', null, `${version}; ${pairs} pairings found`),
  );
}

const ours = timed(process.execPath, [
  `${ROOT}services/cli/bin/otptrace.js`,
  'analyze',
  '--format',
  'json',
  '--out',
  `${OUT}sec-analyze.json`,
  input,
]);
if (ours.status === 0) {
  const rate = lines / ours.cpu;
  console.log(`otptrace analyze on the same file: ${ours.cpu.toFixed(2)} CPU-s (process start included)`);
  rows.push(row('baseline', 'otptrace analyze, same file (whole job)', rate, 'events/CPU-s'));
  rows.push(
    row('baseline', 'otptrace ÷ SEC PairWithWindow', rate / secRates['otp-pairing.sec'], '×', { op: '>=', value: 2 }),
  );
  rows.push(
    row('baseline', 'otptrace ÷ SEC contexts', rate / secRates['otp-pairing-contexts.sec'], '×', {
      op: '>=',
      value: 2,
    }),
  );
} else {
  const why = ours.stderr.split('\n').find((l) => l.startsWith('otptrace')) ?? `exit ${ours.status}`;
  console.log(`otptrace analyze failed on the SEC input: ${why.slice(0, 300)}`);
  rows.push(
    row(
      'baseline',
      'otptrace analyze, same file (whole job)',
      null,
      'events/CPU-s',
      null,
      `FAILED: ${why.slice(0, 100)}`,
    ),
  );
}
report(rows);
