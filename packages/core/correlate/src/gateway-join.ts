import type { GatewayEvent, RadiusDecision } from '@otptrace/schemas';
import { answerFitsRequest, uncrossAnswers } from './answer-order.js';
import { NO_FIT, type OpenAttempt } from './attempt.js';
import { answeredAt, answerOnServers, isAttemptList, placesRequestByClient } from './attempt-index.js';
import { gatewayDelayOf, serverDriftOf, waitedForRadius } from './config.js';
import { KeyedMinHeap } from './heap.js';
import { hostKey, lowerHost } from './hosts.js';
import type { GatewayWindow, JoinContext } from './join-context.js';
import { onWholeSecond, type ServerClocks } from './server-clocks.js';

/**
 * Join an IIS request (which names no user) to the attempt whose RADIUS decision happened while the request was
 * being served: the DA server asks NPS in the middle of the request (MS-OTPCE §3.2.5.1), so the decision lies inside
 * [start, end] of the request. When two users' decisions fit, the request is ambiguous and is not guessed: both
 * attempts are flagged and the request is dropped. Without a decision (RADIUS never answered, or the DA server
 * refused first), the client's result logged right after the response is the clue.
 */
export function joinGatewayRequest(g: GatewayEvent, host: string, ctx: JoinContext): void {
  learnClock(g, host, ctx);
  const found = gatewayCandidates(g, host, ctx);
  if (found.length === 0) ctx.drop(g, 'unmatched_gateway_request');
  else if (oneUser(found)) {
    const a = earliest(found);
    uncrossAnswers(g, host, a, ctx);
    ctx.attempts.add(a, g);
    if (JOINED.byOnlyDecision) learnAddress(g, a, ctx);
    // NPS's clock as learned now: the RADIUS decision's latency, and (for an unanswered request) NPS's refusals of
    // the server, are read on it. Kept with the attempt, so that a stream closing it later reads the same.
    a.npsClockAheadMs = ctx.clocks.offset(host);
    // NPS may have refused the server as a RADIUS client: by the addresses it is known at now (friendly names).
    if (a.radius === null && ctx.clocks.knowsServers) {
      const addresses = ctx.clocks.clientsOf(host);
      if (addresses.length > 0) ctx.rememberServer(a, addresses);
    }
  } else {
    const off = ctx.clocks.offset(host);
    for (const a of found) {
      a.gatewayAmbiguous = true;
      if (a.radius === null) continue;
      const fit = Math.ceil(decisionFit(g, off, a.radius));
      if (a.ambiguousFit === NO_FIT || fit < a.ambiguousFit) a.ambiguousFit = fit;
    }
    ctx.drop(g, 'ambiguous_gateway_request');
  }
  // The module's reused lists and memo let go of this engine's attempts and context: an engine dropped (a partition
  // revoked, an analysis done) is not kept alive until another engine joins a request.
  truncate(found, 0);
  forgetHolds();
}

/**
 * The attempts an IIS request may belong to. First the attempts whose RADIUS decision lies inside the request: one
 * attempt, several of one user (the earliest takes it), or several users' (ambiguous). Only when none does, the
 * request is one RADIUS never answered, or the DA server refused, or its decision's clock drifted out of it: then the
 * candidates are the attempts that have only the client's result (logged right after the response, within the
 * clock-skew tolerance) and those whose decision is a small drift away, and the nearest in time takes it; another
 * user's candidate exactly as near makes it ambiguous. Under both rules, a candidate that a later request fits better
 * is left to it (`claimedByLater`). In one list reused by every request (read before the next).
 */
function gatewayCandidates(g: GatewayEvent, host: string, ctx: JoinContext): OpenAttempt[] {
  const { attempts, config } = ctx;
  const found = CANDIDATES;
  truncate(found, 0);
  JOINED.byOnlyDecision = false;
  const slack = config.gatewayJoinSlackMs;
  // A refused request (403: no valid client certificate; 4xx/5xx) never reached RADIUS: only the client's result
  // can place it.
  if (g.status < 400) {
    // On its NPS servers' clock (`ServerClocks`), as every decision time below.
    const off = ctx.clocks.offset(host);
    attempts.decidedWithin(g.startTime + off - slack, g.time + off + slack, undefined, found);
    const decisions = found.length;
    keepTakers(g, found, ctx.config.radiusTimeoutMs);
    keepSameServer(host, found, 0, ctx.clocks);
    dropNamedElsewhere(g, host, off, slack, found, ctx.clocks);
    keepUnexplained(g, off, found, slack);
    // A request from a laptop whose address is known (`ClientAddresses`) that holds only other laptops' decisions is
    // that laptop's, when an answer of its waits for a request: a RADIUS timeout's request holds the decisions of the
    // short requests around it, and its failure otherwise took one of theirs (blamed on the DA server).
    if (found.length > 0 && onOtherMachines(g, found, ctx)) {
      const own = nearestOnRequestMachine(
        g,
        host,
        ctx,
        NO_ATTEMPTS,
        g.time - slack - config.clockSkewToleranceMs,
        g.time + config.clockSkewToleranceMs,
      );
      if (own !== null) {
        truncate(found, 0);
        found.push(own);
        return found;
      }
    }
    let n = 0;
    // The requests after it that could claim a candidate, or hold one's decision, fetched once.
    const later = found.length === 0 ? NO_REQUESTS : ctx.pendingGateways(g.time, firstRuleReach(g, host, ctx));
    for (let i = 0; i < found.length; i++) if (!claimedByLater(g, host, found[i]!, ctx, later)) found[n++] = found[i]!;
    truncate(found, n);
    if (n > 1 && !oneUser(found)) keepOnRequestMachine(g, found, ctx);
    if (found.length > 1 && !oneUser(found)) keepLeastRegret(g, host, found, later, ctx);
    if (n > 0) {
      JOINED.byOnlyDecision = decisions === 1 && n === 1;
      return found;
    }
  }
  return nearestCandidates(g, host, ctx, found);
}

