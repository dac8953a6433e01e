// The export alone, cold, in process (issue 16 item 6): the analysis of a folder, then one export of its traces as
// `otptrace analyze` does it (spans built by a generator as the exporter takes them), timed with process.cpuUsage.
// A fresh process pays V8's warm-up as a real run does; run it alternately for two builds (--root) for an A/B.
// The OTLP/HTTP sink runs in a child process (so its CPU is not counted) and answers after --delay ms. Besides the
// process's CPU (all threads: GC helpers, background compilation), the main thread's own CPU (Linux, /proc, 10 ms
// ticks) and the event loop's idle time (waiting for answers) say where the wall time goes.
// Usage: node --expose-gc bench/export-cold.mjs --dir FOLDER [--root CHECKOUT] [--mode endpoint|file|endpoint-chunked]
//        [--delay MS]
// endpoint-chunked: one export() per 1,000 attempts, as `otptrace analyze` did for HTTP before session 4.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { OUT, option, ROOT } from './lib/common.mjs';

const dir = option('--dir');
if (dir === undefined) throw new Error('--dir FOLDER is required');
const root = `${option('--root', ROOT).replace(/\/+$/, '')}/`;
const mode = option('--mode', 'endpoint');
const delay = Number(option('--delay', '0'));

const SINK = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () =>
  setTimeout(() => r.end(), ${delay})); }); s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
const sink = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
const [portLine] = await once(sink.stdout, 'data');
const endpoint = `http://127.0.0.1:${String(portLine).trim()}`;

const { analyzePaths } = await import(`${root}packages/adapters/files/dist/index.js`);
const { createTraceExporter } = await import(`${root}packages/adapters/otlp/dist/index.js`);
const { toSpans } = await import(`${root}packages/core/trace/dist/index.js`);
const { analysisConfigSchema } = await import(`${root}schemas/dist/index.js`);
const { attempts } = await analyzePaths([dir], analysisConfigSchema.parse({}), { jobs: 'auto' });

const oldSpace = () =>
  v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space')
    .reduce((sum, s) => sum + s.space_used_size, 0);
globalThis.gc?.();
const exporter = createTraceExporter(mode === 'file' ? { file: `${OUT}export-cold.otlp.json` } : { endpoint });
const perCall = mode === 'endpoint' ? attempts.length : 1000;
function* spansOf(from, to) {
  for (let i = from; i < to; i++) yield* toSpans(attempts[i].record, attempts[i].events);
}
const old0 = oldSpace();
const idle0 = performance.eventLoopUtilization();
const main0 = mainThreadCpuMs();
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let i = 0; i < attempts.length; i += perCall)
  await exporter.export(spansOf(i, Math.min(i + perCall, attempts.length)));
const report = await exporter.shutdown();
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
const idle = performance.eventLoopUtilization(idle0).idle;
const mainCpu = mainThreadCpuMs() - main0;
console.log(
  `${root} ${mode}${delay ? ` (sink +${delay} ms)` : ''}: export CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, wall ${(wall / 1e3).toFixed(2)} s, ${report.spansExported} of ${report.spansSubmitted} spans, main thread CPU ${(mainCpu / 1e3).toFixed(2)} s, event loop idle ${(idle / 1e3).toFixed(2)} s, old space +${((oldSpace() - old0) / 2 ** 20).toFixed(0)} MB`,
);
sink.kill();

/** CPU ms of the main thread alone (utime + stime, fields 14 and 15 of /proc/self/task/PID/stat; Linux). */
function mainThreadCpuMs() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
