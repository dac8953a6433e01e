import type { AttemptRecord, Evidence } from '@otptrace/schemas';
import { clientSubnet } from './subnet.js';

// One attempt flattened to the facts the statistics group and measure by. The in-memory engine and the PostgreSQL
// table are both fed from this one function, so both count the same things.

/** The measured and grouped facts of one attempt (times in epoch ms, latencies in ms, hosts lower-case). */
export interface AttemptFact {
  attemptId: string;
  traceId: string;
  user: string;
  startMs: number;
  endMs: number;
  outcome: AttemptRecord['outcome'];
  failedStage: AttemptRecord['failedStage'];
  rootCause: string | null;
  gateway: string | null;
  radius: string | null;
  ca: string | null;
  clientAddress: string | null;
  subnet: string | null;
  radiusMs: number | null;
  caMs: number | null;
  endToEndMs: number | null;
}

// NPS decisions: Security 6272 granted, 6273 denied, 6274 discarded (domain doc §2.2).
const RADIUS_DECISIONS = new Set([6272, 6273, 6274]);
// CA: Security 4886 received; 4887 issued, 4888 denied, 4889 pending; CertificationAuthority 53 denied, 21/22
// could not process, 54 pending (domain doc §2.4).
const CA_RECEIVED = 4886;
const CA_DECISIONS = new Set([4887, 4888, 4889, 53, 21, 22, 54]);

/** Flatten an attempt into its facts. */
export function attemptFact(attempt: AttemptRecord): AttemptFact {
  const startMs = Date.parse(attempt.start);
  const endMs = Date.parse(attempt.end);
  return {
    attemptId: attempt.id,
    traceId: attempt.traceId,
    user: attempt.user,
    startMs,
    endMs,
    outcome: attempt.outcome,
    failedStage: attempt.failedStage,
    rootCause: attempt.rootCause?.code ?? null,
    gateway: host(attempt.hosts.gateway),
    radius: host(attempt.hosts.radius),
    ca: host(attempt.hosts.ca),
    clientAddress: attempt.clientAddress,
    subnet: clientSubnet(attempt.clientAddress),
    ...stageLatencies(attempt, startMs),
  };
}

/**
 * Stage latencies from the evidence times. RADIUS decision: from the DA server receiving the request (IIS 6200 time
 * minus its time-taken, since IIS logs at completion: domain doc §2.3) to the NPS decision; without the IIS
 * request, none. CA issuance: from 4886 (received) to the CA's decision. End to end: from the attempt's start (or the
 * IIS request start, if earlier) to the last evidence event.
 */
export function stageLatencies(
  attempt: AttemptRecord,
  startMs = Date.parse(attempt.start),
): Pick<AttemptFact, 'radiusMs' | 'caMs' | 'endToEndMs'> {
  const times = (keep: (e: Evidence) => boolean): number[] =>
    attempt.evidence.filter(keep).map((e) => Date.parse(e.time));
  const radiusDecision = first(times((e) => e.source === 'radius' && RADIUS_DECISIONS.has(e.eventId)));
  const requestStart = gatewayRequestStart(attempt.evidence);
  const caReceived = first(times((e) => e.source === 'ca' && e.eventId === CA_RECEIVED));
  const caDecision =
    caReceived === null
      ? null
      : first(times((e) => e.source === 'ca' && CA_DECISIONS.has(e.eventId)).filter((t) => t >= caReceived));
  const begin = Math.min(startMs, requestStart ?? startMs);
  const last = Math.max(...times(() => true));
  return {
    radiusMs:
      requestStart !== null && radiusDecision !== null && radiusDecision >= requestStart
        ? radiusDecision - requestStart
        : null,
    caMs: caReceived !== null && caDecision !== null ? caDecision - caReceived : null,
    endToEndMs: attempt.evidence.length >= 2 && last > begin ? last - begin : null,
  };
}

// The IIS request's time-taken is not a field of the evidence contract; the correlator writes it into the summary
// ("IIS POST /otp/... → 200 in 640 ms from 198.51.100.23"), and this reads it back from there.
const TIME_TAKEN = / in (\d+) ms\b/;

/** When the DA server received the OTP request: the first IIS 6200 event's time minus its time-taken. */
function gatewayRequestStart(evidence: readonly Evidence[]): number | null {
  const request = evidence.find((e) => e.source === 'gateway' && e.eventId === 6200);
  const taken = request === undefined ? undefined : TIME_TAKEN.exec(request.summary)?.[1];
  return request === undefined || taken === undefined ? null : Date.parse(request.time) - Number(taken);
}

function first(times: number[]): number | null {
  const valid = times.filter(Number.isFinite);
  return valid.length === 0 ? null : Math.min(...valid);
}

function host(name: string | null): string | null {
  return name === null || name === '' ? null : name.toLowerCase();
}
