import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { analysisConfigSchema } from '@otptrace/schemas';
import { createMemoryStatsStore, createStatsApi, type StatsApi } from '@otptrace/stats-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTexts } from '../../packages/core/stream/test/corpus.js';
import { ensurePrometheus, PROMETHEUS_PATH, RULES_DIR } from '../prometheus/tools.js';
import { KAFKA_BROKERS, loggedLine, type ServiceProcess, startService, uniqueName } from './setup-kafka.js';

// A real Prometheus (Debian's package; its own config, data directory and loopback port) scraping a running
// collector and correlator, and the statistics API, every second, with deploy/prometheus's rules loaded: the seed
// story posted to the collector shows up as their counters in Prometheus' HTTP API.
const TOKEN = 'prometheus-test-token-0123456789';
const SEED = new URL('../../examples/seed-story/', import.meta.url).pathname;
const GRAFANA = new URL('../../deploy/grafana/otptrace.json', import.meta.url).pathname;
let dir: string;
let collector: ServiceProcess;
let correlator: ServiceProcess;
let prometheus: ChildProcess;
let prometheusLog = '';
let api: string;
let statsApi: StatsApi;

/** Wait for a JSON log line of a service whose message starts with `msg` and that has `field`. */
async function logged(service: ServiceProcess, msg: string, field: string): Promise<number> {
  const entry = await loggedLine(service, msg, 90_000);
  if (typeof entry[field] !== 'number') throw new Error(`"${msg}" without ${field}: ${JSON.stringify(entry)}`);
  return entry[field] as number;
}

type Sample = { metric: Record<string, string>; value: [number, string] };

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

