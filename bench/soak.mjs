// Soak benchmark: runs test/integration/soak.test.ts (the generated fleet posted to a collector process at a steady
// rate over loopback while correlator processes are killed with kill -9 and restarted and the broker is restarted
// with deploy/kafka/kafka.sh stop/start), for longer and at the rate asked, and prints its figures: duration, events/s
// held, faults injected, attempts expected / emitted / duplicates, missing and invented attempts. Builds the
// services first (npx tsc -b services/collector services/correlator). The faults are the test's first run: five
// kills and broker restarts spread over the run, then a correlator frozen past its session timeout.
// Usage: node bench/soak.mjs [--seconds 600] [--rate 300] [--seed 11]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { option } from './lib/common.mjs';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name, fallback) => {
  const value = option(name);
  return value === undefined ? fallback : String(Number(value));
};
const resultFile = join(mkdtempSync(join(tmpdir(), 'otptrace-soak-')), 'result.json');
const env = {
  ...process.env,
  OTPTRACE_SOAK_SECONDS: arg('--seconds', '600'),
  OTPTRACE_SOAK_RATE: arg('--rate', '300'),
  OTPTRACE_SOAK_SEED: arg('--seed', '11'),
  OTPTRACE_SOAK_RESULT: resultFile,
};
// The services run from dist/: build them from the current sources first (the test refuses stale builds).
spawnSync('npx', ['tsc', '-b', 'services/collector', 'services/correlator'], { cwd: ROOT, stdio: 'inherit' });
// The file's first test only: the second (a grown topic) has a fixed, short load, and would write the result last.
const run = spawnSync('npx', ['vitest', 'run', 'test/integration/soak.test.ts', '-t', 'emits exactly the attempts'], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
let result;
try {
  result = JSON.parse(readFileSync(resultFile, 'utf8'));
} catch {
  console.error(`soak: no result (vitest exit ${run.status})`);
  process.exit(1);
}
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, Kafka single node (kafka.sh)`);
console.log(
  `load: ${result.eventsPosted} events in ${result.seconds.toFixed(0)} s, ${result.eventsPerSecondHeld.toFixed(0)} events/s ` +
    `held (target ${result.targetRate}), at most ${(result.maxBehindScheduleMs / 1000).toFixed(1)} s behind schedule, ` +
    `${result.refusals} refused posts retried`,
);
if (result.codeChangedDuringRun?.length > 0) {
  console.log(`VOID: sources or builds changed during the run (${result.codeChangedDuringRun.join(', ')}); run again`);
}
console.log(`faults: ${result.faults.length} injected; correlator exits on their own: ${result.correlatorCrashes}`);
for (const fault of result.faults) console.log(`  ${fault}`);
console.log(
  `attempts: expected ${result.attemptsExpected}, emitted ${result.attemptsEmitted} distinct in ${result.records} ` +
    `records (${result.duplicates} duplicates, same ids), missing ${result.missing}, invented ${result.invented}, ` +
    `${result.verdictDifferences.length} copies with another verdict; ` +
    `vitest ${run.status === 0 ? 'passed' : 'FAILED'}`,
);
const row = (metric, value, unit, note = '') => ({ group: 'soak', metric, value, unit, target: null, met: null, note });
const rows = [
  row(
    'soak: events/s held under faults',
    Math.round(result.eventsPerSecondHeld),
    'events/s',
    `${result.seconds.toFixed(0)} s`,
  ),
  row('soak: faults survived', result.faults.length, 'faults', 'kill -9 correlator, broker restart'),
  row('soak: attempts missing or invented', result.missing + result.invented, `of ${result.attemptsExpected}`),
  row('soak: duplicate attempt records', result.duplicates, 'records', 'same ids'),
];
console.log(`BENCH-RESULT ${JSON.stringify({ rows })}`);
process.exit(run.status ?? 1);