/**
 * The second rule: the nearest candidate no later request claims, and other users' unclaimed candidates exactly as
 * near (then the request is ambiguous); none when all are claimed. The candidates are the attempts with only the
 * client's result, logged within the clock-skew tolerance of the response, and (for a request that asked RADIUS) the
 * attempts whose decision lies a small drift outside the request. Candidates are looked at nearest first (then
 * earliest, then first opened: a heap, as every one may be claimed: the first requests of an outage), so a claim is
 * checked for few of them; the client-only ones are read from the index a ring at a time, only as far as the nearest
 * unclaimed one needs. In `found` (emptied first).
 */
function nearestCandidates(g: GatewayEvent, host: string, ctx: JoinContext, found: OpenAttempt[]): OpenAttempt[] {
  const { attempts, config } = ctx;
  const slack = config.gatewayJoinSlackMs;
  const skew = config.clockSkewToleranceMs;
  truncate(found, 0);
  if (g.status < 400) {
    // The DA server and NPS are domain members with synchronised clocks: a small widening covers their drift.
    const drift = serverDriftOf(config);
    const off = ctx.clocks.offset(host);
    attempts.decidedWithin(g.startTime + off - drift, g.time + off + drift, undefined, found);
    keepTakers(g, found, ctx.config.radiusTimeoutMs);
    keepSameServer(host, found, 0, ctx.clocks);
    dropNamedElsewhere(g, host, off, slack, found, ctx.clocks);
    keepUnexplained(g, off, found, slack);
  }
  const lo = g.time - slack - skew;
  const hi = g.time + skew;
  const own = nearestOnRequestMachine(g, host, ctx, found, lo, hi);
  if (own !== null) {
    truncate(found, 0);
    found.push(own);
    return found;
  }
  // The candidates not looked at yet, by their distance.
  const unread = NEAREST;
  for (let i = 0; i < found.length; i++) unread.push(found[i]!, gatewayDistance(g, host, found[i]!, ctx));
  const clientOnly = attempts.clientOnlyNearest(g.time, lo, hi);
  // Every candidate not read yet is at least this far from the request.
  let bound = 0;
  let best: OpenAttempt | null = null;
  let nearest = 0;
  for (;;) {
    // One not read yet may come before the next (nearer, or as near and earlier): read on first.
    if (unread.size === 0 || unread.peekKey() >= bound) {
      if (bound === Number.POSITIVE_INFINITY) break;
      truncate(found, 0);
      bound = clientOnly.load(found);
      for (let i = 0; i < found.length; i++) {
        const a = found[i]!;
        const t = answerOnServers(a);
        if (t >= lo && t <= hi && takesGateway(a, g, ctx.config.radiusTimeoutMs))
          unread.push(a, gatewayDistance(g, host, a, ctx));
      }
      continue;
    }
    nearest = unread.peekKey();
    const a = unread.pop()!;
    if (!claimedByLater(g, host, a, ctx)) {
      best = a;
      break;
    }
  }
  truncate(found, 0);
  if (best !== null) {
    // Every candidate exactly as near is read (the best was taken nearer than any not read yet), and not looked at.
    found.push(best);
    while (unread.size > 0 && unread.peekKey() === nearest) {
      const a = unread.pop()!;
      if (a.userKey !== best.userKey && !claimedByLater(g, host, a, ctx)) found.push(a);
    }
  }
  unread.clear();
  return found;
}

/**
 * The second rule's nearest candidate on the client computer the request's address belongs to (`ClientAddresses`)
 * that no later request claims, or null (none such, or the address unknown): of the decisions a small drift outside the
 * request (`decided`, as the second rule keeps them) and the attempts only their client result can place, logged
 * within [`lo`, `hi`] on the servers' clock. A user's failure 0.6 s after its own refused request otherwise lost it to
 * another user's answer 2.9 s after it, read on the servers' clock by a lag its laptop showed against the CA.
 */
