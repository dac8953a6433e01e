// `npm run bench`: builds, runs every benchmark in its own process (one after another: the machine has two cores
// and other work), and prints one table of figures with the targets of issue 6. `--quick` for a short run.
// Each benchmark prints `BENCH-RESULT {"rows": [...]}` last; others' scripts (evtx, tracing, kafka-e2e) are run too
// and their rows (or, without that line, their output) shown.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { machine, OUT, QUICK, ROOT } from './lib/common.mjs';

const BENCHMARKS = [
  { script: 'ingest.mjs', node: [] },
  { script: 'correlate.mjs', node: ['--expose-gc'] },
  { script: 'analyze.mjs', node: [] },
  { script: 'sec.mjs', node: [] },
  // The stream (issue 12): 1, 2 and 3 correlators on 4 and 12 partitions (the quick run: 2 on 4 only).
  ...(QUICK
    ? [[4, 2]]
    : [
        [4, 1],
        [4, 2],
        [4, 3],
        [12, 1],
        [12, 2],
        [12, 3],
      ]
  ).map(([partitions, correlators]) => ({
    script: 'kafka-e2e.mjs',
    node: [],
    optional: true,
    timeoutMs: 15 * 60_000,
    // 30,000 users (~200,000 events): long enough for the processes' warm-up (JIT, group join) to wash out.
    args: [
      '--partitions',
      String(partitions),
      '--correlators',
      String(correlators),
      ...(QUICK ? ['--quick'] : ['--users', '30000']),
    ],
  })),
  // An idle consumer and producer: what kafkajs's idle polling costs, and what the adapter's fix leaves.
  { script: 'kafka-idle.mjs', node: [], optional: true },
  { script: 'evtx.mjs', node: [], optional: true, args: [] },
  { script: 'archive.mjs', node: [], optional: true },
  { script: 'files.mjs', node: [], optional: true, timeoutMs: 30 * 60_000 },
  { script: 'export.mjs', node: [], optional: true },
  { script: 'tracing.mjs', node: [], optional: true, args: [] },
];

function build() {
  const r = spawnSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npx tsc -b failed: the benchmarks need the built packages');
}

function runOne(b) {
  const path = `${ROOT}bench/${b.script}`;
  if (!existsSync(path))
    return { rows: [], text: b.optional ? `${b.script}: not present, skipped` : `${b.script} missing` };
  const args = [...b.node, path, ...(b.args ?? (QUICK ? ['--quick'] : []))];
  console.error(`\n▶ node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: b.timeoutMs ?? 30 * 60_000,
    maxBuffer: 64 << 20,
  });
  process.stderr.write(
    r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('BENCH-RESULT'))
      .join('\n'),
  );
  process.stderr.write(r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH-RESULT '));
  if (line !== undefined) return { rows: JSON.parse(line.slice(13)).rows, text: '' };
  const tail = r.stdout.trim().split('\n').slice(-6).join('\n');
  return { rows: [], text: `${b.script} (exit ${r.status ?? r.signal}):\n${tail}` };
}

const fmt = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

function table(rows) {
  const head = ['stage', 'figure', 'value', 'unit', 'target', 'met'];
  const body = rows.map((r) => [
    r.group,
    r.metric + (r.note ? ` (${r.note})` : ''),
    fmt(r.value),
    r.unit,
    r.target === null ? '' : `${r.target.op} ${fmt(r.target.value)}`,
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.min(i === 1 ? 110 : 40, Math.max(h.length, ...body.map((b) => b[i].length))));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

mkdirSync(OUT, { recursive: true });
build();
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const started = new Date().toISOString();
const rows = [];
const notes = [];
for (const b of BENCHMARKS) {
  const { rows: r, text } = runOne(b);
  rows.push(...r);
  if (text) notes.push(text);
}
const header = `otptrace benchmarks ${QUICK ? '(--quick) ' : ''}${started.slice(0, 16)}Z, commit ${commit}, ${machine()}`;
console.log(`\n${header}\n\n${table(rows)}\n`);
for (const n of notes) console.log(n);
writeFileSync(
  `${OUT}results-${QUICK ? 'quick' : 'full'}.json`,
  `${JSON.stringify({ header, started, commit, machine: machine(), rows, notes }, null, 2)}\n`,
);
