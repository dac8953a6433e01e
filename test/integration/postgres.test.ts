import { readFileSync } from 'node:fs';
import {
  createPool,
  createPostgresTicketSink,
  ingestAttempts,
  listTickets,
  loadTicketState,
  MIGRATIONS_DIR,
  migrate,
  type Pool,
  queryFailureRate,
  queryFailures,
  queryMetrics,
  queryServerHealth,
  queryStats,
  settingsFromEnv,
  upsertTickets,
  writeAttempts,
} from '@otptrace/postgres';
import type { Ticket } from '@otptrace/schemas';
import {
  distinctFacts,
  failureRateFromFacts,
  matchesFailure,
  serverHealthFromFacts,
  statsReport,
} from '@otptrace/stats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../packages/core/stats/test/attempts.js';

// Against the machine's real PostgreSQL (DATABASE_URL / PG* / default postgres://postgres@127.0.0.1:5432/test),
// in a schema of its own that is dropped at the end.
const schema = `otptrace_it_${process.pid}_${Date.now().toString(36)}`;
const settings = { ...settingsFromEnv(process.env), schema };
let pool: Pool;

const T0 = Date.parse('2025-03-04T09:00:00Z');
const SEC = 1000;
/** 50 users denied by ca01 within 5 minutes (ca_template_not_available), then 10 successes, plus probes and wrong OTPs. */
const outage = Array.from({ length: 50 }, (_, i) =>
  buildAttempt({ n: i + 1, at: T0 + i * 6 * SEC, outcome: 'failure', stage: 'ca', cause: 'ca_template_not_available' }),
);
const recovery = Array.from({ length: 10 }, (_, i) =>
  buildAttempt({ n: 100 + i, at: T0 + 600 * SEC + i * 30 * SEC, outcome: 'success' }),
);
const wrongOtps = Array.from({ length: 5 }, (_, i) =>
  buildAttempt({ n: 200 + i, at: T0 + 60 * SEC * i, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
);
const probes = Array.from({ length: 40 }, (_, i) =>
  buildAttempt({ n: 300 + i, at: T0 + i * 30 * SEC, outcome: 'probe', cause: i % 2 === 0 ? 'radius_account' : null }),
);
const day = [...outage, ...recovery, ...wrongOtps, ...probes];
const ticketConfig = { quietPeriodMs: 5 * 60 * SEC };

beforeAll(async () => {
  pool = createPool(settings);
  const first = await migrate(pool, schema);
  expect(first.applied).toEqual([
    '001_attempt_facts.sql',
    '002_tickets.sql',
    '003_dashboard.sql',
    '004_ticket_seen.sql',
    '005_server_names.sql',
  ]);
  expect((await migrate(pool, schema)).applied).toEqual([]);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe('PostgreSQL statistics and tickets', () => {
  it('an outage opens one ticket and successes through the CA resolve it', async () => {
    // Recovery starts 5 minutes after the outage: a quiet period of 5 minutes lets the successes resolve it.
    const during = await ingestAttempts(pool, [...outage, ...wrongOtps, ...probes], { ticketConfig });
    expect(during).toMatchObject({ inserted: 95, duplicates: 0 });
    expect(during.changes.map((c) => c.change)).toEqual(['opened']);
    const [open] = await listTickets(pool, { status: 'open' });
    expect(open).toMatchObject({
      code: 'ca_template_not_available',
      attemptCount: 50,
      scope: { label: 'ca:ca01' },
    });
    expect(open?.affectedUsers.count).toBe(50);

    const after = await ingestAttempts(pool, recovery, { ticketConfig });
    expect(after.changes.map((c) => [c.change, c.ticket.key])).toEqual([['resolved', open?.key]]);
    const all = await listTickets(pool);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'resolved', resolvedAt: recovery[2]?.end, attemptCount: 50 });
  });

  it('a replay of the same attempts leaves counts and tickets unchanged', async () => {
    const countsBefore = await queryStats(pool, { by: 'cause', bucket: 'hour' });
    const ticketsBefore = await pool.query('SELECT ticket_key, revision, body, updated_at FROM tickets ORDER BY 1');
    const replay = await ingestAttempts(pool, [...day].reverse(), { ticketConfig });
    expect(replay).toMatchObject({ inserted: 0, duplicates: day.length, changes: [] });
    expect(replay.tickets?.duplicate).toBe(day.length);
    expect(await queryStats(pool, { by: 'cause', bucket: 'hour' })).toEqual(countsBefore);
    expect((await pool.query('SELECT ticket_key, revision, body, updated_at FROM tickets ORDER BY 1')).rows).toEqual(
      ticketsBefore.rows,
    );
  });

  it("keeps the remembered attempt IDs in ticket_seen, not in the writer's state row", async () => {
    const row = await pool.query("SELECT state FROM ticket_engine_state WHERE name = 'default'");
    expect(row.rows[0].state.seen).toEqual({});
    const seen = await pool.query("SELECT attempt_id, end_ms FROM ticket_seen WHERE name = 'default' ORDER BY 1");
    expect(seen.rows.map((r) => [r.attempt_id, Number(r.end_ms)])).toEqual(
      day.map((a) => [a.id, Date.parse(a.end)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
  });

  it('reads a state saved before ticket_seen (its IDs in the row) whole, and moves them to the table', async () => {
    const writer = 'saved-before-004';
    const first = outage.slice(0, 20);
    await ingestAttempts(pool, first, { ticketConfig, writer });
    // The row as earlier versions saved it: the remembered IDs inside it, none in the table.
    const { state } = (await pool.query('SELECT state FROM ticket_engine_state WHERE name = $1', [writer])).rows[0];
    const ids = Object.fromEntries(first.map((a) => [a.id, Date.parse(a.end)]));
    await pool.query('UPDATE ticket_engine_state SET state = $2::jsonb WHERE name = $1', [
      writer,
      JSON.stringify({ ...state, seen: ids }),
    ]);
    await pool.query('DELETE FROM ticket_seen WHERE name = $1', [writer]);
    expect(await loadTicketState(pool, writer)).toEqual({ ...state, seen: ids });
    const moved = await pool.query('SELECT count(*) AS n FROM ticket_seen WHERE name = $1', [writer]);
    expect(Number(moved.rows[0].n)).toBe(first.length);
    const row = (await pool.query('SELECT state FROM ticket_engine_state WHERE name = $1', [writer])).rows[0];
    expect(row.state).toEqual({ ...state, seen: {} });
    // A replay is still told: nothing counted twice.
    const replay = await ingestAttempts(pool, outage.slice(0, 25), { ticketConfig, writer });
    expect(replay.tickets).toMatchObject({ duplicate: 20, ticketed: 5 });
  });

  it('keeps probes out of attempts and failure rates', async () => {
    const report = await queryStats(pool, { by: 'outcome' });
    expect(report.totals).toEqual({
      attempts: 65,
      success: 10,
      failure: 55,
      cancelled: 0,
      incomplete: 0,
      probes: 40,
      failureRate: 0.8462,
    });
    expect(report.rows.find((r) => r.key === 'probe')).toMatchObject({ attempts: 0, probes: 40, failureRate: null });
    const byRadius = await queryStats(pool, { by: 'radius' });
    expect(byRadius.rows).toEqual([expect.objectContaining({ key: 'nps01', attempts: 65, failure: 55, probes: 40 })]);
    const metrics = await queryMetrics(pool);
    expect(metrics.attempts.some((s) => s.labels.outcome === 'probe')).toBe(false);
    expect(metrics.probes.reduce((n, s) => n + s.value, 0)).toBe(40);
  });

  it('gives the same answer as the in-memory statistics, for every grouping', async () => {
    for (const by of ['outcome', 'stage', 'cause', 'gateway', 'radius', 'ca', 'subnet', 'user'] as const) {
      for (const bucket of [null, 'minute', 'hour', 'day'] as const) {
        const query = { by, bucket, from: '2025-03-04T09:02:00Z', to: '2025-03-04T09:30:00Z', limit: 5 };
        const fromDb = await queryStats(pool, query);
        const inMemory = statsReport(day, query);
        expect({ rows: fromDb.rows, totals: fromDb.totals }).toEqual({ rows: inMemory.rows, totals: inMemory.totals });
      }
    }
    const latencies = (await queryStats(pool)).latencies;
    expect(latencies.ca).toEqual({ count: 60, p50: 300, p90: 300, p99: 300, max: 300 });
    expect(latencies.radius.count).toBe(65);
  });

  it('answers the dashboard panels (rate, server health, failures) as the in-memory store does', async () => {
    // CA issuance times spread from 10 ms to 1.5 s on ca02, an hour after the outage: the p90 comes from the sketch.
    const slowCa = Array.from({ length: 30 }, (_, i) =>
      buildAttempt({
        n: 400 + i,
        at: T0 + 7_200_000 + i * 20 * SEC,
        outcome: i % 6 === 0 ? 'failure' : 'success',
        stage: i % 6 === 0 ? 'ca' : null,
        cause: i % 6 === 0 ? 'ca_pending' : null,
        ca: 'ca02.corp.example',
        caMs: 10 + i * 50,
      }),
    );
    expect((await writeAttempts(pool, slowCa)).inserted).toBe(30);
    const facts = distinctFacts([...day, ...slowCa]);
    for (const range of [
      { fromMs: T0, toMs: T0 + 3 * 3_600_000 },
      { fromMs: T0 + 120 * SEC, toMs: T0 + 900 * SEC },
      { fromMs: T0 - 86_400_000, toMs: T0 + 6 * 86_400_000 },
      // Unaligned ends: whole days, hours and 5-minute slots from the rollups, the seconds at both ends from rows.
      { fromMs: T0 - 3 * 86_400_000 + 17 * 60_000 + 3_000, toMs: T0 + 2 * 86_400_000 + 5 * 3_600_000 + 41 * 60_000 },
      { fromMs: T0 + 7 * 60_000 + 30_000, toMs: T0 + 10 * 3_600_000 + 2 * 60_000 },
    ]) {
      expect(await queryFailureRate(pool, range)).toEqual(failureRateFromFacts(facts, range));
      expect(await queryServerHealth(pool, range)).toEqual(serverHealthFromFacts(facts, range));
    }
    const hours = { fromMs: T0, toMs: T0 + 3 * 3_600_000 };
    const rate = await queryFailureRate(pool, hours);
    expect(rate.stepMs).toBe(300_000);
    // The first five minutes: the whole outage (one every 6 s) and the five wrong OTPs (one a minute).
    expect(rate.buckets[0]).toMatchObject({ attempts: 55, failures: 55, byStage: { ca: 50, radius: 5 } });
    const health = await queryServerHealth(pool, hours);
    // The test attempts name ca01 even when they stopped at NPS (the builder fills every host): 65 through it.
    expect(health.ca.map((s) => [s.host, s.attempts, s.failures])).toEqual([
      ['ca01', 65, 50],
      ['ca02', 30, 5],
    ]);
    // Nearest rank: the 27th of 30 CA times (10 + 26 × 50 ms), within the sketch's 1 %.
    expect(health.ca[1]!.p90Ms! / 1310).toBeCloseTo(1, 1);
    for (const filter of [{}, { stage: 'radius' as const }, { cause: 'ca_pending' }, { host: 'ca01' }]) {
      const fromDb = await queryFailures(pool, hours, filter, 7);
      const expected = facts.filter((f) => matchesFailure(f, hours, filter));
      expect(fromDb.total).toBe(expected.length);
      expect(fromDb.attempts.map((a) => a.id)).toEqual(
        expected
          .sort((a, b) => b.startMs - a.startMs || a.attemptId.localeCompare(b.attemptId))
          .slice(0, 7)
          .map((f) => f.attemptId),
      );
    }
  });
});

describe('rollups under concurrent writers', () => {
  it('count every attempt once when four writers insert into the same hours at once', async () => {
    const base = Date.parse('2025-06-01T00:00:00Z');
    const batch = (w: number) =>
      Array.from({ length: 60 }, (_, i) =>
        buildAttempt({
          n: 10_000 + w * 100 + i,
          at: base + (i % 6) * 3_600_000 + w * 1000,
          outcome: i % 3 === 0 ? 'failure' : 'success',
          stage: i % 3 === 0 ? 'ca' : null,
          cause: i % 3 === 0 ? 'ca_pending' : null,
        }),
      );
    const writers = [0, 1, 2, 3].map((w) => (w % 2 === 0 ? batch(w) : batch(w).reverse()));
    const results = await Promise.all(writers.map((attempts) => writeAttempts(pool, attempts)));
    expect(results.map((r) => r.inserted)).toEqual([60, 60, 60, 60]);
    const range = { fromMs: base, toMs: base + 6 * 3_600_000 };
    const facts = distinctFacts(writers.flat());
    expect(await queryFailureRate(pool, range)).toEqual(failureRateFromFacts(facts, range));
    expect(await queryServerHealth(pool, range)).toEqual(serverHealthFromFacts(facts, range));
  });
});

describe('migration 003 on a database that already holds attempts', () => {
  it('rolls the attempts stored before it up, so the dashboard counts them', async () => {
    const older = `${schema}_pre003`;
    const pre = createPool({ ...settings, schema: older });
    try {
      // The schema as migrations 001 and 002 left it, with a day of attempts in it.
      await pre.query(`CREATE SCHEMA ${older}`);
      await pre.query(
        `CREATE TABLE ${older}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const file of ['001_attempt_facts.sql', '002_tickets.sql']) {
        await pre.query(readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'));
        await pre.query(`INSERT INTO ${older}.schema_migrations (version) VALUES ($1)`, [file]);
      }
      expect((await writeAttempts(pre, day)).inserted).toBe(day.length);
      expect((await migrate(pre, older)).applied).toEqual([
        '003_dashboard.sql',
        '004_ticket_seen.sql',
        '005_server_names.sql',
      ]);
      expect(Number((await pre.query('SELECT count(*) AS n FROM attempt_facts')).rows[0].n)).toBe(day.length);
      const facts = distinctFacts(day);
      const week = { fromMs: T0 - 86_400_000, toMs: T0 + 6 * 86_400_000 };
      expect(await queryServerHealth(pre, week)).toEqual(serverHealthFromFacts(facts, week));
      expect(await queryFailureRate(pre, week)).toEqual(failureRateFromFacts(facts, week));
    } finally {
      await pre.query(`DROP SCHEMA IF EXISTS ${older} CASCADE`);
      await pre.end();
    }
  });
});

describe('migration 005 on a database that holds whole DNS names', () => {
  it('renames every server to its computer name and rolls the attempts up again, counting each once', async () => {
    const older = `${schema}_pre005`;
    const pre = createPool({ ...settings, schema: older });
    // Beside the day's attempts through da01.corp.example, requests its W3C log names by s-computername alone.
    const viaW3c = Array.from({ length: 4 }, (_, i) =>
      buildAttempt({ n: 400 + i, at: T0 + i * 60 * SEC, outcome: 'success', gateway: 'DA01' }),
    );
    const attempts = [...day, ...viaW3c];
    try {
      await pre.query(`CREATE SCHEMA ${older}`);
      await pre.query(
        `CREATE TABLE ${older}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const file of ['001_attempt_facts.sql', '002_tickets.sql', '003_dashboard.sql', '004_ticket_seen.sql']) {
        await pre.query(readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'));
        await pre.query(`INSERT INTO ${older}.schema_migrations (version) VALUES ($1)`, [file]);
      }
      expect((await writeAttempts(pre, attempts)).inserted).toBe(attempts.length);
      // The facts and rollups as a writer before migration 005 left them: each host lower case, whole.
      await pre.query(`
        CREATE TEMPORARY TABLE written AS SELECT * FROM attempt_facts;
        UPDATE written SET gateway_host = lower(record #>> '{hosts,gateway}'),
          radius_host = lower(record #>> '{hosts,radius}'), ca_host = lower(record #>> '{hosts,ca}');
        DELETE FROM attempt_facts; DELETE FROM rate_rollup; DELETE FROM health_rollup;
        INSERT INTO attempt_facts SELECT * FROM written;
        DROP TABLE written;`);
      const week = { fromMs: T0 - 86_400_000, toMs: T0 + 6 * 86_400_000 };
      const split = await queryServerHealth(pre, week);
      expect(split.gateway.map((s) => [s.host, s.attempts]).sort()).toEqual([
        ['da01', 4],
        ['da01.corp.example', day.length - probes.length],
      ]);

      expect((await migrate(pre, older)).applied).toEqual(['005_server_names.sql']);
      expect(Number((await pre.query('SELECT count(*) AS n FROM attempt_facts')).rows[0].n)).toBe(attempts.length);
      const facts = distinctFacts(attempts);
      const health = await queryServerHealth(pre, week);
      expect(health).toEqual(serverHealthFromFacts(facts, week));
      expect(health.gateway.map((s) => [s.host, s.attempts])).toEqual([['da01', attempts.length - probes.length]]);
      expect(await queryFailureRate(pre, week)).toEqual(failureRateFromFacts(facts, week));
      // A writer after the migration stores the names the migration gave: a replay adds nothing.
      expect((await writeAttempts(pre, attempts)).inserted).toBe(0);
    } finally {
      await pre.query(`DROP SCHEMA IF EXISTS ${older} CASCADE`);
      await pre.end();
    }
  });
});

describe('tickets table: one row per ticket key, its newest revision', () => {
  const own = `${schema}_tickets`;
  let db: Pool;
  const pending = (n: number, atMs: number) =>
    buildAttempt({ n, at: atMs, outcome: 'failure', stage: 'ca', cause: 'ca_pending', ca: 'ca09.corp.example' });
  const rows = async () =>
    (
      await db.query<{ ticket_key: string; revision: number; status: string }>(
        'SELECT ticket_key, revision, status FROM tickets ORDER BY 1',
      )
    ).rows;

  beforeAll(async () => {
    db = createPool({ ...settings, schema: own });
    await migrate(db, own);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${own} CASCADE`);
    await db.end();
  });

  it('a ticket opened and resolved in one ingest is stored once, resolved', async () => {
    const step = await ingestAttempts(
      db,
      [
        pending(9001, T0),
        pending(9002, T0 + 60 * SEC),
        buildAttempt({ n: 9003, at: T0 + 3600 * SEC, outcome: 'success' }),
      ],
      { writer: 'one-step' },
    );
    expect(step.changes.map((c) => [c.change, c.ticket.revision])).toEqual([
      ['opened', 2],
      ['resolved', 3],
    ]);
    expect(await rows()).toEqual([{ ticket_key: step.changes[0]!.ticket.key, revision: 3, status: 'resolved' }]);
  });

  it('upserts several revisions of one key in one call (an outbox re-read after a failed delivery) as the newest', async () => {
    const [opened, updated, resolved] = ticketRevisions();
    // The sink a dispatcher would call with an outbox holding revisions 1 and 2, then again with 1, 2 and 3.
    const sink = createPostgresTicketSink(db);
    await sink.deliver([
      { change: 'opened', ticket: opened },
      { change: 'updated', ticket: updated },
    ]);
    await sink.deliver([
      { change: 'opened', ticket: opened },
      { change: 'updated', ticket: updated },
      { change: 'resolved', ticket: resolved },
    ]);
    expect((await rows()).find((r) => r.ticket_key === opened.key)).toEqual({
      ticket_key: opened.key,
      revision: 3,
      status: 'resolved',
    });
    // In any order within the call.
    expect(await upsertTickets(db, [resolved, opened, updated])).toBe(0);
  });

  it('never lets an older revision overwrite a newer one already stored', async () => {
    const [opened, updated, resolved] = ticketRevisions();
    await upsertTickets(db, [resolved]);
    expect(await upsertTickets(db, [updated])).toBe(0);
    expect(await upsertTickets(db, [opened, updated])).toBe(0);
    const [row] = (await db.query<{ body: Ticket }>('SELECT body FROM tickets WHERE ticket_key = $1', [opened.key]))
      .rows;
    expect(row?.body).toEqual(resolved);
  });
});

/** Three revisions of one ticket: opened, updated by a second failure, resolved. */
function ticketRevisions(): [Ticket, Ticket, Ticket] {
  const opened: Ticket = {
    key: '00000000000000aa-1',
    baseKey: '00000000000000aa',
    incarnation: 1,
    revision: 1,
    code: 'ca_pending',
    kind: 'root_cause',
    pattern: 'scattered',
    title: 'The CA left the request pending',
    remediation: 'Approve it',
    scope: { kind: 'ca', target: 'ca08.corp.example', label: 'ca:ca08.corp.example' },
    status: 'open',
    firstSeen: '2025-03-04T09:00:00.000Z',
    lastSeen: '2025-03-04T09:00:01.000Z',
    resolvedAt: null,
    attemptCount: 1,
    affectedUsers: { count: 1, capped: false, sample: ['user1'] },
    sampleTraceIds: ['01'],
    successStreak: 0,
  };
  const updated: Ticket = {
    ...opened,
    revision: 2,
    lastSeen: '2025-03-04T09:05:01.000Z',
    attemptCount: 2,
    affectedUsers: { count: 2, capped: false, sample: ['user1', 'user2'] },
    sampleTraceIds: ['01', '02'],
  };
  const resolved: Ticket = { ...updated, revision: 3, status: 'resolved', resolvedAt: '2025-03-04T09:35:01.000Z' };
  return [opened, updated, resolved];
}