function nearestOnRequestMachine(
  g: GatewayEvent,
  host: string,
  ctx: JoinContext,
  decided: readonly OpenAttempt[],
  lo: number,
  hi: number,
): OpenAttempt | null {
  const machine = machineOfRequest(g, ctx);
  if (machine === null) return null;
  const mine = ON_MACHINE;
  for (let i = 0; i < decided.length; i++) if (isOnMachine(decided[i]!, machine)) mine.push(decided[i]!);
  const open = ctx.attempts.onMachineKey(machine);
  if (open !== undefined && isAttemptList(open))
    for (let i = 0; i < open.length; i++) addWaitingAnswer(g, open[i]!, lo, hi, mine, ctx);
  else if (open !== undefined) addWaitingAnswer(g, open, lo, hi, mine, ctx);
  // Nearest first, then earliest, then first opened (the order of the second rule's heap); a computer has a few.
  const distance = (a: OpenAttempt) => gatewayDistance(g, host, a, ctx);
  mine.sort((a, b) => distance(a) - distance(b) || a.first - b.first || a.seq - b.seq);
  let best: OpenAttempt | null = null;
  for (let i = 0; i < mine.length && best === null; i++) if (!claimedByLater(g, host, mine[i]!, ctx)) best = mine[i]!;
  truncate(mine, 0);
  return best;
}

/** Add `a` to `mine` when only its client result can place request `g`, logged within [`lo`, `hi`] on the servers' clock. */
function addWaitingAnswer(
  g: GatewayEvent,
  a: OpenAttempt,
  lo: number,
  hi: number,
  mine: OpenAttempt[],
  ctx: JoinContext,
): void {
  if (!placesRequestByClient(a) || mine.includes(a) || !takesGateway(a, g, ctx.config.radiusTimeoutMs)) return;
  const t = answerOnServers(a);
  if (t >= lo && t <= hi) mine.push(a);
}

/**
 * Keep (in place) the candidates on the client computer the request's address belongs to (`ClientAddresses`), when
 * some are and some are not: two users' decisions inside one request are told apart by whose address it came from.
 */
function keepOnRequestMachine(g: GatewayEvent, found: OpenAttempt[], ctx: JoinContext): void {
  const machine = machineOfRequest(g, ctx);
  if (machine === null) return;
  let on = 0;
  for (let i = 0; i < found.length; i++) if (isOnMachine(found[i]!, machine)) on++;
  if (on === 0 || on === found.length) return;
  let n = 0;
  for (let i = 0; i < found.length; i++) if (isOnMachine(found[i]!, machine)) found[n++] = found[i]!;
  truncate(found, n);
}

/** Remember whose computer request `g`'s address is: the only decision inside it placed it in attempt `a`. */
function learnAddress(g: GatewayEvent, a: OpenAttempt, ctx: JoinContext): void {
  if (!ownAddress(g.clientIp) || a.machine === null || a.moreMachines !== null) return;
  // An IPv4 address written as IPv6 (::ffff:203.0.113.5) is still a NAT's: never learned, so never read either.
  if (g.clientIp.includes('.')) return;
  ctx.addresses.learn(g.clientIp, a.machine, g.time);
}

/** The machine key of the client computer request `g`'s address belongs to (`ClientAddresses`), or null. */
function machineOfRequest(g: GatewayEvent, ctx: JoinContext): string | null {
  if (ctx.addresses.size === 0 || !ownAddress(g.clientIp)) return null;
  return ctx.addresses.machineAt(g.clientIp, g.time);
}

/**
 * Whether a client address is the client's own: an IPv6 address (IP-HTTPS, Teredo, 6to4), not an IPv4 address,
 * which is a NAT's public one that laptops behind it share (a hotel's, a home's).
 */
function ownAddress(ip: string | null): ip is string {
  if (ip === null) return false;
  // An IPv6 address has its first colon within its first five characters (a group is at most four digits).
  for (let i = 0; i < 5 && i < ip.length; i++) if (ip.charCodeAt(i) === COLON) return true;
  return false;
}

const COLON = 0x3a;

/**
 * Whether the requests' addresses (`ClientAddresses`) keep request `other` from claiming attempt `a` from request `g`,
 * or holding `a`'s decision better: `other` came from another client computer's address than `a`'s, or `g` from
 * `a`'s and `other` from one not known to be `a`'s too (a retry of `a`'s laptop comes from its address).
 */
function addressKeepsOut(g: GatewayEvent, other: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  if (a.machine === null || ctx.addresses.size === 0) return false;
  const machine = machineOfRequest(other, ctx);
  return machine !== null ? !isOnMachine(a, machine) : fromLaptopOf(g, a, ctx);
}

/**
 * Whether request `other` came from the address of attempt `a`'s laptop and request `g` did not (`ClientAddresses`):
 * then `other` is `a`'s request rather than `g`, however the two fit its decision.
 */
function fromItsLaptopOnly(g: GatewayEvent, other: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  return a.machine !== null && ctx.addresses.size > 0 && fromLaptopOf(other, a, ctx) && !fromLaptopOf(g, a, ctx);
}

/** Whether request `g` came from the address of attempt `a`'s laptop (`ClientAddresses`). */
function fromLaptopOf(g: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  if (a.machine === null) return false;
  const machine = machineOfRequest(g, ctx);
  return machine !== null && isOnMachine(a, machine);
}

/** Whether request `g`'s address is known (`ClientAddresses`) and every attempt of `found` is on another known laptop. */
function onOtherMachines(g: GatewayEvent, found: readonly OpenAttempt[], ctx: JoinContext): boolean {
  const machine = machineOfRequest(g, ctx);
  if (machine === null) return false;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    if (a.machine === null || isOnMachine(a, machine)) return false;
  }
  return true;
}

function isOnMachine(a: OpenAttempt, machine: string): boolean {
  return a.machine === machine || a.moreMachines?.includes(machine) === true;
}