beforeAll(async () => {
  ensurePrometheus();
  dir = mkdtempSync(join(tmpdir(), 'otptrace-prometheus-'));
  const prefix = uniqueName('prom');
  const spec = (name: string) => ({ name: `${prefix}.${name}`, partitions: 1, replicationFactor: 1 });
  collector = startService('collector', {
    OTPTRACE_COLLECTOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({ events: spec('events'), raw: spec('raw'), deadLetter: spec('dl') }),
    OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
    OTPTRACE_COLLECTOR_HTTP__PORT: '0',
    OTPTRACE_COLLECTOR_HTTP__TOKENS: JSON.stringify([TOKEN]),
    OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
    OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(20 * 365 * 86_400_000),
  });
  correlator = startService('correlator', {
    OTPTRACE_CORRELATOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_CORRELATOR_GROUP_ID: prefix,
    OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
      events: spec('events'),
      attempts: spec('attempts'),
      late: spec('late'),
    }),
    OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '1000',
    OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
  });
  const collectorAdmin = await logged(collector, 'configuration loaded', 'adminPort');
  const correlatorAdmin = await logged(correlator, 'configuration loaded', 'adminPort');
  // The statistics API over the seed story's attempts (its OTP counters and open tickets), as the correlator feeds it.
  const store = createMemoryStatsStore();
  store.add((await analyzePaths([SEED], analysisConfigSchema.parse({}))).attempts.map((a) => a.record));
  statsApi = createStatsApi({ host: '127.0.0.1', port: 0 }, { store, log: { info() {}, error() {} } });
  const statsPort = await statsApi.listen();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${join(RULES_DIR, 'otptrace-rules.yml')}']`,
      'scrape_configs:',
      `  - { job_name: otptrace-collector, static_configs: [{ targets: ['127.0.0.1:${collectorAdmin}'] }] }`,
      `  - { job_name: otptrace-correlator, static_configs: [{ targets: ['127.0.0.1:${correlatorAdmin}'] }] }`,
      `  - { job_name: otptrace-stats-api, static_configs: [{ targets: ['127.0.0.1:${statsPort}'] }] }`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    PROMETHEUS_PATH,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      // Port 0, and the port it got from its log: a port picked here could be taken before Prometheus binds it.
      '--web.listen-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr?.on('data', (chunk: Buffer) => {
    prometheusLog += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  const listeningOn = () => /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(prometheusLog)?.[1];
  while (listeningOn() === undefined) {
    if (Date.now() > deadline || prometheus.exitCode !== null)
      throw new Error(`Prometheus did not start listening:\n${prometheusLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  api = `http://127.0.0.1:${listeningOn()}`;
  while ((await fetch(`${api}/-/ready`).catch(() => null))?.status !== 200) {
    if (Date.now() > deadline || prometheus.exitCode !== null)
      throw new Error(`Prometheus did not start:\n${prometheusLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 180_000);

afterAll(async () => {
  const prometheusExited =
    prometheus && prometheus.exitCode === null ? new Promise((r) => prometheus.once('exit', r)) : null;
  prometheus?.kill('SIGTERM');
  for (const service of [collector, correlator]) {
    service?.child.kill('SIGTERM');
    await service?.exited;
  }
  await prometheusExited;
  await statsApi?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus scraping the collector, the correlator and the statistics API', () => {
  it('scrapes the three services and loads the alert rules', async () => {
    // Each target's health with its last scrape error, so that a failure says why a service was not scraped.
    const targets = async () => {
      const response = await fetch(`${api}/api/v1/targets?state=active`);
      const body = (await response.json()) as {
        data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
      };
      return body.data.activeTargets.map((t) => [t.labels.job, t.health, t.lastError]).sort();
    };
    await expect.poll(targets, { timeout: 30_000 }).toEqual([
      ['otptrace-collector', 'up', ''],
      ['otptrace-correlator', 'up', ''],
      ['otptrace-stats-api', 'up', ''],
    ]);
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).toEqual(
      expect.arrayContaining(['OtptraceCorrelatorLagging', 'OtpStageFailureRateAboveBaseline', 'OtpBurstTicketOpen']),
    );
    expect(loaded.filter((r) => r.health !== 'ok' && r.health !== 'unknown')).toEqual([]);
  });

  it('shows the seed story going through: events in and accepted, attempts out, lag back to zero', async () => {
    const port = await logged(collector, 'accepting EVTX-XML batches', 'port');
    // The seed story's events in event-time order, as a forwarder sends them (the correlator reorders within its
    // window only).
    const files = [
      'win7-clients-OtpCredentialProvider-Operational.xml',
      'da01-Microsoft-IIS-Logging-Logs.xml',
      'nps01-Security.xml',
      'ca01-Security.xml',
      'ca01-Application.xml',
    ].map((file): [string, Buffer] => [file, readFileSync(join(SEED, file))]);
    const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      body: eventTexts(files).join('\n'),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(202);
    const events = ((await response.json()) as { accepted: number }).accepted;
    expect(events).toBeGreaterThan(0);
    const total = async (promql: string) => (await query(promql)).reduce((n, s) => n + Number(s.value[1]), 0);
    await expect.poll(() => total('otptrace_collector_events_accepted_total'), { timeout: 30_000 }).toBe(events);
    await expect.poll(() => total('otptrace_correlator_events_in_total'), { timeout: 30_000 }).toBe(events);
    await expect.poll(() => total('otptrace_correlator_attempts_out_total'), { timeout: 30_000 }).toBeGreaterThan(0);
    // By outcome, as the correlator labels them (the seed story's probes close at once; its users' attempts wait for
    // the event-time watermark or the idle flush).
    const outcomes = (await query('otptrace_correlator_attempts_out_total')).map((s) => s.metric.outcome);
    expect(outcomes).toContain('probe');
    await expect.poll(() => total('otptrace_correlator_lag_records'), { timeout: 30_000 }).toBe(0);
    expect(await total('otptrace_collector_batches_refused_total')).toBe(0);
    expect(prometheusLog).not.toMatch(/level=error/);
  });

  it('runs every query of the Grafana dashboard without an error', async () => {
    const dashboard = JSON.parse(readFileSync(GRAFANA, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(12);
    for (const expr of exprs) {
      // Grafana fills $__rate_interval in; Prometheus needs a duration there.
      const response = await fetch(
        `${api}/api/v1/query?query=${encodeURIComponent(expr.replaceAll('$__rate_interval', '1m'))}`,
      );
      expect([expr, response.status, ((await response.json()) as { status: string }).status]).toEqual([
        expr,
        200,
        'success',
      ]);
    }
    // The panels have data from the services scraped here: the pipeline's, and the seed story's CA failures.
    expect((await query('max by (instance, partition) (otptrace_correlator_lag_records)')).length).toBe(1);
    const failed = await query('sum by (failed_stage) (otptrace_attempts_total{outcome="failure"})');
    expect(failed.map((s) => [s.metric.failed_stage, s.value[1]])).toEqual([['ca', '1']]);
  });
});
