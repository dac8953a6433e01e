import type { ClientEvent, GatewayEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { caHostOf } from './attempt.js';
import { clientFits, clientPhase } from './client-phase.js';
import type { EngineConfig } from './config.js';

/** Result of looking for the one attempt an event without a user belongs to. */
export type GatewayMatch =
  | { readonly kind: 'one'; readonly attempt: OpenAttempt }
  | { readonly kind: 'ambiguous'; readonly attempts: readonly OpenAttempt[] }
  | { readonly kind: 'none' };

/**
 * Join an IIS request (which names no user) to the attempt whose RADIUS decision happened while the request was
 * being served: the DA server asks NPS in the middle of the request (MS-OTPCE §3.2.5.1), so the decision lies inside
 * [start, end] of the request. When two users' decisions fit, the request is ambiguous and is not guessed.
 * Without a decision (RADIUS never answered, or the DA server refused first), the client's result logged right after
 * the response is the clue.
 */
export function matchGateway(g: GatewayEvent, open: Iterable<OpenAttempt>, config: EngineConfig): GatewayMatch {
  const slack = config.gatewayJoinSlackMs;
  const skew = config.clockSkewToleranceMs;
  const candidates = [...open].filter(
    (a) => !a.probe && a.gateway === null && (g.user === null || a.userKey === g.user.key),
  );
  const within = (lo: number, hi: number) =>
    candidates.filter((a) => a.radius !== null && a.radius.time >= lo && a.radius.time <= hi);
  // A refused request (403: no valid client certificate; 4xx/5xx) never reached RADIUS: only the client's result
  // can place it.
  const askedRadius = g.status < 400;
  const strict = askedRadius ? decide(sameServer(g, within(g.startTime - slack, g.time + slack))) : NONE;
  if (strict.kind !== 'none') return strict;
  const byClient = candidates.filter(
    (a) =>
      a.radius === null &&
      a.caRequest === null &&
      a.client !== null &&
      (clientPhase(a.client.ref.eventId) === 'after_server' || a.client.ref.eventId === 10016) &&
      a.client.time >= g.time - slack - skew &&
      a.client.time <= g.time + skew,
  );
  const clientMatch = decide(byClient);
  if (clientMatch.kind !== 'none') return clientMatch;
  // The DA server and NPS are domain members with synchronised clocks: a small widening covers their drift, while a
  // wide one would hand a request that RADIUS never answered to another user's attempt nearby.
  const drift = Math.min(skew, SERVER_DRIFT_FACTOR * slack);
  return askedRadius ? decide(sameServer(g, within(g.startTime - drift, g.time + drift))) : NONE;
}

/**
 * With several DA servers, two users' requests can overlap in time on different servers: when some of the RADIUS
 * decisions name the IIS host as their RADIUS client (NPS ClientName or NASIdentifier, often the DA server's name),
 * only those are kept. Nothing is dropped when none does (the names are the administrator's choice).
 */
function sameServer(g: GatewayEvent, found: OpenAttempt[]): OpenAttempt[] {
  if (found.length < 2) return found;
  const named = found.filter((a) => {
    const r = a.radius!;
    return [r.clientName, r.nasIdentifier].some((n) => n !== null && hostKey(n) === hostKey(g.ref.computer));
  });
  return named.length > 0 ? named : found;
}

const NONE: GatewayMatch = { kind: 'none' };

const SERVER_DRIFT_FACTOR = 10;

function decide(found: OpenAttempt[]): GatewayMatch {
  if (found.length === 0) return { kind: 'none' };
  const users = new Set(found.map((a) => a.userKey));
  if (found.length === 1 || users.size === 1) return { kind: 'one', attempt: earliest(found) };
  return { kind: 'ambiguous', attempts: found };
}

function earliest(list: OpenAttempt[]): OpenAttempt {
  return list.reduce((best, a) => (a.first < best.first || (a.first === best.first && a.seq < best.seq) ? a : best));
}

/**
 * Join a client event that names no user (10022 names only the CA, 10010 nothing) to the attempt it ends: the same
 * computer (from the CA request's requesting machine or another client event), or the CA that issued (the CAName
 * `host\CA-Name` of the event), close in time. Several equally good candidates of different users: none is guessed.
 */
/** Where the candidates of a user-less client event come from: indexes by host, and every open attempt. */
export interface UserlessCandidates {
  /** Open attempts whose client machine has the event computer's short name (a superset; compared exactly here). */
  readonly byMachine: Iterable<OpenAttempt>;
  /** Open attempts with CA events from a host with the CAName host's short name (a superset). */
  readonly byCa: Iterable<OpenAttempt>;
  /** Every open attempt, for the last resort. */
  readonly all: Iterable<OpenAttempt>;
}

export function matchUserlessClient(
  e: ClientEvent,
  candidates: UserlessCandidates,
  config: EngineConfig,
): OpenAttempt | null {
  const skew = config.clockSkewToleranceMs;
  const computer = e.ref.computer.toLowerCase();
  const caHost = e.caName === null ? null : e.caName.split('\\')[0]!.toLowerCase();
  const fits = (a: OpenAttempt): boolean =>
    !a.probe &&
    a.client === null &&
    a.last >= e.time - config.attemptGapMs &&
    a.first <= e.time + skew &&
    clientFits(e.ref.eventId, a) &&
    stepsBefore(a, e.time, skew);
  const sameMachine = [...candidates.byMachine].filter(
    (a) => a.clientMachine !== null && sameHost(a.clientMachine, computer) && fits(a),
  );
  if (sameMachine.length > 0) return nearestOfOneUser(sameMachine, e.time);
  // Only when the computer tells nothing: the CA's candidates are many (every attempt at that CA).
  const sameCa =
    caHost === null
      ? []
      : [...candidates.byCa].filter((a) => fits(a) && caHostOf(a) !== null && sameHost(caHostOf(a)!, caHost));
  if (sameCa.length > 0) return nearestOfOneUser(sameCa, e.time);
  // Last resort, when neither the computer nor the CA is known (no CA log, v0 CA events): the one attempt close in
  // time that the event fits, if only one user's attempt does.
  const nearby = [...candidates.all].filter((a) => Math.abs(a.last - e.time) <= skew && fits(a));
  return nearby.length > 0 && new Set(nearby.map((a) => a.userKey)).size === 1
    ? nearestOfOneUser(nearby, e.time)
    : null;
}

/** The attempt nearest in time, unless another user's attempt is exactly as near (then none is guessed). */
function nearestOfOneUser(group: readonly OpenAttempt[], time: number): OpenAttempt | null {
  const nearest = group.reduce((best, a) => (Math.abs(a.last - time) < Math.abs(best.last - time) ? a : best));
  const rivals = group.filter(
    (a) => a.userKey !== nearest.userKey && Math.abs(a.last - time) === Math.abs(nearest.last - time),
  );
  return rivals.length === 0 ? nearest : null;
}

/** The client's result comes last: every step already there must be no later than it (allowing for skew). */
function stepsBefore(a: OpenAttempt, time: number, skew: number): boolean {
  return a.events.every((x) => x.time <= time + skew);
}

/** The index key of a host: its short name in lower case (an FQDN and its short name share it). */
export function hostKey(host: string): string {
  const dot = host.indexOf('.');
  return (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
}

/** Host names compared case-insensitively, an FQDN matching its short name. */
export function sameHost(a: string, b: string): boolean {
  if (a.length === b.length) return a === b || a.toLowerCase() === b.toLowerCase();
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  // A short name matches the FQDN that starts with it and a dot.
  return (
    !shorter.includes('.') &&
    longer[shorter.length] === '.' &&
    longer.slice(0, shorter.length).toLowerCase() === shorter.toLowerCase()
  );
}
