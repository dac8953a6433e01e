// Benchmark: the streaming pipeline end to end on the real single-node Kafka (deploy/kafka/kafka.sh): a generated
// fleet's events, in time order, posted to a collector process over HTTP in batches; one correlator process turns
// them into attempts. Measures sustained events/s through the collector, through the correlator, attempts/s, and the
// correlator's lag (records behind, sampled from its /metrics every 250 ms). Needs a build (npx tsc -b).
// The attempts read back from Kafka are compared, by id and verdict, with `otptrace analyze` (OfflineAnalysis) on the
// same events. Usage: node bench/kafka-e2e.mjs [--quick] [--users N] [--correlators N] [--partitions N]
//   [--unrelated-ratio R] [--batch N]: R = 0 (default) posts the OTP events alone; R = 0.9 posts the stream as a
//   Windows host forwards it, nine unrelated events in ten (the collector drops those before parsing).
import { execFileSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { generateFleetLogs } from '@otptrace/generator';
import { createGroupConsumer, createKafkaAdmin, createKafkaClient, kafkaConnectionSchema } from '@otptrace/kafka';
import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const QUICK = process.argv.includes('--quick');
const USERS = arg('--users', QUICK ? 500 : 4000);
const CORRELATORS = arg('--correlators', 1);
const UNRELATED_RATIO = arg('--unrelated-ratio', 0);
const BATCH_EVENTS = arg('--batch', UNRELATED_RATIO > 0 ? 5000 : 500);
// One poster keeps the batches in event-time order, as live forwarding does (a replay at full speed from several
// posters would put hours of event time between them and the watermark would call the stragglers late).
const CONCURRENCY = 1;
const PARTITIONS = arg('--partitions', 1);
const TOKEN = 'bench-token-0123456789abcdef';
const prefix = `bench-${Date.now().toString(36)}`;

execFileSync('bash', [`${ROOT}deploy/kafka/kafka.sh`, 'start'], { stdio: 'inherit' });

// The fleet's events (by default its OTP events only; --unrelated-ratio adds the unrelated bulk), as time-ordered batches.
const batches = [];
let current = [];
let events = 0;
const byFile = {};
const generator = generateFleetLogs({ users: USERS, days: 1, unrelatedRatio: UNRELATED_RATIO, seed: 7 });
let step = generator.next();
while (!step.done) {
  const { file, text } = step.value;
  if (file !== 'expected.json') byFile[file] = (byFile[file] ?? '') + text;
  if (file !== 'expected.json' && text.includes('<Event ')) {
    current.push(text);
    events++;
    if (current.length >= BATCH_EVENTS) {
      batches.push(Buffer.from(current.join('')));
      current = [];
    }
  }
  step = generator.next();
}
if (current.length > 0) batches.push(Buffer.from(current.join('')));
// The reference: the offline analysis of the same four files.
const offline = new OfflineAnalysis(DEFAULT_ANALYSIS_CONFIG);
for (const [file, text] of Object.entries(byFile)) {
  const ingestor = new XmlIngestor(offline.context, { maxEventBytes: DEFAULT_ANALYSIS_CONFIG.maxEventBytes });
  offline.add(file, [...ingestor.push(Buffer.from(text)), ...ingestor.end()]);
}
const reference = new Map(offline.finish().attempts.map((a) => [a.record.id, a.record]));
const expectedAttempts = reference.size;

const spec = (name, partitions) => ({ name: `${prefix}.${name}`, partitions, replicationFactor: 1 });
const topics = {
  events: spec('events', PARTITIONS),
  raw: spec('raw', PARTITIONS),
  deadLetter: spec('dead-letter', 1),
  attempts: spec('attempts', PARTITIONS),
  late: spec('late', 1),
  userless: spec('userless', PARTITIONS),
};

/** Starts a service and resolves with its ports once it logged them. */
function start(name, env) {
  const child = spawn(process.execPath, [`${ROOT}services/${name}/dist/main.js`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = {};
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          if (entry.adminPort) ports.admin = entry.adminPort;
          if (entry.msg?.startsWith('accepting')) ports.http = entry.port;
          if (entry.msg === `${name} started`) resolve({ child, ports });
          if (entry.level >= 50) console.error(line);
        } catch {}
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

const collector = await start('collector', {
  OTPTRACE_COLLECTOR_KAFKA__BROKERS: 'localhost:9092',
  OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({ events: topics.events, raw: topics.raw, deadLetter: topics.deadLetter }),
  OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
  OTPTRACE_COLLECTOR_HTTP__PORT: '0',
  OTPTRACE_COLLECTOR_HTTP__TOKENS: TOKEN,
  OTPTRACE_COLLECTOR_HTTP__MAX_IN_FLIGHT_BATCHES: String(CONCURRENCY),
  OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
  // The generated fleet has fixed dates; whatever this machine's clock says, none is "in the future".
  OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(10 * 365 * 86_400_000),
});
const correlators = [];
for (let i = 0; i < CORRELATORS; i++) {
  correlators.push(
    await start('correlator', {
      OTPTRACE_CORRELATOR_KAFKA__BROKERS: 'localhost:9092',
      OTPTRACE_CORRELATOR_GROUP_ID: prefix,
      OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
        events: topics.events,
        attempts: topics.attempts,
        late: topics.late,
        userless: topics.userless,
      }),
      OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '2000',
      OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
    }),
  );
}

/** Sum of a Prometheus series over every correlator (all label sets). */
async function metric(name) {
  let sum = 0;
  for (const { ports } of correlators) {
    const text = await (await fetch(`http://127.0.0.1:${ports.admin}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

let maxLag = 0;
const lagSamples = [];
const sampler = setInterval(async () => {
  const lag = await metric('otptrace_correlator_lag_records').catch(() => 0);
  maxLag = Math.max(maxLag, lag);
  lagSamples.push(lag);
}, 250);

const t0 = performance.now();
let next = 0;
let refused = 0;
async function poster() {
  while (next < batches.length) {
    const body = batches[next++];
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${collector.ports.http}/v1/events`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      await res.arrayBuffer();
      if (res.status === 202) break;
      refused++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, poster));
const tPosted = performance.now();

// Done when the correlator emitted every attempt (the last ones after its 2 s idle flush) or nothing moves for 10 s.
let last = -1;
let still = performance.now();
let tDone = performance.now();
for (;;) {
  const out = await metric('otptrace_correlator_attempts_out_total');
  if (out !== last) {
    last = out;
    still = performance.now();
    tDone = still;
  }
  if (out >= expectedAttempts || performance.now() - still > 10_000) break;
  await new Promise((r) => setTimeout(r, 100));
}
clearInterval(sampler);
const eventsIn = await metric('otptrace_correlator_events_in_total');
const late = await metric('otptrace_correlator_events_late_total');
const openLeft = await metric('otptrace_correlator_open_attempts');
for (const { child } of [collector, ...correlators]) child.kill('SIGTERM');

// Read the attempts back and compare with the offline analysis.
const client = createKafkaClient(kafkaConnectionSchema.parse({ clientId: 'bench-check' }));
const admin = createKafkaAdmin(client);
await admin.connect();
const ends = await admin.groupOffsets('none', topics.attempts.name);
const total = ends.reduce((n, p) => n + Number(p.end), 0);
await admin.disconnect();
const streamed = new Map();
let read = 0;
const reader = createGroupConsumer(client, {
  groupId: `${prefix}-check`,
  topics: [topics.attempts.name],
  fromBeginning: true,
});
await new Promise((resolve) => {
  if (total === 0) resolve();
  reader.start({
    onAssigned() {},
    async onBatch(b) {
      for (const r of b.records) {
        const a = JSON.parse(String(r.value));
        streamed.set(a.id, a);
      }
      read += b.records.length;
      if (read >= total) resolve();
    },
  });
});
await reader.stop();
const verdict = (a) => `${a.outcome}/${a.failedStage}/${a.rootCause?.code}/${a.evidence.length}`;
let same = 0;
for (const [id, a] of reference) if (streamed.has(id) && verdict(streamed.get(id)) === verdict(a)) same++;
const extra = [...streamed.keys()].filter((id) => !reference.has(id)).length;

const s = (ms) => ms / 1000;
const postSeconds = s(tPosted - t0);
const doneSeconds = s(tDone - t0);
const sorted = [...lagSamples].sort((a, b) => a - b);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, Kafka 4.1.1 single node`);
console.log(
  `fleet: ${USERS} users, 1 day, ${events} events (unrelated ratio ${UNRELATED_RATIO}) in ${batches.length} batches of ≤${BATCH_EVENTS}; ` +
    `events topic: ${PARTITIONS} partition(s)`,
);
console.log(
  `collector: ${(events / postSeconds).toFixed(0)} events/s accepted (all acknowledged by Kafka), ${refused} refusals`,
);
console.log(
  `end to end: ${(events / doneSeconds).toFixed(0)} events/s, ${last}/${expectedAttempts} attempts in ${doneSeconds.toFixed(1)} s` +
    ` (includes the 2 s idle flush at the end); correlator read ${eventsIn} records (user-less events are copied to ${PARTITIONS} partitions)`,
);
console.log(
  `correlator lag: max ${maxLag} records, median ${sorted[Math.floor(sorted.length / 2)] ?? 0}, ` +
    `p95 ${sorted[Math.floor(sorted.length * 0.95)] ?? 0} (sampled every 250 ms, ${CORRELATORS} correlator(s))`,
);
console.log(`late events (to the late topic): ${late}; attempts still open at the end: ${openLeft}`);
console.log(
  `agreement with otptrace analyze: ${same}/${reference.size} attempts identical (id, outcome, stage, root cause, ` +
    `evidence count), ${extra} attempts the offline analysis does not have, ${total - streamed.size} duplicates`,
);
// For bench/run.mjs: its table takes the rows of a last line starting with BENCH-RESULT.
const mode = UNRELATED_RATIO > 0 ? `stream with ${Math.round(UNRELATED_RATIO * 100)}% unrelated` : 'OTP events only';
const row = (metric, value, unit, note = '', target = null) => ({
  group: 'kafka',
  metric: `${metric} [${mode}]`,
  value,
  unit,
  target,
  met: target === null ? null : value >= target.value,
  note,
});
const endToEnd = Math.round(events / doneSeconds);
const rows = [
  row(
    'collector: events accepted (acks=all)',
    Math.round(events / postSeconds),
    'events/s',
    `${PARTITIONS} partition(s), batches of ${BATCH_EVENTS}`,
  ),
  // Issue 6's target (30,000 events/s sustained) is about the stream as hosts send it, unrelated events included.
  row(
    'end to end: events to attempts',
    endToEnd,
    'events/s',
    'incl. 2 s idle flush',
    UNRELATED_RATIO > 0 ? { op: '>=', value: 30_000 } : null,
  ),
  row('correlator lag, max', maxLag, 'records', 'sampled every 250 ms'),
  row('attempts identical to otptrace analyze', same, `of ${reference.size}`),
];
console.log(`BENCH-RESULT ${JSON.stringify({ rows })}`);
process.exit(0);