/** How far an attempt's step is from the request: its decision outside the request's span, or its client result. */
function gatewayDistance(g: GatewayEvent, host: string, a: OpenAttempt, ctx: JoinContext): number {
  if (a.radius === null) return Math.abs(answeredAt(a) - g.time);
  const off = ctx.clocks.offset(host);
  const t = a.radius.time;
  const start = g.startTime + off;
  const end = g.time + off;
  return t < start ? start - t : t > end ? t - end : 0;
}

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
function claimedByLater(
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
  const slack = ctx.config.gatewayJoinSlackMs;
  const t = a.radius!.time;
  const gOff = clocks.offset(host);
  for (let i = others.start; i < others.end; i++) {
    const other = others.requests[i]!;
    const otherHost = others.hosts[i]!;
    if (other.time > hi) break;
    if (other.time < from || other === g || other.status >= 400 || !takesGateway(a, other, ctx.config.radiusTimeoutMs))
      continue;
    const off = clocks.offset(otherHost);
    if (!spans(other, off, slack, t)) continue;
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
    if (!spans(other, off, slack, t)) continue;
    if (fromLaptopOf(other, a, ctx) && fitsBetter(a, otherHost, host, true, clocks)) return true;
  }
  return false;
}

/**
 * Whether a decision's distance from the starts of requests `g` and `other` says nothing of which of them it belongs
 * to: neither waited for RADIUS (`waitedForRadius`), so each asked NPS as it came and the time to the decision is the
 * RADIUS round trip, which varies from request to request; and both ends are logged finer than in whole seconds (a
 * W3C line's end is the middle of its second, and its start is no better). Then a later request, shorter and ending
 * just after `g`, does not claim a decision `g` holds nearer its end: on a generated day of 100,000 users
 * (`node bench/iis-join.mjs --users 100000`) such claims left `g` without its own decision and moved the next
 * requests' (91.5 % of requests joined to their own decision with them, 93.9 % without).
 */
function startSaysNothing(g: GatewayEvent, other: GatewayEvent, ctx: JoinContext): boolean {
  const timeout = ctx.config.radiusTimeoutMs;
  return (
    waitedForRadius(g.timeTakenMs, timeout) === false &&
    waitedForRadius(other.timeTakenMs, timeout) === false &&
    !onWholeSecond(g.time) &&
    !onWholeSecond(other.time)
  );
}

/** Whether request `g` (at `offset` on NPS's clock) spans NPS time `t`, widened by `slack` on both sides. */
function spans(g: GatewayEvent, offset: number, slack: number, t: number): boolean {
  return g.startTime + offset - slack <= t && t <= g.time + offset + slack;
}

/** `decisionFit` without the start: how far decision `t` is from request `g`'s end (on the NPS clock: `offset`). */
function endDistance(g: GatewayEvent, offset: number, decision: RadiusDecision): number {
  return endDistanceAt(g, offset, decisionMoment(g, offset, decision));
}

/** `endDistance` of a decision at moment `t`. */
function endDistanceAt(g: GatewayEvent, offset: number, t: number): number {
  const end = g.time + offset;
  return t <= end ? end - t : OUTSIDE_WEIGHT * (t - end);
}

/**
 * Whether request `other` (of server `otherHost`) holds another decision it fits better than `a`'s (at `fit`), one it
 * can take and no other request waiting fits better (`fitsElsewhere`): then it takes that one, not `a`'s. Three
 * users' decisions lie within 0.1 s in three short requests ending together: the request that started last fits all
 * three best, but takes one; without this it claimed all three from the two others, which then went unjoined, and two
 * of the users' decisions were left to a RADIUS timeout's request ending 22 s later. Two levels only: the requests
 * found to fit better elsewhere are not asked in turn.
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
    const t = b.radius!.time;
    const bFit = decisionFit(other, off, b.radius!);
    prefers = bFit < fit && !explainedBetter(b, bFit, slack) && !fitsElsewhere(other, otherHost, b, t, bFit, ctx);
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

/** The DA servers (host keys) an attempt with a RADIUS decision names (`namesServer`), added to `named`, once each. */
function namedServers(a: OpenAttempt, clocks: ServerClocks, named: string[]): void {
  const address = a.radius!.clientIp;
  const byAddress = address != null && clocks.knowsServers ? clocks.serverOf(lowerHost(address)) : undefined;
  const served = a.client?.serverAddress;
  addOnce(named, a.radiusClientKey);
  addOnce(named, a.radiusNasKey);
  addOnce(named, byAddress);
  if (served != null) addOnce(named, hostKey(served));
}

