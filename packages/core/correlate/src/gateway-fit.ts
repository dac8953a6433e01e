import type { GatewayEvent, RadiusDecision } from '@otptrace/schemas';
import { answerFitsRequest } from './answer-order.js';
import { NO_FIT, type OpenAttempt } from './attempt.js';
import { waitedForRadius } from './config.js';
import type { JoinContext } from './join-context.js';
import { truncate } from './lists.js';
import { onWholeSecond } from './server-clocks.js';

// How well an attempt's steps fit an IIS request: where a RADIUS decision lies in it, how far a client's answer is
// from its end, and which attempts can take it at all. Measures, and the in-place filters of candidate lists built on
// them, read by the join and by the claims of later requests.

/** Whether request `g` (at `offset` on NPS's clock) spans NPS time `t`, widened by `slack` on both sides. */
export function spans(g: GatewayEvent, offset: number, slack: number, t: number): boolean {
  return g.startTime + offset - slack <= t && t <= g.time + offset + slack;
}

/** `decisionFit` without the start: how far decision `t` is from request `g`'s end (on the NPS clock: `offset`). */
export function endDistance(g: GatewayEvent, offset: number, decision: RadiusDecision): number {
  return endDistanceAt(g, offset, decisionMoment(g, offset, decision), decision);
}

/** `endDistance` of `decision` at moment `t`. */
function endDistanceAt(g: GatewayEvent, offset: number, t: number, decision: RadiusDecision): number {
  const end = g.time + offset;
  if (t <= end) return end - t;
  // A W3C end, read at the middle of its second, may lie anywhere in it: a decision later in that second counts its
  // distance as one inside does, and only what lies past the second counts thrice. Read as outside, a grant 0.4 s past
  // the middle of a short request's second went to a RADIUS timeout's request ending the next second (sweep seed
  // 29034), and the timeout took the short request, blamed on the DA server.
  // (A decision an NPS log file gives in whole seconds is as coarse: its second against the end's, as before.)
  if (!onWholeSecond(g.time) || inWholeSeconds(decision)) return OUTSIDE_WEIGHT * (t - end);
  const last = end + HALF_SECOND_MS;
  return t <= last ? t - end : HALF_SECOND_MS + OUTSIDE_WEIGHT * (t - last);
}

/**
 * How well a RADIUS decision at `t` fits request `g` (less is better). The DA server asks NPS as soon as the request
 * comes and answers soon after the decision: the decision lies just before the end, and a request that waited long
 * for RADIUS (a timeout) holding another user's decision by chance has it far from its start. A decision outside the
 * request (a skewed clock) counts thrice its distance.
 */
export function decisionFit(g: GatewayEvent, offset: number, decision: RadiusDecision): number {
  const t = decisionMoment(g, offset, decision);
  // The request's span on the NPS servers' clock (`offset`: its DA server's, `ServerClocks`).
  const start = g.startTime + offset;
  const fromStart = t >= start ? t - start : OUTSIDE_WEIGHT * (start - t);
  return endDistanceAt(g, offset, t, decision) + START_WEIGHT * fromStart;
}

/**
 * When `decision` happened, as weighed against request `g` (whose end is at `offset` on NPS's clock). An NPS log file's
 * time (IAS, database-compatible: `clock` set) is the start of its second, and the decision lay anywhere in that
 * second: against a request end logged finer, it is taken at the moment of its second nearest that end (the request's
 * best fit). A success's decision logged at the second after a RADIUS timeout's request ended 65 ms before it fitted
 * that request better than its own, which ended 0.9 s into that second. (Taken at the middle of its second instead,
 * 47 fewer IIS requests of 120 generated fleets joined their own attempt.)
 */
function decisionMoment(g: GatewayEvent, offset: number, decision: RadiusDecision): number {
  const t = decision.time;
  if (onWholeSecond(g.time) || !inWholeSeconds(decision)) return t;
  return Math.max(t, Math.min(t + LAST_OF_SECOND_MS, g.time + offset));
}

/** Whether an NPS log file gave `decision` in whole seconds (IAS, database-compatible: the start of its second). */
function inWholeSeconds(decision: RadiusDecision): boolean {
  return decision.clock !== undefined && decision.time % 1000 === 0;
}

/** The latest `decisionMoment` of `decision` (read as far as that by the windows of later requests). */
export function latestMoment(decision: RadiusDecision): number {
  const t = decision.time;
  return inWholeSeconds(decision) ? t + LAST_OF_SECOND_MS : t;
}

