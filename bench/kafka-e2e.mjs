// Benchmark: the correlation stage on the real single-node Kafka (deploy/kafka/kafka.sh), OTP events alone. Generated
// fleets (one per site, each on its own day) are normalised here and written to the events topic keyed by site, as
// the collector writes them; then correlator processes (one consumer group) turn the backlog into attempts, written in
// Kafka transactions. Once the group has settled, the events are written at full speed; measures events/s from the
// first event written until every event was taken and committed (sustained), and until the last attempt is out (the
// final idle flush included), the correlators' CPU per event (user+system from /proc) against the offline analysis' CPU per
// event on the same events (OfflineAnalysis.finish: sort, engine, diagnosis), and checks every attempt read back
// (read_committed) against `otptrace analyze` of each site's files: identical records, each exactly once.
// Needs a build (npx tsc -b). Usage:
//   node bench/kafka-e2e.mjs [--quick] [--users N] [--sites S] [--partitions P] [--correlators C] [--idle-flush-ms MS]
//     [--compare DIR]   (another checkout's build, run at the same time as a second group: an A/B;
//                        OTPTRACE_BENCH_COMPARE_NODE_ARGS: that group's node flags)
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import {
  createGroupConsumer,
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  kafkaConnectionSchema,
  prefixedTopics,
} from '@otptrace/kafka';
import { option } from './lib/common.mjs';
import {
  backlogByPartition,
  benchNodeArgs,
  buildSites,
  processCpuSeconds as cpuSeconds,
  freePort,
  sleep,
  writeBacklog,
} from './lib/kafka-bench.mjs';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name, fallback) => Number(option(name, fallback));
const QUICK = process.argv.includes('--quick');
const USERS = arg('--users', QUICK ? 2_000 : 10_000);
const SITES = arg('--sites', 12);
const PARTITIONS = arg('--partitions', 4);
const CORRELATORS = arg('--correlators', 2);
// Longer than a stall of the writer on a loaded machine: an idle flush mid-backlog would end the open attempts there.
const IDLE_FLUSH_MS = arg('--idle-flush-ms', 5_000);
const TARGET = 15_000;
const BROKERS = [`localhost:${process.env.OTPTRACE_KAFKA_PORT ?? '9092'}`];
const prefix = `bench-${Date.now().toString(36)}`;

// ---- The sites' events and the offline reference (each site analysed on its own, as `otptrace analyze` would).
const { sites, totalEvents, expectedCount, offlineCpuUs } = buildSites({ users: USERS, sites: SITES });
const expected = new Map();
for (const site of sites)
  for (const a of site.attempts) expected.set(a.id, [...(expected.get(a.id) ?? []), JSON.stringify(a)]);

// ---- The backlog: every site's events, interleaved in event-time order, keyed by site.
const topics = prefixedTopics(prefix, PARTITIONS);
// --compare DIR: a second consumer group of correlators from another checkout's build (DIR/services/correlator/dist)
// reads the same events topic at the same time, with its own output topics: an A/B on a busy machine in which both
// builds see the same load (CPU per event is reported for each).
const COMPARE = option('--compare', null);
const groups = [{ label: 'this build', root: ROOT, prefix, topics, nodeArgs: benchNodeArgs() }];
if (COMPARE !== null) {
  const root = `${COMPARE.replace(/\/$/, '')}/`;
  // OTPTRACE_BENCH_COMPARE_NODE_ARGS: node flags of the second group alone (an A/B of a flag: --compare . with it).
  const nodeArgs = process.env.OTPTRACE_BENCH_COMPARE_NODE_ARGS?.split(' ').filter(Boolean) ?? benchNodeArgs();
  const label = `compare (${root}${nodeArgs.length > 0 ? ` ${nodeArgs.join(' ')}` : ''})`;
  groups.push({ label, root, prefix: `${prefix}-b`, topics: prefixedTopics(`${prefix}-b`, PARTITIONS), nodeArgs });
}
const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers: BROKERS, clientId: 'bench' }));
const admin = createKafkaAdmin(client);
await admin.connect();
// One request for every group's topics (a second createTopics right after the first was refused now and then).
await admin.ensureTopics(groups.flatMap((g) => Object.values(g.topics)));

