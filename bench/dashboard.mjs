// Benchmark: the operations dashboard's panels over 1,000,000 attempts in PostgreSQL (issue 15: each < 300 ms).
//   npx tsc -b services/stats-api && node bench/dashboard.mjs [attempts, default 1000000] [--reuse]
// Loads the attempts with COPY (psql) into schema `otptrace_bench_dashboard` (migrations applied, then VACUUM
// ANALYZE, as autovacuum would), spread over the 30 days before END: 88 % success, 6.5 % failure (a two-hour NPS
// outage on nps02 among them), cancelled, incomplete, probes; 5,000 tickets of which 40 open. Then it serves the
// stats API over that schema and times each panel's HTTP endpoint for the last 1 h, 24 h and 7 d before END
// (median and max of 7 runs after one warm-up). --reuse keeps an already-loaded schema.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createPool, migrate, upsertTickets } from '../packages/adapters/postgres/dist/index.js';
import { createPostgresStatsStore, createStatsApi } from '../services/stats-api/dist/index.js';

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const REUSE = process.argv.includes('--reuse');
const SCHEMA = 'otptrace_bench_dashboard';
const DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const END = Date.UTC(2026, 10, 30, 0, 0, 0);
const DAYS = 30;
const TARGET_MS = 300;

const GATEWAYS = ['da01.corp.example', 'da02.corp.example', 'da03.corp.example', 'da04.corp.example'];
const NPS = ['nps01.corp.example', 'nps02.corp.example', 'nps03.corp.example'];
const CAS = ['ca01.corp.example', 'ca02.corp.example'];
const OUTAGE = { from: END - 3 * 86_400_000 + 10 * 3_600_000, to: END - 3 * 86_400_000 + 12 * 3_600_000 };
const FAILURES = [
  ['radius', 'otp_rejected'],
  ['radius', 'otp_rejected'],
  ['radius', 'radius_account'],
  ['ca', 'ca_pending'],
  ['ca', 'ca_denied_key_length'],
  ['client', 'client_cert_install'],
  ['gateway', 'gateway_http_error'],
];

