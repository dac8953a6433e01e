import type { GatewayEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { answeredAt, isAttemptList, placesRequestByClient } from './attempt-index.js';
import { gatewayDelayOf } from './config.js';
import { addressKeepsOut, fromItsLaptopOnly, fromLaptopOf } from './gateway-addresses.js';
import {
  ANSWER_AFTER_DECISION_MS,
  decisionFit,
  depthBeyondAnswer,
  endDistance,
  explainedBetter,
  FAR_RESULT_DIVISOR,
  keepAnswerable,
  keepTakers,
  keepUnexplained,
  latestMoment,
  mayTakeDecision,
  OUTSIDE_WEIGHT,
  RESULT_BEFORE_WEIGHT,
  resultDistance,
  spans,
  startSaysNothing,
  takesGateway,
  waitedWhereGDidNot,
} from './gateway-fit.js';
import {
  dropNamedElsewhere,
  fitsBetter,
  keepSameServer,
  namedServers,
  namesAnyServer,
  namesServer,
} from './gateway-servers.js';
import { hostKey } from './hosts.js';
import type { GatewayWindow, JoinContext } from './join-context.js';
import { truncate } from './lists.js';

// Whether a later IIS request, still waiting for its join, claims an attempt from the request being joined: it holds
// the attempt's decision and fits it better, is nearer its client's answer, or came from its laptop.

/**
 * Whether an IIS request still waiting for its join (a later one: requests are joined in time order) fits attempt
 * `a` better than `g` does. Without this an early request takes an attempt a later one fits better: a decision just
 * past the end of a long request that waited for RADIUS, and inside its own user's request; a lone client result a
 * minute after one request and a second after another, when RADIUS timed out for several users at once or clocks are
 * skewed.
 * - An attempt with a decision is claimed by a later request that holds the decision (within the slack) and fits it
 *   better (`decisionFit`; by the ends alone where the starts say nothing, `startSaysNothing`): the DA server answers
 *   soon after NPS decides (`ANSWER_AFTER_DECISION_MS`).
 * - One with only the client's result, by a later request nearer to it (`resultDistance`) in which no decision lies
 *   (such a request goes to that decision's attempt).
 * - Names settle it first (`onlyServerOf`): an attempt naming one request's DA server and not the other's is that one's.
 * The later requests looked at, and the decisions inside them, are all placed when `g` is joined (none is later than
 * its join delay after it), so the outcome does not depend on when the engine sweeps.
 */
export function claimedByLater(
  g: GatewayEvent,
  host: string,
  a: OpenAttempt,
  ctx: JoinContext,
  prefetched: GatewayWindow | null = null,
  from = g.time,
): boolean {
  const { config } = ctx;
  const slack = config.gatewayJoinSlackMs;
  // A request naming nobody, or `g`'s server, can only be claimed by a nearer request; else by one up to a window away.
  const namesG = namesServer(a, host, ctx.clocks);
  const mayNameOther = !namesG && namesAnyServer(a);
  // Every event such a request and its decisions could need is placed by the time `g` is joined.
  const horizon = g.time + gatewayDelayOf(config) - slack;
  if (a.radius !== null) {
    const { clocks } = ctx;
    const t = a.radius.time;
    const offset = clocks.offset(host);
    const fit = decisionFit(g, offset, a.radius);
    // A later request prefers one of the decisions it holds (`prefersAnotherDecision`) only against `g` holding this one too: one
    // that the wider second rule reaches (`nearestCandidates`, seconds away) stays with any request holding it.
    const contested = spans(g, offset, slack, t);
    // In request times: a request of the server whose clock is furthest ahead of NPS's (the least offset) is logged
    // that much later than on NPS's clock. One ending after `nearer` fits `t` worse than `g` does (its end alone is
    // further from `t` than `fit`): only a server `a` names can claim it, up to `hi`.
    // Ends are compared with the decision's latest moment (`decisionMoment`).
    const late = latestMoment(a.radius) - clocks.leastOffset;
    const hi = Math.min(horizon, late + (mayNameOther ? slack + ANSWER_AFTER_DECISION_MS : fit));
    const nearer = Math.min(hi, late + fit);
    // One ending more than the slack before `t` (on its server's clock) cannot hold the decision: when `g` is a later
    // request asked about for an earlier one (`holdsDecision`), the seconds between them are not read.
    const lo = Math.max(from, t - clocks.greatestOffset - slack);
    const window = prefetched ?? ctx.pendingGateways(lo, nearer);
    if (decisionClaimedIn(g, host, a, fit, contested, from, nearer, window, ctx)) return true;
    if (claimedByItsLaptop(g, host, a, t, from, horizon, ctx)) return true;
    if (!mayNameOther || hi <= nearer) return false;
    // Read by server: in a busy hour, the other servers' requests of the next seconds are dozens per candidate.
    const named = NAMED;
    namedServers(a, clocks, named);
    let claimed = false;
    for (let i = 0; i < named.length && !claimed; i++) {
      if (named[i] === host) continue;
      const ofNamed = ctx.pendingGatewaysOfHost(named[i]!, Math.max(lo, nearer), hi);
      claimed = decisionClaimedIn(g, host, a, fit, contested, from, hi, ofNamed, ctx);
    }
    truncate(named, 0);
    return claimed;
  }
  const answered = answeredAt(a);
  const d = resultDistance(answered, g.time);
  const hi = Math.min(horizon, answered + (mayNameOther ? slack + config.clockSkewToleranceMs : d));
  // Only a nearer request claims it, or one on the server it names (`fitsBetter`): those ending less than `d` from its
  // result, then that server's. Each candidate read the whole window, minutes of requests in a flood of unanswered ones.
  const nearer = ctx.pendingGateways(Math.max(g.time, answered - d), Math.min(hi, answered + d / RESULT_BEFORE_WEIGHT));
  if (resultClaimedIn(g, host, a, d, hi, nearer, ctx)) return true;
  if (resultClaimedByItsLaptop(g, host, a, horizon, ctx)) return true;
  const named = mayNameOther ? a.client?.serverAddress : null;
  if (named == null) return false;
  return resultClaimedIn(g, host, a, d, hi, ctx.pendingGatewaysOfHost(hostKey(named), g.time, hi), ctx);
}

/**
 * Whether a request of `others` (in time order) from `from` up to `hi` claims attempt `a`, whose RADIUS decision fits
 * `g` by `fit` (`decisionFit`): it holds the decision and fits it better (by the ends alone where the starts say
 * nothing: `startSaysNothing`), or names its server (`fitsBetter`). When
 * `contested`, a request of `g`'s server claims by fit only a decision it would take itself (`prefersAnotherDecision`).
 */
function decisionClaimedIn(
  g: GatewayEvent,
  host: string,
  a: OpenAttempt,
  fit: number,
  contested: boolean,
  from: number,
  hi: number,
  others: GatewayWindow,
  ctx: JoinContext,
): boolean {
  const { clocks } = ctx;
  const gOff = clocks.offset(host);
  for (let i = others.start; i < others.end; i++) {
    const other = others.requests[i]!;
    const otherHost = others.hosts[i]!;
    if (other.time > hi) break;
    if (other.time < from || other === g || other.status >= 400 || !takesGateway(a, other, ctx.config.radiusTimeoutMs))
      continue;
    const off = clocks.offset(otherHost);
    if (!mayTakeDecision(other, off, a, ctx)) continue;
    const otherFit = decisionFit(other, off, a.radius!);
    // Between requests that did not wait for RADIUS, logged to the millisecond, only the ends tell (`startSaysNothing`).
    const better = startSaysNothing(g, other, ctx)
      ? endDistance(other, off, a.radius!) < endDistance(g, gOff, a.radius!)
      : otherFit < fit;
    if (
      fitsBetter(a, otherHost, host, better, clocks) &&
      !addressKeepsOut(g, other, a, ctx) &&
      !(contested && otherHost === host && prefersAnotherDecision(other, otherHost, a, otherFit, ctx))
    )
      return true;
    if (fromItsLaptopOnly(g, other, a, ctx) && fitsBetter(a, otherHost, host, true, clocks)) return true;
  }
  return false;
}

/**
 * Whether a request waiting for its join from `from` on, other than `g`, holds attempt `a`'s decision (at `t`) and came
 * from `a`'s laptop's address while `g` did not (`ClientAddresses`): then it is `a`'s request, however the two fit the
 * decision. Two short requests 18 ms apart both held a success's decision, logged in whole seconds; the first, from
 * another user's laptop, fitted it better and took it, and the success's own request went to a RADIUS timeout's
 * failure, blamed on the DA server. Only requests ending within the slack after the decision are read: the DA server
 * answers its laptop soon after NPS decides (reading 10 s further joined no request otherwise on 120 generated fleets,
 * and cost a tenth of the engine's rate at 100,000 users).
 */
function claimedByItsLaptop(
  g: GatewayEvent,
  host: string,
  a: OpenAttempt,
  t: number,
  from: number,
  horizon: number,
  ctx: JoinContext,
): boolean {
  if (a.machine === null || ctx.addresses.size === 0 || fromLaptopOf(g, a, ctx)) return false;
  const { clocks } = ctx;
  const slack = ctx.config.gatewayJoinSlackMs;
  const hi = Math.min(horizon, t - clocks.leastOffset + slack);
  const others = ctx.pendingGateways(Math.max(from, t - clocks.greatestOffset - slack), hi);
  for (let i = others.start; i < others.end; i++) {
    const other = others.requests[i]!;
    const otherHost = others.hosts[i]!;
    if (other === g || other.status >= 400 || !takesGateway(a, other, ctx.config.radiusTimeoutMs)) continue;
    const off = clocks.offset(otherHost);
    if (!mayTakeDecision(other, off, a, ctx)) continue;
    if (fromLaptopOf(other, a, ctx) && fitsBetter(a, otherHost, host, true, clocks)) return true;
  }
  return false;
}

/**
 * Whether a request waiting for its join, from the address of attempt `a`'s laptop while `g` is not
 * (`ClientAddresses`), would take `a`'s lone client result: it lies within the request's reach and is the laptop's
 * waiting result nearest that request. Then it is `a`'s request, however near `g` ends to the result. In a RADIUS
 * outage, a laptop whose clock was read 7 s off the DA server's (learned against a CA whose clock differs) had its
 * result 3 s before the end of another user's 14 s request and 6 s before its own request's end: the other request
 * took it, and the laptop's own request went to a third user's failure, blamed on the DA server.
 */
function resultClaimedByItsLaptop(
  g: GatewayEvent,
  host: string,
  a: OpenAttempt,
  horizon: number,
  ctx: JoinContext,
): boolean {
  if (a.machine === null || ctx.addresses.size === 0) return false;
  const answered = answeredAt(a);
  const address = ctx.addresses.addressOf(a.machine, answered);
  if (address === null || g.clientIp === address) return false;
  const { config } = ctx;
  const slack = config.gatewayJoinSlackMs;
  const skew = config.clockSkewToleranceMs;
  const others = ctx.pendingGateways(Math.max(g.time, answered - skew), Math.min(horizon, answered + slack + skew));
  for (let i = others.start; i < others.end; i++) {
    const other = others.requests[i]!;
    if (other === g || other.clientIp !== address || !takesGateway(a, other, config.radiusTimeoutMs)) continue;
    if (!fromLaptopOf(other, a, ctx) || !fitsBetter(a, others.hosts[i]!, host, true, ctx.clocks)) continue;
    if (nearestWaitingOnMachine(a.machine, other.time, ctx) === a) return true;
  }
  return false;
}

/**
 * Of client computer `machine`'s open attempts that only their client result can place, the one whose result is
 * nearest a request ending at `end` (`resultDistance`).
 */
function nearestWaitingOnMachine(machine: string, end: number, ctx: JoinContext): OpenAttempt | null {
  const open = ctx.attempts.onMachineKey(machine);
  if (open === undefined) return null;
  if (!isAttemptList(open)) return placesRequestByClient(open) ? open : null;
  let best: OpenAttempt | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < open.length; i++) {
    const b = open[i]!;
    if (!placesRequestByClient(b)) continue;
    const d = resultDistance(answeredAt(b), end);
    if (d < bestD) {
      best = b;
      bestD = d;
    }
  }
  return best;
}

