// The correlator's ticket sinks with PostgreSQL at fleet scale: a generated day's attempts (default 100,000 users,
// 130,598 attempts) fed to the sinks as the correlator feeds them, in batches (default 100), against the machine's
// PostgreSQL (DATABASE_URL / PG* / postgres://postgres@127.0.0.1:5432/test), in a schema of its own dropped at the end.
// Per step, over the last `--window` steps: wall time, and the write-ahead log PostgreSQL wrote (pg_current_wal_lsn,
// the bytes a replica or a backup copies); then the state row's size and the remembered attempt IDs. `--root` runs
// another built checkout (e.g. `git worktree add /tmp/base <commit>` + `npm ci` + `npx tsc -b`) for an A/B.
// Not part of `npm run bench` (it needs PostgreSQL and takes minutes).
// Usage: node bench/tickets.mjs [--users N] [--batch N] [--window N] [--root CHECKOUT]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { OUT, option, ROOT } from './lib/common.mjs';
import { ensureCorpus } from './lib/corpus.mjs';

const users = Number(option('--users', '100000'));
const batch = Number(option('--batch', '100'));
const asked = Number(option('--window', '200'));
const root = `${option('--root', ROOT).replace(/\/+$/, '')}/`;

const dir = await ensureCorpus({ users, seed: 1, days: 1, unrelatedRatio: 0 });
const analysis = `${OUT}tickets-attempts-${users}.json`;
if (!existsSync(analysis)) {
  const run = spawnSync(
    process.execPath,
    [`${ROOT}services/cli/bin/otptrace.js`, 'analyze', '--format', 'json', '--out', analysis, dir],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) throw new Error(`otptrace analyze exited ${run.status}`);
}
const records = JSON.parse(readFileSync(analysis, 'utf8')).attempts;

const { createTicketSinks } = await import(`${root}services/correlator/dist/ticket-sinks.js`);
const { ticketSinksConfigSchema } = await import(`${root}schemas/dist/index.js`);
const { createPool, settingsFromEnv } = await import(`${ROOT}packages/adapters/postgres/dist/index.js`);

const schema = `otptrace_bench_${process.pid}`;
const settings = { ...settingsFromEnv(process.env), schema };
const pool = createPool(settings);
const quiet = { info() {}, warn() {}, debug() {}, error() {} };
const sinks = createTicketSinks(ticketSinksConfigSchema.parse({ postgres: { enabled: true, schema } }), {
  logger: quiet,
  env: process.env,
});
const walLsn = async () => (await pool.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
const walBytes = async (from) =>
  Number((await pool.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS n', [from])).rows[0].n);

const steps = Math.ceil(records.length / batch);
const window = Math.min(asked, steps);
let last = null;
try {
  for (let s = 0; s < steps; s++) {
    if (s === steps - window) last = { at: performance.now(), lsn: await walLsn(), cpu: process.cpuUsage() };
    const attempts = records.slice(s * batch, (s + 1) * batch).map((record) => ({ record, events: [] }));
    await sinks.write(attempts);
  }
  const n = window;
  const wall = (performance.now() - last.at) / n;
  const cpu = process.cpuUsage(last.cpu);
  const wal = (await walBytes(last.lsn)) / n;
  const row = (
    await pool.query(
      `SELECT sum(pg_column_size(state)) AS b, sum(length(state::text)) AS t FROM ${schema}.ticket_engine_state`,
    )
  ).rows[0];
  const seen = await pool
    .query(`SELECT count(*) AS n FROM ${schema}.ticket_seen`)
    .then((r) => Number(r.rows[0].n))
    .catch(() => null);
  console.log(
    `${root}: ${records.length} attempts in ${steps} steps of ${batch}; last ${n} steps: ${wall.toFixed(1)} ms wall and ` +
      `${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms CPU (this process) per step, ${(wal / 1e6).toFixed(2)} MB ` +
      `of WAL per step; state rows ${(row.t / 1e6).toFixed(2)} MB of JSON (${(row.b / 1e6).toFixed(2)} MB stored), ` +
      `ticket_seen ${seen === null ? 'absent' : `${seen} rows`}`,
  );
} finally {
  await sinks.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
}
