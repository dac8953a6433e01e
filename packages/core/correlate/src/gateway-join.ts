import type { GatewayEvent } from '@otptrace/schemas';
import { uncrossAnswers } from './answer-order.js';
import { NO_FIT, type OpenAttempt, oneUser } from './attempt.js';
import { answeredAt, answerOnServers, isAttemptList, placesRequestByClient } from './attempt-index.js';
import { clientPhase, HTTP_403_ERROR, NO_COMPUTER_CERTIFICATE } from './client-phase.js';
import { gatewayDelayOf, serverDriftOf, waitedForRadius } from './config.js';
import { addressKeepsOut, isOnMachine, learnAddress, machineOfRequest, onOtherMachines } from './gateway-addresses.js';
import { claimedByLater, forgetHolds } from './gateway-claims.js';
import {
  ANSWER_AFTER_DECISION_MS,
  decisionFit,
  depthBeyondAnswer,
  keepAnswerable,
  keepTakers,
  keepUnexplained,
  latestMoment,
  mayTakeDecision,
  START_WEIGHT,
  takesGateway,
} from './gateway-fit.js';
import { dropNamedElsewhere, keepSameServer, namesKnownServer } from './gateway-servers.js';
import { KeyedMinHeap } from './heap.js';
import type { GatewayWindow, JoinContext } from './join-context.js';
import { truncate } from './lists.js';

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
    keepAnswerable(g, off, found, ctx);
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
  // The nearest candidate whose answer says it got no 403, set aside for one whose answer proves this refusal.
  let setAside: OpenAttempt | null = null;
  const asNear = AS_NEAR;
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
    const key = unread.peekKey();
    const a = unread.pop()!;
    if (setAside !== null) {
      if (provesRefusal(a, g) && !claimedByLater(g, host, a, ctx)) {
        best = a;
        nearest = key;
        break;
      }
      if (key === nearest) asNear.push(a);
      continue;
    }
    nearest = key;
    if (claimedByLater(g, host, a, ctx)) continue;
    if (yieldsRefusal(a, g)) {
      setAside = a;
      continue;
    }
    best = a;
    break;
  }
  truncate(found, 0);
  if (best === null && setAside !== null) {
    // No answer proves the refusal: the nearest goes first, as any other would, with those as near as it.
    best = setAside;
    for (let i = 0; i < asNear.length; i++) unread.push(asNear[i]!, nearest);
  }
  truncate(asNear, 0);
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
 * Whether `g` is a 403 and `a`'s client says it got none: it found no computer certificate (10016), and such a client
 * is refused with one or fails TLS and sends nothing (docs/windows-events.md §4 row 7); or its failure after the DA
 * server (10005, 10006) reports another code than the 403's (0x80040001, §3.3 and §9: a RADIUS timeout, a refusal
 * answered in the response). It yields the request to a client whose answer proves it got a 403 (`provesRefusal`).
 * Two 10016 and 0x80040001 answers 46 ms apart on laptops 8 s ahead and 10 s behind: the 10016 was logged first, took
 * the 403.17 and was read as an expired certificate, and the other read as a missing one (sweep seed 10031). A RADIUS
 * timeout's 0x80040008 logged 1 s before a 403.7 took it and read as a missing certificate (sweep seed 11032).
 */
function yieldsRefusal(a: OpenAttempt, g: GatewayEvent): boolean {
  if (g.status !== 403 || a.client === null) return false;
  const { ref, errorCode } = a.client;
  if (ref.eventId === NO_COMPUTER_CERTIFICATE) return true;
  return clientPhase(ref.eventId) === 'after_server' && errorCode !== null && errorCode !== HTTP_403_ERROR;
}

/** Whether `a`'s client reported the DA server's HTTP 403 (0x80040001, docs/windows-events.md §4 row 8) to `g`. */
function provesRefusal(a: OpenAttempt, g: GatewayEvent): boolean {
  return g.status === 403 && a.client?.errorCode === HTTP_403_ERROR;
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

/** How far an attempt's step is from the request: its decision outside the request's span, or its client result. */
function gatewayDistance(g: GatewayEvent, host: string, a: OpenAttempt, ctx: JoinContext): number {
  if (a.radius === null) return Math.abs(answeredAt(a) - g.time);
  const off = ctx.clocks.offset(host);
  const t = a.radius.time;
  const start = g.startTime + off;
  const end = g.time + off;
  return t < start ? start - t : t > end ? t - end : depthBeyondAnswer(g, off, a.radius, ctx);
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
    if (!mayTakeDecision(other, off, a, ctx)) continue;
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

function earliest(list: OpenAttempt[]): OpenAttempt {
  return list.reduce((best, a) => (a.first < best.first || (a.first === best.first && a.seq < best.seq) ? a : best));
}

// Lists reused by every request (each read before the next request is joined).
const CANDIDATES: OpenAttempt[] = [];
const NO_REQUESTS: GatewayWindow = { requests: [], hosts: [], start: 0, end: 0 };
const NEAR: OpenAttempt[] = [];
const ON_MACHINE: OpenAttempt[] = [];
const NO_ATTEMPTS: readonly OpenAttempt[] = [];
const AS_NEAR: OpenAttempt[] = [];

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
