import type { AttemptRecord, TicketChange, TicketConfigInput } from '@otptrace/schemas';
import { advanceTicketState, emptyTicketState, type TicketAccounting } from '@otptrace/ticket';
import type pg from 'pg';
import { type WriteResult, writeAttempts } from './attempts.js';
import { loadTicketState, saveTicketState, upsertTickets } from './tickets.js';

/** What one ingest did. */
export interface IngestResult extends WriteResult {
  changes: TicketChange[];
  /** null when the ticket engine was not run (`tickets: false`). */
  tickets: TicketAccounting | null;
}

/** Options of `ingestAttempts`. */
export interface IngestOptions {
  ticketConfig?: TicketConfigInput;
  /** false: store the attempts only, when the tickets are dispatched elsewhere (the correlator's ticket sinks). */
  tickets?: boolean;
  /** Name of the ticket-engine state row; one per independent writer. */
  writer?: string;
}

/**
 * Store attempts and run them through the ticket engine in one transaction: facts, tickets and the engine's state
 * commit together, so a crash never leaves tickets that the state does not know, and a replay changes nothing.
 */
export async function ingestAttempts(
  pool: pg.Pool,
  attempts: readonly AttemptRecord[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const writer = options.writer ?? 'default';
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Serialise writers of the same state: the engine's step is read-modify-write.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('otptrace.tickets.' || $1))`, [writer]);
    const written = await writeAttempts(client, attempts);
    if (options.tickets === false) {
      await client.query('COMMIT');
      return { ...written, changes: [], tickets: null };
    }
    // Read for this step alone: advanced in place, not copied (a fleet's day of remembered attempt IDs).
    const state = (await loadTicketState(client, writer)) ?? emptyTicketState();
    const step = advanceTicketState(state, attempts, options.ticketConfig ?? {});
    // A step may change a ticket more than once; the table keeps its newest revision.
    await upsertTickets(
      client,
      step.changes.map((c) => c.ticket),
    );
    await saveTicketState(client, writer, step.state, step.seen);
    await client.query('COMMIT');
    return { ...written, changes: step.changes, tickets: step.accounting };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
