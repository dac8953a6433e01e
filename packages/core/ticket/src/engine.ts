import { rootCauseEntry } from '@otptrace/model';
import type { AttemptRecord, Ticket, TicketChange, TicketConfig, TicketConfigInput } from '@otptrace/schemas';
import { ticketConfigSchema } from '@otptrace/schemas';
import { clientSubnet } from '@otptrace/stats';
import { onUserError } from './burst.js';
import { baseTicketKey } from './keys.js';
import { OpenTickets } from './open-tickets.js';
import { successCrosses, ticketScope } from './scope.js';
import { forgetSeenBefore, noteSeen } from './seen-order.js';
import { emptyTicketState, type TicketAccounting, type TicketState } from './state.js';
import { changesOf, newStepLog, noteOpened, noteResolving, noteTouched, type StepLog } from './step-log.js';
import { countInTicket, isoTime, newTicket } from './ticket.js';

/**
 * The result of one engine step: the next state, the ticket changes in the order they happened (a ticket may change
 * more than once: opened, then resolved), and what happened to each attempt.
 */
export interface TicketStep {
  state: TicketState;
  changes: TicketChange[];
  accounting: TicketAccounting;
  /** What the step did to the remembered attempt IDs, for a store that keeps them apart from the rest. */
  seen: SeenChanges;
}

/**
 * The changes of one step to `TicketState.seen`: the IDs it remembered (with their end times, in the order taken), then
 * every ID whose end is before `forgetBefore` forgotten (null: none). Applied in this order to the IDs as they stood
 * before the step, they give `seen` as it stands after it: a store can keep a fleet's day of IDs in a table and write
 * only these, instead of the whole state at every step.
 */
export interface SeenChanges {
  readonly added: readonly (readonly [id: string, endMs: number])[];
  readonly forgetBefore: number | null;
}

/**
 * Feed attempts to the ticket engine. Pure: the given state is not modified. Time is the attempts' own (event time);
 * `nowMs`, when given, is the caller's watermark and only moves the dedupe horizon forward.
 */
export function processAttempts(
  state: TicketState | null,
  attempts: readonly AttemptRecord[],
  config: TicketConfigInput | TicketConfig = {},
  nowMs?: number,
): TicketStep {
  return advanceTicketState(state === null ? emptyTicketState() : structuredClone(state), attempts, config, nowMs);
}

/**
 * `processAttempts` on a state the caller owns, changed in place and returned as the step's state: no copy of it (a
 * fleet's day of remembered attempt IDs is megabytes). After a throw the state is half changed: drop it.
 */
export function advanceTicketState(
  next: TicketState,
  attempts: readonly AttemptRecord[],
  config: TicketConfigInput | TicketConfig = {},
  nowMs?: number,
): TicketStep {
  const settings = ticketConfigSchema.parse(config);
  // A state saved before incidents were told from scattered failures has no such map yet.
  next.recentFailures ??= {};
  const log = newStepLog();
  const accounting = newAccounting(attempts.length);
  const added: [string, number][] = [];
  // Event-time order, so a batch gives the same result however its attempts were ordered.
  const ordered = [...attempts].sort((a, b) => Date.parse(a.end) - Date.parse(b.end) || a.id.localeCompare(b.id));
  const open = new OpenTickets(next.tickets);
  for (const attempt of ordered)
    if (processOne(next, open, attempt, settings, log, accounting)) added.push([attempt.id, next.seen[attempt.id]!]);
  const forgetBefore = prune(next, open, settings, nowMs, log);
  return { state: next, changes: changesOf(log), accounting, seen: { added, forgetBefore } };
}

