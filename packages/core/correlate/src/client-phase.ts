import { caStatusOf, type OpenAttempt } from './attempt.js';

// Where in the flow each client event is logged (docs/windows-events.md §2.1 messages, §4 catalogue), which bounds the
// attempts it can belong to: an event logged before the client reached the DA server cannot join an attempt that
// NPS or the CA already saw, and a success cannot join an attempt NPS denied.

/** The client error of a DA server's HTTP 403 to the OTP request (docs/windows-events.md §3.3, KB2973071). */
export const HTTP_403_ERROR = '0x80040001';

/** Client event 10016: the computer certificate OTP needs is not in the machine's store (§4 row 7). */
export const NO_COMPUTER_CERTIFICATE = 10016;

type Phase = 'before_server' | 'after_server' | 'after_grant' | 'after_ca' | 'any';

const PHASES: ReadonlyMap<number, Phase> = new Map([
  [10000, 'before_server'], // cannot connect to the DA server
  [10001, 'before_server'], // credentials cannot be sent
  [10002, 'before_server'], // no response from the DA server
  [10003, 'before_server'], // request cannot be initialised (template access / key)
  [10008, 'before_server'], // OTP entered inside the workplace
  [10010, 'before_server'], // cancelled by the user
  [10011, 'before_server'], // no UPN
  [10012, 'before_server'], // no DN
  [10013, 'before_server'], // no DC connection
  [10014, 'before_server'], // DA server address unknown
  [10016, 'before_server'], // no computer certificate (TLS to the DA server fails or 403)
  [10005, 'after_server'], // the DA server refused (AuthenticationError / OtherError)
  [10006, 'after_server'], // challenge required
  [10017, 'after_grant'], // no issuing CA returned
  [10020, 'after_grant'], // RA-signed request cannot be submitted
  [10018, 'after_ca'], // CA unreachable
  [10019, 'after_ca'], // CA enrolment failed
  [10007, 'after_ca'], // certificate cannot be stored
  [10021, 'after_ca'], // enrolled but not retrievable
  [10022, 'after_ca'], // success
]);

/** The phase of a client event ID. */
export function clientPhase(eventId: number): Phase {
  return PHASES.get(eventId) ?? 'any';
}

/** A client event, as far as where it can end an attempt goes: its ID and error code. */
export interface ClientStep {
  readonly ref: { readonly eventId: number };
  readonly errorCode: string | null;
}

/** Whether client event `e` can end the attempt `a` as it stands. */
export function clientFits(e: ClientStep, a: OpenAttempt): boolean {
  return clientFitsSteps(e, a.radius?.decision ?? null, a);
}

/**
 * Whether client event `e` can end an attempt with RADIUS decision `decision` (null: none) and the CA steps of `a`.
 */
export function clientFitsSteps(
  e: ClientStep,
  decision: 'granted' | 'denied' | 'discarded' | null,
  a: Pick<OpenAttempt, 'caRequest' | 'caResults'>,
): boolean {
  const ca = caStatusOf(a);
  const hasCa = a.caRequest !== null || a.caResults.length > 0;
  switch (clientPhase(e.ref.eventId)) {
    case 'before_server':
      return decision === null && !hasCa;
    case 'after_server':
      // The DA server's 403 (0x80040001) refused the request before it asked NPS: no decision, no CA step
      // (docs/windows-events.md §4 row 8). A grant 9 s after such a failure of a laptop 30 s behind was its retry's.
      if (e.errorCode === HTTP_403_ERROR) return decision === null && !hasCa;
      return ca !== 'issued';
    case 'after_grant':
      return (decision === null || decision === 'granted') && !hasCa;
    case 'after_ca':
      if (decision !== null && decision !== 'granted') return false;
      if (e.ref.eventId === 10022 || e.ref.eventId === 10007 || e.ref.eventId === 10021)
        return ca === 'none' || ca === 'issued';
      if (e.ref.eventId === 10018) return !hasCa;
      return ca !== 'issued';
    case 'any':
      return true;
  }
}

/**
 * Whether the attempt ended in a client failure after the DA server answered, and holds no CA step: its answer could
 * be another attempt's of the same laptop without moving anything else.
 */
export function answeredFailure(a: OpenAttempt): boolean {
  return (
    a.client !== null &&
    clientPhase(a.client.ref.eventId) === 'after_server' &&
    a.caRequest === null &&
    a.caResults.length === 0
  );
}

/** Whether the attempt's client event (if any) allows CA events in the attempt. */
export function clientAllowsCa(a: OpenAttempt): boolean {
  if (a.client === null) return true;
  const phase = clientPhase(a.client.ref.eventId);
  if (phase === 'before_server' || phase === 'after_grant') return false;
  return a.client.ref.eventId !== 10018;
}

/** Client event 10019: the CA refused the enrolment (docs/windows-events.md §4). */
const CA_ENROLMENT_FAILED = 10019;

/**
 * Whether the attempt holds its client's answer and nothing that would have to move with it: a failure the DA server
 * answered (`answeredFailure`), or the CA's refusal of the enrolment (10019) before any CA step joined it.
 */
export function answerMovesAlone(a: OpenAttempt): boolean {
  return movableFailure(a) || caRefusalAlone(a);
}

/** Whether the attempt holds the CA's refusal of the enrolment (10019) and no CA step yet. */
export function caRefusalAlone(a: OpenAttempt): boolean {
  return refusedByCa(a) && a.caRequest === null && a.caResults.length === 0;
}

/** Whether the attempt holds the CA's refusal of the enrolment (10019) and nothing else: no grant, request or CA step. */
export function loneCaRefusal(a: OpenAttempt): boolean {
  return caRefusalAlone(a) && a.radius === null && a.gateway === null;
}

/**
 * Whether the answers of attempts `a` and `b` (the same laptop's) could change places without moving anything else:
 * both failures the DA server answered, with no CA step (`answeredFailure`), or both the CA's refusal of the
 * enrolment (10019), whose CA steps belong to the grant they follow and stay with it.
 */
export function answersAlike(a: OpenAttempt, b: OpenAttempt): boolean {
  return answeredFailure(a) ? movableFailure(a) && movableFailure(b) : refusedByCa(a) && refusedByCa(b);
}

/**
 * `answeredFailure`, but not the DA server's 403 (0x80040001): that answer is given before the DA server asks NPS, so
 * it takes no decision (`clientFitsSteps`) and cannot change places with an answer that holds one.
 */
function movableFailure(a: OpenAttempt): boolean {
  return answeredFailure(a) && a.client!.errorCode !== HTTP_403_ERROR;
}

/** Whether the attempt ended in the CA's refusal of its enrolment (10019), and no step of it says the CA issued. */
export function refusedByCa(a: OpenAttempt): boolean {
  return a.client !== null && a.client.ref.eventId === CA_ENROLMENT_FAILED && caStatusOf(a) !== 'issued';
}
