import type { DropReason } from '@otptrace/model';
import type { CaResult, NormalizedEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import type { AttemptIndex } from './attempt-index.js';
import { clientPhase } from './client-phase.js';
import type { EngineConfig } from './config.js';
import type { DaServerContext } from './context.js';
import { hostKey } from './hosts.js';
import type { PendingJoins } from './pending.js';
import { templateKind } from './placement.js';
import type { UserPlacement } from './user-placement.js';

/** What placing an event reaches: the engine's parts, by the role each plays for an event. */
export interface RoutingParts {
  readonly config: EngineConfig;
  readonly attempts: AttemptIndex;
  /** Events about a DA server as a whole (signing requests, RADIUS client errors, outages). */
  readonly context: DaServerContext;
  /** User-less events waiting for their join. */
  readonly pending: PendingJoins;
  /** Events that name their user. */
  readonly byUser: UserPlacement;
  drop(event: NormalizedEvent, reason: DropReason): void;
}

/**
 * Place one event, in event-time order, where its kind goes: a user-named step into the user's attempts, a user-less
 * one to wait for its join, an event about a DA server as a whole to its context; or drop it, saying why.
 */
export function routeEvent(e: NormalizedEvent, parts: RoutingParts): void {
  const { attempts, byUser, config, context, pending } = parts;
  switch (e.kind) {
    case 'gateway.request': {
      if (e.method !== 'POST') return void parts.drop(e, 'gateway_other_request');
      const host = hostKey(e.ref.computer);
      context.noteRequest(e, host);
      return void pending.pushGateway(e, host);
    }
    case 'radius.directory_unavailable':
      context.noteDirectory(e);
      return void pending.push(e);
    case 'client.result': {
      if (e.user === null) return void pending.push(e);
      const a = byUser.place(e, 'client', true, 'unrelated_event');
      if (a !== null && byUser.anyWaiting) byUser.takeWaiting(a, e);
      return;
    }
    case 'radius.decision': {
      context.learn(e);
      const a = byUser.place(e, 'radius', true, 'unrelated_event');
      // NPS's clock a few seconds ahead of the CA's puts a grant after the CA's refusal of its enrolment.
      if (a !== null && a.client === null && e.decision === 'granted') {
        const refused = caRefusedAt(a);
        if (refused !== null) byUser.answerRefusal(a, refused, e.time);
      }
      return;
    }
    case 'radius.client_error':
      return void context.addClientError(e);
    case 'ca.request': {
      if (e.machineRequester != null) return void context.addSigning(e);
      // A request for another template (user or machine autoenrolment) never joins: it is not this attempt's. One
      // whose template is unknown (version 0 events may not say) may join an attempt already open.
      const otp = e.user === null ? 'other' : templateKind(e.template, config.otpTemplate);
      if (otp === 'other') return void parts.drop(e, 'not_otp_request');
      if (byUser.anyWaiting) byUser.shiftBeforeEnrolment(e);
      const a = byUser.place(e, 'caRequest', otp === 'otp', 'not_otp_request');
      if (a !== null) attempts.setRequest(e.ref.computer, e.requestId, a);
      // The retry's enrolment: a grant waiting for the retry goes with it.
      if (a !== null && byUser.anyWaiting) byUser.takeWaiting(a, e);
      return;
    }
    case 'ca.result': {
      if (e.machineRequester != null) return void context.addSigning(e);
      const a = attempts.ofRequest(e.ref.computer, e.requestId);
      if (a !== undefined) {
        attempts.add(a, e);
        // The CA answered the client itself, so the client's failure before it is an earlier attempt's (a laptop clock
        // behind the CA's put it before this retry's request): it opens that attempt again, to take its own steps.
        if (failureBeforeCaAnswer(a, e)) {
          const failure = attempts.detachClient(a);
          attempts.openWith(failure, failure.user, a.probe);
        }
        if (e.status === 'denied' && a.client === null) byUser.answerRefusal(a, e.time, e.time);
        return;
      }
      if (e.user === null) return void pending.push(e);
      const otp = templateKind(e.template, config.otpTemplate);
      if (otp === 'other') return void parts.drop(e, 'unmatched_ca_result');
      const placed = byUser.place(e, 'caResult', otp === 'otp', 'unmatched_ca_result');
      if (placed !== null) attempts.setRequest(e.ref.computer, e.requestId, placed);
      return;
    }
  }
}

/**
 * Whether the CA result `e` just added to attempt `a` issued the certificate or refused it while `a` holds a client
 * failure (10005, 10006) logged before its CA request: a client that got its certificate logs 10022 or 10007, one the
 * CA refused 10019, never those (docs/windows-events.md §4, rows 1, 2, 5, 14–17, 20, 21). Whatever else `a` holds (the
 * retry's grant and request, which the failure of a laptop whose clock is not known yet took in the user's placement:
 * sweep seeds 10024 and 10006), the failure is an earlier attempt's.
 */
function failureBeforeCaAnswer(a: OpenAttempt, e: CaResult): boolean {
  const c = a.client;
  return (
    (e.status === 'issued' || e.status === 'denied') &&
    c !== null &&
    clientPhase(c.ref.eventId) === 'after_server' &&
    a.caRequest !== null &&
    c.time < a.caRequest.time
  );
}

/** When the CA refused attempt `a`'s enrolment (its first refusal), or null. */
function caRefusedAt(a: OpenAttempt): number | null {
  for (let i = 0; i < a.caResults.length; i++) if (a.caResults[i]!.status === 'denied') return a.caResults[i]!.time;
  return null;
}
