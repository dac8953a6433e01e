import type { TicketChange } from '@otptrace/schemas';

/** What a delivery achieved. */
export interface SinkResult {
  delivered: number;
  /** Changes given up on and handed to the dead-letter port (webhook only). */
  deadLettered: number;
}

/** A destination for ticket changes; every sink takes its I/O as injected functions, so the core stays pure. */
export interface TicketSink {
  readonly name: string;
  deliver(changes: readonly TicketChange[]): Promise<SinkResult>;
}

/** The JSON text of a change, as every sink writes it. */
export function changeJson(change: TicketChange): string {
  return JSON.stringify(change);
}
