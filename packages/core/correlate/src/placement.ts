import type { NormalizedEvent } from '@otptrace/schemas';
import { caStatusOf, type OpenAttempt, SLOT_ORDER, type Slot, slotFree } from './attempt.js';
import { clientAllowsCa, clientFits, clientFitsSteps, clientPhase } from './client-phase.js';
import type { EngineConfig } from './config.js';
import { lowerHost } from './hosts.js';

/** How much later than the client's failure result a RADIUS grant or a CA step may still be that attempt's. */
export const RESULT_GRACE_MS = 10_000;

/**
 * How long (event time) a RADIUS decision that only an ended attempt would take waits for a retry's own steps: the
 * client's answer (after an unreachable CA, some seconds later) or the retry's CA request.
 */
export const RETRY_RESULT_WAIT_MS = 60_000;
/** How much before the decision a retry's result may be logged (a client clock a little behind). */
export const RETRY_RESULT_BEFORE_MS = RESULT_GRACE_MS;

/**
 * Whether a RADIUS denial (or discard) that attempt `a` accepts should first wait for a retry: `a` has ended with
 * the client's answer logged well before the decision. That is a client clock behind NPS's, or a retry (after a RADIUS
 * timeout, a refused request) whose own answer comes a moment after its decision: a result of the user logged within
 * `RETRY_RESULT_WAIT_MS` takes it; else `a` does, as before. (A grant that late is no ended attempt's by
 * `acceptsEvent`'s rule; the engine lets it wait too when an ended attempt takes it within the clock-skew tolerance.)
 * Other RADIUS traffic of the user (Wi-Fi PEAP) never waits: a retry's answer must not take it.
 */
export function waitsForRetryResult(
  a: OpenAttempt,
  e: NormalizedEvent,
  config: EngineConfig,
  clientLagMs = 0,
): boolean {
  return (
    e.kind === 'radius.decision' &&
    !isOtherRadiusDecision(e, config) &&
    e.decision !== 'granted' &&
    a.client !== null &&
    clientPhase(a.client.ref.eventId) === 'after_server' &&
    e.time > a.client.time - clientLagMs + RESULT_GRACE_MS
  );
}

/** The slot a user-named event fills. */
export function slotOf(e: NormalizedEvent): Slot | null {
  switch (e.kind) {
    case 'radius.decision':
      return 'radius';
    case 'ca.request':
      return 'caRequest';
    case 'ca.result':
      return 'caResult';
    case 'client.result':
      return 'client';
    default:
      return null;
  }
}

/**
 * Whether attempt `a` can take event `e` in `slot`: the slot is free, the event is within the attempt gap, its time
 * is consistent with the order of the steps already there (allowing for skewed clocks), the users' explicit domains
 * agree, and its meaning fits (a CA request after an NPS denial, or a success after a CA denial, does not).
 * `clientLagMs`: how far ahead of the servers' clock the laptop of the client result logs, when known (`LaptopClocks`):
 * `a`'s result, against which a server step is weighed on the servers' clock, or `e` when it is the client result.
 */
export function acceptsEvent(
  a: OpenAttempt,
  e: NormalizedEvent,
  slot: Slot,
  config: EngineConfig,
  lateGrantMs = RESULT_GRACE_MS,
  clientLagMs = 0,
): boolean {
  if (!slotFree(a, slot)) return false;
  if (e.time - a.last > config.attemptGapMs || a.first - e.time > config.attemptGapMs) return false;
  if (
    e.user !== null &&
    a.user !== null &&
    e.user.domainExplicit &&
    a.user.domainExplicit &&
    e.user.domain !== a.user.domain
  )
    return false;
  if (!orderConsistent(a, e.time, slot, config.clockSkewToleranceMs)) return false;
  return meaningFits(a, e, slot, lateGrantMs, clientLagMs);
}

/** Every step already in the attempt must be no later (earlier steps) or no earlier (later steps) than allowed. */
export function orderConsistent(a: OpenAttempt, time: number, slot: Slot, skew: number): boolean {
  const order = SLOT_ORDER[slot];
  if (!stepInOrder(a.radius?.time, SLOT_ORDER.radius, order, time, skew)) return false;
  if (!stepInOrder(a.caRequest?.time, SLOT_ORDER.caRequest, order, time, skew)) return false;
  for (let i = 0; i < a.caResults.length; i++)
    if (!stepInOrder(a.caResults[i]!.time, SLOT_ORDER.caResult, order, time, skew)) return false;
  return stepInOrder(a.client?.time, SLOT_ORDER.client, order, time, skew);
}

