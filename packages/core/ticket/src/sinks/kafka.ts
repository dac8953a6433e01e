import type { TicketChange } from '@otptrace/schemas';
import { changeJson, type SinkResult, type TicketSink } from './types.js';

/** Port of the Kafka sink: produce one record (packages/adapters/kafka provides it). */
export interface KafkaTicketPorts {
  send(topic: string, key: string, value: string): Promise<void>;
}

/**
 * A sink producing one record per change to a topic, keyed by ticket key: all changes of a ticket land in one
 * partition, in order, and a compacted topic keeps each ticket's latest state.
 */
export function createKafkaTicketSink(topic: string, ports: KafkaTicketPorts): TicketSink {
  return {
    name: 'kafka',
    async deliver(changes: readonly TicketChange[]): Promise<SinkResult> {
      for (const change of changes) await ports.send(topic, change.ticket.key, changeJson(change));
      return { delivered: changes.length, deadLettered: 0 };
    },
  };
}
