import type { AttemptRecord, Stage, TicketConfig, TicketScope } from '@otptrace/schemas';

// The scope of a ticket is the thing an operator fixes: the host of the failing stage. A client-side cause lives on
// each user's own computer, so it is scoped to the fleet (or, when configured, to the client's subnet).

/** The scope of a failure at `stage` of this attempt. */
export function ticketScope(
  attempt: AttemptRecord,
  stage: Stage | null,
  config: TicketConfig,
  subnet: string | null,
): TicketScope {
  if (stage === 'ca' || stage === 'radius' || stage === 'gateway') return scopeOf(stage, attempt.hosts[stage]);
  if (config.clientScope === 'subnet' && subnet !== null) return scopeOf('subnet', subnet);
  return { kind: 'fleet', target: null, label: 'fleet' };
}

function scopeOf(kind: TicketScope['kind'], target: string | null): TicketScope {
  const normalized = target === null || target === '' ? null : target.toLowerCase();
  return { kind, target: normalized, label: `${kind}:${normalized ?? 'unknown'}` };
}

/**
 * Whether a successful attempt went through a scope: it used the same CA, NPS server or DA server, or came from the
 * same subnet. Every success counts for the fleet and for a scope whose host the logs did not name.
 */
export function successCrosses(scope: TicketScope, attempt: AttemptRecord, subnet: string | null): boolean {
  if (scope.kind === 'fleet' || scope.target === null) return true;
  if (scope.kind === 'subnet') return subnet === scope.target;
  return attempt.hosts[scope.kind]?.toLowerCase() === scope.target;
}
