import type { ClosedAttempt } from '@otptrace/correlate';
import { caStatusOf } from '@otptrace/correlate';
import type { Source } from '@otptrace/schemas';
import { SOURCES } from '@otptrace/schemas/vocabulary';

/** How long the DA server's IIS request took, against its RADIUS timeout (docs/windows-events.md §9). */
export type RadiusWait = 'unknown' | 'short' | 'between' | 'long';

/** What the rules can ask about an attempt: plain values, so rules are data. */
export interface Facts {
  readonly probe: boolean;
  readonly radius: 'granted' | 'denied' | 'discarded' | 'none';
  readonly radiusReason: number | null;
  /** An NPS 4402 (no domain controller) was logged by the same NPS server around the denial. */
  readonly directoryUnavailable: boolean;
  /** NPS denied other requests for reason 4 or 5 (no GC / DC) around this attempt's decision. */
  readonly directoryOutageNearby: boolean;
  /** NPS logged (System 13/14/17/18) that it refused this attempt's DA server as a RADIUS client. */
  readonly radiusClientRefused: boolean;
  readonly gateway: boolean;
  readonly httpStatus: number | null;
  readonly httpSubStatus: number | null;
  /**
   * The IIS request's time-taken against the DA server's RADIUS timeout: `long` at or above it (it waited for
   * RADIUS), `short` under half of it (it refused before asking), `between`, or `unknown` without time-taken.
   */
  readonly radiusWait: RadiusWait;
  readonly caRequest: boolean;
  readonly caStatus: 'issued' | 'denied' | 'pending' | 'error' | 'none';
  readonly caHresult: string | null;
  /** The CA denied the DA server's own latest request for its OTP signing certificate. */
  readonly signingDenied: boolean;
  readonly clientEvent: number | null;
  readonly clientErrorCode: string | null;
  /** Sources whose logs are part of the input (an absent step only counts as a failure where its log was read). */
  readonly covered: Readonly<Record<Source, boolean>>;
}

/** The name of each fact a rule may match, derived from Facts: `covered` is asked per source, `covered.<source>`. */
export type FactName = Exclude<keyof Facts, 'covered'> | `covered.${Source}`;

/** Settings that facts depend on. */
export interface FactOptions {
  /** The DA server's RADIUS timeout in ms (Get-RemoteAccessRadius; default 5 s). */
  readonly radiusTimeoutMs?: number;
}

const DEFAULT_RADIUS_TIMEOUT_MS = 5_000;

/** Compute the facts of a closed attempt, given which sources the input covers. */
export function factsOf(a: ClosedAttempt, coverage: ReadonlySet<Source>, options: FactOptions = {}): Facts {
  const caStatus = caStatusOf(a);
  let failing: (typeof a.caResults)[number] | undefined;
  for (const r of a.caResults)
    if (r.hresult !== null && (r.status === 'denied' || r.status === 'error')) {
      failing = r;
      break;
    }
  let signingDenied = false;
  for (const e of a.signing)
    if (e.kind === 'ca.result' && (e.status === 'denied' || e.status === 'error')) {
      signingDenied = true;
      break;
    }
  return {
    probe: a.probe,
    radius: a.radius?.decision ?? 'none',
    radiusReason: a.radius?.reasonCode ?? null,
    directoryUnavailable: a.directoryNearby || a.directory.length > 0,
    directoryOutageNearby: a.directoryOutageNearby,
    radiusClientRefused: a.radiusClientErrors.length > 0,
    gateway: a.gateway !== null,
    // Without its own request, the refusal every request around it got (none is guessed to be its own).
    httpStatus: (a.gateway ?? a.refusalAround)?.status ?? null,
    httpSubStatus: (a.gateway ?? a.refusalAround)?.subStatus ?? null,
    radiusWait: waitOf(a.gateway?.timeTakenMs ?? null, options.radiusTimeoutMs ?? DEFAULT_RADIUS_TIMEOUT_MS),
    caRequest: a.caRequest !== null || a.caResults.length > 0,
    caStatus,
    caHresult: failing?.hresult ?? null,
    signingDenied,
    clientEvent: a.client?.ref.eventId ?? null,
    clientErrorCode: a.client?.errorCode ?? null,
    covered: coveredOf(coverage),
  };
}

/**
 * One frozen `covered` record per combination of sources, shared by every attempt of that coverage, rather than one
 * built per attempt. Looked up by content, not by set identity, as a caller may reuse and grow one set.
 */
const COVERED_BY_MASK: readonly Readonly<Record<Source, boolean>>[] = Array.from(
  { length: 1 << SOURCES.length },
  (_, mask) =>
    Object.freeze(Object.fromEntries(SOURCES.map((s, i) => [s, (mask & (1 << i)) !== 0])) as Record<Source, boolean>),
);

function coveredOf(coverage: ReadonlySet<Source>): Readonly<Record<Source, boolean>> {
  let mask = 0;
  for (let i = 0; i < SOURCES.length; i++) if (coverage.has(SOURCES[i]!)) mask |= 1 << i;
  return COVERED_BY_MASK[mask]!;
}

function waitOf(timeTakenMs: number | null, timeoutMs: number): RadiusWait {
  if (timeTakenMs === null) return 'unknown';
  if (timeTakenMs >= timeoutMs) return 'long';
  return timeTakenMs < timeoutMs / 2 ? 'short' : 'between';
}

// One entry per key of Facts: `satisfies` makes a missing, extra or misspelt key a compile error, so the list of
// fact names below cannot drift from the interface.
const FACT_KEYS = {
  probe: true,
  radius: true,
  radiusReason: true,
  directoryUnavailable: true,
  directoryOutageNearby: true,
  radiusClientRefused: true,
  gateway: true,
  httpStatus: true,
  httpSubStatus: true,
  radiusWait: true,
  caRequest: true,
  caStatus: true,
  caHresult: true,
  signingDenied: true,
  clientEvent: true,
  clientErrorCode: true,
  covered: true,
} as const satisfies Record<keyof Facts, true>;

/** Every fact name a rule may match: the keys of Facts, with `covered` expanded per source. */
export const FACT_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(FACT_KEYS).filter((k) => k !== 'covered'),
  ...SOURCES.map((s) => `covered.${s}`),
]);