function addOnce(list: string[], key: string | null | undefined): void {
  if (key != null && !list.includes(key)) list.push(key);
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
 * Whether `other` waited for RADIUS and `g` did not (`waitedForRadius`): of two requests a lone client result is exactly
 * as near to (two ends logged in the same W3C second), the one that waited is the likelier to have had no answer. A
 * RADIUS timeout's result otherwise went to a short request ending in the same second, which was then blamed on the
 * DA server (a refusal before RADIUS), and the timeout's own request went unjoined; RADIUS timeouts are far more
 * common than a DA server refusing a request that asked RADIUS nothing.
 */
function waitedWhereGDidNot(g: GatewayEvent, other: GatewayEvent, ctx: JoinContext): boolean {
  const timeout = ctx.config.radiusTimeoutMs;
  return waitedForRadius(other.timeTakenMs, timeout) === true && waitedForRadius(g.timeTakenMs, timeout) === false;
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
 * Several users' decisions in one request, each fitting it better than any later request: when two requests overlap,
 * each holding both decisions, the one fitting each best can be the same. Keep (in place) the one that would lose
 * most by going to its next-best request (the least regret; a decision no other request holds cannot go elsewhere),
 * when it alone does. Among those that would lose as much, one user's decisions inside the request are kept over
 * others' that only the slack lets in (`keepInside`); then, when each could go to another request and `g` did not
 * wait for RADIUS, the earliest (`keepEarliestDecision`); else all stay and the request is ambiguous.
 */
function keepLeastRegret(
  g: GatewayEvent,
  host: string,
  found: OpenAttempt[],
  later: GatewayWindow,
  ctx: JoinContext,
): void {
  const off = ctx.clocks.offset(host);
  const regrets = REGRETS;
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const regret = decisionFit(g, off, a.radius!) - nextBestFit(g, a, later, ctx);
    regrets.push(regret);
    if (regret < least) least = regret;
  }
  // Alike within a millisecond: for two requests that both hold every candidate, each loses the same (the fits are
  // linear in the decision's time), up to rounding.
  let n = 0;
  for (let i = 0; i < found.length; i++) if (regrets[i]! <= least + REGRET_TIE_MS) found[n++] = found[i]!;
  truncate(found, n);
  truncate(regrets, 0);
  if (!oneUser(found)) {
    keepInside(g, off, found);
    // Each could go to a later request that holds it: the order of the requests' ends is the order of their decisions,
    // unless `g` waited for RADIUS (a timeout's request holds others' decisions by chance, in no order).
    const ordered =
      least !== Number.NEGATIVE_INFINITY && waitedForRadius(g.timeTakenMs, ctx.config.radiusTimeoutMs) === false;
    if (ordered && !oneUser(found)) keepEarliestDecision(found);
  }
}

/**
 * Keep (in place) the attempt whose decision came first. The DA server answers soon after NPS decides
 * (`ANSWER_AFTER_DECISION_MS`), so of two requests that both hold two decisions, the one ending first is the earlier
 * decision's: on a generated day of 100,000 users (`node bench/iis-join.mjs --users 100000`), two requests ending
 * within a tenth of a second of each other, each holding both users' decisions, are the commonest to be told apart,
 * and the decisions come in the order of the ends far more often than not. Unchanged when the earliest decision has
 * another user's logged at the same time.
 */
function keepEarliestDecision(found: OpenAttempt[]): void {
  let best = found[0]!;
  let tied = false;
  for (let i = 1; i < found.length; i++) {
    const a = found[i]!;
    const t = a.radius!.time;
    const bt = best.radius!.time;
    if (t < bt) {
      best = a;
      tied = false;
    } else if (t === bt && a.userKey !== best.userKey) tied = true;
  }
  // Decisions logged at the same time (NPS log files keep whole seconds) come in no order.
  if (tied) return;
  truncate(found, 0);
  found.push(best);
}

/** Regrets (ms) this close to the least are alike (`keepLeastRegret`). */
const REGRET_TIE_MS = 1;

/**
 * Of candidates that would lose alike, keep (in place) one user's whose decisions lie inside request `g` (on the NPS
 * clock: `offset`), when the others' lie outside it, let in by the slack alone. Two users' requests ending together
 * both hold both decisions and are left ambiguous; the later request holding a third user's decision inside it, and
 * one of the first two 1.3 s before it began, is the third user's, not ambiguous too (neither has another request to
 * go to). Nothing changes when no candidate, or several users', lie inside. Not before the regrets: with NPS's clock a
 * few hundred milliseconds behind (too little to be learned), each decision lies just before its own request, and
 * inside the one before it.
 */
function keepInside(g: GatewayEvent, offset: number, found: OpenAttempt[]): void {
  const start = g.startTime + offset;
  const end = g.time + offset;
  let user: string | null = null;
  let outside = false;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const t = a.radius!.time;
    if (t < start || t > end) outside = true;
    else if (user === null) user = a.userKey;
    else if (a.userKey !== user) return;
  }
  if (user === null || !outside) return;
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const t = a.radius!.time;
    if (a.userKey === user && t >= start && t <= end) found[n++] = a;
  }
  truncate(found, n);
}

/**
 * The best fit of decision `t` (attempt `a`) among the requests after `g` that hold it (from `later`, fetched up to
 * `firstRuleReach`); +∞ when none does.
 */
