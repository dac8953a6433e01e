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
 * Stage latencies from the evidence times. RADIUS decision: from the attempt's start (the request reaching the DA
 * server) to the NPS decision, when the DA server's request is in the evidence. CA issuance: from 4886 (received)
 * to the CA's decision. End to end: from the start to the last evidence event.
 */
export function stageLatencies(
  attempt: AttemptRecord,
  startMs = Date.parse(attempt.start),
): Pick<AttemptFact, 'radiusMs' | 'caMs' | 'endToEndMs'> {
  const times = (keep: (e: Evidence) => boolean): number[] =>
    attempt.evidence.filter(keep).map((e) => Date.parse(e.time));
  const radiusDecision = first(times((e) => e.source === 'radius' && RADIUS_DECISIONS.has(e.eventId)));
  const hasGateway = attempt.evidence.some((e) => e.source === 'gateway');
  const caReceived = first(times((e) => e.source === 'ca' && e.eventId === CA_RECEIVED));
  const caDecision =
    caReceived === null
      ? null
      : first(times((e) => e.source === 'ca' && CA_DECISIONS.has(e.eventId)).filter((t) => t >= caReceived));
  const last = Math.max(...times(() => true));
  return {
    radiusMs: hasGateway && radiusDecision !== null && radiusDecision > startMs ? radiusDecision - startMs : null,
    caMs: caReceived !== null && caDecision !== null ? caDecision - caReceived : null,
    endToEndMs: attempt.evidence.length >= 2 && last > startMs ? last - startMs : null,
  };
}

function first(times: number[]): number | null {
  const valid = times.filter(Number.isFinite);
  return valid.length === 0 ? null : Math.min(...valid);
}

function host(name: string | null): string | null {
  return name === null || name === '' ? null : name.toLowerCase();
}
