// What one worker thread of `analyze` costs before it reads anything: from `new Worker` to its exit with no task, in
// wall milliseconds and CPU milliseconds of this process (both threads), median of `--runs` (default 9) workers
// started one after another. `--root DIR` measures another built checkout (e.g. `git worktree add /tmp/base <rev>`
// + `npm ci` + `npx tsc -b`), to compare. Not run by `npm run bench`: a figure for A/B comparisons of start-up work.
// Usage: node bench/worker-start.mjs [--runs N] [--root DIR]
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { option, ROOT } from './lib/common.mjs';

const root = `${(option('--root') ?? ROOT).replace(/\/+$/, '')}/`;
const runs = Number(option('--runs', '9'));
const { DEFAULT_ANALYSIS_CONFIG } = await import(pathToFileURL(`${root}schemas/dist/index.js`).href);
const script = pathToFileURL(`${root}packages/adapters/files/dist/ingest-worker.js`);

/** One worker with an empty task list: its start-up alone. */
function once() {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const workerData = {
    config: DEFAULT_ANALYSIS_CONFIG,
    referenceTime: Date.now(),
    tasks: [],
    counter: new Int32Array(new SharedArrayBuffer(4)),
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData });
    worker.on('error', reject);
    worker.on('exit', () => {
      const used = process.cpuUsage(cpu);
      resolve({ wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 });
    });
  });
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await once());
console.log(
  `${root}: worker start-up, median of ${runs}: ${median(samples.map((s) => s.wall)).toFixed(0)} ms wall, ` +
    `${median(samples.map((s) => s.cpu)).toFixed(0)} ms CPU`,
);
