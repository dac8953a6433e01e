import type { OutgoingRecord, TransactionalWriter } from '@otptrace/kafka';
import type { Metrics } from '@otptrace/runtime';
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
  ports: { writer: (partition: number) => TransactionalWriter; sinks: readonly AttemptSink[]; metrics: Metrics },
): Outputs {
  const { events, attempts, late } = config.topics;
  const writers = new Map<number, TransactionalWriter>();
  const count = {
    invalid: ports.metrics.counter('otptrace_correlator_records_invalid_total', 'Records that were not a valid event.'),
    attempts: ports.metrics.counter('otptrace_correlator_attempts_out_total', 'Attempts published, by outcome.'),
    late: ports.metrics.counter(
      'otptrace_correlator_events_late_total',
      'Events later than their place in event time.',
    ),
    dropped: ports.metrics.counter('otptrace_correlator_events_dropped_total', 'Events in no attempt, by reason.'),
    transactions: ports.metrics.counter(
      'otptrace_correlator_transactions_total',
      'Kafka transactions committed (the attempts of a step with the offset they advance).',
    ),
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
      const records: OutgoingRecord[] = analyzed.map((a) => ({
        topic: attempts.name,
        key: a.record.user,
        value: JSON.stringify(a.record),
      }));
      for (const u of step.units)
        if (u.kind === 'late') records.push({ topic: late.name, key: u.site, value: JSON.stringify(u.event) });
      for (const sink of ports.sinks) await sink.write(analyzed);
      const { offset, metadata } = step.commit;
      const group = { groupId: config.groupId, topic: events.name, partition, offset: String(offset), metadata };
      await writer.commit(records, group);
      count.transactions(1);
      for (const a of analyzed) count.attempts(1, { outcome: a.record.outcome });
      count.late(records.length - analyzed.length);
    },
    async close() {
      for (const sink of ports.sinks) await sink.close?.();
      for (const writer of writers.values()) await writer.disconnect();
    },
  };
}