// ---- The correlators.
async function metric(ports, name) {
  let sum = 0;
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
// A run that fails half way (an exception, a broker gone) must not leave its correlators running.
process.on('exit', () => {
  for (const g of groups)
    for (const c of g.children ?? []) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const g of groups) {
  g.adminPorts = [];
  g.children = [];
  for (let i = 0; i < CORRELATORS; i++) {
    const port = await freePort();
    g.adminPorts.push(port);
    g.children.push(
      // OTPTRACE_BENCH_NODE_ARGS: extra node flags for the correlators (e.g. --cpu-prof --cpu-prof-dir=DIR).
      spawn(process.execPath, [...g.nodeArgs, `${g.root}services/correlator/dist/main.js`], {
        env: {
          ...process.env,
          OTPTRACE_CORRELATOR_KAFKA__BROKERS: BROKERS.join(','),
          OTPTRACE_CORRELATOR_GROUP_ID: `${g.prefix}.correlator`,
          OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
            events: topics.events,
            attempts: g.topics.attempts,
            late: g.topics.late,
          }),
          OTPTRACE_CORRELATOR_CREATE_TOPICS: 'false',
          OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: String(IDLE_FLUSH_MS),
          OTPTRACE_CORRELATOR_ADMIN__PORT: String(port),
          OTPTRACE_CORRELATOR_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
  }
}
// The processes' start-up (Node, modules, connections) is not correlation: time and CPU count from /readyz on.
for (const port of groups.flatMap((g) => g.adminPorts)) {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await sleep(50);
  }
}
// The groups settle (every member joined: no rebalance for 3 s) before the events come, as in steady operation.
for (let last = -1, still = 0; still < 3; await sleep(1_000)) {
  let joins = 0;
  let settled = true;
  for (const g of groups) {
    const n = await metric(g.adminPorts, 'otptrace_correlator_rebalances_total').catch(() => -1);
    settled &&= n >= CORRELATORS;
    joins += n;
  }
  still = joins === last && settled ? still + 1 : 0;
  last = joins;
}
// The writer stands for many collectors: its records are serialised before the clock starts, and each partition is
// written by its own sequential sender (order kept per partition, the partitions in parallel), 1,000 events a request.
const producer = createRecordProducer(client);
await producer.connect();
const byPartition = backlogByPartition(sites, topics.events.name, PARTITIONS);
const t0 = performance.now();
for (const g of groups) g.cpuAtStart = g.children.reduce((n, c) => n + cpuSeconds(c.pid), 0);
await writeBacklog(producer, byPartition);
const tWritten = performance.now();
await producer.disconnect();

/**
 * Waits until the group's last attempt is out. Sustained throughput: until every event was taken by its engine and
 * its step's transaction committed (the attempts still open then come out as event time passes, or at the idle flush
 * of a quiet stream: a fixed wait, not a rate).
 */
async function finish(g) {
  g.out = 0;
  g.tDone = performance.now();
  g.tTaken = null;
  for (let still = performance.now(); ; await sleep(100)) {
    const now = await metric(g.adminPorts, 'otptrace_correlator_attempts_out_total').catch(() => g.out);
    if (g.tTaken === null) {
      const taken = await metric(g.adminPorts, 'otptrace_correlator_events_in_total').catch(() => 0);
      if (taken >= totalEvents) g.tTaken = performance.now();
    }
    if (now !== g.out) {
      g.out = now;
      still = performance.now();
      g.tDone = still;
    }
    if (g.out >= expectedCount || performance.now() - still > 30_000) break;
  }
  g.tTaken ??= g.tDone;
  g.flushes = await metric(g.adminPorts, 'otptrace_correlator_idle_flushes_total').catch(() => -1);
  g.transactions = await metric(g.adminPorts, 'otptrace_correlator_transactions_total').catch(() => -1);
  g.analysisCpu = await metric(g.adminPorts, 'otptrace_correlator_analysis_cpu_seconds_total').catch(() => Number.NaN);
  g.correlatorCpu = g.children.reduce((n, c) => n + cpuSeconds(c.pid), 0) - g.cpuAtStart;
  await Promise.all(g.children.map((c) => new Promise((resolve) => c.once('exit', resolve) && c.kill('SIGTERM'))));
}
await Promise.all(groups.map(finish));

// ---- Read back (read_committed) and compare with the offline analysis.
async function check(g) {
  const streamed = new Map();
  let read = 0;
  const reader = createGroupConsumer(client, {
    groupId: `${g.prefix}-check`,
    topics: [g.topics.attempts.name],
    fromBeginning: true,
  });
  let lastRead = performance.now();
  await reader.start({
    onAssigned() {},
    async onBatch(b) {
      for (const r of b.records) {
        const a = JSON.parse(String(r.value));
        streamed.set(a.id, [...(streamed.get(a.id) ?? []), JSON.stringify(a)]);
        read++;
        lastRead = performance.now();
      }
    },
  });
  while (!(read >= g.out && performance.now() - lastRead > 3_000)) await sleep(200);
  await reader.stop();
  g.identical = 0;
  g.differing = 0;
  g.extra = 0;
  for (const [id, copies] of streamed) {
    const want = expected.get(id);
    if (want === undefined) g.extra += copies.length;
    else
      for (const c of copies) {
        if (want.includes(c)) g.identical++;
        else if (g.differing++ < 5) {
          // What differs, field by field (an idle flush mid-stream shows as closedBy end_of_input or a finding).
          const [got, ref] = [JSON.parse(c), JSON.parse(want[0])];
          const fields = Object.keys(ref).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(ref[k]));
          console.log(
            `differs: ${id} ${fields.map((k) => `${k}: ${JSON.stringify(got[k])} (offline ${JSON.stringify(ref[k])})`).join('; ')}`,
          );
        }
      }
  }
  g.missing = [...expected].filter(([id]) => !streamed.has(id)).length;
  g.duplicates = [...streamed].reduce((n, [id, c]) => n + Math.max(0, c.length - (expected.get(id)?.length ?? 1)), 0);
}
for (const g of groups) await check(g);
await admin
  .deleteTopics([...new Set(groups.flatMap((g) => Object.values(g.topics).map((t) => t.name)))])
  .catch(() => {});
await admin.disconnect();

const offlinePerEventUs = offlineCpuUs / totalEvents;
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `input: ${SITES} site(s), ${USERS} users, one day each, ${totalEvents} OTP events, ${expectedCount} attempts; ` +
    `${PARTITIONS} partition(s), ${CORRELATORS} correlator(s)${groups.length > 1 ? ' per group' : ''}, idle flush ${IDLE_FLUSH_MS} ms`,
);
console.log(
  `writer: ${totalEvents} events written in ${((tWritten - t0) / 1000).toFixed(1)} s ` +
    `(${Math.round(totalEvents / ((tWritten - t0) / 1000))} events/s, one sequential sender per partition)`,
);
for (const g of groups) {
  if (groups.length > 1) console.log(`-- ${g.label}:`);
  g.rate = Math.round(totalEvents / ((g.tTaken - t0) / 1000));
  g.rateWithFlush = Math.round(totalEvents / ((g.tDone - t0) / 1000));
  g.cpuPerEventUs = (g.correlatorCpu * 1e6) / totalEvents;
  g.analysisPerEventUs = (g.analysisCpu * 1e6) / totalEvents;
  console.log(
    `sustained (written to the events topic → taken and committed by the correlators): ${g.rate} events/s in ` +
      `${((g.tTaken - t0) / 1000).toFixed(1)} s; target ≥ ${TARGET} with 2 correlators`,
  );
  console.log(
    `until the last attempt is out: ${g.out}/${expectedCount} attempts in ${((g.tDone - t0) / 1000).toFixed(1)} s, ` +
      `${g.rateWithFlush} events/s (the final idle flush of ${IDLE_FLUSH_MS} ms included)`,
  );
  console.log(
    `CPU per event: correlators ${g.cpuPerEventUs.toFixed(1)} µs (all processes, Kafka client included), offline analysis ` +
      `${offlinePerEventUs.toFixed(1)} µs: ${(g.cpuPerEventUs / offlinePerEventUs).toFixed(2)} × (target ≤ 1.5 ×); ` +
      `${g.transactions} transactions, ${(totalEvents / g.transactions).toFixed(0)} events each`,
  );
  // Where the correlators' CPU goes: decoding, validating and analysing the records (the correlator's own
  // otptrace_correlator_analysis_cpu_seconds_total) against the rest (the Kafka client, transactions, outputs, GC between).
  console.log(
    `  of which decoding + validating + analysing: ${g.analysisPerEventUs.toFixed(1)} µs ` +
      `(${(g.analysisPerEventUs / offlinePerEventUs).toFixed(2)} × offline); Kafka client, transactions and the rest: ` +
      `${(g.cpuPerEventUs - g.analysisPerEventUs).toFixed(1)} µs`,
  );
  console.log(
    `idle flushes (partitions closed as end of input): ${g.flushes}; read back (read_committed): ${g.identical} identical to otptrace analyze, ${g.differing} differing, ${g.missing} missing, ` +
      `${g.extra} extra, ${g.duplicates} duplicates`,
  );
}
if (groups.length > 1)
  console.log(
    `A/B: this build ÷ compare, CPU per event ${(groups[0].cpuPerEventUs / groups[1].cpuPerEventUs).toFixed(3)}, ` +
      `decoding + validating + analysing ${(groups[0].analysisPerEventUs / groups[1].analysisPerEventUs).toFixed(3)}`,
  );
const mode = `${PARTITIONS} partitions, ${CORRELATORS} correlator(s)`;
const [g] = groups;
const row = (metric, value, unit, target = null, met = null) => ({
  group: 'kafka',
  metric: `${metric} [${mode}]`,
  value,
  unit,
  target,
  met,
  note: '',
});
console.log(
  `BENCH-RESULT ${JSON.stringify({
    rows: [
      row('OTP events until the last attempt is out (idle flush included)', g.rateWithFlush, 'events/s'),
      row(
        'OTP events end to end, sustained',
        g.rate,
        'events/s',
        CORRELATORS === 2 ? { op: '>=', value: TARGET } : null,
        CORRELATORS === 2 ? g.rate >= TARGET : null,
      ),
      row(
        'correlator CPU per event ÷ offline',
        Number((g.cpuPerEventUs / offlinePerEventUs).toFixed(2)),
        '×',
        { op: '<=', value: 1.5 },
        g.cpuPerEventUs / offlinePerEventUs <= 1.5,
      ),
      row(
        "of it, the correlator's decoding + validating + analysing ÷ offline",
        Number((g.analysisPerEventUs / offlinePerEventUs).toFixed(2)),
        '×',
      ),
      row('attempts identical to otptrace analyze', g.identical, `of ${expectedCount}`),
    ],
  })}`,
);
process.exit(groups.every((x) => x.missing + x.extra + x.differing + x.duplicates === 0) ? 0 : 1);
