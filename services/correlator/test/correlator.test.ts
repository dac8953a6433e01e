import { maxValueBytes } from '@otptrace/kafka';
import { fitEvidence } from '@otptrace/pipeline';
import { createMetrics } from '@otptrace/runtime';
import { type AttemptRecord, exactGuard, type NormalizedEvent, normalizedEventSchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { correlatorConfigSchema } from '../src/config.js';
import { type Correlator, createCorrelator } from '../src/correlator.js';
import {
  byId,
  eventsOf,
  generatedDay,
  MemoryBroker,
  MemoryConsumer,
  MemoryLog,
  memoryPorts,
  offlineAttempts,
  REPLAY_WALL_CLOCK,
  shiftedCorpus,
} from './ports.js';

// Three sites on one events topic: each site's attempts must be what `otptrace analyze` finds in its own files.
const sites = {
  corpus: shiftedCorpus(),
  dayA: generatedDay(60, 3, '2026-03-02T00:00:00Z'),
  dayB: generatedDay(60, 4, '2026-03-05T00:00:00Z'),
};
const expected = byId(Object.values(sites).flatMap((files) => offlineAttempts(files)));

/** The sites' events in time order, as the collector writes them: a run of one site's events (up to 25) per record. */
function fill(partitions: number): MemoryLog {
  const log = new MemoryLog(partitions);
  const all = Object.entries(sites).flatMap(([site, files]) => eventsOf(files).map((event) => ({ site, event })));
  let run: NormalizedEvent[] = [];
  let runSite = '';
  for (const { site, event } of all.sort((x, y) => x.event.time - y.event.time)) {
    if (run.length > 0 && (site !== runSite || run.length === 25)) {
      log.appendBatch(run, runSite);
      run = [];
    }
    run.push(event);
    runSite = site;
  }
  if (run.length > 0) log.appendBatch(run, runSite);
  return log;
}

const config = correlatorConfigSchema.parse({ idleFlushMs: 1_000, retryPauseMs: 0 });

async function member(log: MemoryLog, broker: MemoryBroker, partitions: number[], clock: { now: number }) {
  const consumer = new MemoryConsumer(log, broker, partitions);
  const correlator = createCorrelator(config, memoryPorts(consumer, broker, clock));
  await correlator.start();
  return { consumer, correlator };
}

/** A log of `partitions` partitions holding every site's events, on a broker with no commit yet. */
function setup(partitions: number) {
  const log = fill(partitions);
  const broker = new MemoryBroker();
  broker.log = log;
  return { log, broker, clock: { now: REPLAY_WALL_CLOCK } };
}

/** Records of its partitions that a member has not read yet. */
function unread(consumer: MemoryConsumer): number {
  let n = 0;
  for (const [partition, at] of consumer.position) n += (consumer.log.partitions[partition]?.length ?? 0) - at;
  return n;
}

/** What the broker committed on the attempts topic: every offline attempt, each exactly once. */
function expectEachOnce(broker: MemoryBroker): void {
  const published = broker.attempts();
  expect(new Set(published.map((x) => x.id)).size).toBe(published.length);
  expect(byId(published)).toEqual(expected);
}

async function idle(members: Array<{ correlator: Correlator }>, clock: { now: number }) {
  clock.now += 5_000;
  for (const m of members) await m.correlator.checkIdle();
}

/**
 * One member reading partition 0 of `log` to its end, `poll` records at a time, then idle when asked: the attempts
 * it published (on its broker) and its metrics.
 */
async function readToEnd(log: MemoryLog, options: { poll?: number; idle?: boolean } = {}) {
  const broker = new MemoryBroker();
  broker.log = log;
  const clock = { now: REPLAY_WALL_CLOCK };
  const metrics = createMetrics();
  const consumer = new MemoryConsumer(log, broker, [0]);
  const correlator = createCorrelator(config, { ...memoryPorts(consumer, broker, clock), metrics });
  await correlator.start();
  while ((await consumer.poll(options.poll ?? 9)) > 0) {}
  if (options.idle === true) await idle([{ correlator }], clock);
  await correlator.stop();
  return { broker, metrics: await metrics.render() };
}

describe('correlator: exactly the offline attempts, once, at any partition count', () => {
  for (const partitions of [1, 4, 12]) {
    it(`${partitions} partition(s), two members, a rebalance and a crash mid-stream`, async () => {
      const { log, broker, clock } = setup(partitions);
      const all = [...Array(partitions).keys()];
      const half = Math.ceil(partitions / 2);
      const a = await member(log, broker, all.slice(0, half), clock);
      const b = await member(log, broker, all.slice(half), clock);
      // A record (25 events) per poll: each turn of the group below happens mid-stream.
      for (let i = 0; i < 40; i++) await Promise.all([a.consumer.poll(1), b.consumer.poll(1)]);
      expect(unread(a.consumer) + unread(b.consumer)).toBeGreaterThan(0);
      // b dies without a word (kill -9): a takes every partition from the group's commits.
      await a.consumer.rejoin(all);
      for (let i = 0; i < 20; i++) await a.consumer.poll(1);
      // A new member c joins: the partitions are shared again.
      const c = await member(log, broker, all.slice(half), clock);
      await a.consumer.rejoin(all.slice(0, half));
      while ((await a.consumer.poll(13)) + (await c.consumer.poll(13)) > 0) {}
      await idle([a, c], clock);
      expectEachOnce(broker);
    });
  }

  it('a failed transaction publishes nothing; the partition is re-read and every attempt comes out once', async () => {
    const { log, broker, clock } = setup(2);
    const { consumer, correlator } = await member(log, broker, [0, 1], clock);
    for (let i = 0; i < 30; i++) await consumer.poll(1);
    expect(unread(consumer)).toBeGreaterThan(0);
    broker.failing = true;
    await consumer.poll(1);
    broker.failing = false;
    while ((await consumer.poll(9)) > 0) {}
    await idle([{ correlator }], clock);
    await correlator.stop();
    expect(byId(broker.attempts())).toEqual(expected);
  }, 20_000);

  it('a batch that starts past the checkpoint (fetched before the rebalance) is not taken: the member reads from the checkpoint', async () => {
    const { log, broker, clock } = setup(2);
    const { consumer, correlator } = await member(log, broker, [0, 1], clock);
    // A record per poll (25 events): the member is well inside the log when the group rebalances.
    for (let i = 0; i < 30; i++) await consumer.poll(1);
    // The group rebalances, but the next batches continue from where this member was, not from the checkpoint.
    await consumer.rejoin([0, 1], true);
    while ((await consumer.poll(9)) > 0) {}
    await idle([{ correlator }], clock);
    expectEachOnce(broker);
  });

  it('a live site, its events posted as they are logged: the idle flush does not cut an attempt under way in two', async () => {
    // Events logged now (the wall clock near their times): the input goes quiet between a user's steps (NPS waiting for
    // the OTP server, the CA, the client's result), far longer than idleFlushMs. With the settle off, such an attempt
    // is closed at the first silence and its later steps open another.
    const files = generatedDay(300, 41, '2026-06-10T00:00:00Z');
    const events = eventsOf(files).sort((x, y) => x.time - y.time);
    const offline = byId(offlineAttempts(files));
    const live = async (settleMs: number) => {
      const log = new MemoryLog(1);
      const broker = new MemoryBroker();
      broker.log = log;
      const clock = { now: events[0]!.time };
      const consumer = new MemoryConsumer(log, broker, [0]);
      const liveConfig = correlatorConfigSchema.parse({
        idleFlushMs: 10_000,
        idleFlushSettleMs: settleMs,
        retryPauseMs: 0,
      });
      const correlator = createCorrelator(liveConfig, memoryPorts(consumer, broker, clock));
      await correlator.start();
      for (let i = 0; i < events.length; i++) {
        log.append(events[i]!);
        clock.now = Math.max(clock.now, events[i]!.time + 500); // forwarded half a second after it was logged
        while ((await consumer.poll(50)) > 0) {}
        // The idle checks that can decide anything in the quiet before the next event (the timer runs every second).
        const next = i + 1 < events.length ? events[i + 1]!.time : Number.POSITIVE_INFINITY;
        for (const at of [clock.now + liveConfig.idleFlushMs, clock.now + settleMs, next - 1])
          if (at < next && at > clock.now && Number.isFinite(at)) {
            clock.now = at;
            await correlator.checkIdle();
          }
      }
      clock.now += 10 * 60_000;
      await correlator.checkIdle();
      await correlator.stop();
      const published = byId(broker.attempts());
      const same = new Set(offline.map((a) => JSON.stringify({ ...a, closedBy: null })));
      return published.filter((a) => !same.has(JSON.stringify({ ...a, closedBy: null }))).length;
    };
    // (closedBy aside: an attempt closed by an idle flush says end_of_input where offline says timeout.)
    const cut = await live(0);
    expect(cut).toBeGreaterThan(10);
    expect(await live(120_000)).toBe(0);
  }, 60_000);

  it('a partition being re-read is not idle: the idle flush waits until it has read its whole log', async () => {
    const { log, broker, clock } = setup(1);
    const a = await member(log, broker, [0], clock);
    for (let i = 0; i < 60; i++) await a.consumer.poll(1);
    // a dies; b re-reads the partition from its checkpoint, slowly: each batch comes long after the one before.
    const b = await member(log, broker, [0], clock);
    const published = () => broker.attempts().length;
    const before = published();
    for (let i = 0; i < 20; i++) {
      await b.consumer.poll(1);
      await idle([b], clock);
    }
    expect(published()).toBe(before);
    while ((await b.consumer.poll(50)) > 0) {}
    await idle([b], clock);
    expectEachOnce(broker);
  });

  it('a member that lost its partition without knowing it (evicted) is fenced and never publishes twice', async () => {
    const { log, broker, clock } = setup(1);
    const a = await member(log, broker, [0], clock);
    for (let i = 0; i < 20; i++) await a.consumer.poll(1);
    // The group gave the partition to b while a, not yet told, goes on: each claim fences the other's writer.
    const b = await member(log, broker, [0], clock);
    for (let i = 0; i < 30; i++) {
      await a.consumer.poll(1);
      await b.consumer.poll(1);
    }
    expect(broker.fenced).toBeGreaterThan(0);
    await a.consumer.rejoin([]);
    while ((await b.consumer.poll(9)) > 0) {}
    await idle([a, b], clock);
    expectEachOnce(broker);
  });
});

describe("correlator: a DA server whose clock is off from its NPS server's", () => {
  it('shows the offset the IIS join learned as a gauge per site and server', async () => {
    // `otptrace generate --seed 4 --clock-skew-ms 3000`: nps2's clock is 2.465 s ahead of da2's; nps1's is 0.319 s
    // behind da1's (learned from millisecond times, as offsets from a quarter of a second on are).
    const log = new MemoryLog(1);
    const day = eventsOf(generatedDay(300, 4, '2026-03-02T00:00:00Z', 0, { maxClockSkewMs: 3_000 }));
    for (const event of day.sort((a, b) => a.time - b.time)) log.appendBatch([event], 'skewed');
    const { metrics: text } = await readToEnd(log);
    const gauge = (server: string) =>
      new RegExp(
        `^otptrace_correlator_da_server_nps_clock_ahead_seconds\\{site="skewed",server="${server}"\\} (\\S+)$`,
        'm',
      ).exec(text)?.[1];
    expect(Math.abs(Number(gauge('da2')) - 2.465)).toBeLessThan(0.2);
    expect(Math.abs(Number(gauge('da1')) + 0.319)).toBeLessThan(0.2);
  });
});

describe("correlator: an attempt larger than the attempts topic's max.message.bytes", () => {
  /** Runs one member over every partition to the end; a partition stuck re-reading would never get there. */
  async function runWithLimit(maxMessageBytes: number) {
    const { log, broker, clock } = setup(2);
    broker.maxMessageBytes = maxMessageBytes;
    const metrics = createMetrics();
    const consumer = new MemoryConsumer(log, broker, [0, 1]);
    const correlator = createCorrelator(config, { ...memoryPorts(consumer, broker, clock), metrics });
    await correlator.start();
    let polls = 0;
    while ((await consumer.poll(9)) > 0) if (++polls > 10_000) throw new Error('a partition is stuck re-reading');
    await idle([{ correlator }], clock);
    await correlator.stop();
    return { broker, metrics: await metrics.render() };
  }
  const metric = (text: string, name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const fitted = (limit: number) =>
    expected.map((r) => ({ full: r, fit: fitEvidence(r, maxValueBytes(limit, r.user)) }));

  it('is published with its evidence cut to fit, and the partition goes on publishing the attempts after it', async () => {
    const limit = 2 * 1024;
    const outcomes = fitted(limit);
    const trimmed = outcomes.filter(({ full, fit }) => fit !== full);
    // The ordinary attempts of the corpus make the case at this limit: some too large, none too large to cut.
    expect(trimmed.length).toBeGreaterThan(5);
    expect(outcomes.every(({ fit }) => fit !== null)).toBe(true);
    const { broker, metrics } = await runWithLimit(limit);
    const published = byId(broker.attempts());
    expect(published).toEqual(byId(outcomes.map(({ fit }) => fit as AttemptRecord)));
    for (const r of published.filter((x) => x.evidenceOmitted !== undefined)) {
      const full = expected.find((x) => x.id === r.id) as AttemptRecord;
      expect(r.evidence[0]).toEqual(full.evidence[0]);
      expect(r.evidence.at(-1)).toEqual(full.evidence.at(-1));
      expect(r.evidence.length + (r.evidenceOmitted ?? 0)).toBe(full.evidence.length);
    }
    expect(metric(metrics, 'otptrace_correlator_attempts_trimmed_total')).toBe(trimmed.length);
    expect(metric(metrics, 'otptrace_correlator_records_unpublishable_total')).toBe(0);
  });

  it('that does not fit even cut is counted and left out; the others are still published', async () => {
    const limit = 1500;
    const outcomes = fitted(limit);
    const left = outcomes.filter(({ fit }) => fit === null);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(outcomes.length);
    const { broker, metrics } = await runWithLimit(limit);
    expect(byId(broker.attempts())).toEqual(byId(outcomes.flatMap(({ fit }) => (fit === null ? [] : [fit]))));
    expect(metric(metrics, 'otptrace_correlator_records_unpublishable_total')).toBe(left.length);
  });
});

describe('reading events', () => {
  it('takes records of several events, bare one-event records and bad ones alike: a bad event counts alone', async () => {
    const files = generatedDay(40, 7, '2026-04-01T00:00:00Z');
    const events = eventsOf(files).sort((x, y) => x.time - y.time);
    const log = new MemoryLog(1);
    const half = Math.floor(events.length / 2);
    log.appendBatch(events.slice(0, half));
    log.appendRecord('default', 'not json at all');
    // One element the schema refuses, between two events, in the record of the next events.
    const rest = events.slice(half + 1).map((e) => JSON.stringify(e));
    log.appendRecord('default', `[${JSON.stringify(events[half])},{"kind":"radius.decision"},${rest.join(',')}]`);
    const { broker, metrics: text } = await readToEnd(log, { poll: 1, idle: true });
    expect(byId(broker.attempts())).toEqual(byId(offlineAttempts(files)));
    const count = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    expect([count('otptrace_correlator_records_invalid_total'), count('otptrace_correlator_events_in_total')]).toEqual([
      2,
      events.length + 2,
    ]);
  });

  it('takes every event the normaliser writes on the fast path (the guard says yes, and zod agrees)', () => {
    const guard = exactGuard(normalizedEventSchema)!;
    const events = Object.values(sites).flatMap((files) => eventsOf(files));
    expect(new Set(events.map((e) => e.kind)).size).toBeGreaterThanOrEqual(4);
    for (const e of events) {
      const value = JSON.parse(JSON.stringify(e)) as unknown;
      expect(guard(value)).toBe(true);
      expect(normalizedEventSchema.parse(value)).toEqual(value);
    }
  });
});
