// One member of kafka-floor.mjs' consumer group: the correlator's Kafka traffic without its analysis. Reads the events
// topic through @otptrace/kafka's group consumer and, for each batch, writes one record per `eventsPerRecord` events
// (real attempt records, taken in turn from a sample, already encoded; or one per `attemptsPerRecord` times as many,
// each a JSON array of that many attempts) in one transaction with the batch's offset,
// as the correlator's transactional writer does. Reports joins and events taken to the parent over IPC: a record's
// events are counted without decoding it, by the `{"id":` each normalised event's JSON starts with.
import { readFileSync } from 'node:fs';
import {
  createGroupConsumer,
  createKafkaClient,
  createTransactionalWriter,
  kafkaConnectionSchema,
} from '@otptrace/kafka';

// The parent gone (a failed run) leaves no worker behind.
process.on('disconnect', () => process.exit(1));
const { brokers, groupId, events, attempts, eventsPerRecord, attemptsPerRecord, sampleFile, maxBytesPerPartition } =
  JSON.parse(process.env.OTPTRACE_FLOOR);
const sampleAttempts = JSON.parse(readFileSync(sampleFile, 'utf8'));
// One attempt per record (the contract), or `attemptsPerRecord` of them as a JSON array (packed).
const sample = [];
for (let i = 0; i + attemptsPerRecord <= sampleAttempts.length; i += attemptsPerRecord) {
  const group = sampleAttempts.slice(i, i + attemptsPerRecord);
  const json = attemptsPerRecord === 1 ? JSON.stringify(group[0]) : JSON.stringify(group);
  sample.push({ topic: attempts, key: group[0].user, value: Buffer.from(json) });
}
// The size of a checkpoint (`{"from":…,"published":{site: count, …}}` of a partition with three sites).
const metadata = JSON.stringify({
  from: 1_234_567,
  published: { 'site-0': 12_345, 'site-4': 12_345, 'site-8': 12_345 },
});
const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers, clientId: 'floor' }));
const consumer = createGroupConsumer(client, {
  groupId,
  topics: [events],
  fromBeginning: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 6_000,
  maxBytesPerPartition,
});
const EVENT_START = Buffer.from('{"id":');
/** The events of an events-topic record (a bare event or an array of them), counted on the bytes. */
function eventsIn(value) {
  let n = 0;
  for (let at = value.indexOf(EVENT_START); at >= 0; at = value.indexOf(EVENT_START, at + EVENT_START.length)) n++;
  return n;
}
const writers = new Map();
let next = 0;
let due = 0;
await consumer.start({
  onAssigned: () => process.send({ joins: 1 }),
  async onBatch(batch) {
    let writer = writers.get(batch.partition);
    if (writer === undefined) {
      writer = createTransactionalWriter(client, `${groupId}.${events}.${batch.partition}`);
      await writer.connect();
      writers.set(batch.partition, writer);
    }
    const taken = batch.records.reduce((n, r) => n + eventsIn(r.value), 0);
    due += taken / (eventsPerRecord * attemptsPerRecord);
    const records = [];
    for (; due >= 1; due--) records.push(sample[next++ % sample.length]);
    const offset = { groupId, topic: events, partition: batch.partition, offset: String(batch.nextOffset), metadata };
    await writer.commit(records, offset);
    process.send({ taken, transactions: 1 });
  },
});
process.send({ ready: true });
process.on('SIGTERM', async () => {
  await consumer.stop();
  for (const writer of writers.values()) await writer.disconnect();
  process.exit(0);
});