/** One attempt through the rules; true when it was taken (remembered in `seen`), false for a duplicate or a late one. */
function processOne(
  state: TicketState,
  open: OpenTickets,
  attempt: AttemptRecord,
  config: TicketConfig,
  log: StepLog,
  acc: TicketAccounting,
): boolean {
  const endMs = Date.parse(attempt.end);
  if (state.seen[attempt.id] !== undefined) {
    acc.duplicate += 1;
    return false;
  }
  if (state.watermarkMs !== null && endMs < state.watermarkMs - config.dedupeHorizonMs) {
    acc.late += 1;
    return false;
  }
  state.seen[attempt.id] = endMs;
  noteSeen(state.seen, attempt.id, endMs);
  state.watermarkMs = Math.max(state.watermarkMs ?? endMs, endMs);
  resolveQuiet(state, open, state.watermarkMs, config, log);
  const subnet = clientSubnet(attempt.clientAddress);
  if (attempt.outcome === 'probe') {
    acc.probe += 1;
  } else if (attempt.outcome === 'success') {
    acc.success += 1;
    creditSuccess(state, open, attempt, subnet, config, log);
    // A finding on a success (a certificate that did not log the user on) counts towards a burst of its code.
    for (const code of attempt.findings ?? []) {
      const entry = rootCauseEntry(code);
      if (entry === undefined) continue;
      const cause = { code, title: entry.title, remediation: entry.remediation };
      onUserError(state, open, { ...attempt, rootCause: cause, failedStage: entry.stage }, subnet, config, log);
    }
  } else if (attempt.outcome === 'cancelled' || rootCauseEntry(attempt.rootCause?.code ?? '')?.fault === 'user') {
    const counted = onUserError(state, open, attempt, subnet, config, log);
    acc[counted ? 'ticketed' : 'userError'] += 1;
  } else if (attempt.rootCause === null) {
    acc.unexplained += 1;
  } else {
    acc.ticketed += 1;
    countFailure(state, open, attempt, subnet, config, log);
  }
  return true;
}

/** Count an infrastructure (or unknown) failure in the ticket of its cause and scope, opening one if needed. */
function countFailure(
  state: TicketState,
  open: OpenTickets,
  attempt: AttemptRecord,
  subnet: string | null,
  config: TicketConfig,
  log: StepLog,
): void {
  const cause = attempt.rootCause!;
  const entry = rootCauseEntry(cause.code);
  const scope = ticketScope(attempt, attempt.failedStage ?? entry?.stage ?? null, config, subnet);
  const baseKey = baseTicketKey(cause.code, scope);
  const current = state.tickets[baseKey];
  // A late failure from before a resolution belongs to the incarnation it resolved, not to a new outage.
  const belongs =
    current !== undefined &&
    (current.status === 'open' || Date.parse(attempt.start) <= Date.parse(current.resolvedAt ?? attempt.start));
  const ticket = belongs
    ? current
    : newTicket(
        {
          baseKey,
          code: cause.code,
          kind: 'root_cause',
          pattern: 'scattered',
          title: entry?.title ?? cause.title,
          remediation: entry?.remediation ?? cause.remediation,
          scope,
        },
        current,
        isoTime(attempt.start),
      );
  if (!belongs) {
    state.tickets[baseKey] = ticket;
    open.opened(ticket);
    noteOpened(log, ticket);
  }
  countInTicket(state, ticket, attempt, config);
  if (ticket.pattern === 'scattered') noteScattered(state, ticket, Date.parse(attempt.end), config);
  noteTouched(log, ticket);
}

/** Keep a scattered ticket's recent failures; enough of them within the incident window make it an incident. */
function noteScattered(state: TicketState, ticket: Ticket, timeMs: number, config: TicketConfig): void {
  const recentFailures = state.recentFailures;
  const recent = (recentFailures[ticket.baseKey] ?? []).filter((t) => t > timeMs - config.incidentWindowMs);
  recent.push(timeMs);
  if (recent.length < config.incidentThreshold) {
    recentFailures[ticket.baseKey] = recent;
    return;
  }
  ticket.pattern = 'incident';
  delete recentFailures[ticket.baseKey];
}

