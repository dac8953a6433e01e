// Cold vs warm `toSpans` (issue 16 item 6): the analysis of a folder, then three passes of toSpans over all attempts,
// each with its CPU split into the main thread and the other threads (V8's background compilation and GC helpers,
// read from /proc/self/task, Linux only; 10 ms ticks). A fresh process per run; alternate two builds (--root) for A/B.
// Usage: node bench/tospans-passes.mjs --dir FOLDER [--root CHECKOUT] [--passes 3]
import { readdirSync, readFileSync } from 'node:fs';
import { option, ROOT } from './lib/common.mjs';

const dir = option('--dir');
if (dir === undefined) throw new Error('--dir FOLDER is required');
const root = `${option('--root', ROOT).replace(/\/+$/, '')}/`;
const passes = Number(option('--passes', '3'));

const { analyzePaths } = await import(`${root}packages/adapters/files/dist/index.js`);
const { toSpans } = await import(`${root}packages/core/trace/dist/index.js`);
const { analysisConfigSchema } = await import(`${root}schemas/dist/index.js`);
const { attempts } = await analyzePaths([dir], analysisConfigSchema.parse({}), { jobs: 1 });

/** CPU ms of the main thread and of all threads, from /proc (utime + stime, fields 14 and 15 of stat). */
function threadCpu() {
  let main = 0;
  let all = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    all += ms;
    if (tid === String(process.pid)) main = ms;
  }
  return { main, all };
}

for (let pass = 0; pass < passes; pass++) {
  const before = threadCpu();
  const cpu0 = process.cpuUsage();
  let spans = 0;
  for (const a of attempts) for (const _ of toSpans(a.record, a.events)) spans++;
  const cpu = process.cpuUsage(cpu0);
  const after = threadCpu();
  console.log(
    `${root} pass ${pass}: ${spans} spans, CPU ${((cpu.user + cpu.system) / 1e3).toFixed(0)} ms (main thread ${after.main - before.main}, other threads ${after.all - after.main - (before.all - before.main)})`,
  );
}
