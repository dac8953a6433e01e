import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { generateFleetLogs } from '@otptrace/generator';
import {
  createKafkaAdmin,
  createKafkaClient,
  kafkaConnectionSchema,
  partitionForKey,
  prefixedTopics,
} from '@otptrace/kafka';
import { describe, expect, it } from 'vitest';
import { offlineAttempts } from '../../packages/core/stream/test/corpus.js';
import { differences, readAttempts } from './pipeline.js';
import {
  KAFKA_BROKERS,
  kafkaScript,
  loggedLine,
  type ServiceProcess,
  startService,
  uniqueName,
} from './setup-kafka.js';

// Soak: a generated fleet posted to a collector process at a steady rate over loopback while correlator processes
// are killed (kill -9) and restarted, the broker is restarted, and a correlator is frozen past its session timeout; then the attempts that came out are compared, by
// deterministic id and trace ID, with the offline analysis of the same events: 4 events partitions, 2 correlators,
// exactly-once (no attempt missing, invented, repeated or different). Bounded by default (~60 s of load, about
// 2 minutes in all); bench/soak.mjs runs it longer through OTPTRACE_SOAK_SECONDS and OTPTRACE_SOAK_RATE.
const SECONDS = Number(process.env.OTPTRACE_SOAK_SECONDS ?? 60);
const PARTITIONS = 4;
const RATE = Number(process.env.OTPTRACE_SOAK_RATE ?? 150);
const SEED = Number(process.env.OTPTRACE_SOAK_SEED ?? 11);
const TOKEN = 'soak-token-0123456789abcdef';
const BATCHES_PER_SECOND = 4;
// Longer than a broker restart here (~10 s), so a correlator never takes a broker outage for the end of input.
const IDLE_FLUSH_MS = 20_000;
const EVENTS_PER_USER_DAY = 6.9; // bench/kafka-e2e.mjs: 27,581 OTP events for 4,000 users in one day

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a run's fault plan can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The services run from dist/ while the reference analysis here runs from src/ (vitest's aliases): a package whose
 * sources changed after its build would make them disagree for no fault of the stream. Names the stale packages.
 */
function staleBuilds(): string[] {
  return packageDirs().filter((dir) => newest(new URL(`${dir}src/`, root)) > newest(new URL(`${dir}dist/`, root)));
}

/** Packages whose sources or build changed after `since` (ms): a run that saw them change compared two codes. */
function changedSince(since: number): string[] {
  return packageDirs().filter(
    (dir) => Math.max(newest(new URL(`${dir}src/`, root)), newest(new URL(`${dir}dist/`, root))) > since,
  );
}

const root = new URL('../../', import.meta.url);
/** The newest modification time of any file under `dir`, ms. */
function newest(dir: URL): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Every built package and service (those with a tsbuildinfo and a src/ folder). */
function packageDirs(): string[] {
  return ['packages', 'services', 'schemas']
    .flatMap((group) =>
      group === 'schemas' ? ['schemas/'] : readdirSync(new URL(`${group}/`, root)).map((name) => `${group}/${name}/`),
    )
    .filter(
      (dir) =>
        existsSync(new URL(`${dir}tsconfig.tsbuildinfo`, root)) &&
        existsSync(new URL(`${dir}src/`, root)) &&
        existsSync(new URL(`${dir}dist/`, root)),
    );
}

/**
 * The fleet's OTP events in time order (one text each) and, per log file, the text `otptrace analyze` reads. Its day
 * has, besides the usual incidents, a DA server NPS refuses as a RADIUS client for a while: user-less refusals that
 * attempts share, which the correlators must hand out as the offline analysis does across their crashes.
 */
function fleet(users: number) {
  const events: string[] = [];
  const files = new Map<string, string>();
  const options = {
    users,
    days: 1,
    unrelatedRatio: 0,
    seed: SEED,
    incidents: ['radius_client_misconfigured'] as const,
  };
  for (const { file, text } of generateFleetLogs(options)) {
    if (file === 'expected.json') continue;
    files.set(file, (files.get(file) ?? '') + text);
    if (text.includes('<Event ')) events.push(text);
  }
  return { events, files: [...files].map(([name, text]): [string, Buffer] => [name, Buffer.from(text)]) };
}