function nextBestFit(g: GatewayEvent, a: OpenAttempt, later: GatewayWindow, ctx: JoinContext): number {
  const { clocks } = ctx;
  const t = a.radius!.time;
  // Ends are compared with the decision's latest moment (`decisionMoment`).
  const latest = latestMoment(a.radius!);
  const slack = ctx.config.gatewayJoinSlackMs;
  const hi = Math.min(
    g.time + gatewayDelayOf(ctx.config) - slack,
    t - clocks.leastOffset + slack + ANSWER_AFTER_DECISION_MS,
  );
  let fit = Number.POSITIVE_INFINITY;
  for (let i = later.start; i < later.end; i++) {
    const other = later.requests[i]!;
    // A request ending past `t` by more than the best fit found fits worse (its end alone is further).
    if (other.time > hi || other.time > latest - clocks.leastOffset + fit) break;
    if (other === g || other.status >= 400 || !takesGateway(a, other, ctx.config.radiusTimeoutMs)) continue;
    const off = clocks.offset(later.hosts[i]!);
    if (!spans(other, off, slack, t)) continue;
    const otherFit = decisionFit(other, off, a.radius!);
    if (otherFit < fit && !addressKeepsOut(g, other, a, ctx)) fit = otherFit;
  }
  return fit;
}

/**
 * How far after `g` a request may end and still claim, or hold better, a decision inside `g` (within the slack): no
 * further than a decision's own reach in `claimedByLater` and `nextBestFit` (a decision at most a slack outside `g`, a
 * fit at most 3 slacks past it and a tenth of `g`'s duration), nor than what is placed when `g` is joined.
 */
function firstRuleReach(g: GatewayEvent, host: string, ctx: JoinContext): number {
  const slack = ctx.config.gatewayJoinSlackMs;
  const reach = Math.max(
    2 * slack + ANSWER_AFTER_DECISION_MS,
    5 * slack + START_WEIGHT * (g.time - g.startTime + slack),
  );
  // The reach is on the NPS servers' clock: in request times, as far again as the servers' clocks are apart.
  const skewed = ctx.clocks.offset(host) - ctx.clocks.leastOffset;
  return Math.min(g.time + gatewayDelayOf(ctx.config) - slack, g.time + skewed + reach + 1);
}

/**
 * How well a RADIUS decision at `t` fits request `g` (less is better). The DA server asks NPS as soon as the request
 * comes and answers soon after the decision: the decision lies just before the end, and a request that waited long
 * for RADIUS (a timeout) holding another user's decision by chance has it far from its start. A decision outside the
 * request (a skewed clock) counts thrice its distance.
 */
function decisionFit(g: GatewayEvent, offset: number, decision: RadiusDecision): number {
  const t = decisionMoment(g, offset, decision);
  // The request's span on the NPS servers' clock (`offset`: its DA server's, `ServerClocks`).
  const start = g.startTime + offset;
  const fromStart = t >= start ? t - start : OUTSIDE_WEIGHT * (start - t);
  return endDistanceAt(g, offset, t) + START_WEIGHT * fromStart;
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
  if (onWholeSecond(g.time) || decision.clock === undefined || t % 1000 !== 0) return t;
  return Math.max(t, Math.min(t + LAST_OF_SECOND_MS, g.time + offset));
}

/** The latest `decisionMoment` of `decision` (read as far as that by the windows of later requests). */
function latestMoment(decision: RadiusDecision): number {
  const t = decision.time;
  return decision.clock !== undefined && t % 1000 === 0 ? t + LAST_OF_SECOND_MS : t;
}

const LAST_OF_SECOND_MS = 999;

/**
 * How far a client result at `t` is from a request that ended at `end`, when a later request claims it: the client
 * logs its result once the answer came, so a result logged before a request ended (possible only on a skewed clock)
 * counts twice its distance. In an outage's stream of timeouts, a result 0.3 s after its own request and 0.2 s before
 * the next one's end stays with its own (each result went one request on, and the last a minute astray).
 */
function resultDistance(t: number, end: number): number {
  return t >= end ? t - end : RESULT_BEFORE_WEIGHT * (end - t);
}

/** How much a client result's distance before a request's end weighs against one after it. */
const RESULT_BEFORE_WEIGHT = 2;
/**
 * A later request nearer a lone result than `g` by more than the clock-skew tolerance over this (30 s of the default
 * 3 min) claims it even when it would take another result (`prefersAnotherResult` looks only two requests deep). In a
 * RADIUS outage logged in whole seconds, two requests ended in the same second with two users' results right after:
 * each preferred the first result, neither claimed the second, and it went to a request 100 s before it. A laptop whose
 * clock is further off than that from the DA server's can lose its own request to such a neighbour.
 */
const FAR_RESULT_DIVISOR = 6;

/** How much a decision's distance outside a request weighs against one inside. */
const OUTSIDE_WEIGHT = 3;
/** How much a decision's distance from the request's start weighs against its distance from the end. */
const START_WEIGHT = 0.1;

/**
 * Whether a request on DA server `otherHost` fits attempt `a` better than the request being joined (on `host`): `a`
 * names `otherHost` and not `host`, or, unless it names `host` and not `otherHost`, `nearer` says so.
 */
function fitsBetter(a: OpenAttempt, otherHost: string, host: string, nearer: boolean, clocks: ServerClocks): boolean {
  if (host === otherHost) return nearer;
  const namesOther = namesServer(a, otherHost, clocks);
  const namesG = namesServer(a, host, clocks);
  if (namesOther && !namesG) return true;
  return nearer && !(namesG && !namesOther);
}

/**
 * Whether attempt `a` names the DA server `host` (a host key): its RADIUS client (NPS ClientName or NASIdentifier) or
 * the server its client's result names (serverAddress). The names are the administrator's choice (a friendly name, a
 * cluster's name): one that names no server tells nothing.
 */
