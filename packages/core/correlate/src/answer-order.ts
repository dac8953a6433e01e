import type { ClientEvent, GatewayEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { answeredFailure, clientFitsSteps, HTTP_403_ERROR, NO_COMPUTER_CERTIFICATE } from './client-phase.js';
import { gatewayDelayOf, SWEEP_INTERVAL_MS, waitedForRadius } from './config.js';
import { sameHost } from './hosts.js';
import type { JoinContext } from './join-context.js';

// Which client answer goes with which IIS request. A laptop runs one OTP logon at a time and logs its answer right
// after the DA server's response (docs/windows-events.md §2.1), so one laptop's answers come in the order of its
// requests, each the same time after its response on the laptop's clock (the laptop's offset from the servers').

/**
 * Request `g` (DA server `host`) is about to go to attempt `a`, answered by a failure. When another failure of the
 * same laptop, answered earlier on the laptop's clock, was served later on the servers' (its request or decision after
 * `g`), the two answers went in crossed order. They change places when both then lie the same time after their
 * responses (the laptop's offset), nearer by more than the IIS join's slack. Found on generated fleets with laptops
 * 30 s off whose clocks no success had told yet: a RADIUS timeout's answer, logged 24 s after its request ended, went
 * to the retry's denial 9 s after it, and the retry's own answer, 34 s later, to the timeout (each then diagnosed as
 * the other); two 403s' answers, and two denials' of a laptop 23.6 s behind, went alike.
 */
export function uncrossAnswers(g: GatewayEvent, host: string, a: OpenAttempt, ctx: JoinContext): void {
  if (!answeredFailure(a)) return;
  const list = a.ofUser;
  if (list === null || list.first === list.last) return;
  const answer = a.client!;
  // Attempts whose last event is this recent are open whenever `g` is joined, however the engine swept: a stream and
  // the offline analysis read the same ones.
  const since = g.time + gatewayDelayOf(ctx.config) + SWEEP_INTERVAL_MS - ctx.attempts.closeDelayMs;
  let partner: OpenAttempt | null = null;
  let gain = ctx.config.gatewayJoinSlackMs;
  const timeout = ctx.config.radiusTimeoutMs;
  for (let b = list.first; b !== null; b = b.nextOfUser) {
    if (b === a || b.last < since || !answeredFailure(b)) continue;
    const other = b.client!;
    if (!sameHost(other.ref.computer, answer.ref.computer)) continue;
    const served = servedAt(b, host, ctx);
    // Crossed: the answer logged first went to the attempt served last.
    if (served === null || (g.time - served) * (answer.time - other.time) >= 0) continue;
    const crossed = Math.abs(answer.time - g.time - (other.time - served));
    const inOrder = Math.abs(other.time - g.time - (answer.time - served));
    if (crossed - inOrder <= gain || !answersFit(other, a, g, timeout) || !answersFit(answer, b, b.gateway, timeout))
      continue;
    partner = b;
    gain = crossed - inOrder;
  }
  if (partner !== null) ctx.attempts.swapClients(a, partner);
}

/**
 * When attempt `b` was served, on DA server `host`'s clock: its request's end, else its RADIUS decision's time (NPS's
 * clock as learned for `host`), else unknown.
 */
function servedAt(b: OpenAttempt, host: string, ctx: JoinContext): number | null {
  if (b.gateway !== null) return b.gateway.time;
  if (b.radius !== null) return b.radius.time - ctx.clocks.offset(host);
  return null;
}

/** Whether answer `c` can end attempt `b` as it stands, and follow its request `g` (if any). */
function answersFit(c: ClientEvent, b: OpenAttempt, g: GatewayEvent | null, radiusTimeoutMs: number): boolean {
  return clientFitsSteps(c, b.radius?.decision ?? null, b) && (g === null || answerFitsRequest(c, g, radiusTimeoutMs));
}

/** Whether client event `c` can be what the client logged after the DA server's answer to request `g`. */
export function answerFitsRequest(c: ClientEvent, g: GatewayEvent, radiusTimeoutMs: number): boolean {
  return (
    (c.ref.eventId !== NO_COMPUTER_CERTIFICATE || refusedWithoutCertificate(g)) &&
    // A client that reports the DA server's 403 (0x80040001) got one: a request answered otherwise is another's.
    (g.status === 403 || c.errorCode !== HTTP_403_ERROR) &&
    // A user the DA server did not find in AD (10011, 10012) was told so by the OTP handler (docs/windows-events.md §4
    // row 3): its request got through IIS, so a 4xx/5xx (IIS refusing a certificate, a handler that failed) is another
    // client's. Inferred: the client can tell "no UPN" from "no DN" only from the handler's answer. The DA server
    // looks the user up before it asks RADIUS, so it answers such a user well within its RADIUS timeout
    // (docs/windows-events.md §9): a request that waited for RADIUS is another client's (a timeout's).
    (!NOT_IN_DIRECTORY.has(c.ref.eventId) ||
      (g.status < 400 && waitedForRadius(g.timeTakenMs, radiusTimeoutMs) !== true)) &&
    // A challenge (10006) is RADIUS's answer, which the OTP handler passes on in its 200 (docs/windows-events.md §1.2
    // step 3, ChallengeResponseRequired): a request that lasted the DA server's whole RADIUS timeout had none (§9).
    (c.ref.eventId !== CHALLENGE_REQUIRED || (g.status < 400 && !outlastedRadius(g, radiusTimeoutMs)))
  );
}

/** Whether request `g` lasted the DA server's whole RADIUS timeout (known only when IIS logged its time-taken). */
function outlastedRadius(g: GatewayEvent, radiusTimeoutMs: number): boolean {
  return g.timeTakenMs !== null && g.timeTakenMs >= radiusTimeoutMs;
}

/**
 * Whether the DA server's answer fits a client that found no computer certificate for OTP (10016): a refusal (none was
 * presented: 403.7; an expired one: 403.17; docs/windows-events.md §4 row 7), but not one given to a certificate the
 * server judged valid yet refused (403.13 revoked, 403.16 untrusted: in a DA server's outage of 403.16, another
 * client's request), nor a request that got through.
 */
function refusedWithoutCertificate(g: GatewayEvent): boolean {
  return g.status >= 400 && !(g.status === 403 && (g.subStatus === 13 || g.subStatus === 16));
}

/** Client event 10006: the OTP server answered with a challenge, which the credential provider cannot take. */
const CHALLENGE_REQUIRED = 10006;
/** Client events 10011 and 10012: the DA server found no UPN, or no DN, for the user in AD. */
const NOT_IN_DIRECTORY: ReadonlySet<number> = new Set([10011, 10012]);
