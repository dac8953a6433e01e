import {
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  maxValueBytes,
  type OutgoingRecord,
  recordFits,
  type TransactionalWriter,
} from '@otptrace/kafka';
import { fitEvidence } from '@otptrace/pipeline';
import type { Logger, Metrics } from '@otptrace/runtime';
import type { AttemptRecord } from '@otptrace/schemas';
import type { PartitionStep } from '@otptrace/stream';
import type { CorrelatorConfig } from './config.js';
import type { AttemptSink } from './sinks.js';

/** Where one partition's steps go: the sinks, then one Kafka transaction with the units and the checkpoint. */
export interface Outputs {
  /** Takes over `partition`'s transactional id (fencing its previous owner); call before reading its checkpoint. */
  claim(partition: number): Promise<void>;
  publish(partition: number, step: PartitionStep): Promise<void>;
  close(): Promise<void>;
}

export function createOutputs(
  config: CorrelatorConfig,
  ports: {
    writer: (partition: number) => TransactionalWriter;
    sinks: readonly AttemptSink[];
    maxMessageBytes?: (topic: string) => number;
    logger: Logger;
    metrics: Metrics;
  },
): Outputs {
  const { events, attempts, late } = config.topics;
  const limitOf = ports.maxMessageBytes ?? (() => KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  const writers = new Map<number, TransactionalWriter>();
  const count = {
    invalid: ports.metrics.counter(
      'otptrace_correlator_records_invalid_total',
      'Events of the events topic that were not valid (a record that is not JSON counts as one).',
    ),
    attempts: ports.metrics.counter('otptrace_correlator_attempts_out_total', 'Attempts published, by outcome.'),
    late: ports.metrics.counter(
      'otptrace_correlator_events_late_total',
      'Events later than their place in event time.',
    ),
    dropped: ports.metrics.counter('otptrace_correlator_events_dropped_total', 'Events in no attempt, by reason.'),
    trimmed: ports.metrics.counter(
      'otptrace_correlator_attempts_trimmed_total',
      "Attempts published with evidence left out, their JSON being larger than the attempts topic's max.message.bytes.",
    ),
    unpublishable: ports.metrics.counter(
      'otptrace_correlator_records_unpublishable_total',
      'Records not published, too large for their topic even cut down (the sinks still have the attempts), by topic.',
    ),
    transactions: ports.metrics.counter(
      'otptrace_correlator_transactions_total',
      'Kafka transactions committed (the attempts of a step with the offset they advance).',
    ),
  };
  const attemptRecord = (full: AttemptRecord): OutgoingRecord | null => {
    const key = full.user;
    const budget = maxValueBytes(limitOf(attempts.name), key);
    // The usual case costs one serialisation and one UTF-8 encoding: a Buffer value is measured by its length here,
    // when the records are split into requests and by kafkajs, which copies it as it is (a string would be measured
    // three times and encoded once more). fitEvidence measures the record again only when it is large.
    const value = Buffer.from(JSON.stringify(full));
    if (value.length <= budget) return { topic: attempts.name, key, value };
    const record = fitEvidence(full, budget);
    if (record === null) {
      ports.logger.error(
        { attempt: full.id, evidence: full.evidence.length, maxMessageBytes: limitOf(attempts.name) },
        'attempt too large for the attempts topic even without its evidence: not published (the sinks have it)',
      );
      count.unpublishable(1, { topic: attempts.name });
      return null;
    }
    ports.logger.warn(
      { attempt: full.id, evidenceOmitted: record.evidenceOmitted, evidence: full.evidence.length },
      "attempt larger than the attempts topic's max.message.bytes: published with evidence left out",
    );
    count.trimmed(1);
    return { topic: attempts.name, key, value: Buffer.from(JSON.stringify(record)) };
  };
  return {
    async claim(partition) {
      const writer = ports.writer(partition);
      await writer.connect();
      void writers.get(partition)?.disconnect();
      writers.set(partition, writer);
    },
    // Units and the offset they advance commit together; the sinks take the attempts first (they accept repeats).
    async publish(partition, step) {
      count.invalid(step.invalid);
      for (const d of step.drops) count.dropped(1, { reason: d.reason });
      if (step.commit === null) return;
      const writer = writers.get(partition);
      if (writer === undefined) throw new Error(`partition ${partition} was not claimed`);
      const analyzed = step.units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt] : []));
      // A record the topic refuses would fail the transaction on every re-read of the partition, which would never
      // move on: an attempt is cut to fit, and what cannot fit is logged, counted and left out.
      const records: OutgoingRecord[] = [];
      let published = 0;
      for (const a of analyzed) {
        const record = attemptRecord(a.record);
        if (record !== null) {
          records.push(record);
          published++;
        }
      }
      for (const u of step.units) {
        if (u.kind !== 'late') continue;
        const record = { topic: late.name, key: u.site, value: JSON.stringify(u.event) };
        if (recordFits(record, limitOf(late.name))) records.push(record);
        else {
          ports.logger.error({ topic: late.name, site: u.site }, 'late event too large for its topic: not published');
          count.unpublishable(1, { topic: late.name });
        }
      }
      for (const sink of ports.sinks) await sink.write(analyzed);
      const { offset, metadata } = step.commit;
      const group = { groupId: config.groupId, topic: events.name, partition, offset: String(offset), metadata };
      await writer.commit(records, group);
      count.transactions(1);
      for (const a of analyzed) count.attempts(1, { outcome: a.record.outcome });
      count.late(records.length - published);
    },
    async close() {
      for (const sink of ports.sinks) await sink.close?.();
      for (const writer of writers.values()) await writer.disconnect();
    },
  };
}