function namesServer(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (a.radius !== null && radiusClientIs(a, host, clocks)) return true;
  const address = a.client?.serverAddress;
  return address != null && hostKey(address) === host;
}

/**
 * Whether the ClientName or NASIdentifier of `a`'s decision names a DA server whose requests were seen (`namesOtherServer`),
 * remembered once true: a busy server's clock learning reads every decision of minutes around each sampled request.
 */
function namesKnownServer(a: OpenAttempt, clocks: ServerClocks): boolean {
  if (a.namesKnownServer) return true;
  const names = namesOtherServer(a.radiusClientKey, clocks) || namesOtherServer(a.radiusNasKey, clocks);
  if (names) a.namesKnownServer = true;
  return names;
}

/** Whether `key` (a decision's ClientName or NASIdentifier host key, not the server being learned) names a DA server. */
function namesOtherServer(key: string | null, clocks: ServerClocks): boolean {
  return key !== null && clocks.isServer(key);
}

/**
 * Whether an attempt's RADIUS client is the DA server `host` (a host key): by its name (NPS ClientName or
 * NASIdentifier), or by its address when the configuration or the requests' own decisions say whose it is
 * (`ServerClocks.serverOf`).
 */
function radiusClientIs(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (a.radiusClientKey === host || a.radiusNasKey === host) return true;
  if (!clocks.knowsServers) return false;
  const address = a.radius?.clientIp;
  return address != null && clocks.serverOf(lowerHost(address)) === host;
}

/** Whether attempt `a` carries any name a DA server could have. */
function namesAnyServer(a: OpenAttempt): boolean {
  const r = a.radius;
  return (r !== null && (r.clientName !== null || r.nasIdentifier !== null)) || a.client?.serverAddress != null;
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

function forgetHolds(): void {
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
  keepSameServer(host, held, 0, ctx.clocks);
  dropNamedElsewhere(g, host, off, slack, held, ctx.clocks);
  keepUnexplained(g, off, held, slack);
  let holds = false;
  for (let i = 0; i < held.length && !holds; i++) holds = !claimedByLater(g, host, held[i]!, ctx, null, from);
  truncate(HELD, 0);
  return holds;
}

/**
 * Teach `ServerClocks` where the decisions naming request `g`'s DA server lie around its end (`clockReachOf`).
 */
function learnClock(g: GatewayEvent, host: string, ctx: JoinContext): void {
  const { clocks } = ctx;
  if (g.status >= 400 || !clocks.wantsSample(host)) return;
  const reach = clocks.reachMs;
  const near = ctx.attempts.decidedWithin(g.time - reach, g.time + reach, undefined, NEAR);
  const clients = DECISION_CLIENTS;
  const times = DECISION_TIMES;
  for (let i = 0; i < near.length; i++) {
    const a = near[i]!;
    let client: string | null = host;
    if (a.radiusClientKey !== host && a.radiusNasKey !== host) {
      // Another DA server's, by its name; else the RADIUS client by its address (a decision without one, its name).
      if (namesKnownServer(a, clocks)) continue;
      client = a.radiusClientAddress ?? a.radiusClientKey ?? a.radiusNasKey;
      if (client === null) continue;
    }
    clients.push(client);
    times.push(a.radius!.time);
  }
  clocks.learn(host, g.time, clients, times);
  truncate(near, 0);
  truncate(clients, 0);
  truncate(times, 0);
}

/**
 * Keep (in place, in order) the candidates that no request left ambiguous explains better than `g` by more than a
 * quarter of the slack (their `ambiguousFit`; `g`'s span on the NPS clock: `offset`). Three users' requests ending
 * within 0.1 s of their three decisions hold all three and are each left ambiguous; a RADIUS timeout's request ending
 * 9 s later, which holds the same decisions 9 s before its end, is not theirs: it goes by the client result logged
 * right after it. Nor is the next short request, whose own decision lies inside it and one of theirs 0.7 s before
 * it began (a whole slack let that one take it).
 */
function keepUnexplained(g: GatewayEvent, offset: number, found: OpenAttempt[], slack: number): void {
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    // Most candidates were never in an ambiguous request: no fit to compute.
    if (a.ambiguousFit === NO_FIT || !explainedBetter(a, decisionFit(g, offset, a.radius!), slack)) found[n++] = a;
  }
  truncate(found, n);
}

/** Whether a request left ambiguous fitted `a`'s decision better than `fit` by more than a quarter of the slack. */
function explainedBetter(a: OpenAttempt, fit: number, slack: number): boolean {
  return a.ambiguousFit !== NO_FIT && a.ambiguousFit + slack / AMBIGUOUS_MARGIN_DIVISOR < fit;
}

/** Keep (in place, in order) the attempts that can still take the IIS request; how many. */
function keepTakers(g: GatewayEvent, list: OpenAttempt[], radiusTimeoutMs: number): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (takesGateway(list[i]!, g, radiusTimeoutMs)) list[n++] = list[i]!;
  truncate(list, n);
  return n;
}

/**
 * Whether a candidate can still take an IIS request: no probe, no request yet (and its user, when the request names
 * one). A client without its computer certificate (10016) fails TLS or is refused with a 403, never answered 200.
 */
