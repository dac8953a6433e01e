import type { AttemptRecord, Evidence, Outcome, Stage } from '@otptrace/schemas';

// Hand-built AttemptRecords for the statistics tests. Evidence providers, channels and event IDs follow
// docs/windows-events.md: IIS 6200 (§2.3), NPS 6272/6273 (§2.2), CA 4886/4887/4888 (§2.4), client
// 10005/10019/10022 (§2.1).

/** What a test says about an attempt; the builder fills in the evidence timeline. */
export interface AttemptSpec {
  n: number;
  user?: string;
  /** Start, epoch ms. */
  at: number;
  outcome: Outcome;
  cause?: string | null;
  stage?: Stage | null;
  gateway?: string | null;
  radius?: string | null;
  ca?: string | null;
  clientAddress?: string | null;
  /** From start to the NPS decision. */
  radiusMs?: number;
  /** From CA 4886 to its decision. */
  caMs?: number;
}

const PROVIDERS = {
  client: ['Microsoft-Windows-OtpCredentialProviderEvt', 'Microsoft-Windows-OtpCredentialProvider/Operational'],
  gateway: ['Microsoft-Windows-IIS-Logging', 'Microsoft-IIS-Logging/Logs'],
  radius: ['Microsoft-Windows-Security-Auditing', 'Security'],
  ca: ['Microsoft-Windows-Security-Auditing', 'Security'],
} as const;

/** Build one attempt with a plausible evidence timeline. */
export function buildAttempt(spec: AttemptSpec): AttemptRecord {
  const hosts = {
    client: `pc${spec.n}.corp.example`,
    gateway: spec.gateway === undefined ? 'da01.corp.example' : spec.gateway,
    radius: spec.radius === undefined ? 'nps01.corp.example' : spec.radius,
    ca: spec.ca === undefined ? 'ca01.corp.example' : spec.ca,
  };
  const radiusAt = spec.at + (spec.radiusMs ?? 120);
  const caAt = radiusAt + 600;
  const caDone = caAt + (spec.caMs ?? 300);
  const ev = (source: Evidence['source'], eventId: number, t: number, recordId: number): Evidence => ({
    source,
    eventId,
    computer: (source === 'client' ? hosts.client : hosts[source]) ?? 'unknown',
    recordId,
    time: new Date(t).toISOString(),
    provider: PROVIDERS[source][0],
    channel: PROVIDERS[source][1],
    // The correlator's gist of an IIS 6200 names its time-taken (the DA server received the request at spec.at).
    summary: source === 'gateway' ? `IIS POST /otp → 200 in ${t - spec.at} ms from 203.0.113.7` : `${eventId}`,
  });
  const evidence: Evidence[] = [];
  const cause = spec.cause ?? null;
  if (spec.outcome === 'probe') {
    evidence.push(ev('radius', cause === null ? 6272 : 6273, radiusAt, spec.n));
  } else if (spec.outcome === 'success' || spec.stage === 'ca') {
    evidence.push(ev('gateway', 6200, radiusAt + 40, spec.n), ev('radius', 6272, radiusAt, spec.n));
    evidence.push(ev('ca', 4886, caAt, spec.n), ev('ca', spec.outcome === 'success' ? 4887 : 4888, caDone, spec.n + 1));
    evidence.push(ev('client', spec.outcome === 'success' ? 10022 : 10019, caDone + 200, spec.n));
  } else {
    evidence.push(ev('gateway', 6200, radiusAt + 40, spec.n), ev('radius', 6273, radiusAt, spec.n));
    evidence.push(ev('client', 10005, radiusAt + 100, spec.n));
  }
  const times = evidence.map((e) => Date.parse(e.time));
  return {
    id: `attempt-${spec.n}`,
    traceId: spec.n.toString(16).padStart(32, '0'),
    user: spec.user ?? (spec.outcome === 'probe' ? 'DAProbeUser' : `user${spec.n}`),
    start: new Date(spec.at).toISOString(),
    end: new Date(Math.max(...times)).toISOString(),
    outcome: spec.outcome,
    failedStage: spec.stage ?? null,
    findings: [],
    rootCause: cause === null ? null : { code: cause, title: cause, remediation: 'fix it' },
    detail: {
      npsReasonCode: null,
      npsReason: null,
      caHresult: null,
      caHresultSymbol: null,
      clientEventId: null,
      clientErrorCode: null,
      httpStatus: null,
    },
    evidence,
    hosts: spec.outcome === 'probe' ? { client: null, gateway: null, radius: hosts.radius, ca: null } : hosts,
    clientAddress:
      spec.clientAddress !== undefined ? spec.clientAddress : spec.outcome === 'probe' ? null : '203.0.113.7',
    gatewayAmbiguous: false,
    closedBy: 'result',
  };
}
