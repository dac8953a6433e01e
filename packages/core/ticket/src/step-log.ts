import type { Ticket, TicketChange } from '@otptrace/schemas';

// What a sink receives must not depend on how attempts were split into steps (a correlator catching up a backlog in
// one batch, or the same attempts one by one). So each lifecycle change of a ticket (opened or reopened, resolved)
// is reported in the step it happened in, in the order it happened, with its own revision. Only counts coalesce: a
// ticket's changes in one step show it as of its next lifecycle change, or as of the end of the step.

interface LogEntry {
  change: TicketChange['change'];
  /** The live ticket, which later counts in the step still change... */
  ticket: Ticket;
  /** ...until a later lifecycle change freezes this entry as it was just before. */
  frozen: Ticket | null;
}

/** What one step did to tickets, in order. */
export interface StepLog {
  entries: LogEntry[];
  /** The entry that counts still update, by ticket key. */
  live: Map<string, LogEntry>;
}

export function newStepLog(): StepLog {
  return { entries: [], live: new Map() };
}

/** A new incarnation of a subject: `opened`, or `reopened` after an earlier one was resolved. */
export function noteOpened(log: StepLog, ticket: Ticket): void {
  push(log, ticket.incarnation > 1 ? 'reopened' : 'opened', ticket);
}

/** A count, a pattern or a streak changed: shown by the ticket's latest entry of the step, or a new `updated` one. */
export function noteTouched(log: StepLog, ticket: Ticket): void {
  if (!log.live.has(ticket.key)) push(log, 'updated', ticket);
}

/** Call before marking the ticket resolved: its opening stays reported as it was just before the resolution. */
export function noteResolving(log: StepLog, ticket: Ticket): void {
  const entry = log.live.get(ticket.key);
  if (entry?.change === 'updated') {
    // The resolution carries all an `updated` entry would have shown.
    log.entries.splice(log.entries.indexOf(entry), 1);
  } else if (entry !== undefined) {
    entry.frozen = structuredClone(ticket);
  }
  push(log, 'resolved', ticket);
}

/** The step's changes in the order they happened; each ticket's revisions increase along them. */
export function changesOf(log: StepLog): TicketChange[] {
  return log.entries.map((e) => ({ change: e.change, ticket: e.frozen ?? structuredClone(e.ticket) }));
}

function push(log: StepLog, change: TicketChange['change'], ticket: Ticket): void {
  const entry: LogEntry = { change, ticket, frozen: null };
  log.entries.push(entry);
  log.live.set(ticket.key, entry);
}
