import { describe, expect, it } from 'vitest';
import { correlatorConfigSchema } from '../src/config.js';
import { createCorrelator } from '../src/correlator.js';
import { OffsetLedger } from '../src/offset-ledger.js';
import {
  eventsOf,
  MemoryConsumer,
  MemoryLog,
  memoryPorts,
  offlineAttempts,
  scenarioFiles,
  scenarioNames,
  verdicts,
} from './ports.js';

// Several scenarios on one stream, each shifted to its own day so that they do not mix, like a long day of logons.
function corpus(names: readonly string[]) {
  const files = names.flatMap((name, day) =>
    scenarioFiles(name).map(([file, bytes]): [string, Buffer] => [
      file,
      Buffer.from(bytes.toString('utf8').replace(/2026-11-02T/g, `2026-11-${String(2 + day).padStart(2, '0')}T`)),
    ]),
  );
  return { files, events: eventsOf(files) };
}

const NAMES = scenarioNames().filter((n) => !['ambiguous-gateway', 'duplicates', 'encodings'].includes(n));
const config = correlatorConfigSchema.parse({
  topics: { events: { name: 'otptrace.events', partitions: 4, replicationFactor: 1 } },
  idleFlushMs: 1000,
});

describe('correlator recovery', () => {
  it('a correlator killed mid-stream and restarted from its commits emits every attempt', async () => {
    const { files, events } = corpus(NAMES.slice(0, 8));
    const reference = verdicts(offlineAttempts(files));
    expect(reference.length).toBeGreaterThanOrEqual(8);
    const log = new MemoryLog(4);
    for (const e of events.sort((a, b) => a.time - b.time)) log.append(e);
    const clock = { now: 0 };
    const first = memoryPorts(new MemoryConsumer(log, [0, 1, 2, 3]), 4, clock);
    const crashed = createCorrelator(config, first.ports);
    await crashed.start();
    // Read until some attempts are out, then crash with the rest of the stream unread.
    for (let i = 0; i < 200 && first.producer.attempts().length < 3; i++) {
      await (first.ports.consumer as MemoryConsumer).poll(1);
      await first.userlessConsumer.poll(1);
    }
    const emittedBeforeCrash = first.producer.attempts().length;
    const readBeforeCrash = [...(first.ports.consumer as MemoryConsumer).position.values()].reduce((a, b) => a + b, 0);
    expect(emittedBeforeCrash).toBeGreaterThan(0);
    expect(readBeforeCrash).toBeLessThan(log.partitions.flat().length);
    // kill -9: no stop, no flush; only the committed offsets survive.
    const consumer = new MemoryConsumer(log, [0, 1, 2, 3]);
    for (const [p, o] of (first.ports.consumer as MemoryConsumer).commits) consumer.commits.set(p, o);
    const second = memoryPorts(consumer, 4, clock);
    // The user-less topic and its commits survive too (they are in Kafka).
    second.ports.userlessConsumer = first.userlessConsumer;
    await first.userlessConsumer.rejoin([0, 1, 2]);
    const restarted = createCorrelator(config, { ...second.ports, producer: first.producer });
    await restarted.start();
    while ((await consumer.poll(3)) + (await first.userlessConsumer.poll(3)) > 0) {}
    clock.now += 5_000;
    await restarted.checkIdle();
    while ((await first.userlessConsumer.poll(3)) > 0) {}
    expect(verdicts(first.producer.attempts())).toEqual(reference);
  });
});

describe('OffsetLedger', () => {
  it('commits the oldest held offset, never inside an emitted attempt', () => {
    const ledger = new OffsetLedger();
    for (const [key, offset] of [
      ['a1', 0],
      ['b1', 1],
      ['a2', 2],
      ['c1', 3],
    ] as const) {
      ledger.consumed(offset);
      ledger.hold(key, offset);
    }
    expect(ledger.commitOffset()).toBe(0);
    // Attempt A (offsets 0 and 2) emitted; B (1) still open, and 1 would split A: the commit stays at 0.
    ledger.emitted(['a1', 'a2']);
    expect(ledger.commitOffset()).toBe(0);
    // B emitted: the oldest held is C at 3, but 3 is not inside A [0,2]: commit 3.
    ledger.emitted(['b1']);
    expect(ledger.commitOffset()).toBe(3);
  });

  it('moves the commit back to the start of an emitted attempt that straddles it', () => {
    const ledger = new OffsetLedger();
    for (const [key, offset] of [
      ['b1', 0],
      ['a1', 1],
      ['b2', 2],
      ['a2', 3],
    ] as const) {
      ledger.consumed(offset);
      ledger.hold(key, offset);
    }
    ledger.emitted(['b1']);
    ledger.emitted(['a1', 'a2']);
    // b2 (offset 2) is held; committing 2 would split A (1..3): the commit goes back to 1.
    expect(ledger.commitOffset()).toBe(1);
    ledger.release('b2');
    expect(ledger.commitOffset()).toBe(4);
  });
});

describe('correlator when writing fails', () => {
  it('re-reads the partition from its commit after a failed write, and still emits every attempt', async () => {
    const files = scenarioFiles('retry-after-failure');
    const log = new MemoryLog(1);
    for (const e of eventsOf(files)) log.append(e);
    const consumer = new MemoryConsumer(log, [0]);
    const clock = { now: 0 };
    const { ports, producer, userlessConsumer } = memoryPorts(consumer, 1, clock);
    const one = correlatorConfigSchema.parse({ idleFlushMs: 1000 });
    const correlator = createCorrelator(one, ports);
    await correlator.start();
    while ((await consumer.poll(2)) > 0) {}
    // The broker goes away for the idle flush's write: nothing may be committed past what was written.
    producer.failing = true;
    clock.now += 5_000;
    await correlator.checkIdle();
    expect(ports.metrics.value('otptrace_correlator_rewinds_total')).toBe(1);
    producer.failing = false;
    while ((await consumer.poll(2)) + (await userlessConsumer.poll(2)) > 0) {}
    clock.now += 5_000;
    await correlator.checkIdle();
    while ((await userlessConsumer.poll(2)) > 0) {}
    await correlator.stop();
    expect(verdicts(producer.attempts())).toEqual(verdicts(offlineAttempts(files)));
  }, 20_000);
});