function pipeline(prefix: string) {
  const topics = prefixedTopics(prefix, PARTITIONS);
  return {
    topics,
    collector: {
      OTPTRACE_COLLECTOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
      OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({
        events: topics.events,
        raw: topics.raw,
        deadLetter: topics.deadLetter,
      }),
      OTPTRACE_COLLECTOR_CREATE_TOPICS: 'false',
      OTPTRACE_COLLECTOR_TRANSACTIONAL_ID_PREFIX: `${prefix}.collector`,
      OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
      OTPTRACE_COLLECTOR_HTTP__PORT: '0',
      OTPTRACE_COLLECTOR_HTTP__TOKENS: TOKEN,
      OTPTRACE_COLLECTOR_HTTP__RETRY_AFTER_SECONDS: '1',
      OTPTRACE_COLLECTOR_KAFKA__SEND_TIMEOUT_MS: '5000',
      OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
      // The generated fleet has fixed dates; whatever this machine's clock says, none is "in the future".
      OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(10 * 365 * 86_400_000),
    },
    correlator: {
      OTPTRACE_CORRELATOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
      OTPTRACE_CORRELATOR_GROUP_ID: prefix,
      OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
        events: topics.events,
        attempts: topics.attempts,
        late: topics.late,
      }),
      OTPTRACE_CORRELATOR_CREATE_TOPICS: 'false',
      OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: String(IDLE_FLUSH_MS),
      OTPTRACE_CORRELATOR_SESSION_TIMEOUT_MS: '6000',
      OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
      // Info: the few lines of rebalances and idle flushes (the freeze reads who was given which partitions).
      OTPTRACE_CORRELATOR_LOG_LEVEL: 'info',
    },
    attempts: topics.attempts.name,
  };
}

/** Creates the pipeline's topics before any service starts (so that no two services race to create one). */
async function createTopics(topics: ReturnType<typeof prefixedTopics>): Promise<void> {
  const admin = createKafkaAdmin(createKafkaClient(kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS })));
  await admin.connect();
  await admin.ensureTopics(Object.values(topics));
  await admin.disconnect();
}

/** Waits for the collector's "accepting" log line and returns its HTTP port. */
async function httpPort(collector: ServiceProcess): Promise<number> {
  return (await loggedLine(collector, 'accepting EVTX-XML batches', 30_000)).port as number;
}

/** Two correlators in one group (sharing the partitions), restarted whenever they end: by our kill -9 or by a crash. */
class CorrelatorPool {
  readonly members: ServiceProcess[] = [];
  crashes = 0;
  private readonly killed = new Set<ServiceProcess>();
  private stopping = false;
  constructor(private readonly env: Record<string, string>) {
    for (let i = 0; i < 2; i++) this.members.push(this.spawn(i));
  }
  private spawn(slot: number): ServiceProcess {
    const member = startService('correlator', this.env);
    member.exited.then((how) => {
      if (this.stopping || this.killed.has(member)) return;
      // A member that ends by itself is restarted, as systemd or Kubernetes would, and counted.
      this.crashes++;
      process.stderr.write(`soak: correlator ${slot} ended by itself (${how}):\n${member.output().slice(-2000)}\n`);
      this.members[slot] = this.spawn(slot);
    });
    return member;
  }
  /** kill -9 one member, and start its replacement after `restartAfterMs`. */
  async kill(slot: number, restartAfterMs: number): Promise<void> {
    const victim = this.members[slot] as ServiceProcess;
    this.killed.add(victim);
    victim.child.kill('SIGKILL');
    await victim.exited;
    await sleep(restartAfterMs);
    this.members[slot] = this.spawn(slot);
  }
  /**
   * Freeze one member (SIGSTOP) for `ms`, past its session timeout, then let it go on (SIGCONT): a long GC pause or
   * a VM paused. Meanwhile the group gives its partitions to the other member, whose claims fence its writers; thawed,
   * it must publish nothing more from the state it held.
   */
  async freeze(slot: number, ms: number): Promise<{ takenOver: number[]; thawedSaid: string[] }> {
    const member = this.members[slot] as ServiceProcess;
    const other = this.members[1 - slot] as ServiceProcess;
    const [frozenBefore, otherBefore] = [member.output().length, other.output().length];
    member.child.kill('SIGSTOP');
    await sleep(ms);
    // The partitions the other member was given while this one was frozen: all of them, once the group evicted it.
    const takenOver = assignedIn(other.output().slice(otherBefore)).at(-1) ?? [];
    member.child.kill('SIGCONT');
    await sleep(5_000);
    const thawed = member.output().slice(frozenBefore);
    const thawedSaid = [...thawed.matchAll(/"msg":"([^"]*)"/g)].map((m) => m[1] as string);
    return { takenOver, thawedSaid };
  }
  async stop(): Promise<void> {
    this.stopping = true;
    for (const m of this.members) m.child.kill('SIGTERM');
    await Promise.all(this.members.map((m) => Promise.race([m.exited, sleep(15_000)])));
    for (const m of this.members) m.child.kill('SIGKILL');
  }
}

/** The partitions of each "partitions assigned" line in a correlator's log, in order. */
function assignedIn(log: string): number[][] {
  const assigned: number[][] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"partitions assigned')) continue;
    const { partitions } = JSON.parse(line) as { partitions: number[] };
    assigned.push([...partitions].sort((a, b) => a - b));
  }
  return assigned;
}

