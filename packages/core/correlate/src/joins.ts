import type { DropReason } from '@otptrace/model';
import type {
  CaResult,
  ClientEvent,
  GatewayEvent,
  NormalizedEvent,
  RadiusDirectoryUnavailable,
} from '@otptrace/schemas';
import { caHostOf, type OpenAttempt } from './attempt.js';
import type { AttemptIndex } from './attempt-index.js';
import { clientFits, clientPhase } from './client-phase.js';
import type { EngineConfig } from './config.js';
import { hostKey, sameHost } from './hosts.js';
import type { Pending } from './pending.js';

/** What a join needs: the open attempts, the settings, and where a dropped event goes. */
export interface JoinContext {
  readonly attempts: AttemptIndex;
  readonly config: EngineConfig;
  drop(event: NormalizedEvent, reason: DropReason): void;
  /** Offer a CA application event to the DA servers' signing requests; true when one took it. */
  joinSigning(event: CaResult): boolean;
}

/** Join a pending user-less event, by its type. */
export function resolvePending(p: Pending, ctx: JoinContext): void {
  switch (p.type) {
    case 'gateway':
      return void joinGatewayRequest(p.event, ctx);
    case 'client':
      return void joinUserlessClient(p.event, ctx);
    case 'directory':
      return void joinDirectoryEvent(p.event, ctx);
    case 'caApp':
      return void joinCaApplicationEvent(p.event, ctx);
  }
}

/**
 * Join an IIS request (which names no user) to the attempt whose RADIUS decision happened while the request was
 * being served: the DA server asks NPS in the middle of the request (MS-OTPCE §3.2.5.1), so the decision lies inside
 * [start, end] of the request. When two users' decisions fit, the request is ambiguous and is not guessed: both
 * attempts are flagged and the request is dropped. Without a decision (RADIUS never answered, or the DA server
 * refused first), the client's result logged right after the response is the clue.
 */
export function joinGatewayRequest(g: GatewayEvent, ctx: JoinContext): void {
  const found = gatewayCandidates(g, ctx);
  if (found.length === 0) ctx.drop(g, 'unmatched_gateway_request');
  else if (oneUser(found)) ctx.attempts.add(earliest(found), g);
  else {
    for (const a of found) a.gatewayAmbiguous = true;
    ctx.drop(g, 'ambiguous_gateway_request');
  }
}

/**
 * The attempts an IIS request may belong to, by the first rule that finds any: one attempt, several of one user (the
 * earliest takes it), or several users' (ambiguous). In one list reused by every request (read before the next).
 */
function gatewayCandidates(g: GatewayEvent, { attempts, config }: JoinContext): OpenAttempt[] {
  const found = GATEWAY_CANDIDATES;
  found.length = 0;
  const slack = config.gatewayJoinSlackMs;
  const skew = config.clockSkewToleranceMs;
  // A refused request (403: no valid client certificate; 4xx/5xx) never reached RADIUS: only the client's result
  // can place it.
  const askedRadius = g.status < 400;
  if (askedRadius) {
    attempts.decidedWithin(null, g.startTime - slack, g.time + slack, undefined, found);
    if (keepTakers(g, found) > 0) return keepSameServer(g, found);
  }
  attempts.clientOnlyWithin(g.time - slack - skew, g.time + skew, undefined, found);
  if (keepTakers(g, found) > 0 || !askedRadius) return found;
  // The DA server and NPS are domain members with synchronised clocks: a small widening covers their drift, while a
  // wide one would hand a request that RADIUS never answered to another user's attempt nearby.
  const drift = Math.min(skew, SERVER_DRIFT_FACTOR * slack);
  attempts.decidedWithin(null, g.startTime - drift, g.time + drift, undefined, found);
  keepTakers(g, found);
  return keepSameServer(g, found);
}

const GATEWAY_CANDIDATES: OpenAttempt[] = [];

