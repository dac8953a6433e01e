import type { Ticket } from '@otptrace/schemas';

/** One user error remembered while the engine watches for a burst. */
export interface RecentUserError {
  timeMs: number;
  user: string;
  traceId: string;
  start: string;
  end: string;
}

/**
 * Everything the ticket engine remembers between steps; plain JSON, so a correlator can persist it and resume.
 * Replaying the same attempts into a restored state changes nothing.
 */
export interface TicketState {
  /** The latest incarnation of each code + scope (open, or the last one resolved), by base key. */
  tickets: Record<string, Ticket>;
  /** Distinct users of each ticket key, as a set (bounded by `maxTrackedUsers`). */
  users: Record<string, Record<string, true>>;
  /** User errors inside the burst window, by the base key of the burst ticket they would open. */
  recentUserErrors: Record<string, RecentUserError[]>;
  /** Failure times (ms) of each open scattered ticket inside the incident window, by base key. */
  recentFailures: Record<string, number[]>;
  /** Attempt IDs already processed, with their event time (ms), kept for `dedupeHorizonMs`. */
  seen: Record<string, number>;
  /** Newest attempt end seen (ms), or null before the first attempt. */
  watermarkMs: number | null;
}

/** The state of an engine that has seen nothing. */
export function emptyTicketState(): TicketState {
  return { tickets: {}, users: {}, recentUserErrors: {}, recentFailures: {}, seen: {}, watermarkMs: null };
}

/** Counts of attempts a step looked at, so that received = counted + ignored is checkable. */
export interface TicketAccounting {
  received: number;
  /** Already processed (same attempt ID): no change. */
  duplicate: number;
  /** Older than the dedupe horizon behind the watermark: ignored, since a duplicate could no longer be told. */
  late: number;
  probe: number;
  /** Failures counted in a ticket (infrastructure, unknown, or a user error inside an open burst). */
  ticketed: number;
  /** User errors and cancellations watched for a burst. */
  userError: number;
  success: number;
  /** Failures without a root cause, and incomplete attempts without one. */
  unexplained: number;
}
