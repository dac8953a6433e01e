import type { CaResult, ClientEvent, RadiusDirectoryUnavailable } from '@otptrace/schemas';
import { caHostOf, type OpenAttempt, oneUser } from './attempt.js';
import { type AttemptIndex, isAttemptList } from './attempt-index.js';
import { clientFits, clientPhase } from './client-phase.js';
import type { EngineConfig } from './config.js';
import { joinGatewayRequest } from './gateway-join.js';
import { sameHost } from './hosts.js';
import type { JoinContext } from './join-context.js';
import type { PendingEvent } from './pending.js';

/** Join a pending user-less event, by its kind (`host`: an IIS request's DA server's host key). */
export function resolvePending(e: PendingEvent, host: string, ctx: JoinContext): void {
  switch (e.kind) {
    case 'gateway.request':
      return void joinGatewayRequest(e, host, ctx);
    case 'client.result':
      return void joinUserlessClient(e, ctx);
    case 'radius.directory_unavailable':
      return void joinDirectoryEvent(e, ctx);
    case 'ca.result':
      return void joinCaApplicationEvent(e, ctx);
  }
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

function matchUserlessClient(e: ClientEvent, ctx: JoinContext): OpenAttempt | null {
  const { attempts, config } = ctx;
  const computer = e.ref.computer;
  const onMachine = attempts.onMachine(computer);
  if (onMachine === undefined) return matchUserlessClientByCa(e, ctx);
  // Nearly always the computer has one attempt, kept without a list.
  if (!isAttemptList(onMachine))
    return onComputerFits(onMachine, e, computer, config) ? onMachine : matchUserlessClientByCa(e, ctx);
  // Nearly always one attempt of the computer fits: it is found without a list (or a closure) made for each event.
  let only: OpenAttempt | null = null;
  for (let i = 0; i < onMachine.length; i++) {
    const a = onMachine[i]!;
    if (!onComputerFits(a, e, computer, config)) continue;
    if (only !== null) return nearestOnComputer(e, onMachine, config);
    only = a;
  }
  return only ?? matchUserlessClientByCa(e, ctx);
}

/** Whether attempt `a` (of the client computer's index entry) is the computer's and the user-less event fits it. */
function onComputerFits(a: OpenAttempt, e: ClientEvent, computer: string, config: EngineConfig): boolean {
  return a.clientMachine !== null && sameHost(a.clientMachine, computer) && userlessClientFits(a, e, config);
}

/** Several of the computer's attempts fit: the nearest in time (the first found among equally near ones). */
function nearestOnComputer(
  e: ClientEvent,
  onMachine: readonly OpenAttempt[],
  config: EngineConfig,
): OpenAttempt | null {
  const computer = e.ref.computer;
  const sameMachine: OpenAttempt[] = [];
  for (let i = 0; i < onMachine.length; i++)
    if (onComputerFits(onMachine[i]!, e, computer, config)) sameMachine.push(onMachine[i]!);
  return nearestOfOneUser(sameMachine, e.time, indexIn(sameMachine));
}

/** No attempt of the client computer fits: the CA that issued, else the one attempt close in time. */
function matchUserlessClientByCa(e: ClientEvent, { attempts, config }: JoinContext): OpenAttempt | null {
  const skew = config.clockSkewToleranceMs;
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

/**
 * Whether a user-less client event can end attempt `a`. Not when the attempt's client computer is known to be another
 * (the CA request's `ccm:`): with laptops' clocks 20 s off, the nearest attempt at the CA took other laptops' results.
 */
function userlessClientFits(a: OpenAttempt, e: ClientEvent, config: EngineConfig): boolean {
  const skew = config.clockSkewToleranceMs;
  return (
    !a.probe &&
    a.client === null &&
    (a.clientMachine === null || sameHost(a.clientMachine, e.ref.computer)) &&
    a.last >= e.time - config.attemptGapMs &&
    a.first <= e.time + skew &&
    clientFits(e, a) &&
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
 * Join an NPS 4402 (no domain controller for a domain; names no user) to the denial of its NPS server nearest to it in
 * time (within the clock-skew tolerance; ties: the attempt opened first), as that denial's evidence. It explains every
 * denial around it, and each of those attempts is told so when it closes (`DaServerContext.directoryNear`); but in an
 * outage NPS logs one per request, and every denial carrying every 4402 around it made the output grow with the square
 * of the outage (2,000 denials in 200 s: 1.3 GB of JSON, 22 s; 8,000: out of memory).
 */
export function joinDirectoryEvent(d: RadiusDirectoryUnavailable, ctx: JoinContext): void {
  const a = nearestDenial(d, ctx);
  if (a === null) return void ctx.drop(d, 'unmatched_directory_event');
  ctx.attempts.add(a, d);
}

/** Windows a 4402's denial is looked for in, nearest first (ascending): in an outage, one is within a second or two. */
const DENIAL_REACH_MS: readonly number[] = [2_000, 30_000];

function nearestDenial(d: RadiusDirectoryUnavailable, { attempts, config }: JoinContext): OpenAttempt | null {
  const skew = config.clockSkewToleranceMs;
  // The reaches shorter than the tolerance (ascending), then the tolerance: no list made for each 4402.
  for (let i = 0; i < DENIAL_REACH_MS.length && DENIAL_REACH_MS[i]! < skew; i++) {
    const best = nearestDenialWithin(d, DENIAL_REACH_MS[i]!, attempts);
    // The nearest within a window is the nearest of all: any other lies outside it.
    if (best !== null) return best;
  }
  return nearestDenialWithin(d, skew, attempts);
}

/** The denial of the 4402's NPS server nearest to it within `reach` (ties: the attempt opened first), or null. */
function nearestDenialWithin(d: RadiusDirectoryUnavailable, reach: number, attempts: AttemptIndex): OpenAttempt | null {
  const reading = attempts.deniedNearest(d.ref.computer, d.time, d.time - reach, d.time + reach);
  const found: OpenAttempt[] = [];
  let best: OpenAttempt | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (;;) {
    const from = found.length;
    const bound = reading.load(found);
    for (let i = from; i < found.length; i++) {
      const a = found[i]!;
      const r = a.radius!;
      // NPS log files name the server by its short name, the event logs by FQDN.
      if (r.decision !== 'denied' || !sameHost(r.ref.computer, d.ref.computer)) continue;
      const distance = Math.abs(r.time - d.time);
      if (distance < bestDistance || (distance === bestDistance && a.seq < best!.seq)) {
        best = a;
        bestDistance = distance;
      }
    }
    // Every denial not read yet is at least `bound` away: one exactly as near may have been opened first.
    if (bound > bestDistance || bound === Number.POSITIVE_INFINITY) return best;
  }
}

/** Join a CA application-log result (names no user) to the attempt of its request ID. */
export function joinCaApplicationEvent(r: CaResult, ctx: JoinContext): void {
  const a = ctx.attempts.ofRequest(r.ref.computer, r.requestId);
  if (a !== undefined) ctx.attempts.add(a, r);
  else if (!ctx.joinSigning(r)) ctx.drop(r, 'unmatched_ca_result');
}
