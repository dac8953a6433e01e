import { createHash } from 'node:crypto';
import type { TicketScope } from '@otptrace/schemas';

// Ticket keys derive from what the ticket is about, never from when it was seen or which process saw it, so a
// replay or a restarted correlator finds the same ticket. SHA-256 is used for spread, not secrecy.

/** 16 lower-hex characters identifying a root-cause code in a scope, across incarnations. */
export function baseTicketKey(code: string, scope: TicketScope): string {
  return createHash('sha256').update(`otptrace/ticket/${code}/${scope.label}`).digest('hex').slice(0, 16);
}

/** The key of one incarnation: `<baseKey>-<incarnation>`. */
export function ticketKey(baseKey: string, incarnation: number): string {
  return `${baseKey}-${incarnation}`;
}