function takesGateway(a: OpenAttempt, g: GatewayEvent, radiusTimeoutMs: number): boolean {
  return (
    !a.probe &&
    a.gateway === null &&
    (g.user === null || a.userKey === g.user.key) &&
    (a.client === null || answerFitsRequest(a.client, g, radiusTimeoutMs))
  );
}

/**
 * With several DA servers, two users' requests can overlap in time on different servers: when some of the RADIUS
 * decisions (candidates from index `from` on) come from the IIS host (`host`, a host key) as RADIUS client (NPS
 * ClientName or NASIdentifier naming it, or an address known to be its: `radiusClientIs`), only those are kept (in
 * place; the candidates before `from` stay). Nothing is dropped when none does (the names are the administrator's
 * choice).
 */
function keepSameServer(host: string, found: OpenAttempt[], from: number, clocks: ServerClocks): OpenAttempt[] {
  if (found.length - from < 2) return found;
  // Each candidate is looked at once: the first that names the host starts the kept list.
  let n = -1;
  for (let i = from; i < found.length; i++) {
    if (!radiusClientIs(found[i]!, host, clocks)) continue;
    if (n < 0) n = from;
    found[n++] = found[i]!;
  }
  if (n > 0) truncate(found, n);
  return found;
}

/**
 * Drop (in place) the candidates whose decision lies outside request `g` (the slack or a drift lets it in), or inside
 * it more than the slack before its end, and that name another DA server the logs show: by NPS ClientName or
 * NASIdentifier, or the server their client's result names. Such a decision is that server's, whose request may have
 * gone to another user's decision inside it; taking this one instead left the client whose request it was without it,
 * and a 10005 from a refused request became a RADIUS timeout. A RADIUS timeout's request holds many decisions deep
 * inside it; one naming the other server took it, and the timeout's 10005 went to a request minutes away. A decision
 * inside the request near its end stays a candidate whatever it names (a RADIUS client named after another server by
 * mistake), as `keepSameServer` leaves names to settle only between candidates.
 */
function dropNamedElsewhere(
  g: GatewayEvent,
  host: string,
  off: number,
  slack: number,
  found: OpenAttempt[],
  clocks: ServerClocks,
): void {
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const t = a.radius!.time;
    // Inside and near the end: the DA server answers soon after NPS decides.
    const kept = g.startTime + off <= t && t <= g.time + off && t >= g.time + off - slack;
    if (kept || !namesOtherKnownServer(a, host, clocks)) found[n++] = a;
  }
  truncate(found, n);
}

/** Whether attempt `a` names a DA server the logs show other than `host`, and not `host` itself. */
function namesOtherKnownServer(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (namesServer(a, host, clocks)) return false;
  const served = a.client?.serverAddress;
  return (
    namesOtherServer(a.radiusClientKey, clocks) ||
    namesOtherServer(a.radiusNasKey, clocks) ||
    (served != null && clocks.isServer(hostKey(served)))
  );
}

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
 * How long after its own RADIUS decision a request ends, at most (ms): the DA server answers once NPS has, after
 * signing the client's request, which takes well under a second.
 */
const ANSWER_AFTER_DECISION_MS = 10_000;
/**
 * A request left ambiguous explains a decision better than another request when it fits it better by more than the
 * slack divided by this. Not by nothing: the second of two requests ending together, which split two decisions either
 * way, fits each of them a little worse than the first (their ends' and starts' differences), and would be left unjoined.
 */
const AMBIGUOUS_MARGIN_DIVISOR = 4;

/**
 * Shorten a list to `n` items. Its lists are reused by every request: setting a shorter length gives an array's room
 * back (V8 reallocates it at the next push, so each request made its lists anew), popping keeps it.
 */
function truncate(list: unknown[], n: number): void {
  while (list.length > n) list.pop();
}

// Lists reused by every request (each read before the next request is joined).
const CANDIDATES: OpenAttempt[] = [];
const NO_REQUESTS: GatewayWindow = { requests: [], hosts: [], start: 0, end: 0 };
const HELD: OpenAttempt[] = [];
const NEAR: OpenAttempt[] = [];
const PREFERRED: OpenAttempt[] = [];
const NEARER_RESULTS: OpenAttempt[] = [];
const ANSWERS_ELSEWHERE: OpenAttempt[] = [];
const NAMED: string[] = [];
const PREFERRED_DECISIONS: OpenAttempt[] = [];
const ON_MACHINE: OpenAttempt[] = [];
const NO_ATTEMPTS: readonly OpenAttempt[] = [];
/**
 * Whether the request being joined went to the one RADIUS decision within its span (the first rule, no other decision
 * near it): then its address tells whose computer it came from (`ClientAddresses`). A request that held several was
 * joined by fit, and a misjoin taught a wrong address that later kept another request from its own attempt.
 */
const JOINED = { byOnlyDecision: false };
const REGRETS: number[] = [];
const DECISION_TIMES: number[] = [];
const DECISION_CLIENTS: string[] = [];
/** Candidates of the second rule by distance, then earliest, then first opened. */
const NEAREST = new KeyedMinHeap<OpenAttempt>((a, b) => a.first < b.first || (a.first === b.first && a.seq < b.seq));
