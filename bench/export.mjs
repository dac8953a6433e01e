// Benchmark of issue 16 item 6, cheap export: `otptrace analyze --format json` on the 10,000-user fleet day (seed 7,
// as `npx otptrace generate --users 10000 --seed 7`), plain, with --otlp-file, and with --otlp-endpoint to a loopback
// OTLP/HTTP sink in this process (it answers each request once read); each under /usr/bin/time: wall time and peak
// RSS. Targets: export adds at most 25 % to the wall time, peak RSS at most 300 MB. Runs alternate (plain, file,
// endpoint) `--runs` times (default 2, --quick 1) and the median is kept, since the machine is shared. `--old ROOT`
// (another built checkout, e.g. `git worktree add /tmp/base <commit>` + `npm ci`) runs each mode with both builds,
// alternated, for an A/B on a loaded machine. After each run the sink decodes the requests it kept down to their spans:
// the span count and a digest of the (resource, scope, span) bytes, whatever the request boundaries, are printed.
// Usage: node bench/export.mjs [--quick] [--dir FOLDER] [--runs N] [--old ROOT]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { OUT, option, QUICK, ROOT, report, row } from './lib/common.mjs';
import { ensureCorpus } from './lib/corpus.mjs';

const dir =
  option('--dir') ??
  (await ensureCorpus(QUICK ? { users: 2000, seed: 7, days: 1 } : { users: 10000, seed: 7, days: 1 }));
mkdirSync(OUT, { recursive: true });
const runs = Number(option('--runs') ?? (QUICK ? 1 : 2));
const oldRoot = option('--old');
/** The builds compared: this checkout alone, or this one ('new') and --old's, alternated. */
const trees =
  oldRoot === undefined
    ? [['', ROOT]]
    : [
        ['new ', ROOT],
        ['old ', `${oldRoot.replace(/\/+$/, '')}/`],
      ];

/** Calls `visit(field, start, end)` for each length-delimited field of the protobuf message in buf[start, end). */
function fields(buf, start, end, visit) {
  let at = start;
  const varint = () => {
    let value = 0;
    let scale = 1;
    let b;
    do {
      b = buf[at++];
      value += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return value;
  };
  while (at < end) {
    const key = varint();
    const wire = key % 8;
    if (wire === 2) {
      const length = varint();
      visit(Math.floor(key / 8), at, at + length);
      at += length;
    } else if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`protobuf wire type ${wire}`);
  }
}

// The loopback backend: answers every POST /v1/traces with 200 once the body is read, as a collector would, and
// keeps a digest of each span with its resource and scope (ExportTraceServiceRequest 1 → ResourceSpans 1 resource,
// 2 → ScopeSpans 1 scope, 2 span). The digests are computed after the run, from the bodies kept: computed as each
// request came (about 0.5 CPU-s of md5 and decoding for the 10,000-user day), they ran on the same two cores as the
// export they were checking (paired runs, load 2-3: 0 to 1.9 s more wall time for the endpoint run, most often 0.5 s).
let requests = 0;
let bytes = 0;
let bodies = [];
const sink = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => {
    bytes += c.length;
    chunks.push(c);
  });
  req.on('end', () => {
    requests += 1;
    bodies.push(Buffer.concat(chunks));
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

/** The digest of each span received since the last call, whatever the request boundaries. */
function spanDigestsOf(received) {
  const digests = [];
  for (const body of received) {
    fields(body, 0, body.length, (field, start, end) => {
      if (field !== 1) return;
      let resource = body.subarray(0, 0);
      fields(body, start, end, (f2, s2, e2) => {
        if (f2 === 1) resource = body.subarray(s2, e2);
        if (f2 !== 2) return;
        let scope = body.subarray(0, 0);
        fields(body, s2, e2, (f3, s3, e3) => {
          if (f3 === 1) scope = body.subarray(s3, e3);
          else if (f3 === 2)
            digests.push(createHash('md5').update(resource).update(scope).update(body.subarray(s3, e3)).digest('hex'));
        });
      });
    });
  }
  return digests;
}
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${sink.address().port}`;

/** One analyze run of the build at `root` under /usr/bin/time (async, so the sink in this process keeps answering). */
function analyze(root, extra) {
  return new Promise((resolve) => {
    const args = ['-f', 'TIME %e %U %S %M', process.execPath, `${root}services/cli/bin/otptrace.js`, 'analyze'];
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
const results = Object.fromEntries(trees.map(([tag]) => [tag, { plain: [], file: [], endpoint: [] }]));
for (let i = 0; i < runs; i++) {
  for (const [mode, extra] of Object.entries(modes)) {
    for (const [tag, root] of i % 2 === 0 ? trees : [...trees].reverse()) {
      bodies = [];
      const r = await analyze(root, extra);
      results[tag][mode].push(r);
      const spanDigests = spanDigestsOf(bodies);
      bodies = [];
      const sunk =
        mode === 'endpoint'
          ? `; sink ${spanDigests.length} spans, digest ${createHash('md5').update(spanDigests.sort().join()).digest('hex').slice(0, 12)}`
          : '';
      console.log(
        `${tag}${mode}: exit ${r.status}, wall ${r.wall}s, CPU ${r.cpu.toFixed(2)}s, peak RSS ${r.rssMb.toFixed(0)} MB, load ${loadavg()[0].toFixed(1)} ${r.exported}${sunk}`,
      );
    }
  }
}
sink.close();
const median = (list, key) => {
  const sorted = list.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const rows = [];
for (const [tag] of trees) {
  const plainWall = median(results[tag].plain, 'wall');
  const plainCpu = median(results[tag].plain, 'cpu');
  rows.push(
    row('export', `${tag}analyze without export: wall`, plainWall, 's', null, `CPU ${plainCpu.toFixed(1)} s`),
    row('export', `${tag}analyze without export: peak RSS`, Math.max(...results[tag].plain.map((r) => r.rssMb)), 'MB', {
      op: '<=',
      value: 300,
    }),
  );
  for (const mode of ['file', 'endpoint']) {
    const wall = median(results[tag][mode], 'wall');
    const cpu = median(results[tag][mode], 'cpu');
    const failed = results[tag][mode].some((r) => r.status !== 0);
    rows.push(
      row(
        'export',
        `${tag}--otlp-${mode}: added wall time`,
        (100 * (wall - plainWall)) / plainWall,
        '%',
        { op: '<=', value: 25 },
        `${wall} s; CPU +${((100 * (cpu - plainCpu)) / plainCpu).toFixed(0)} %${failed ? '; FAILED' : ''}`,
      ),
      row('export', `${tag}--otlp-${mode}: peak RSS`, Math.max(...results[tag][mode].map((r) => r.rssMb)), 'MB', {
        op: '<=',
        value: 300,
      }),
    );
  }
}
console.log(
  `loopback sink: ${requests} requests, ${(bytes / 1e6).toFixed(1)} MB; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
report(rows);