/** End offset of a topic (sum over partitions). */
async function endOffset(topic: string): Promise<number> {
  const admin = createKafkaAdmin(createKafkaClient(kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS })));
  await admin.connect();
  try {
    return (await admin.groupOffsets('none', topic)).reduce((n, p) => n + Number(p.end), 0);
  } finally {
    await admin.disconnect();
  }
}

/** A fault the soak injects `at` ms into the load. */
type Fault =
  | { readonly at: number; readonly kind: 'kill' | 'freeze'; readonly slot: number; readonly pauseMs: number }
  | { readonly at: number; readonly kind: 'broker'; readonly pauseMs: number }
  | { readonly at: number; readonly kind: 'grow'; readonly partitions: number };

/** Gives the events topic `partitions` partitions, as an operator's `kafka-topics.sh --alter` would. */
async function growTopic(topic: string, partitions: number): Promise<void> {
  const admin = createKafkaClient(kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS })).raw.admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Posts a fleet of `seconds` of load at RATE events/s to a collector and two correlators while `plan` (given the
 * events topic) is injected; then drains and compares the attempts that came out with the offline analysis, and
 * asserts that they are exactly its attempts, each once. Returns what the faults did.
 */
async function soak(name: string, seconds: number, planOf: (eventsTopic: string) => Fault[]) {
  expect(staleBuilds(), 'packages whose src/ is newer than dist/: run npx tsc -b services/correlator').toEqual([]);
  const codeFrozenAt = Date.now();
  const { events, files } = fleet(Math.ceil((RATE * seconds) / EVENTS_PER_USER_DAY));
  const expected = offlineAttempts(files);
  const env = pipeline(uniqueName(name));
  const plan = planOf(env.topics.events.name);
  await createTopics(env.topics);
  const collector = startService('collector', env.collector);
  const pool = new CorrelatorPool(env.correlator);
  const faults: string[] = [];
  const takeovers: number[][] = [];
  try {
    const port = await httpPort(collector);
    const perBatch = Math.max(1, Math.round(RATE / BATCHES_PER_SECOND));
    const batches: Buffer[] = [];
    for (let i = 0; i < events.length; i += perBatch) batches.push(Buffer.from(events.slice(i, i + perBatch).join('')));
    const interval = 1_000 / BATCHES_PER_SECOND;
    const t0 = Date.now();
    let refusals = 0;
    let maxBehindMs = 0;
    const post = async () => {
      for (const [i, body] of batches.entries()) {
        const due = t0 + i * interval;
        if (Date.now() < due) await sleep(due - Date.now());
        maxBehindMs = Math.max(maxBehindMs, Date.now() - due);
        for (;;) {
          const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
            method: 'POST',
            body,
            headers: { authorization: `Bearer ${TOKEN}` },
          }).catch(() => null);
          await res?.arrayBuffer();
          if (res?.status === 202) break;
          refusals++;
          await sleep(250);
        }
      }
    };
    const inject = async () => {
      for (const fault of plan) {
        const wait = t0 + fault.at - Date.now();
        if (wait > 0) await sleep(wait);
        const start = Date.now();
        const when = `t=${((start - t0) / 1000).toFixed(0)}s`;
        if (fault.kind === 'kill') {
          await pool.kill(fault.slot, fault.pauseMs);
          faults.push(`${when} kill -9 correlator ${fault.slot}, restarted`);
        } else if (fault.kind === 'freeze') {
          const { takenOver, thawedSaid } = await pool.freeze(fault.slot, fault.pauseMs);
          takeovers.push(takenOver);
          faults.push(
            `${when} correlator ${fault.slot} frozen ${fault.pauseMs / 1000} s ` +
              `(the other took partitions ${takenOver.join(',') || 'none'}), thawed; ` +
              `then it logged: ${[...new Set(thawedSaid)].join(' | ') || 'nothing'}`,
          );
        } else if (fault.kind === 'grow') {
          await growTopic(env.topics.events.name, fault.partitions);
          faults.push(`${when} events topic given ${fault.partitions} partitions`);
        } else {
          await kafkaScript('stop');
          await sleep(fault.pauseMs);
          await kafkaScript('start');
          faults.push(`${when} broker stop/start, down ${((Date.now() - start) / 1000).toFixed(1)} s`);
        }
      }
    };
    await Promise.all([post(), inject()]);
    const postedSeconds = (Date.now() - t0) / 1000;
    // Drain: after the idle flush, wait until the attempts topic stops growing.
    await sleep(IDLE_FLUSH_MS);
    let last = -1;
    for (let still = 0; still < 3; ) {
      const now = await endOffset(env.attempts).catch(() => last);
      still = now === last ? still + 1 : 0;
      last = now;
      await sleep(5_000);
    }
    // read_committed, until every expected attempt came and nothing more for a while (end offsets count the
    // transactions' markers, so they do not tell how many attempts there are).
    const emitted = await readAttempts({ brokers: KAFKA_BROKERS, topics: { attempts: env.attempts } }, expected.length);
    const ids = new Set(emitted.map((a) => a.id));
    const diff = differences(emitted, expected);
    const result = {
      seconds: postedSeconds,
      targetRate: RATE,
      eventsPosted: events.length,
      eventsPerSecondHeld: events.length / postedSeconds,
      maxBehindScheduleMs: maxBehindMs,
      refusals,
      faults,
      correlatorCrashes: pool.crashes,
      attemptsExpected: expected.length,
      attemptsEmitted: ids.size,
      records: emitted.length,
      // Repeated copies beyond the offline analysis' own (it may give two attempts one id).
      duplicates: diff.duplicated.length,
      missing: diff.missing.length,
      invented: diff.invented.length,
      differing: diff.differing.length,
      // What differs, to find the cause (never expected to be non-empty).
      differences: diff,
    };
    // Others may rebuild the repository meanwhile: restarted correlators would then run other code than the
    // reference. Such a run proves nothing either way.
    const changed = changedSince(codeFrozenAt);
    Object.assign(result, { codeChangedDuringRun: changed });
    process.stdout.write(`SOAK-RESULT ${JSON.stringify(result)}\n`);
    if (process.env.OTPTRACE_SOAK_RESULT) writeFileSync(process.env.OTPTRACE_SOAK_RESULT, JSON.stringify(result));
    expect(changed, 'sources or builds changed during the run: the comparison is void, run again').toEqual([]);
    expect(faults).toHaveLength(plan.length);
    // Exactly-once and exact: every attempt of the offline analysis once, field for field, nothing else.
    expect(diff).toEqual({ duplicated: [], missing: [], invented: [], differing: [] });
    expect(emitted.length).toBe(expected.length);
    return { takeovers, collectorLog: collector.output() };
  } finally {
    await pool.stop();
    collector.child.kill('SIGTERM');
    await Promise.race([collector.exited, sleep(15_000)]);
    collector.child.kill('SIGKILL');
    await kafkaScript('start');
  }
}

