import { computerNameOf } from '@otptrace/model';
import type { AttemptRecord, Stage, TicketConfig, TicketScope } from '@otptrace/schemas';

// A ticket is scoped where the fix is. The DA server asked NPS and got no answer: the operator starts on that DA
// server (its RADIUS client settings, the path to NPS), since an unanswered request names no NPS server. A RADIUS
// answer names the NPS server that gave it; a CA denial names the CA; a DA-server fault is the DA server's. When the
// logs name no NPS server or CA (the CA was unreachable), the DA server that asked is the scope: its configuration
// names the server it uses. A client-side cause lives on the users' computers: one ticket per client subnet (one
// computer when the address is unknown), or per fleet when configured. A host is named as the statistics name it
// (`computerNameOf`): the DA server a W3C log calls `da1` and its clients `da1.corp.example` gets one ticket.

/** The scope of a failure at `stage` of this attempt. */
export function ticketScope(
  attempt: AttemptRecord,
  stage: Stage | null,
  config: TicketConfig,
  subnet: string | null,
): TicketScope {
  if (attempt.rootCause?.code === 'radius_no_response') return scopeOf('gateway', attempt.hosts.gateway);
  if (stage === 'ca' || stage === 'radius' || stage === 'gateway') {
    const host = attempt.hosts[stage];
    return host || !attempt.hosts.gateway ? scopeOf(stage, host) : scopeOf('gateway', attempt.hosts.gateway);
  }
  if (config.clientScope === 'subnet') {
    // A subnet is an address range, never a host name: lower case (IPv6) is its only normal form.
    if (subnet !== null) {
      const target = subnet.toLowerCase();
      return { kind: 'subnet', target, label: `subnet:${target}` };
    }
    if (attempt.hosts.client) return scopeOf('computer', attempt.hosts.client);
  }
  return { kind: 'fleet', target: null, label: 'fleet' };
}

function scopeOf(kind: TicketScope['kind'], host: string | null): TicketScope {
  const target = host === null || host === '' ? null : computerNameOf(host);
  return { kind, target, label: `${kind}:${target ?? 'unknown'}` };
}

/**
 * Whether a successful attempt went through a scope: it used the same CA, NPS server or DA server, or came from the
 * same subnet or computer. Every success counts for the fleet and for a scope whose host the logs did not name.
 */
export function successCrosses(scope: TicketScope, attempt: AttemptRecord, subnet: string | null): boolean {
  if (scope.kind === 'fleet' || scope.target === null) return true;
  if (scope.kind === 'subnet') return subnet === scope.target;
  const host = scope.kind === 'computer' ? attempt.hosts.client : attempt.hosts[scope.kind];
  // A ticket saved before hosts were named by `computerNameOf` may hold a whole DNS name as its target.
  return host != null && host !== '' && computerNameOf(host) === computerNameOf(scope.target);
}