/**
 * Whether request `other` (of server `otherHost`) holds another decision it fits better than `a`'s (at `fit`), one it
 * can take and no other request waiting fits better (`fitsElsewhere`): then it takes that one, not `a`'s. Three
 * users' decisions lie within 0.1 s in three short requests ending together: the request that started last fits all
 * three best, but takes one; without this it claimed all three from the two others, which then went unjoined, and two
 * of the users' decisions were left to a RADIUS timeout's request ending 22 s later. Two levels only: the requests
 * found to fit better elsewhere are not asked in turn. Another user's decision fitting exactly as well counts too: NPS
 * logs in whole seconds put two grants at one moment, and the request holding both claimed each from the short request
 * before it, which then took a RADIUS timeout's failure (blamed on the DA server).
 */
function prefersAnotherDecision(
  other: GatewayEvent,
  otherHost: string,
  a: OpenAttempt,
  fit: number,
  ctx: JoinContext,
): boolean {
  const slack = ctx.config.gatewayJoinSlackMs;
  const off = ctx.clocks.offset(otherHost);
  const start = other.startTime + off;
  const end = other.time + off;
  // A decision fits better only within `fit` before the end (or a third of it after): the rest is not read.
  const near = ctx.attempts.decidedWithin(
    Math.max(start - slack, end - fit),
    Math.min(end + slack, end + fit / OUTSIDE_WEIGHT),
    undefined,
    PREFERRED_DECISIONS,
  );
  let prefers = false;
  for (let i = 0; i < near.length && !prefers; i++) {
    const b = near[i]!;
    if (b === a || !takesGateway(b, other, ctx.config.radiusTimeoutMs)) continue;
    // One naming another DA server is that server's, as `keepSameServer` would leave it.
    if (namesAnyServer(b) && !namesServer(b, otherHost, ctx.clocks)) continue;
    if (depthBeyondAnswer(other, off, b.radius!, ctx) > 0) continue;
    const t = b.radius!.time;
    const bFit = decisionFit(other, off, b.radius!);
    prefers =
      (bFit < fit || (bFit === fit && b.userKey !== a.userKey)) &&
      !explainedBetter(b, bFit, slack) &&
      !fitsElsewhere(other, otherHost, b, t, bFit, ctx);
  }
  truncate(near, 0);
  return prefers;
}

