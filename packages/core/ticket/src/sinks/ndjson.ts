import type { TicketChange } from '@otptrace/schemas';
import { changeJson, type SinkResult, type TicketSink } from './types.js';

/** Port of the NDJSON sink: append text to the file (e.g. `fs.promises.appendFile(path, text)`). */
export interface NdjsonPorts {
  append(text: string): Promise<void>;
}

/** A sink writing one JSON line per ticket change; the latest line of a key is the ticket's current state. */
export function createNdjsonTicketSink(ports: NdjsonPorts): TicketSink {
  return {
    name: 'ndjson',
    async deliver(changes: readonly TicketChange[]): Promise<SinkResult> {
      if (changes.length === 0) return { delivered: 0, deadLettered: 0 };
      // One append per batch keeps the lines of a step together in the file.
      await ports.append(changes.map((c) => `${changeJson(c)}\n`).join(''));
      return { delivered: changes.length, deadLettered: 0 };
    },
  };
}
