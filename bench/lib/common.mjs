// Shared helpers of the benchmarks: where things are, CPU time, how a benchmark hands its figures to run.mjs.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root and the benchmarks' scratch folder (git-ignored). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUT = `${ROOT}bench/out/`;
export const QUICK = process.argv.includes('--quick');

/** The value after `name` on the command line (`--runs 3`), or `fallback` when the option is absent. */
export function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

/**
 * A benchmark run as `node bench/NAME.mjs` answers `--help` with its opening comment and refuses an option that comment
 * does not name (exit 2), rather than running for minutes with a typo ignored. The comment is each script's usage: the
 * options it names are the ones it takes (`--quick` always: run.mjs passes it to every benchmark). Scripts of
 * bench/lib and those run another way are left alone.
 */
function checkCommandLine() {
  const script = process.argv[1];
  if (script === undefined || !script.endsWith('.mjs') || dirname(script) !== `${ROOT}bench`) return;
  const comment = [];
  for (const line of readFileSync(script, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    comment.push(line.replace(/^\/\/ ?/, ''));
  }
  const named = new Set(['--quick', '--help']);
  for (const [name] of comment.join('\n').matchAll(/--[a-z][a-z0-9-]*/g)) named.add(name);
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(comment.join('\n'));
    process.exit(0);
  }
  const unknown = process.argv.slice(2).filter((a) => a.startsWith('--') && !named.has(a.split('=')[0]));
  if (unknown.length > 0) {
    console.error(`${script.split('/').pop()}: unknown option ${unknown.join(', ')} (--help lists what it takes)`);
    process.exit(2);
  }
}
checkCommandLine();

/** User + system CPU seconds of this process so far. */
export function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Run `fn` and return its result with the CPU and wall seconds it took. */
export function measure(fn) {
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  const result = fn();
  return { result, cpu: cpuSeconds() - cpu0, wall: (performance.now() - wall0) / 1000 };
}

/** The best (lowest CPU) of `runs` measurements, after one warm-up run. */
export function best(runs, fn) {
  fn();
  let top = null;
  for (let i = 0; i < runs; i++) {
    const m = measure(fn);
    if (top === null || m.cpu < top.cpu) top = m;
  }
  return top;
}

/**
 * A figure for the table. `target` is { op: '>=' | '<=', value } or null; `met` is derived from it.
 * Every benchmark prints `BENCH-RESULT {"rows": [...]}` as its last line; run.mjs collects those.
 */
export function row(group, metric, value, unit, target = null, note = '') {
  const met =
    target === null || value === null ? null : target.op === '>=' ? value >= target.value : value <= target.value;
  return { group, metric, value, unit, target, met, note };
}

/** Print the rows for run.mjs. */
export function report(rows) {
  console.log(`BENCH-RESULT ${JSON.stringify({ rows })}`);
}

/** Machine description for the table and the README. */
export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
}

/** Import a built package (`npx tsc -b` first). */
export async function built(name) {
  return import(`${ROOT}${name}/dist/index.js`);
}
