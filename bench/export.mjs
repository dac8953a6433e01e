// Benchmark of issue 16 item 6, cheap export: `otptrace analyze --format json` on the 10,000-user fleet day (seed 7,
// as `npx otptrace generate --users 10000 --seed 7`), plain, with --otlp-file, and with --otlp-endpoint to a loopback
// OTLP/HTTP sink in this process (it reads and discards every request); each under /usr/bin/time: wall time and peak
// RSS. Targets: export adds at most 25 % to the wall time, peak RSS at most 300 MB. Runs alternate (plain, file,
// endpoint) `--runs` times (default 2, --quick 1) and the median is kept, since the machine is shared.
// Usage: node bench/export.mjs [--quick] [--dir FOLDER] [--runs N]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { OUT, QUICK, ROOT, report, row } from './lib/common.mjs';
import { ensureCorpus } from './lib/corpus.mjs';

const arg = (name) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const dir =
  arg('--dir') ?? (await ensureCorpus(QUICK ? { users: 2000, seed: 7, days: 1 } : { users: 10000, seed: 7, days: 1 }));
mkdirSync(OUT, { recursive: true });
const runs = Number(arg('--runs') ?? (QUICK ? 1 : 2));

// The loopback backend: answers every POST /v1/traces with 200 once the body is read, as a collector would.
let requests = 0;
let bytes = 0;
const sink = createServer((req, res) => {
  req.on('data', (c) => {
    bytes += c.length;
  });
  req.on('end', () => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${sink.address().port}`;

/** One analyze run under /usr/bin/time (async, so the sink in this process keeps answering). */
function analyze(extra) {
  return new Promise((resolve) => {
    const args = ['-f', 'TIME %e %U %S %M', process.execPath, `${ROOT}services/cli/bin/otptrace.js`, 'analyze'];
    args.push('--format', 'json', '--out', `${OUT}export-bench.json`, ...extra, dir);
    const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('close', (status) => {
      const line = stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? '';
      const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number);
      const exported = stderr.split('\n').find((l) => l.includes('spans of')) ?? '';
      resolve({ status, wall, cpu: user + sys, rssMb: rssKb / 1024, exported: exported.replace('otptrace: ', '') });
    });
  });
}

const modes = {
  plain: [],
  file: ['--otlp-file', `${OUT}export-bench.otlp.json`],
  endpoint: ['--otlp-endpoint', endpoint],
};
const results = { plain: [], file: [], endpoint: [] };
for (let i = 0; i < runs; i++) {
  for (const [mode, extra] of Object.entries(modes)) {
    const r = await analyze(extra);
    results[mode].push(r);
    console.log(
      `${mode}: exit ${r.status}, wall ${r.wall}s, CPU ${r.cpu.toFixed(2)}s, peak RSS ${r.rssMb.toFixed(0)} MB, load ${loadavg()[0].toFixed(1)} ${r.exported}`,
    );
  }
}
sink.close();
const median = (list, key) => {
  const sorted = list.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const plainWall = median(results.plain, 'wall');
const plainCpu = median(results.plain, 'cpu');
const rows = [row('export', 'analyze without export: wall', plainWall, 's', null, `CPU ${plainCpu.toFixed(1)} s`)];
for (const mode of ['file', 'endpoint']) {
  const wall = median(results[mode], 'wall');
  const cpu = median(results[mode], 'cpu');
  const failed = results[mode].some((r) => r.status !== 0);
  rows.push(
    row(
      'export',
      `--otlp-${mode}: added wall time`,
      (100 * (wall - plainWall)) / plainWall,
      '%',
      { op: '<=', value: 25 },
      `${wall} s; CPU +${((100 * (cpu - plainCpu)) / plainCpu).toFixed(0)} %${failed ? '; FAILED' : ''}`,
    ),
    row('export', `--otlp-${mode}: peak RSS`, Math.max(...results[mode].map((r) => r.rssMb)), 'MB', {
      op: '<=',
      value: 300,
    }),
  );
}
console.log(
  `loopback sink: ${requests} requests, ${(bytes / 1e6).toFixed(1)} MB; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
report(rows);
