import type { AttemptRecord, Ticket, TicketConfig, TicketScope } from '@otptrace/schemas';
import { ticketKey } from './keys.js';
import type { TicketState } from './state.js';

/** What a new ticket is about. */
export interface TicketSubject {
  baseKey: string;
  code: string;
  kind: Ticket['kind'];
  pattern: Ticket['pattern'];
  title: string;
  remediation: string;
  scope: TicketScope;
}

/** A new incarnation of a subject, with nothing counted yet. */
export function newTicket(subject: TicketSubject, previous: Ticket | undefined, firstSeen: string): Ticket {
  const incarnation = previous === undefined ? 1 : previous.incarnation + 1;
  return {
    key: ticketKey(subject.baseKey, incarnation),
    baseKey: subject.baseKey,
    incarnation,
    revision: 0,
    code: subject.code,
    kind: subject.kind,
    pattern: subject.pattern,
    title: subject.title,
    remediation: subject.remediation,
    scope: subject.scope,
    status: 'open',
    firstSeen,
    lastSeen: firstSeen,
    resolvedAt: null,
    attemptCount: 0,
    affectedUsers: { count: 0, capped: false, sample: [] },
    sampleTraceIds: [],
    successStreak: 0,
  };
}

/** The parts of an attempt a ticket counts. */
export type CountedAttempt = Pick<AttemptRecord, 'user' | 'traceId' | 'start' | 'end'> &
  Partial<Pick<AttemptRecord, 'rootCause'>>;

/** Count one failed attempt in a ticket (mutates the ticket and the state's user set). */
export function countInTicket(state: TicketState, ticket: Ticket, attempt: CountedAttempt, config: TicketConfig): void {
  ticket.revision += 1;
  ticket.attemptCount += 1;
  if (ticket.status === 'open') ticket.successStreak = 0;
  if (ticket.attemptCount === 1 || Date.parse(attempt.start) < Date.parse(ticket.firstSeen)) {
    ticket.firstSeen = isoTime(attempt.start);
  }
  if (Date.parse(attempt.end) > Date.parse(ticket.lastSeen)) ticket.lastSeen = isoTime(attempt.end);
  if (ticket.sampleTraceIds.length < config.maxSampleTraceIds && !ticket.sampleTraceIds.includes(attempt.traceId)) {
    ticket.sampleTraceIds.push(attempt.traceId);
  }
  for (const code of attempt.rootCause?.alsoPossible ?? []) countAlsoPossible(ticket, code);
  const users = state.users[ticket.key] ?? {};
  state.users[ticket.key] = users;
  if (users[attempt.user]) return;
  if (ticket.affectedUsers.count >= config.maxTrackedUsers) {
    ticket.affectedUsers.capped = true;
    return;
  }
  users[attempt.user] = true;
  ticket.affectedUsers.count += 1;
  if (ticket.affectedUsers.sample.length < config.maxSampleUsers) ticket.affectedUsers.sample.push(attempt.user);
}

/** One more attempt of the ticket for which `code` was also possible; the list stays in code order. */
function countAlsoPossible(ticket: Ticket, code: string): void {
  ticket.alsoPossible ??= [];
  const list = ticket.alsoPossible;
  const counted = list.find((p) => p.code === code);
  if (counted !== undefined) counted.attempts += 1;
  else {
    list.push({ code, attempts: 1 });
    list.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }
}

/** An event time in one ISO format (ms precision, UTC), whatever precision the log had. */
export function isoTime(text: string): string {
  return new Date(Date.parse(text)).toISOString();
}

/**
 * The newest revision of each ticket key, in the order the keys first appear: for a store that keeps one row per
 * ticket, since a step (or an outbox re-read after a failed delivery) can hold several revisions of one ticket.
 */
export function latestRevisions(tickets: readonly Ticket[]): Ticket[] {
  const latest = new Map<string, Ticket>();
  for (const ticket of tickets) {
    const kept = latest.get(ticket.key);
    if (kept === undefined || ticket.revision > kept.revision) latest.set(ticket.key, ticket);
  }
  return [...latest.values()];
}
