import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCauseEntry } from '@otptrace/model';
import { createPool, type Pool, settingsFromEnv } from '@otptrace/postgres';
import type { FailureRateSeries, ServerHealthView, StatsReport } from '@otptrace/schemas';
import { createPostgresStatsStore, createStatsApi } from '@otptrace/stats-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../packages/core/stats/test/attempts.js';
import { runDbLoad, runDbMigrate } from '../../services/cli/src/commands/db.js';
import { runStats } from '../../services/cli/src/commands/stats.js';

// `otptrace stats` offline and over the real PostgreSQL, `otptrace db migrate/load`, and the stats API over the
// same database; in a schema of its own, dropped at the end.
const schema = `otptrace_it_stats_${process.pid}_${Date.now().toString(36)}`;
const T0 = Date.parse('2025-03-04T09:00:00Z');
const attempts = [
  ...Array.from({ length: 12 }, (_, i) => {
    const a = buildAttempt({
      n: i + 1,
      at: T0 + i * 10_000,
      outcome: 'failure',
      stage: 'radius',
      cause: 'radius_no_response',
      radius: 'nps02.corp.example',
    });
    // Three whose IIS requests were not read: the DA server may have refused them itself.
    return i < 3 ? { ...a, rootCause: { ...a.rootCause!, alsoPossible: ['gateway_rejected_request'] } } : a;
  }),
  ...Array.from({ length: 8 }, (_, i) =>
    buildAttempt({ n: 50 + i, at: T0 + 3_600_000 + i * 10_000, outcome: 'success', radius: 'nps02.corp.example' }),
  ),
  buildAttempt({ n: 90, at: T0, outcome: 'probe', cause: 'radius_account' }),
];
let dir: string;
let file: string;
let pool: Pool;

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (s: string) => {
      out.stdout += s;
    },
    stderr: (s: string) => {
      out.stderr += s;
    },
  };
  return { out, io };
}

beforeAll(async () => {
  process.env.OTPTRACE_PG_SCHEMA = schema;
  dir = await mkdtemp(join(tmpdir(), 'otptrace-stats-'));
  file = join(dir, 'analysis.json');
  await writeFile(file, JSON.stringify({ attempts, summary: {}, rejected: [] }));
  pool = createPool({ ...settingsFromEnv(process.env), schema });
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await rm(dir, { recursive: true, force: true });
  delete process.env.OTPTRACE_PG_SCHEMA;
});

describe('otptrace stats', () => {
  it('prints statistics of an analysis file without a database', async () => {
    const { out, io } = capture();
    expect(await runStats(['--input', file, '--by', 'radius', '--tickets'], io)).toBe(0);
    expect(out.stdout).toMatch(/^nps02\s+20\s+8\s+12\s+0\s+0\s+60\.0%\s+0$/m);
    expect(out.stdout).toMatch(/^nps01\s+0\s+0\s+0\s+0\s+0\s+-\s+1$/m);
    expect(out.stdout).toMatch(/^total\s+20\s+8\s+12\s+0\s+0\s+60\.0%\s+1$/m);
    expect(out.stdout).toContain('resolved radius_no_response @ gateway:da01: 12 attempts, 12 users');
    // Read as analyze prints it for one attempt: the code, why it stands, the catalogue's title.
    expect(out.stdout).toContain(
      `\n    or:  gateway_rejected_request (3 of 12 attempts: not ruled out): ${rootCauseEntry('gateway_rejected_request')?.title}\n`,
    );
    // Opened and resolved within the file: listed once, as it ended.
    expect(out.stdout.match(/radius_no_response @/g)).toHaveLength(1);
  });

  it('loads the file into PostgreSQL once, and prints the same JSON from there', async () => {
    const migrated = capture();
    expect(await runDbMigrate([], migrated.io)).toBe(0);
    expect(migrated.out.stdout).toBe(
      `schema ${schema}: applied 001_attempt_facts.sql, 002_tickets.sql, 003_dashboard.sql, 004_ticket_seen.sql, 005_server_names.sql\n`,
    );
    const loads = capture();
    expect(await runDbLoad([file, file], loads.io)).toBe(0);
    expect(loads.out.stdout.split('\n')).toEqual([
      `${file}: 21 attempts stored, 0 already there; tickets: opened radius_no_response@gateway:da01, resolved radius_no_response@gateway:da01`,
      `${file}: 0 attempts stored, 21 already there; tickets: no change`,
      '',
    ]);
    const args = ['--by', 'outcome', '--bucket', 'hour', '--from', '2025-03-04T00:00:00Z', '--format', 'json'];
    const fromDb = capture();
    const fromFile = capture();
    expect(await runStats(args, fromDb.io)).toBe(0);
    expect(await runStats([...args, '--input', file], fromFile.io)).toBe(0);
    const db = JSON.parse(fromDb.out.stdout);
    expect(db.rows).toEqual(JSON.parse(fromFile.out.stdout).rows);
    expect(
      db.rows.map((r: { bucket: string; key: string; attempts: number }) => [
        r.bucket.slice(11, 16),
        r.key,
        r.attempts,
      ]),
    ).toEqual([
      ['09:00', 'failure', 12],
      ['09:00', 'probe', 0],
      ['10:00', 'success', 8],
    ]);
  });

  it('rejects a bad grouping with a usage error', async () => {
    const { out, io } = capture();
    expect(await runStats(['--by', 'planet'], io)).toBe(2);
    expect(out.stderr).toMatch(/^otptrace stats: --by: /);
  });

  it('serves the same statistics and the counters over HTTP', async () => {
    const api = createStatsApi(
      { host: '127.0.0.1', port: 0 },
      { store: createPostgresStatsStore(pool), log: { info() {}, error() {} } },
    );
    const base = `http://127.0.0.1:${await api.listen()}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const stats = (await (await fetch(`${base}/api/stats?by=radius`)).json()) as StatsReport;
      expect(stats.totals).toMatchObject({ attempts: 20, failure: 12, probes: 1, failureRate: 0.6 });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(
        'otptrace_attempts_total{outcome="failure",failed_stage="radius",root_cause="radius_no_response"} 12\n',
      );
      expect(metrics).toContain('otptrace_probes_total{radius="nps01",refused="true"} 1\n');
      expect(metrics).toContain('otptrace_stage_latency_seconds_count{stage="radius"} 20\n');
      expect(metrics).not.toContain('otptrace_tickets_open{');
      // The dashboard's panels over the same database: the 12 NPS timeouts in the 09:00 hour, nps02's health.
      const day = 'from=2025-03-04T00:00:00Z&to=2025-03-05T00:00:00Z';
      const rate = (await (await fetch(`${base}/api/dashboard/rate?${day}`)).json()) as FailureRateSeries;
      expect(
        rate.buckets.filter((b) => b.attempts > 0).map((b) => [b.start.slice(11, 16), b.attempts, b.byStage.radius]),
      ).toEqual([
        ['09:00', 12, 12],
        ['10:00', 8, 0],
      ]);
      const servers = (await (await fetch(`${base}/api/dashboard/servers?${day}`)).json()) as ServerHealthView;
      expect(servers.radius).toEqual([expect.objectContaining({ host: 'nps02', attempts: 20, failures: 12 })]);
      const failures = (await (await fetch(`${base}/api/dashboard/failures?${day}&stage=radius&limit=5`)).json()) as {
        total: number;
        data: { attempts: unknown[] };
      };
      expect([failures.total, failures.data.attempts.length]).toEqual([12, 5]);
    } finally {
      await api.close();
    }
  });
});