describe('soak: steady load while correlators are killed or frozen and the broker restarts', () => {
  it(
    'emits exactly the attempts of the offline analysis, each once (4 partitions, 2 correlators)',
    async () => {
      const { takeovers } = await soak('soak', SECONDS, () => {
        // Faults spread over the load: correlator kills and broker restarts in turn, at jittered times.
        // The kills alternate between the two members from a random first one, so the working one dies too.
        const rnd = random(SEED);
        const firstSlot = Math.floor(rnd() * 2);
        const plan: Fault[] = [0.12, 0.28, 0.44, 0.6, 0.76].map((at, i) => {
          const fault = { at: (at + (rnd() - 0.5) * 0.06) * SECONDS * 1_000, slot: (firstSlot + i / 2) % 2 };
          const pauseMs = 500 + Math.floor(rnd() * 2_500);
          return i % 2 === 0 ? { ...fault, kind: 'kill', pauseMs } : { at: fault.at, kind: 'broker', pauseMs };
        });
        // Last, a member frozen for twice its session timeout (6 s) while the load goes on.
        plan.push({ at: 0.86 * SECONDS * 1_000, kind: 'freeze', slot: (firstSlot + 1) % 2, pauseMs: 12_000 });
        return plan;
      });
      // The freeze was a real eviction: the other member held every partition before the frozen one thawed.
      expect(takeovers).toEqual([Array.from({ length: PARTITIONS }, (_, p) => p)]);
    },
    (SECONDS + 240) * 1_000,
  );

  it(
    'keeps a site in its partition when the events topic is given more partitions under the running services',
    async () => {
      // More partitions, then a broker restart: every producer renews its session and reads the topic's metadata
      // again. The site ("default") would move from partition 3 of 4 to one the topic did not have.
      const grown = Array.from({ length: 12 }, (_, i) => PARTITIONS + 1 + i).find(
        (n) => partitionForKey('default', n) >= PARTITIONS,
      ) as number;
      const seconds = Math.min(SECONDS, 30);
      const { collectorLog } = await soak('soak-grown', seconds, () => [
        { at: 0.25 * seconds * 1_000, kind: 'grow', partitions: grown },
        { at: 0.45 * seconds * 1_000, kind: 'broker', pauseMs: 1_000 },
      ]);
      expect(collectorLog).toContain('more partitions than configured');
    },
    (SECONDS + 240) * 1_000,
  );
});
