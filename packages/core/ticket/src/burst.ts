import { rootCauseEntry } from '@otptrace/model';
import type { AttemptRecord, TicketConfig } from '@otptrace/schemas';
import { baseTicketKey } from './keys.js';
import type { OpenTickets } from './open-tickets.js';
import { ticketScope } from './scope.js';
import type { TicketState } from './state.js';
import { noteOpened, noteTouched, type StepLog } from './step-log.js';
import { countInTicket, isoTime, newTicket } from './ticket.js';

// A wrong OTP or a cancellation is the user's business, so one opens no ticket. Many at once through the same NPS
// server are not: a clock drift on the OTP server makes every token code wrong. The engine keeps the user errors of
// the last `burstWindowMs` per code and scope, and opens a `<code>_burst` ticket when they pass the threshold.

/** Code of a cancellation that carries no root cause. */
export const CANCELLED_CODE = 'user_cancelled';

/** Watch one user error; returns true when it was counted in an open burst ticket. */
export function onUserError(
  state: TicketState,
  openTickets: OpenTickets,
  attempt: AttemptRecord,
  subnet: string | null,
  config: TicketConfig,
  log: StepLog,
): boolean {
  const code = attempt.rootCause?.code ?? CANCELLED_CODE;
  const entry = rootCauseEntry(code);
  const scope = ticketScope(attempt, attempt.failedStage ?? entry?.stage ?? null, config, subnet);
  const burstCode = `${code}_burst`;
  const baseKey = baseTicketKey(burstCode, scope);
  const open = state.tickets[baseKey];
  if (open?.status === 'open') {
    countInTicket(state, open, attempt, config);
    noteTouched(log, open);
    return true;
  }
  const timeMs = Date.parse(attempt.end);
  const recent = (state.recentUserErrors[baseKey] ?? []).filter((e) => e.timeMs >= timeMs - config.burstWindowMs);
  recent.push({ timeMs, user: attempt.user, traceId: attempt.traceId, start: attempt.start, end: attempt.end });
  state.recentUserErrors[baseKey] = recent;
  const users = new Set(recent.map((e) => e.user));
  if (recent.length < config.burstThreshold || users.size < config.burstMinUsers) return false;
  const windowMinutes = Math.round(config.burstWindowMs / 60_000);
  const title = entry?.title ?? attempt.rootCause?.title ?? 'Users cancelled the OTP logon';
  const ticket = newTicket(
    {
      baseKey,
      code: burstCode,
      kind: 'user_error_burst',
      pattern: 'incident',
      title: `Many users at once: ${title}`,
      remediation:
        `${recent.length} attempts of ${users.size} users failed this way within ${windowMinutes} minutes, which points to a shared cause rather than the users. ${entry?.burstRemediation ?? entry?.remediation ?? ''}`.trim(),
      scope,
    },
    state.tickets[baseKey],
    isoTime(recent[0]?.start ?? attempt.start),
  );
  state.tickets[baseKey] = ticket;
  openTickets.opened(ticket);
  delete state.recentUserErrors[baseKey];
  for (const e of recent) countInTicket(state, ticket, e, config);
  noteOpened(log, ticket);
  return false;
}