/** Whether a step of order `o` at `t` (undefined: absent) allows a step of order `order` at `time`. */
function stepInOrder(t: number | undefined, o: number, order: number, time: number, skew: number): boolean {
  return t === undefined || (o < order ? t <= time + skew : o > order ? t >= time - skew : true);
}

function meaningFits(
  a: OpenAttempt,
  e: NormalizedEvent,
  slot: Slot,
  lateGrantMs: number,
  clientLagMs: number,
): boolean {
  const hasCa = a.caRequest !== null || a.caResults.length > 0;
  switch (slot) {
    case 'radius': {
      if (e.kind !== 'radius.decision') return false;
      if (e.decision !== 'granted' && hasCa) return false;
      // The client logs 10005/10006 only once the DA server answered, which it does after the RADIUS decision: a grant
      // logged well after such a result is a retry's (a denial may be a skewed client clock, and is let in), unless
      // `lateGrantMs` says otherwise (a grant no retry's answer followed: see `waitsForRetryResult`).
      if (
        e.decision === 'granted' &&
        a.client !== null &&
        clientPhase(a.client.ref.eventId) === 'after_server' &&
        e.time > a.client.time - clientLagMs + lateGrantMs
      )
        return false;
      if (a.client !== null && !clientFitsDecision(a, e.decision)) return false;
      return true;
    }
    case 'caRequest':
    case 'caResult': {
      if (a.radius !== null && a.radius.decision !== 'granted') return false;
      if (!clientAllowsCa(a)) return false;
      // 10005 may follow the CA's denial (the seed story's Windows 7 clients), never precede the CA's steps by more
      // than the skew of the client's clock: a CA step logged well after such a result is a retry's, whose RADIUS
      // grant may come later still when NPS's clock runs ahead.
      if (
        a.client !== null &&
        clientPhase(a.client.ref.eventId) === 'after_server' &&
        e.time > a.client.time - clientLagMs + RESULT_GRACE_MS
      )
        return false;
      // A success on the client cannot follow a denial by the CA.
      if (e.kind === 'ca.result' && e.status !== 'issued' && a.client?.ref.eventId === 10022) return false;
      return true;
    }
    case 'client':
      if (e.kind !== 'client.result' || !clientFits(e, a)) return false;
      // The rule of a grant placed after such an answer, for an answer placed after the grant: a laptop ahead of the
      // servers logs its failure after a retry's grant, which it answered 20 s before on the servers' clock.
      return !(
        a.radius?.decision === 'granted' &&
        clientPhase(e.ref.eventId) === 'after_server' &&
        a.radius.time > e.time - clientLagMs + lateGrantMs
      );
  }
}

/** Whether the attempt's client result (if any) could follow a RADIUS decision `decision`. */
function clientFitsDecision(a: OpenAttempt, decision: 'granted' | 'denied' | 'discarded'): boolean {
  return a.client === null || clientFitsSteps(a.client, decision, a) || caStatusOf(a) !== 'none';
}

/** Whether a certificate template is an OTP logon template, another one, or not named by the event. */
export function templateKind(template: string | null, otp: RegExp): 'otp' | 'other' | 'unknown' {
  if (template === null || template === '') return 'unknown';
  return otp.test(template) ? 'otp' : 'other';
}

/** An attempt made only of an NPS decision for other RADIUS traffic (Wi-Fi EAP, a gateway) is no OTP attempt. */
export function isOtherRadiusTraffic(a: OpenAttempt, config: EngineConfig): boolean {
  if (a.probe || a.radius === null || !isOtherRadiusDecision(a.radius, config)) return false;
  return a.gateway === null && a.client === null && a.caRequest === null && a.caResults.length === 0;
}

/** A RADIUS decision of an authentication type OTP never uses (the configured list: EAP, PEAP, MS-CHAP...). */
export function isOtherRadiusDecision(
  e: { readonly authenticationType: string | null },
  config: EngineConfig,
): boolean {
  // Few distinct types: their lower-case spellings are remembered like host names.
  const type = e.authenticationType;
  return type != null && config.nonOtpAuthenticationTypes?.has(lowerHost(type)) === true;
}