/**
 * Whether another request still waiting holds decision `t` (attempt `a`) and fits it better than `other` (of server
 * `otherHost`) does (by `fit`), or is of the server it names (`fitsBetter`): then `other` does not take it, and
 * prefers it to no other decision.
 */
function fitsElsewhere(
  other: GatewayEvent,
  otherHost: string,
  a: OpenAttempt,
  t: number,
  fit: number,
  ctx: JoinContext,
): boolean {
  const { clocks } = ctx;
  // As in `claimedByLater`: none ending more than the slack before `t`, nor after its end alone fits worse.
  const hi = latestMoment(a.radius!) - clocks.leastOffset + fit;
  const window = ctx.pendingGateways(t - clocks.greatestOffset - ctx.config.gatewayJoinSlackMs, hi);
  return decisionClaimedIn(other, otherHost, a, fit, false, Number.NEGATIVE_INFINITY, hi, window, ctx);
}

/**
 * Whether a request of `others` (in time order) up to `hi` claims attempt `a`, which has only its client result, from
 * `g`, which it is `d` from (`claimedByLater`).
 */
function resultClaimedIn(
  g: GatewayEvent,
  host: string,
  a: OpenAttempt,
  d: number,
  hi: number,
  others: GatewayWindow,
  ctx: JoinContext,
): boolean {
  const slack = ctx.config.gatewayJoinSlackMs;
  const skew = ctx.config.clockSkewToleranceMs;
  const farther = d - skew / FAR_RESULT_DIVISOR;
  for (let i = others.start; i < others.end; i++) {
    const other = others.requests[i]!;
    const otherHost = others.hosts[i]!;
    if (other.time > hi) break;
    if (other.time < g.time || other === g || !takesGateway(a, other, ctx.config.radiusTimeoutMs)) continue;
    const answered = answeredAt(a);
    if (answered < other.time - slack - skew || answered > other.time + skew) continue;
    const otherD = resultDistance(answered, other.time);
    if (
      fitsBetter(a, otherHost, host, otherD < d || (otherD === d && waitedWhereGDidNot(g, other, ctx)), ctx.clocks) &&
      !addressKeepsOut(g, other, a, ctx) &&
      // A request from `a`'s laptop goes to its answer before any decision of another laptop it holds.
      (fromLaptopOf(other, a, ctx) || !holdsDecisionFor(g, other, otherHost, ctx)) &&
      // A request of the same server claims by distance alone only the result it would take itself, unless it is far
      // nearer to it than `g` (`FAR_RESULT_DIVISOR`).
      !(otherHost === host && otherD > farther && prefersAnotherResult(g, other, otherHost, a, otherD, ctx)) &&
      !hasAnswerGCannotTake(g, other, a, ctx)
    )
      return true;
  }
  return false;
}

