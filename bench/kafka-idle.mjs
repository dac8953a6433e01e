// What an idle Kafka client costs: a process with a consumer (group member, subscribed, fetching an empty topic) and a
// producer, connected to the real broker (deploy/kafka/kafka.sh) and left alone for --seconds (default 10; --quick 5)
// after 3 s to settle. Measured twice, each in a child process of its own: through the adapter (createKafkaClient,
// which stops kafkajs's idle polling: packages/adapters/kafka/src/idle-polling.ts) and with kafkajs as published.
// Prints each one's CPU (user + system, process.cpuUsage), the timers it armed (calls of setTimeout, wrapped before
// kafkajs is loaded) and the TimeoutNegativeWarnings on its standard error (Node 23 and later print one per process).
// Usage: node bench/kafka-idle.mjs [--quick] [--seconds S]
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { option, QUICK, ROOT, report, row } from './lib/common.mjs';

const seconds = Number(option('--seconds', QUICK ? '5' : '10'));
/** The adapter's build, as the child imports it. */
const ADAPTER = pathToFileURL(`${ROOT}packages/adapters/kafka/dist/index.js`).href;
const BROKERS = [`localhost:${process.env.OTPTRACE_KAFKA_PORT ?? '9092'}`];

/** The child: arms counting on setTimeout, connects, idles, prints one JSON line. */
const CHILD = `
const mode = process.argv[1];
const seconds = Number(process.argv[2]);
const brokers = process.argv[3].split(',');
let timers = 0;
const arm = globalThis.setTimeout;
globalThis.setTimeout = (fn, ms, ...rest) => { timers++; return arm(fn, ms, ...rest); };
const sleep = (ms) => new Promise((resolve) => arm(resolve, ms));
const kafkajs = await import('kafkajs');
let kafka;
if (mode === 'adapter') {
  const { createKafkaClient, kafkaConnectionSchema } = await import(process.argv[4]);
  kafka = createKafkaClient(kafkaConnectionSchema.parse({ brokers, clientId: 'bench-idle' })).raw;
} else {
  kafka = new kafkajs.Kafka({ brokers, clientId: 'bench-idle', logLevel: kafkajs.logLevel.NOTHING });
}
const topic = 'otptrace-bench-idle';
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
await admin.disconnect();
const consumer = kafka.consumer({ groupId: 'otptrace-bench-idle-' + mode + '-' + process.pid });
await consumer.connect();
await consumer.subscribe({ topic });
await consumer.run({ eachMessage: async () => {} });
const producer = kafka.producer();
await producer.connect();
await sleep(3000);
const cpu0 = process.cpuUsage();
const timers0 = timers;
await sleep(seconds * 1000);
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, timers: timers - timers0 }));
await consumer.disconnect();
await producer.disconnect();
process.exit(0);
`;

function idle(mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, mode, String(seconds), BROKERS.join(','), ADAPTER],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode}: exit ${code}\n${err}`));
      const warnings = err.split('TimeoutNegativeWarning').length - 1;
      resolve({ ...JSON.parse(out.trim().split('\n').pop()), warnings });
    });
  });
}

const rows = [];
const results = {};
for (const mode of ['adapter', 'published']) {
  const r = await idle(mode);
  results[mode] = r;
  const who = mode === 'adapter' ? 'through the adapter (idle polling stopped)' : 'kafkajs as published';
  console.log(
    `${who}: ${seconds} s idle, CPU ${r.cpuMs.toFixed(0)} ms (${((r.cpuMs / (seconds * 1000)) * 100).toFixed(2)} % of a core), ${r.timers} timers armed, ${r.warnings} TimeoutNegativeWarning(s); Node ${process.version}`,
  );
  rows.push(
    row(
      'kafka',
      `idle consumer + producer, CPU per second, ${who}`,
      r.cpuMs / seconds,
      'ms/s',
      null,
      `${r.timers} timers armed in ${seconds} s`,
    ),
  );
}
rows.push(
  row(
    'kafka',
    'idle consumer + producer: kafkajs as published ÷ through the adapter, CPU',
    results.published.cpuMs / results.adapter.cpuMs,
    '×',
    null,
    '',
  ),
);
report(rows);
