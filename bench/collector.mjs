// Benchmark: the collector process over HTTP on the real single-node Kafka (deploy/kafka/kafka.sh), issue 17.
// 1) accepted events/s with 1 sender and with 20 senders (batches of 500 NPS 6272 events, each batch one Kafka
//    transaction; a refused batch is posted again after 100 ms); 2) the collector's peak RSS while one token opens 40
//    connections that each declare 15 MiB and send 14 MiB of events slowly (the memory attack of the issue).
// Needs a build (npx tsc -b). Usage: node bench/collector.mjs [--quick]. Honours OTPTRACE_KAFKA_PORT, and
// OTPTRACE_BENCH_NODE_ARGS (the collector's node flags, e.g. "--cpu-prof --cpu-prof-dir=DIR").
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { benchNodeArgs } from './lib/kafka-bench.mjs';

const ROOT = new URL('../', import.meta.url).pathname;
const QUICK = process.argv.includes('--quick');
const MiB = 1024 * 1024;
const BUDGET = 128 * MiB;
const BATCH = 500;
const SENDERS = 20;
const BROKERS = `localhost:${process.env.OTPTRACE_KAFKA_PORT ?? '9092'}`;
const tokens = Array.from({ length: SENDERS }, (_, i) => `bench-sender-${String(i).padStart(2, '0')}-0123456789abcdef`);
const prefix = `bench-collector-${Date.now().toString(36)}`;

execFileSync('bash', [`${ROOT}deploy/kafka/kafka.sh`, 'start'], { stdio: 'inherit' });

const nps = readFileSync(`${ROOT}test/scenarios/success/nps.xml`, 'utf8').trim();
let recordId = 1;
const batch = (count) => {
  const events = [];
  for (let i = 0; i < count; i++) events.push(nps.replace(/<EventRecordID>\d+</, `<EventRecordID>${recordId++}<`));
  return Buffer.from(`<Events>\n${events.join('\n')}\n</Events>`);
};

const spec = (name) => ({ name: `${prefix}.${name}`, partitions: 1, replicationFactor: 1 });
const child = spawn(process.execPath, [...benchNodeArgs(), `${ROOT}services/collector/dist/main.js`], {
  env: {
    ...process.env,
    OTPTRACE_COLLECTOR_KAFKA__BROKERS: BROKERS,
    OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({ events: spec('events'), raw: spec('raw'), deadLetter: spec('dl') }),
    OTPTRACE_COLLECTOR_TRANSACTIONAL_ID_PREFIX: prefix,
    OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
    OTPTRACE_COLLECTOR_HTTP__PORT: '0',
    OTPTRACE_COLLECTOR_HTTP__TOKENS: JSON.stringify(tokens),
    OTPTRACE_COLLECTOR_HTTP__MEMORY_BUDGET_BYTES: String(BUDGET),
    OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
    OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(10 * 365 * 86_400_000),
    OTPTRACE_COLLECTOR_LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise((resolve, reject) => {
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    const match = /"port":(\d+)[^\n]*accepting EVTX-XML/.exec(buffer);
    if (match) resolve(Number(match[1]));
  });
  child.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  setTimeout(() => reject(new Error('collector did not report its port')), 60_000);
});
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;

async function post(token, body) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** Each sender posts `batches` batches in turn, re-posting a refused one after 100 ms; accepted events/s overall. */
async function throughput(senders, batches) {
  const bodies = senders.map(() => Array.from({ length: batches }, () => batch(BATCH)));
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    senders.map(async (token, s) => {
      for (const body of bodies[s]) {
        while ((await post(token, body)) !== 202) {
          refused++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: (senders.length * batches * BATCH) / seconds, seconds, refused };
}

await post(tokens[0], batch(10)); // warm-up: the first transaction finds its coordinator
// The memory attack: 40 slow 15 MiB bodies from one token.
const attackBody = batch(8_200).subarray(0, 15 * MiB);
const before = rss();
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, rss());
}, 50);
let refusedAttacks = 0;
const sockets = Array.from({ length: 40 }, () => {
  const socket = connect(port, '127.0.0.1', () => {
    socket.write(
      `POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${tokens[0]}\r\ncontent-length: ${attackBody.length}\r\n\r\n`,
    );
    let offset = 0;
    const timer = setInterval(() => {
      if (offset >= 14 * MiB || socket.destroyed) return clearInterval(timer);
      socket.write(attackBody.subarray(offset, offset + MiB));
      offset += MiB;
    }, 100);
  });
  socket.on('data', (chunk) => {
    if (String(chunk).startsWith('HTTP/1.1 429')) refusedAttacks++;
  });
  socket.on('error', () => {});
  return socket;
});
await new Promise((r) => setTimeout(r, 3_000));
clearInterval(sampler);
for (const socket of sockets) socket.destroy();

const one = await throughput([tokens[0]], QUICK ? 10 : 30);
const many = await throughput(tokens, QUICK ? 2 : 5);

child.kill('SIGTERM');

const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`collector bench (load average ${load})`);
console.log(
  `  1 sender:   ${Math.round(one.eventsPerSecond)} accepted events/s (${one.seconds.toFixed(1)} s, ${one.refused} refused)   target >= 2000`,
);
console.log(
  `  20 senders: ${Math.round(many.eventsPerSecond)} accepted events/s (${many.seconds.toFixed(1)} s, ${many.refused} refused)   target >= 2000`,
);
console.log(
  `  memory attack (40 x 15 MiB, one token): RSS ${Math.round(before / MiB)} -> peak ${Math.round(peak / MiB)} MiB, ` +
    `growth ${Math.round((peak - before) / MiB)} MiB (first phase, after a warm-up batch), ${refusedAttacks} of 40 refused   target: growth < budget (${BUDGET / MiB} MiB)`,
);
const row = (metric, value, unit, target, met, note = '') => ({
  group: 'collector',
  metric,
  value,
  unit,
  target,
  met,
  note,
});
const growth = (peak - before) / MiB;
console.log(
  `BENCH-RESULT ${JSON.stringify({
    rows: [
      row(
        'accepted events/s, 1 sender',
        Math.round(one.eventsPerSecond),
        'events/s',
        '>= 2000',
        one.eventsPerSecond >= 2000,
        `load ${load}`,
      ),
      row(
        'accepted events/s, 20 senders',
        Math.round(many.eventsPerSecond),
        'events/s',
        '>= 2000',
        many.eventsPerSecond >= 2000,
        `load ${load}`,
      ),
      row(
        'peak RSS, 40 x 15 MiB attack',
        Math.round(peak / MiB),
        'MiB',
        `growth < ${BUDGET / MiB} MiB`,
        growth < BUDGET / MiB,
        `growth ${Math.round(growth)} MiB, ${refusedAttacks}/40 refused`,
      ),
    ],
  })}`,
);