/**
 * Whether request `other` (of server `otherHost`) has another attempt with only its client's result nearer to it than
 * `a` (at `d`), which it would take rather than `a`. Two refused users' requests end 0.1 s apart and their results
 * follow: the later request fits both results better than the earlier one does, but takes only one of them; without
 * this the earlier request lost both and went unjoined, and the other result had no request. A result that a third
 * request fits better still is not preferred (`resultFitsElsewhere`): in a RADIUS outage, a request ending 5 s after a
 * user's result left it for another user's result 3.7 s before it, which the request ending 1.9 s after that one took;
 * the user's result then went to a request ending two minutes before it. Two levels only.
 */
function prefersAnotherResult(
  g: GatewayEvent,
  other: GatewayEvent,
  otherHost: string,
  a: OpenAttempt,
  d: number,
  ctx: JoinContext,
) {
  const hi = other.time + ctx.config.clockSkewToleranceMs;
  return anyResultNear(other, hi, d, PREFERRED, ctx, (b) => {
    if (b === a || (namesAnyServer(b) && !namesServer(b, otherHost, ctx.clocks))) return false;
    const bD = resultDistance(answeredAt(b), other.time);
    return bD < d && !resultFitsElsewhere(g, other, otherHost, b, bD, ctx);
  });
}

