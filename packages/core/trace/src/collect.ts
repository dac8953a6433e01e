import type {
  CaRequest,
  CaResult,
  ClientEvent,
  GatewayEvent,
  NormalizedEvent,
  RadiusDecision,
  RadiusDirectoryUnavailable,
} from '@otptrace/schemas';
import type { StageDraft } from './drafts.js';
import {
  caDraft,
  clientDraft,
  directoryOnlyDraft,
  gatewayDraft,
  onServerClock,
  radiusDraft,
  withEvents,
} from './drafts.js';

/** An attempt's events split by kind. */
interface EventsByKind {
  gateway: GatewayEvent[];
  radius: RadiusDecision[];
  directory: RadiusDirectoryUnavailable[];
  caRequests: CaRequest[];
  caResults: CaResult[];
  client: ClientEvent[];
  /** About the DA server as a whole: NPS refusing it as a RADIUS client, the CA on its signing certificate. */
  context: NormalizedEvent[];
}

function splitByKind(events: readonly NormalizedEvent[]): EventsByKind {
  const split: EventsByKind = {
    gateway: [],
    radius: [],
    directory: [],
    caRequests: [],
    caResults: [],
    client: [],
    context: [],
  };
  for (const event of events) {
    if (event.kind === 'gateway.request') split.gateway.push(event);
    else if (event.kind === 'radius.decision') split.radius.push(event);
    else if (event.kind === 'radius.directory_unavailable') split.directory.push(event);
    else if (event.kind === 'client.result') split.client.push(event);
    // The DA server's own signing-certificate request and NPS refusing the DA server are evidence of the DA server's
    // state, not steps of this attempt: cited on its span.
    else if (event.kind === 'radius.client_error' || event.machineRequester != null) split.context.push(event);
    else if (event.kind === 'ca.request') split.caRequests.push(event);
    else if (event.kind === 'ca.result') split.caResults.push(event);
  }
  return split;
}

/**
 * One draft per stage occurrence: each IIS request, each NPS decision (with the 4402 events of its NPS server
 * nearest to it), each CA request (by CA computer and RequestId), each client result. Duplicated log records
 * (same `id`) count once. NPS's drafts are put on the DA server's clock by `npsClockAheadMs` (the record's).
 */
export function collectDrafts(events: readonly NormalizedEvent[], npsClockAheadMs = 0): StageDraft[] {
  const split = splitByKind(uniqueById(events));
  // One array filled by push, no spread of `map` results: a `map` result is packed from the builtin but holey once
  // the caller is optimised (and an empty one holds no objects), so each caller's optimisation changed the arrays'
  // hidden class and deoptimised their readers: the first pass of an export spent more on recompiling than on spans
  // (issue 16 item 6). Arrays filled by push keep one elements kind.
  const drafts: StageDraft[] = [];
  for (const event of split.gateway) drafts.push(gatewayDraft(event));
  const firstRadius = drafts.length;
  pushRadiusDrafts(drafts, split.radius, split.directory);
  if (npsClockAheadMs !== 0)
    for (let i = firstRadius; i < drafts.length; i++) drafts[i] = onServerClock(drafts[i]!, npsClockAheadMs);
  pushCaDrafts(drafts, split.caRequests, split.caResults);
  for (const event of split.client) drafts.push(clientDraft(event));
  if (split.context.length === 0 || drafts.length === 0) return drafts;
  let at = 0;
  while (at < drafts.length && drafts[at]!.stage !== 'gateway') at++;
  if (at === drafts.length) at = 0;
  const withContext: NormalizedEvent[] = [];
  for (const event of drafts[at]!.events) withContext.push(event);
  for (const event of split.context) withContext.push(event);
  drafts[at] = withEvents(drafts[at]!, withContext);
  return drafts;
}

function pushRadiusDrafts(
  drafts: StageDraft[],
  decisions: RadiusDecision[],
  directory: RadiusDirectoryUnavailable[],
): void {
  if (decisions.length === 0) {
    if (directory.length > 0) drafts.push(directoryOnlyDraft(directory));
    return;
  }
  const attached = new Map<RadiusDecision, RadiusDirectoryUnavailable[]>();
  for (const decision of decisions) attached.set(decision, []);
  for (const event of directory) {
    const sameServer = decisions.filter((d) => d.ref.computer === event.ref.computer);
    const nearest = nearestInTime(sameServer.length > 0 ? sameServer : decisions, event.time);
    attached.get(nearest)?.push(event);
  }
  for (const decision of decisions) drafts.push(radiusDraft(decision, attached.get(decision) ?? []));
}

function pushCaDrafts(drafts: StageDraft[], requests: CaRequest[], results: CaResult[]): void {
  if (requests.length === 0 && results.length === 0) return;
  const groups = new Map<string, { requests: CaRequest[]; results: CaResult[] }>();
  const groupOf = (event: CaRequest | CaResult) => {
    const key = `${event.ref.computer}\u0000${event.requestId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { requests: [], results: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const request of requests) groupOf(request).requests.push(request);
  for (const result of results) groupOf(result).results.push(result);
  for (const group of groups.values()) drafts.push(caDraft(group.requests, group.results));
}

function nearestInTime<T extends { time: number }>(candidates: readonly T[], time: number): T {
  let best = candidates[0]!;
  for (const candidate of candidates) {
    if (Math.abs(candidate.time - time) < Math.abs(best.time - time)) best = candidate;
  }
  return best;
}

function uniqueById(events: readonly NormalizedEvent[]): NormalizedEvent[] {
  // An attempt has a handful of events: comparing with those kept costs less than a Map per attempt.
  if (events.length > 32) {
    const byId = new Map<string, NormalizedEvent>();
    for (const event of events) if (!byId.has(event.id)) byId.set(event.id, event);
    return [...byId.values()];
  }
  const unique: NormalizedEvent[] = [];
  for (const event of events) if (!unique.some((kept) => kept.id === event.id)) unique.push(event);
  return unique;
}
