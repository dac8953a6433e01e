import { computerNameOf, parseContractTime } from '@otptrace/model';
import type { AttemptRecord, Evidence } from '@otptrace/schemas';
import { clientSubnet } from './subnet.js';

// One attempt flattened to the facts the statistics group and measure by. The in-memory engine and the PostgreSQL
// table are both fed from this one function, so both count the same things.

/**
 * The measured and grouped facts of one attempt (times in epoch ms, latencies in ms). Servers by `computerNameOf`: one
 * DA server is `da1` in its W3C log and `da1.corp.example` to its clients, and is one row of every table.
 */
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
  const startMs = parseContractTime(attempt.start);
  const endMs = parseContractTime(attempt.end);
  return {
    attemptId: attempt.id,
    traceId: attempt.traceId,
    user: attempt.user,
    startMs,
    endMs,
    outcome: attempt.outcome,
    failedStage: attempt.failedStage,
    rootCause: attempt.rootCause?.code ?? null,
    gateway: server(attempt.hosts.gateway),
    radius: server(attempt.hosts.radius),
    ca: server(attempt.hosts.ca),
    clientAddress: attempt.clientAddress,
    subnet: clientSubnet(attempt.clientAddress),
    ...stageLatencies(attempt, startMs),
  };
}

/**
 * Stage latencies from the evidence times. RADIUS decision: from the DA server receiving the request (IIS 6200 time
 * minus its time-taken, since IIS logs at completion: domain doc §2.3) to the NPS decision; without the IIS
 * request, none. CA issuance: from 4886 (received) to the CA's decision. End to end: from the attempt's start (or the
 * IIS request start, if earlier) to the last evidence event. NPS's times are read on the DA server's clock (less
 * `npsClockAheadMs`): a latency must not hold the two servers' clock difference.
 */
export function stageLatencies(
  attempt: AttemptRecord,
  startMs = parseContractTime(attempt.start),
): Pick<AttemptFact, 'radiusMs' | 'caMs' | 'endToEndMs'> {
  // One pass over the evidence, each time parsed once: this runs for every attempt of a fleet's report.
  const evidence = attempt.evidence;
  const npsAhead = attempt.npsClockAheadMs ?? 0;
  const times = new Array<number>(evidence.length);
  let radiusDecision: number | null = null;
  // Whether the decision was logged in whole seconds (NPS's IAS and database-compatible files).
  let radiusWholeSecond = false;
  let caReceived: number | null = null;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i]!;
    // NPS's times on the DA server's clock, as the record's start and end are.
    const t = e.source === 'radius' ? parseContractTime(e.time) - npsAhead : parseContractTime(e.time);
    times[i] = t;
    last = Math.max(last, t);
    if (!Number.isFinite(t)) continue;
    if (e.source === 'radius' && RADIUS_DECISIONS.has(e.eventId)) {
      if (radiusDecision === null || t < radiusDecision) {
        radiusDecision = t;
        radiusWholeSecond = (t + npsAhead) % 1_000 === 0;
      }
    } else if (e.source === 'ca' && e.eventId === CA_RECEIVED) caReceived = Math.min(caReceived ?? t, t);
  }
  let caDecision: number | null = null;
  if (caReceived !== null) {
    for (let i = 0; i < evidence.length; i++) {
      const e = evidence[i]!;
      const t = times[i]!;
      if (e.source === 'ca' && CA_DECISIONS.has(e.eventId) && t >= caReceived)
        caDecision = Math.min(caDecision ?? t, t);
    }
  }
  const request = gatewayRequest(evidence, times);
  const requestStart = request?.start ?? null;
  const begin = Math.min(startMs, requestStart ?? startMs);
  return {
    radiusMs: radiusLatency(request, radiusDecision, radiusWholeSecond),
    caMs: caReceived !== null && caDecision !== null ? caDecision - caReceived : null,
    endToEndMs: evidence.length >= 2 && last > begin ? last - begin : null,
  };
}

/**
 * From the request's start to the decision; none before the start. A decision logged in whole seconds (NPS's IAS and
 * database-compatible files) happened within the second after its time. Against an IIS end in milliseconds it is read
 * at the middle of that second, as the clock learning reads it (its offset is then the clocks' own); against a W3C
 * line, in whole seconds too, as logged (the offset learned is that of the times as logged). Either way it may lie up
 * to a second before the request's start, within the logs' resolution: taken as at the start, not left out.
 */
function radiusLatency(
  request: { start: number; end: number } | null,
  decision: number | null,
  wholeSecond: boolean,
): number | null {
  if (request === null || decision === null) return null;
  const t = wholeSecond && request.end % HALF_SECOND_MS !== 0 ? decision + HALF_SECOND_MS : decision;
  if (t >= request.start) return t - request.start;
  return wholeSecond && request.start - t < 2 * HALF_SECOND_MS ? 0 : null;
}
const HALF_SECOND_MS = 500;

// The IIS request's time-taken is not a field of the evidence contract; the correlator writes it into the summary
// ("IIS POST /otp/... → 200 in 640 ms from 198.51.100.23"), and this reads it back from there.
const TIME_TAKEN = / in (\d+) ms\b/;

/**
 * When the DA server received the OTP request (the first IIS 6200 event's time minus its time-taken) and answered it
 * (the event's time).
 */
function gatewayRequest(
  evidence: readonly Evidence[],
  times: readonly number[],
): { start: number; end: number } | null {
  const at = evidence.findIndex((e) => e.source === 'gateway' && e.eventId === 6200);
  const taken = at === -1 ? undefined : TIME_TAKEN.exec(evidence[at]!.summary)?.[1];
  return at === -1 || taken === undefined ? null : { start: times[at]! - Number(taken), end: times[at]! };
}

function server(name: string | null): string | null {
  return name === null || name === '' ? null : computerNameOf(name);
}