/**
 * Every ticket stays open until no failure of it came for the quiet period, so it does not flap while failures come
 * and go. Scattered failures say a setting is wrong somewhere, and the successes between them say nothing about it:
 * the quiet period alone resolves such a ticket, at its end. An incident (an outage) also needs proof of recovery:
 * `resolveAfterSuccesses` successes in a row through its scope; without traffic through the scope it stays open.
 */
function resolveQuiet(state: TicketState, open: OpenTickets, nowMs: number, config: TicketConfig, log: StepLog): void {
  for (const ticket of open.current()) {
    if (ticket.pattern === 'incident' && ticket.successStreak < config.resolveAfterSuccesses) continue;
    const quietSinceMs = open.lastSeenMs(ticket) + config.quietPeriodMs;
    if (quietSinceMs <= nowMs) resolve(state, ticket, quietSinceMs, log);
  }
}

/** A success through an open incident's scope, after its last failure, extends its recovery streak. */
function creditSuccess(
  state: TicketState,
  open: OpenTickets,
  attempt: AttemptRecord,
  subnet: string | null,
  config: TicketConfig,
  log: StepLog,
): void {
  const endMs = Date.parse(attempt.end);
  for (const ticket of open.current()) {
    if (ticket.status !== 'open' || ticket.pattern !== 'incident' || endMs <= open.lastSeenMs(ticket)) continue;
    // Past the needed streak a success changes nothing, so sinks are not sent one revision per success.
    if (ticket.successStreak >= config.resolveAfterSuccesses) continue;
    if (!successCrosses(ticket.scope, attempt, subnet)) continue;
    ticket.successStreak += 1;
    ticket.revision += 1;
    noteTouched(log, ticket);
    const quietSinceMs = Date.parse(ticket.lastSeen) + config.quietPeriodMs;
    if (ticket.successStreak >= config.resolveAfterSuccesses && quietSinceMs <= endMs) {
      resolve(state, ticket, endMs, log);
    }
  }
}

function resolve(state: TicketState, ticket: Ticket, atMs: number, log: StepLog): void {
  noteResolving(log, ticket);
  ticket.status = 'resolved';
  ticket.resolvedAt = new Date(atMs).toISOString();
  ticket.revision += 1;
  delete state.recentFailures[ticket.baseKey];
}

/**
 * Forget attempt IDs and burst windows that have fallen behind the horizon, keeping the state bounded. Returns the
 * horizon: every attempt ID that ended before it is forgotten (null before the first attempt).
 */
function prune(
  state: TicketState,
  open: OpenTickets,
  config: TicketConfig,
  nowMs: number | undefined,
  log: StepLog,
): number | null {
  const watermark = Math.max(state.watermarkMs ?? Number.NEGATIVE_INFINITY, nowMs ?? Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(watermark)) return null;
  state.watermarkMs = watermark;
  resolveQuiet(state, open, watermark, config, log);
  // Only the IDs forgotten are read (seen-order.ts), not a day of a fleet's attempts at every step.
  const horizon = watermark - config.dedupeHorizonMs;
  forgetSeenBefore(state.seen, horizon);
  for (const [key, errors] of Object.entries(state.recentUserErrors)) {
    const kept = errors.filter((e) => e.timeMs >= watermark - config.burstWindowMs);
    if (kept.length === 0) delete state.recentUserErrors[key];
    else state.recentUserErrors[key] = kept;
  }
  // The user set of a resolved ticket is only needed while a late failure could still join it.
  for (const ticket of Object.values(state.tickets)) {
    if (ticket.status === 'resolved' && Date.parse(ticket.resolvedAt ?? '') < watermark - config.dedupeHorizonMs) {
      delete state.users[ticket.key];
    }
  }
  return horizon;
}

function newAccounting(received: number): TicketAccounting {
  return { received, duplicate: 0, late: 0, probe: 0, ticketed: 0, userError: 0, success: 0, unexplained: 0 };
}
