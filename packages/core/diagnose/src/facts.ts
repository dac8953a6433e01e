import type { ClosedAttempt } from '@otptrace/correlate';
import { caStatusOf } from '@otptrace/correlate';
import type { Source } from '@otptrace/schemas';

/** What the rules can ask about an attempt: plain values, so rules are data. */
export interface Facts {
  readonly probe: boolean;
  readonly radius: 'granted' | 'denied' | 'discarded' | 'none';
  readonly radiusReason: number | null;
  /** An NPS 4402 (no domain controller) was logged by the same NPS server around the denial. */
  readonly directoryUnavailable: boolean;
  readonly gateway: boolean;
  readonly httpStatus: number | null;
  readonly caRequest: boolean;
  readonly caStatus: 'issued' | 'denied' | 'pending' | 'error' | 'none';
  readonly caHresult: string | null;
  readonly clientEvent: number | null;
  readonly clientErrorCode: string | null;
  /** Sources whose logs are part of the input (an absent step only counts as a failure where its log was read). */
  readonly covered: Readonly<Record<Source, boolean>>;
}

/** Compute the facts of a closed attempt, given which sources the input covers. */
export function factsOf(a: ClosedAttempt, coverage: ReadonlySet<Source>): Facts {
  const caStatus = caStatusOf(a);
  const failing = a.caResults.find((r) => r.hresult !== null && (r.status === 'denied' || r.status === 'error'));
  return {
    probe: a.probe,
    radius: a.radius?.decision ?? 'none',
    radiusReason: a.radius?.reasonCode ?? null,
    directoryUnavailable: a.directory.length > 0,
    gateway: a.gateway !== null,
    httpStatus: a.gateway?.status ?? null,
    caRequest: a.caRequest !== null || a.caResults.length > 0,
    caStatus,
    caHresult: failing?.hresult ?? null,
    clientEvent: a.client?.ref.eventId ?? null,
    clientErrorCode: a.client?.errorCode ?? null,
    covered: {
      client: coverage.has('client'),
      gateway: coverage.has('gateway'),
      radius: coverage.has('radius'),
      ca: coverage.has('ca'),
    },
  };
}