const LAST_OF_SECOND_MS = 999;

/**
 * How far a client result at `t` is from a request that ended at `end`, when a later request claims it: the client
 * logs its result once the answer came, so a result logged before a request ended (possible only on a skewed clock)
 * counts twice its distance. In an outage's stream of timeouts, a result 0.3 s after its own request and 0.2 s before
 * the next one's end stays with its own (each result went one request on, and the last a minute astray).
 */
export function resultDistance(t: number, end: number): number {
  return t >= end ? t - end : RESULT_BEFORE_WEIGHT * (end - t);
}

/** How much a client result's distance before a request's end weighs against one after it. */
export const RESULT_BEFORE_WEIGHT = 2;

/**
 * A later request nearer a lone result than `g` by more than the clock-skew tolerance over this (30 s of the default
 * 3 min) claims it even when it would take another result (`prefersAnotherResult` looks only two requests deep). In a
 * RADIUS outage logged in whole seconds, two requests ended in the same second with two users' results right after:
 * each preferred the first result, neither claimed the second, and it went to a request 100 s before it. A laptop whose
 * clock is further off than that from the DA server's can lose its own request to such a neighbour.
 */
export const FAR_RESULT_DIVISOR = 6;

/** How much a decision's distance outside a request weighs against one inside. */
export const OUTSIDE_WEIGHT = 3;

/** How much a decision's distance from the request's start weighs against its distance from the end. */
export const START_WEIGHT = 0.1;

/**
 * How long after its own RADIUS decision a request ends, at most (ms): the DA server answers once NPS has, after
 * signing the client's request, which takes well under a second.
 */
export const ANSWER_AFTER_DECISION_MS = 10_000;

/**
 * Whether a decision's distance from the starts of requests `g` and `other` says nothing of which of them it belongs
 * to: neither waited for RADIUS (`waitedForRadius`), so each asked NPS as it came and the time to the decision is the
 * RADIUS round trip, which varies from request to request; and both ends are logged finer than in whole seconds (a
 * W3C line's end is the middle of its second, and its start is no better). Then a later request, shorter and ending
 * just after `g`, does not claim a decision `g` holds nearer its end: on a generated day of 100,000 users
 * (`node bench/iis-join.mjs --users 100000`) such claims left `g` without its own decision and moved the next
 * requests' (91.5 % of requests joined to their own decision with them, 93.9 % without).
 */
export function startSaysNothing(g: GatewayEvent, other: GatewayEvent, ctx: JoinContext): boolean {
  const timeout = ctx.config.radiusTimeoutMs;
  return (
    waitedForRadius(g.timeTakenMs, timeout) === false &&
    waitedForRadius(other.timeTakenMs, timeout) === false &&
    !onWholeSecond(g.time) &&
    !onWholeSecond(other.time)
  );
}

/**
 * Whether `other` waited for RADIUS and `g` did not (`waitedForRadius`): of two requests a lone client result is exactly
 * as near to (two ends logged in the same W3C second), the one that waited is the likelier to have had no answer. A
 * RADIUS timeout's result otherwise went to a short request ending in the same second, which was then blamed on the
 * DA server (a refusal before RADIUS), and the timeout's own request went unjoined; RADIUS timeouts are far more
 * common than a DA server refusing a request that asked RADIUS nothing.
 */
export function waitedWhereGDidNot(g: GatewayEvent, other: GatewayEvent, ctx: JoinContext): boolean {
  const timeout = ctx.config.radiusTimeoutMs;
  return waitedForRadius(other.timeTakenMs, timeout) === true && waitedForRadius(g.timeTakenMs, timeout) === false;
}

/** Keep (in place, in order) the attempts that can still take the IIS request; how many. */
export function keepTakers(g: GatewayEvent, list: OpenAttempt[], radiusTimeoutMs: number): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (takesGateway(list[i]!, g, radiusTimeoutMs)) list[n++] = list[i]!;
  truncate(list, n);
  return n;
}

/**
 * Whether a candidate can still take an IIS request: no probe, no request yet (and its user, when the request names
 * one). A client without its computer certificate (10016) fails TLS or is refused with a 403, never answered 200.
 */
