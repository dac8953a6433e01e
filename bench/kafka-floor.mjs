// Benchmark: the floor under the correlator's CPU per event — what its Kafka traffic alone costs with kafkajs. The same
// events as kafka-e2e.mjs are written to an events topic (keyed by site, after the group settled); worker processes
// (one consumer group, bench/lib/kafka-floor-worker.mjs) read them through @otptrace/kafka's group consumer and, per
// batch, write one attempt-sized record per (events ÷ attempts) events in one transaction with the batch's offset,
// through the correlator's transactional writer. No decoding, no analysis, no serialisation (the records are real
// attempt records, encoded once). Measures the workers' CPU per event (user+system from /proc, from the first event
// written until every event was taken and committed) against the offline analysis' CPU per event, as kafka-e2e.mjs.
// Needs a build (npx tsc -b). Usage:
//   node bench/kafka-floor.mjs [--quick] [--users N] [--sites S] [--partitions P] [--correlators C]
//     [--max-bytes-per-partition BYTES] [--attempts-per-record K]
import { fork } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  kafkaConnectionSchema,
  prefixedTopics,
} from '@otptrace/kafka';
import { OUT, option, QUICK, report, row } from './lib/common.mjs';
import {
  backlogByPartition,
  benchNodeArgs,
  buildSites,
  processCpuSeconds,
  sleep,
  writeBacklog,
} from './lib/kafka-bench.mjs';

const arg = (name, fallback) => Number(option(name, fallback));
const USERS = arg('--users', QUICK ? 2_000 : 10_000);
const SITES = arg('--sites', 12);
const PARTITIONS = arg('--partitions', 4);
const WORKERS = arg('--correlators', 2);
// The consumer's fetch size per partition (the largest batch, so the records per transaction); default kafkajs' 1 MiB.
const MAX_BYTES_PER_PARTITION = arg('--max-bytes-per-partition', 1_048_576);
// Attempts per record on the attempts topic: 1 as the contract says; more, packed as a JSON array, to measure what a
// packed attempts topic would save (a contract change, not built).
const ATTEMPTS_PER_RECORD = arg('--attempts-per-record', 1);
const BROKERS = [`localhost:${process.env.OTPTRACE_KAFKA_PORT ?? '9092'}`];
const prefix = `floor-${Date.now().toString(36)}`;

const { sites, totalEvents, expectedCount, offlineCpuUs } = buildSites({ users: USERS, sites: SITES });
const attempts = sites.flatMap((s) => s.attempts);
const sampleFile = `${OUT}kafka-floor-sample-${process.pid}.json`;
writeFileSync(sampleFile, JSON.stringify(attempts.slice(0, 1_000)));
const meanAttemptBytes = attempts.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0) / attempts.length;

const topics = prefixedTopics(prefix, PARTITIONS);
const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers: BROKERS, clientId: 'bench' }));
const admin = createKafkaAdmin(client);
await admin.connect();
await admin.ensureTopics(Object.values(topics));

const state = { ready: 0, joins: 0, taken: 0, transactions: 0 };
const workers = [];
for (let i = 0; i < WORKERS; i++) {
  const worker = fork(new URL('./lib/kafka-floor-worker.mjs', import.meta.url), {
    execArgv: benchNodeArgs(),
    env: {
      ...process.env,
      OTPTRACE_FLOOR: JSON.stringify({
        brokers: BROKERS,
        groupId: `${prefix}.floor`,
        events: topics.events.name,
        attempts: topics.attempts.name,
        eventsPerRecord: totalEvents / expectedCount,
        attemptsPerRecord: ATTEMPTS_PER_RECORD,
        sampleFile,
        maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      }),
    },
  });
  worker.on('message', (m) => {
    state.ready += m.ready ? 1 : 0;
    state.joins += m.joins ?? 0;
    state.taken += m.taken ?? 0;
    state.transactions += m.transactions ?? 0;
  });
  workers.push(worker);
}
while (state.ready < WORKERS) await sleep(50);
// The group settles (every member joined: no rebalance for 3 s) before the events come, as in kafka-e2e.mjs.
for (let last = -1, still = 0; still < 3; await sleep(1_000)) {
  still = state.joins === last && state.joins >= WORKERS ? still + 1 : 0;
  last = state.joins;
}
const producer = createRecordProducer(client);
await producer.connect();
const byPartition = backlogByPartition(sites, topics.events.name, PARTITIONS);
const t0 = performance.now();
const cpuAtStart = workers.reduce((n, w) => n + processCpuSeconds(w.pid), 0);
await writeBacklog(producer, byPartition);
await producer.disconnect();
while (state.taken < totalEvents) await sleep(20);
const tTaken = performance.now();
const workerCpu = workers.reduce((n, w) => n + processCpuSeconds(w.pid), 0) - cpuAtStart;
await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve) && w.kill('SIGTERM'))));
await admin.deleteTopics(Object.values(topics).map((t) => t.name)).catch(() => {});
await admin.disconnect();
rmSync(sampleFile);

const cpuPerEventUs = (workerCpu * 1e6) / totalEvents;
const offlinePerEventUs = offlineCpuUs / totalEvents;
const ratio = cpuPerEventUs / offlinePerEventUs;
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `input: ${SITES} site(s), ${USERS} users, ${totalEvents} OTP events; out: ${expectedCount} records of ` +
    `${Math.round(meanAttemptBytes)} bytes on average (one per ${(totalEvents / expectedCount).toFixed(2)} events); ` +
    `${PARTITIONS} partition(s), ${WORKERS} worker(s)`,
);
console.log(
  `floor (kafkajs consumer → transactional producer, no analysis): ${cpuPerEventUs.toFixed(1)} µs CPU per event, ` +
    `offline analysis ${offlinePerEventUs.toFixed(1)} µs: ${ratio.toFixed(2)} × (the correlator's target ≤ 1.5 ×); ` +
    `${state.transactions} transactions, ${(totalEvents / state.transactions).toFixed(0)} events each, ` +
    `${Math.round(totalEvents / ((tTaken - t0) / 1000))} events/s`,
);
const mode = `${PARTITIONS} partitions, ${WORKERS} worker(s)`;
report([
  row('kafka', `floor: Kafka client CPU per event ÷ offline analysis [${mode}]`, Number(ratio.toFixed(2)), '×'),
  row('kafka', `floor: Kafka client CPU per event [${mode}]`, Number(cpuPerEventUs.toFixed(1)), 'µs'),
]);