/**
 * Whether a request waiting for its join, other than `other` and `g`, fits attempt `b` (only its client's result)
 * better than `other` does, at `bD` (`resultDistance`), and would take it: it holds no decision, and no other result
 * is nearer to it (`hasNearerResult`; a request ending just before three results takes one of them). Only requests
 * placed by the time `g` is joined are read (as in `claimedByLater`), so the answer does not depend on sweeps.
 */
function resultFitsElsewhere(
  g: GatewayEvent,
  other: GatewayEvent,
  otherHost: string,
  b: OpenAttempt,
  bD: number,
  ctx: JoinContext,
): boolean {
  const { config } = ctx;
  const slack = config.gatewayJoinSlackMs;
  const skew = config.clockSkewToleranceMs;
  const due = g.time + gatewayDelayOf(config);
  const answered = answeredAt(b);
  const hi = Math.min(due - slack, answered + bD / RESULT_BEFORE_WEIGHT);
  const window = ctx.pendingGateways(answered - bD, hi);
  for (let i = window.start; i < window.end; i++) {
    const r = window.requests[i]!;
    const rHost = window.hosts[i]!;
    if (r.time > hi) break;
    if (r === other || r === g || !takesGateway(b, r, ctx.config.radiusTimeoutMs)) continue;
    if (answered < r.time - slack - skew || answered > r.time + skew) continue;
    const rD = resultDistance(answered, r.time);
    if (!fitsBetter(b, rHost, otherHost, rD < bD, ctx.clocks)) continue;
    if (!holdsDecisionFor(g, r, rHost, ctx) && !hasNearerResult(r, b, rD, due, ctx)) return true;
  }
  return false;
}

/**
 * Whether request `other` has an attempt with only its client's result, other than `a`, that `g` cannot take
 * (`takesGateway`), within the clock-skew tolerance over `FAR_RESULT_DIVISOR` of it: `other` is that attempt's,
 * and leaves `a` to `g`. Found on a generated fleet: a RADIUS timeout's 11.8 s request lost its user's answer to a
 * request 89 ms long ending 3 s later, which the answer lay nearer on its laptop's clock as learned (hosts 2 s off);
 * that short request was another user's, whom the DA server did not find in AD (10011), and the timeout was blamed on
 * the DA server. Results after `g`'s due time are not read (`hasNearerResult`).
 */
function hasAnswerGCannotTake(g: GatewayEvent, other: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  const { config } = ctx;
  const near = config.clockSkewToleranceMs / FAR_RESULT_DIVISOR;
  const hi = Math.min(other.time + config.clockSkewToleranceMs, g.time + gatewayDelayOf(config));
  return anyResultNear(
    other,
    hi,
    near,
    ANSWERS_ELSEWHERE,
    ctx,
    (b) => b !== a && !takesGateway(b, g, config.radiusTimeoutMs) && resultDistance(answeredAt(b), other.time) < near,
  );
}

/**
 * Whether request `r` has an attempt with only its client's result, other than `b`, nearer to it than `d`. Results
 * after `until` (when the request being joined is due) are not read: whether they are placed yet depends on how far the
 * engine has swept, and the join must not.
 */