export function takesGateway(a: OpenAttempt, g: GatewayEvent, radiusTimeoutMs: number): boolean {
  return (
    !a.probe &&
    a.gateway === null &&
    (g.user === null || a.userKey === g.user.key) &&
    (a.client === null || answerFitsRequest(a.client, g, radiusTimeoutMs))
  );
}

/**
 * How much deeper inside request `g` (on NPS's clock: `offset`) a RADIUS decision lies than the request's answer
 * allows (ms; 0 when it fits): the DA server answers right after NPS does (docs/windows-events.md §1.2), so the
 * decision of a request that waited for RADIUS (`waitedForRadius`: a timeout's retries) lies near its end, within the
 * slack (and the half second a W3C end, read at the middle of its second, may be off). One deeper is another user's,
 * inside by chance. Found on a generated fleet: a success's grant 3.5 s before the end of a 21 s RADIUS timeout's
 * request took it (its own short request had gone to a neighbour's decision), and the timeout's failure, answered
 * 0.4 s after that end, took the next free request instead and was blamed on the DA server.
 */
export function depthBeyondAnswer(g: GatewayEvent, offset: number, decision: RadiusDecision, ctx: JoinContext): number {
  if (waitedForRadius(g.timeTakenMs, ctx.config.radiusTimeoutMs) !== true) return 0;
  const allowed = ctx.config.gatewayJoinSlackMs + (onWholeSecond(g.time) ? HALF_SECOND_MS : 0);
  return Math.max(0, g.time + offset - decisionMoment(g, offset, decision) - allowed);
}

const HALF_SECOND_MS = 500;

/**
 * Whether request `g` (on NPS's clock: `offset`) could take attempt `a`'s decision by where it lies: inside the request,
 * widened by the slack, and no deeper than its answer allows (`depthBeyondAnswer`). A later request claims a decision,
 * or is its better fit, only if so: one that may not take it must not keep it from another.
 */
export function mayTakeDecision(g: GatewayEvent, offset: number, a: OpenAttempt, ctx: JoinContext): boolean {
  const decision = a.radius!;
  return (
    spans(g, offset, ctx.config.gatewayJoinSlackMs, decision.time) && depthBeyondAnswer(g, offset, decision, ctx) === 0
  );
}

/** Keep (in place, in order) the candidates whose decision lies no deeper in request `g` than its answer allows. */
export function keepAnswerable(g: GatewayEvent, offset: number, found: OpenAttempt[], ctx: JoinContext): void {
  if (waitedForRadius(g.timeTakenMs, ctx.config.radiusTimeoutMs) !== true) return;
  let n = 0;
  for (let i = 0; i < found.length; i++)
    if (depthBeyondAnswer(g, offset, found[i]!.radius!, ctx) === 0) found[n++] = found[i]!;
  truncate(found, n);
}

/**
 * Keep (in place, in order) the candidates that no request left ambiguous explains better than `g` by more than a
 * quarter of the slack (their `ambiguousFit`; `g`'s span on the NPS clock: `offset`). Three users' requests ending
 * within 0.1 s of their three decisions hold all three and are each left ambiguous; a RADIUS timeout's request ending
 * 9 s later, which holds the same decisions 9 s before its end, is not theirs: it goes by the client result logged
 * right after it. Nor is the next short request, whose own decision lies inside it and one of theirs 0.7 s before
 * it began (a whole slack let that one take it).
 */
export function keepUnexplained(g: GatewayEvent, offset: number, found: OpenAttempt[], slack: number): void {
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    // Most candidates were never in an ambiguous request: no fit to compute.
    if (a.ambiguousFit === NO_FIT || !explainedBetter(a, decisionFit(g, offset, a.radius!), slack)) found[n++] = a;
  }
  truncate(found, n);
}

/** Whether a request left ambiguous fitted `a`'s decision better than `fit` by more than a quarter of the slack. */
export function explainedBetter(a: OpenAttempt, fit: number, slack: number): boolean {
  return a.ambiguousFit !== NO_FIT && a.ambiguousFit + slack / AMBIGUOUS_MARGIN_DIVISOR < fit;
}

/**
 * A request left ambiguous explains a decision better than another request when it fits it better by more than the
 * slack divided by this. Not by nothing: the second of two requests ending together, which split two decisions either
 * way, fits each of them a little worse than the first (their ends' and starts' differences), and would be left unjoined.
 */
const AMBIGUOUS_MARGIN_DIVISOR = 4;