/** A deterministic pseudo-random sequence (mulberry32), so every run loads the same attempts. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const rnd = random(15);
const pick = (list) => list[Math.floor(rnd() * list.length)];

/** One attempt's facts and its JSON record (evidence per docs/windows-events.md §2: IIS 6200, NPS 6272/6273, CA 4886/4887/4888, client). */
function attempt(i) {
  const start = END - DAYS * 86_400_000 + Math.floor((i / N) * DAYS * 86_400_000);
  const gateway = pick(GATEWAYS);
  let radius = pick(NPS);
  const ca = pick(CAS);
  const r = rnd();
  let outcome = 'success';
  let stage = null;
  let cause = null;
  if (start >= OUTAGE.from && start < OUTAGE.to && radius === 'nps02.corp.example' && r < 0.7) {
    outcome = 'failure';
    stage = 'radius';
    cause = 'radius_no_response';
  } else if (r < 0.065) {
    outcome = 'failure';
    [stage, cause] = pick(FAILURES);
  } else if (r < 0.075) outcome = 'cancelled';
  else if (r < 0.085) outcome = 'incomplete';
  else if (r < 0.105) outcome = 'probe';
  const user = outcome === 'probe' ? 'DAProbeUser' : `corp\\user${Math.floor(rnd() * 20_000)}`;
  const radiusMs = 40 + Math.floor(rnd() * 400) + (cause === 'radius_no_response' ? 5000 : 0);
  const reachesCa = outcome === 'success' || stage === 'ca';
  const caMs = reachesCa ? 20 + Math.floor(rnd() * 300) : null;
  const endMs = start + radiusMs + (caMs ?? 0) + 300;
  if (outcome === 'probe') radius = pick(NPS);
  const ev = (source, eventId, t, computer, summary) => ({
    source,
    eventId,
    computer,
    recordId: i * 8 + eventId,
    time: new Date(t).toISOString(),
    provider: source === 'gateway' ? 'Microsoft-Windows-IIS-Logging' : 'Microsoft-Windows-Security-Auditing',
    channel: source === 'gateway' ? 'Microsoft-IIS-Logging/Logs' : 'Security',
    summary,
  });
  const evidence = [
    ev('gateway', 6200, start + radiusMs + 20, gateway, `IIS POST /otp → 200 in ${radiusMs + 20} ms from 203.0.113.7`),
    ev(
      'radius',
      stage === 'radius' ? 6273 : 6272,
      start + radiusMs,
      radius,
      `NPS ${stage === 'radius' ? 'denied' : 'granted'}`,
    ),
  ];
  if (reachesCa) {
    evidence.push(ev('ca', 4886, start + radiusMs + 200, ca, 'CA 4886 received'));
    evidence.push(ev('ca', stage === 'ca' ? 4888 : 4887, start + radiusMs + 200 + caMs, ca, 'CA decision'));
  }
  const id = `a${i.toString(16).padStart(23, '0')}`;
  const record = {
    id,
    traceId: i.toString(16).padStart(32, '0'),
    user,
    start: new Date(start).toISOString(),
    end: new Date(endMs).toISOString(),
    outcome,
    failedStage: stage,
    rootCause: cause === null ? null : { code: cause, title: cause, remediation: 'See the runbook.' },
    detail: {
      npsReasonCode: null,
      npsReason: null,
      caHresult: null,
      caHresultSymbol: null,
      clientEventId: null,
      clientErrorCode: null,
      httpStatus: null,
    },
    evidence,
    hosts: { client: `pc${i % 5000}.corp.example`, gateway, radius, ca: reachesCa ? ca : null },
    clientAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    gatewayAmbiguous: false,
    closedBy: 'result',
  };
  const subnet = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.0/24`;
  return [
    id,
    record.traceId,
    user,
    record.start,
    record.end,
    outcome,
    stage,
    cause,
    outcome === 'probe' ? null : gateway,
    radius,
    reachesCa ? ca : null,
    record.clientAddress,
    subnet,
    outcome === 'probe' ? null : radiusMs,
    caMs,
    endMs - start,
    JSON.stringify(record),
  ];
}

const COLUMNS =
  'attempt_id, trace_id, user_name, start_at, end_at, outcome, failed_stage, root_cause, gateway_host, radius_host, ca_host, client_address, client_subnet, radius_ms, ca_ms, end_to_end_ms, record';

/** COPY in PostgreSQL's text format: \N for null, backslashes doubled (JSON has no raw tabs or newlines). */
function copyLine(values) {
  return `${values.map((v) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\'))).join('\t')}\n`;
}

async function load(pool) {
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await migrate(pool, SCHEMA);
  const t0 = performance.now();
  const psql = spawn(
    'psql',
    [DB, '-v', 'ON_ERROR_STOP=1', '-qc', `COPY ${SCHEMA}.attempt_facts (${COLUMNS}) FROM STDIN`],
    {
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  const done = new Promise((resolve, reject) =>
    psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql COPY exited ${code}`)))),
  );
  let chunk = '';
  for (let i = 0; i < N; i++) {
    chunk += copyLine(attempt(i));
    if (chunk.length > 1 << 20) {
      if (!psql.stdin.write(chunk)) await new Promise((resolve) => psql.stdin.once('drain', resolve));
      chunk = '';
    }
  }
  psql.stdin.end(chunk);
  await done;
  const copied = performance.now() - t0;
  await pool.query(`VACUUM ANALYZE ${SCHEMA}.attempt_facts`);
  await upsertTickets(pool, tickets());
  await pool.query(`VACUUM ANALYZE ${SCHEMA}.tickets`);
  return { copied, total: performance.now() - t0 };
}

/** 5,000 tickets over the 30 days, the 40 newest open. */
function tickets() {
  return Array.from({ length: 5000 }, (_, i) => {
    const first = END - DAYS * 86_400_000 + i * Math.floor((DAYS * 86_400_000) / 5000);
    const open = i >= 4960;
    const [stage, code] = FAILURES[i % FAILURES.length];
    const host = stage === 'ca' ? pick(CAS) : stage === 'radius' ? pick(NPS) : pick(GATEWAYS);
    const kind = stage === 'client' ? 'fleet' : stage;
    return {
      key: `t${i}-1`,
      baseKey: `t${i}`,
      incarnation: 1,
      revision: 2,
      code,
      kind: 'root_cause',
      title: code,
      remediation: 'See the runbook.',
      scope: { kind, target: kind === 'fleet' ? null : host, label: kind === 'fleet' ? 'fleet' : `${kind}:${host}` },
      status: open ? 'open' : 'resolved',
      firstSeen: new Date(first).toISOString(),
      lastSeen: new Date(first + 600_000).toISOString(),
      resolvedAt: open ? null : new Date(first + 900_000).toISOString(),
      attemptCount: 12,
      affectedUsers: { count: 9, capped: false, sample: ['corp\\user1', 'corp\\user2'] },
      sampleTraceIds: ['1'.padStart(32, '0')],
      successStreak: 0,
    };
  });
}

async function time(base, path) {
  const once = async () => {
    const t = performance.now();
    const response = await fetch(`${base}${path}`);
    const body = await response.text();
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${body}`);
    return { ms: performance.now() - t, bytes: body.length, body };
  };
  const first = await once();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push((await once()).ms);
  runs.sort((a, b) => a - b);
  return { median: runs[3], max: runs[6], bytes: first.bytes, body: first.body };
}

const pool = createPool({ connectionString: DB, schema: SCHEMA }, 8);
const loaded = (await pool.query(`SELECT to_regclass('${SCHEMA}.attempt_facts') AS t`)).rows[0].t !== null;
const existing = loaded ? Number((await pool.query('SELECT count(*) AS n FROM attempt_facts')).rows[0].n) : 0;
let loadFigures = null;
if (!REUSE || existing !== N) {
  loadFigures = await load(pool);
  console.log(
    `loaded ${N.toLocaleString('en-US')} attempts: COPY ${(loadFigures.copied / 1000).toFixed(1)} s, with VACUUM ANALYZE and tickets ${(loadFigures.total / 1000).toFixed(1)} s`,
  );
}
const size = (await pool.query(`SELECT pg_size_pretty(pg_total_relation_size('attempt_facts')) AS s`)).rows[0].s;
const api = createStatsApi(
  { host: '127.0.0.1', port: 0 },
  {
    store: createPostgresStatsStore(pool),
    log: {
      info() {},
      error(o) {
        console.error(o);
      },
    },
  },
);
const base = `http://127.0.0.1:${await api.listen()}`;
const rows = [];
console.log(
  `attempt_facts: ${size}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${cpus().length} CPUs`,
);
console.log('panel                         range  median ms  max ms   target  met   answer');
for (const [label, ms] of [
  ['1h', 3_600_000],
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
]) {
  const range = `from=${new Date(END - ms).toISOString()}&to=${new Date(END).toISOString()}`;
  const stage = `from=${new Date(END - ms).toISOString()}&to=${new Date(END - ms + ms / 60).toISOString()}&stage=radius`;
  for (const [panel, path, summary] of [
    ['failure rate per stage', `/api/dashboard/rate?${range}`, (b) => `${b.buckets.length} buckets`],
    [
      'server health (DA, NPS, CA)',
      `/api/dashboard/servers?${range}`,
      (b) => `${b.gateway.length + b.radius.length + b.ca.length} servers`,
    ],
    ['latest failures (100)', `/api/dashboard/failures?${range}`, (b) => `${b.data.attempts.length} of ${b.total}`],
    ['bucket + stage clicked', `/api/dashboard/failures?${stage}`, (b) => `${b.data.attempts.length} of ${b.total}`],
    ['open tickets', '/api/tickets?status=open', (b) => `${b.tickets.length} open`],
  ]) {
    const t = await time(base, path);
    const met = t.median < TARGET_MS;
    console.log(
      `${panel.padEnd(30)}${label.padEnd(7)}${t.median.toFixed(1).padStart(9)}${t.max.toFixed(1).padStart(9)}   < ${TARGET_MS}   ${met ? 'yes' : 'NO '}  ${summary(JSON.parse(t.body))}`,
    );
    rows.push({
      group: 'dashboard',
      metric: `${panel}, last ${label}`,
      value: Number(t.median.toFixed(1)),
      unit: 'ms',
      target: `< ${TARGET_MS}`,
      met,
      note: `max ${t.max.toFixed(1)} ms`,
    });
  }
}
await api.close();
await pool.end();
console.log(`BENCH-RESULT ${JSON.stringify({ rows, attempts: N, load: loadFigures, loadavg: loadavg() })}`);