function hasNearerResult(r: GatewayEvent, b: OpenAttempt, d: number, until: number, ctx: JoinContext): boolean {
  const hi = Math.min(r.time + ctx.config.clockSkewToleranceMs, until);
  return anyResultNear(r, hi, d, NEARER_RESULTS, ctx, (c) => c !== b && resultDistance(answeredAt(c), r.time) < d);
}

/**
 * Whether an attempt with only its client's result, logged from the clock-skew tolerance (and the slack) before request
 * `r`'s end up to `hi`, that `r` can take, passes `accept`: read nearest to the end first, a ring at a time into `list`
 * (emptied after), only as far as `d` (a result further away is `d` or more from it by `resultDistance` too).
 */
function anyResultNear(
  r: GatewayEvent,
  hi: number,
  d: number,
  list: OpenAttempt[],
  ctx: JoinContext,
  accept: (c: OpenAttempt) => boolean,
): boolean {
  const lo = r.time - ctx.config.gatewayJoinSlackMs - ctx.config.clockSkewToleranceMs;
  const reading = ctx.attempts.clientOnlyNearest(r.time, lo, hi);
  let found = false;
  for (let bound = 0; !found && bound < d; ) {
    truncate(list, 0);
    bound = reading.load(list);
    for (let i = 0; i < list.length && !found; i++) {
      const c = list[i]!;
      const answered = answeredAt(c);
      found = answered >= lo && answered <= hi && takesGateway(c, r, ctx.config.radiusTimeoutMs) && accept(c);
    }
  }
  truncate(list, 0);
  return found;
}

/**
 * `holdsDecision(other, g.time)`, remembered while `g` is being joined: nothing it reads changes meanwhile, and the
 * same nearby requests come up for each of `g`'s candidates.
 */
function holdsDecisionFor(g: GatewayEvent, other: GatewayEvent, otherHost: string, ctx: JoinContext): boolean {
  if (HOLDS.joining !== g || HOLDS.ctx !== ctx) {
    HOLDS.joining = g;
    HOLDS.ctx = ctx;
    HOLDS.answers.clear();
  }
  let holds = HOLDS.answers.get(other);
  if (holds === undefined) {
    holds = holdsDecision(other, otherHost, g.time, ctx);
    HOLDS.answers.set(other, holds);
  }
  return holds;
}

export function forgetHolds(): void {
  HOLDS.joining = null;
  HOLDS.ctx = null;
  if (HOLDS.answers.size > 0) HOLDS.answers.clear();
}

/** What is remembered while one request is joined (`holdsDecisionFor`); forgotten after it. */
const HOLDS: {
  joining: GatewayEvent | null;
  ctx: JoinContext | null;
  readonly answers: Map<GatewayEvent, boolean>;
} = {
  joining: null,
  ctx: null,
  answers: new Map(),
};

/**
 * Whether request `g` (on DA server `host`) will go to an attempt whose decision lies inside it: one that can take it and that no other
 * request waiting since `from` (the time of the request being joined) fits better (the first rule finds it).
 */
function holdsDecision(g: GatewayEvent, host: string, from: number, ctx: JoinContext): boolean {
  if (g.status >= 400) return false;
  const slack = ctx.config.gatewayJoinSlackMs;
  const off = ctx.clocks.offset(host);
  const held = ctx.attempts.decidedWithin(g.startTime + off - slack, g.time + off + slack, undefined, HELD);
  keepTakers(g, held, ctx.config.radiusTimeoutMs);
  keepAnswerable(g, off, held, ctx);
  keepSameServer(host, held, 0, ctx.clocks);
  dropNamedElsewhere(g, host, off, slack, held, ctx.clocks);
  keepUnexplained(g, off, held, slack);
  let holds = false;
  for (let i = 0; i < held.length && !holds; i++) holds = !claimedByLater(g, host, held[i]!, ctx, null, from);
  truncate(HELD, 0);
  return holds;
}

// Lists reused by every request (each read before the next request is joined).
const HELD: OpenAttempt[] = [];
const PREFERRED: OpenAttempt[] = [];
const NEARER_RESULTS: OpenAttempt[] = [];
const ANSWERS_ELSEWHERE: OpenAttempt[] = [];
const NAMED: string[] = [];
const PREFERRED_DECISIONS: OpenAttempt[] = [];