/** Keep (in place, in order) the attempts that can still take the IIS request; how many. */
function keepTakers(g: GatewayEvent, list: OpenAttempt[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (takesGateway(list[i]!, g)) list[n++] = list[i]!;
  list.length = n;
  return n;
}

/** Whether a candidate can still take an IIS request: no probe, no request yet (and its user, when the request names one). */
function takesGateway(a: OpenAttempt, g: GatewayEvent): boolean {
  return !a.probe && a.gateway === null && (g.user === null || a.userKey === g.user.key);
}

/**
 * With several DA servers, two users' requests can overlap in time on different servers: when some of the RADIUS
 * decisions name the IIS host as their RADIUS client (NPS ClientName or NASIdentifier, often the DA server's name),
 * only those are kept (in place). Nothing is dropped when none does (the names are the administrator's choice).
 */
function keepSameServer(g: GatewayEvent, found: OpenAttempt[]): OpenAttempt[] {
  if (found.length < 2) return found;
  const host = hostKey(g.ref.computer);
  const names = (a: OpenAttempt): boolean => {
    const r = a.radius!;
    return (
      (r.clientName !== null && hostKey(r.clientName) === host) ||
      (r.nasIdentifier !== null && hostKey(r.nasIdentifier) === host)
    );
  };
  // Each candidate is looked at once: the first that names the host starts the kept list.
  let n = -1;
  for (let i = 0; i < found.length; i++) {
    if (!names(found[i]!)) continue;
    if (n < 0) n = 0;
    found[n++] = found[i]!;
  }
  if (n > 0) found.length = n;
  return found;
}

const SERVER_DRIFT_FACTOR = 10;

/** Whether every attempt of a (non-empty) list has the same user key. */
function oneUser(list: readonly OpenAttempt[]): boolean {
  const user = list[0]!.userKey;
  for (let i = 1; i < list.length; i++) if (list[i]!.userKey !== user) return false;
  return true;
}

function earliest(list: OpenAttempt[]): OpenAttempt {
  return list.reduce((best, a) => (a.first < best.first || (a.first === best.first && a.seq < best.seq) ? a : best));
}

/**
 * Join a client event that names no user (10022 names only the CA, 10010 nothing) to the attempt it ends: the same
 * computer (from the CA request's requesting machine or another client event), or the CA that issued (the CAName
 * `host\CA-Name` of the event), close in time. Several equally good candidates of different users: none is guessed.
 * Nothing matching on the servers (e.g. the client never reached them), it opens an attempt of its own where the
 * configuration lets it.
 */
export function joinUserlessClient(e: ClientEvent, ctx: JoinContext): void {
  const a = matchUserlessClient(e, ctx);
  if (a !== null) return void ctx.attempts.add(a, e);
  if (ctx.config.opensUserlessAttempt?.(e) === false) return void ctx.drop(e, 'userless_not_owner');
  ctx.attempts.openWith(e, null, false);
}

function matchUserlessClient(e: ClientEvent, { attempts, config }: JoinContext): OpenAttempt | null {
  const skew = config.clockSkewToleranceMs;
  const computer = e.ref.computer;
  const sameMachine: OpenAttempt[] = [];
  const onMachine = attempts.onMachine(computer);
  for (let i = 0; i < onMachine.length; i++) {
    const a = onMachine[i]!;
    if (a.clientMachine !== null && sameHost(a.clientMachine, computer) && userlessClientFits(a, e, config))
      sameMachine.push(a);
  }
  if (sameMachine.length === 1) return sameMachine[0]!;
  if (sameMachine.length > 1) return nearestOfOneUser(sameMachine, e.time, indexIn(sameMachine));
  const fits = (a: OpenAttempt): boolean => userlessClientFits(a, e, config);
  // An event logged before the client reached the DA server fits only an attempt no server has seen.
  const bareOnly = clientPhase(e.ref.eventId) === 'before_server';
  // Only when the computer tells nothing: the CA's candidates are many (every attempt at that CA), so they are read
  // by time (an attempt it fits has its last step within [time - gap, time + skew]).
  const caHost = e.caName === null ? null : e.caName.split('\\')[0]!.toLowerCase();
  if (caHost !== null) {
    const sameCa = attempts.waitingWithin(
      caHost,
      e.time - config.attemptGapMs,
      e.time + skew,
      bareOnly,
      (a) => fits(a) && caHostOf(a) !== null && sameHost(caHostOf(a)!, caHost),
    );
    if (sameCa.length > 0) return nearestOfOneUser(sameCa, e.time, (a) => attempts.caOrderOf(a, caHost));
  }
  // Last resort, when neither the computer nor the CA is known (no CA log, v0 CA events): the one attempt close in
  // time that the event fits, if only one user's attempt does.
  const nearby = attempts.waitingWithin(null, e.time - skew, e.time + skew, bareOnly, fits);
  return nearby.length > 0 && oneUser(nearby) ? nearestOfOneUser(nearby, e.time, (a) => a.seq) : null;
}

/** Whether a user-less client event can end attempt `a`. */
function userlessClientFits(a: OpenAttempt, e: ClientEvent, config: EngineConfig): boolean {
  const skew = config.clockSkewToleranceMs;
  return (
    !a.probe &&
    a.client === null &&
    a.last >= e.time - config.attemptGapMs &&
    a.first <= e.time + skew &&
    clientFits(e.ref.eventId, a) &&
    stepsBefore(a, e.time, skew)
  );
}

/** Candidates in the order they were found. */
function indexIn(list: readonly OpenAttempt[]): (a: OpenAttempt) => number {
  return (a) => list.indexOf(a);
}

/**
 * The attempt nearest in time (the first in `order` among equally near ones of one user), unless another user's
 * attempt is exactly as near (then none is guessed).
 */
function nearestOfOneUser(
  group: readonly OpenAttempt[],
  time: number,
  order: (a: OpenAttempt) => number,
): OpenAttempt | null {
  const distance = (a: OpenAttempt) => Math.abs(a.last - time);
  const nearest = group.reduce((best, a) =>
    distance(a) < distance(best) || (distance(a) === distance(best) && order(a) < order(best)) ? a : best,
  );
  const rivals = group.filter((a) => a.userKey !== nearest.userKey && distance(a) === distance(nearest));
  return rivals.length === 0 ? nearest : null;
}

/** The client's result comes last: every step already there must be no later than it (allowing for skew). */
function stepsBefore(a: OpenAttempt, time: number, skew: number): boolean {
  // Every event of an open attempt moves its end but an NPS 4402 (addToAttempt): the end and those few are read, not
  // every (cold) event.
  if (a.last > time + skew) return false;
  for (let i = 0; i < a.directory.length; i++) if (a.directory[i]!.time > time + skew) return false;
  return true;
}

/**
 * Join an NPS 4402 (no domain controller for a domain; names no user) to every attempt that NPS denied around it:
 * it explains each of those denials, so several attempts share it.
 */
export function joinDirectoryEvent(d: RadiusDirectoryUnavailable, ctx: JoinContext): void {
  const { attempts, config } = ctx;
  const skew = config.clockSkewToleranceMs;
  let attached = false;
  for (const a of attempts.decidedWithin(d.ref.computer, d.time - skew, d.time + skew)) {
    const r = a.radius!;
    // NPS log files name the server by its short name, the event logs by FQDN.
    if (r.decision !== 'denied' || !sameHost(r.ref.computer, d.ref.computer)) continue;
    attempts.add(a, d);
    attached = true;
  }
  if (!attached) ctx.drop(d, 'unmatched_directory_event');
}

/** Join a CA application-log result (names no user) to the attempt of its request ID. */
export function joinCaApplicationEvent(r: CaResult, ctx: JoinContext): void {
  const a = ctx.attempts.ofRequest(r.ref.computer, r.requestId);
  if (a !== undefined) ctx.attempts.add(a, r);
  else if (!ctx.joinSigning(r)) ctx.drop(r, 'unmatched_ca_result');
}
