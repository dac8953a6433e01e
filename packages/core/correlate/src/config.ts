import type { AnalysisConfig, ClientEvent, NormalizedEvent } from '@otptrace/schemas';

/** Settings of the engine: the analysis configuration's windows plus the identity rules it needs. */
export interface EngineConfig
  extends Pick<
    AnalysisConfig,
    // radiusTimeoutMs: how long before a client's result, when no IIS request tells it, its DA server may have asked
    // RADIUS (see DaServerContext.eventsFor).
    'clockSkewToleranceMs' | 'attemptGapMs' | 'stageTimeoutMs' | 'gatewayJoinSlackMs' | 'radiusTimeoutMs'
  > {
  readonly otpTemplate: RegExp;
  readonly isProbe: (userKey: string) => boolean;
  /**
   * How long events wait in the reorder buffer before they are placed, in ms of event time: 0 when the caller feeds
   * events sorted (offline), the clock-skew tolerance for a stream (see `reorderDelayOf`).
   */
  readonly reorderDelayMs: number;
  /**
   * Whether a client event that names no user and matches no attempt may open an attempt of its own here. Always in
   * one process; with several correlators that each receive such events (broadcast), only the one owning the client
   * computer should, or every instance would report the same lone event.
   */
  readonly opensUserlessAttempt?: (e: ClientEvent) => boolean;
  /** RADIUS authentication types that are not DirectAccess OTP (lower case), e.g. "eap", "peap". */
  readonly nonOtpAuthenticationTypes?: ReadonlySet<string>;
  /** How long before an attempt a denied signing-certificate request of its DA server explains it, in ms (default 1 day). */
  readonly signingRequestWindowMs?: number;
  /** Addresses each DA server (by name) sends RADIUS from, for NPS events naming a RADIUS client by address. */
  readonly daServerAddresses?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The reorder delay for an input: none when events arrive sorted by time, the clock-skew tolerance for a stream (an
 * event from a machine whose clock is that far behind the others' still arrives in time to be placed in order).
 */
export function reorderDelayOf(input: 'sorted' | 'stream', clockSkewToleranceMs: number): number {
  return input === 'stream' ? clockSkewToleranceMs : 0;
}

/**
 * Whether IIS request `timeTakenMs` long waited for RADIUS: it took half the DA server's RADIUS timeout or more. A
 * request the DA server refused itself is answered well within it (docs/windows-events.md §9). Null when IIS logged no
 * time-taken.
 */
export function waitedForRadius(timeTakenMs: number | null, radiusTimeoutMs: number): boolean | null {
  return timeTakenMs === null ? null : timeTakenMs >= radiusTimeoutMs / 2;
}

/** How often (in event time) joins are resolved and attempts closed; every delay is far longer, so the result is the same. */
export const SWEEP_INTERVAL_MS = 5_000;

/** The engine's time windows, all derived from its configuration (ms of event time). */
export interface EngineWindows {
  /** A user-less event is joined this long after its own time, once every event it could match has been placed. */
  readonly pendingDelayMs: number;
  /** An IIS request waits longer: a client result logged right after the response may itself open the attempt. */
  readonly gatewayDelayMs: number;
  /** Attempts close this long after their last event (never before any event that could still join them). */
  readonly closeDelayMs: number;
  /** Two events with one record identity within this much event time are copies of one record (or a forgery). */
  readonly dedupWindowMs: number;
  /**
   * How long after its own time the engine may still need an event: once the watermark has passed `time +
   * retentionMs`, every attempt that holds it, or that it flagged, has been handed back. Bound: the latest join of a
   * user-less event, then one close delay (plus a sweep) for each step that may still extend one of those attempts
   * (RADIUS decision, CA request, CA decision, client result, IIS request), then the close itself, plus the reorder
   * buffer. The CA's application-log events join by request ID and come with its decision.
   */
  readonly retentionMs: number;
}

/** Steps of an attempt that move its end: RADIUS decision, CA request, CA decision, client result, IIS request. */
const EXTENDING_STEPS = 5;

/**
 * How far two servers' clocks (a DA server's and an NPS server's, domain members that keep time together) may put
 * one's event outside the span the other's logged: ten times the IIS join's slack, and never more than the clock-skew
 * tolerance, which is for laptops' clocks. A wide window handed a request that RADIUS never answered to another user's
 * decision nearby, and a RADIUS timeout to NPS's refusals of the DA server minutes before it.
 */
export function serverDriftOf(config: Pick<EngineConfig, 'clockSkewToleranceMs' | 'gatewayJoinSlackMs'>): number {
  return Math.min(config.clockSkewToleranceMs, SERVER_DRIFT_FACTOR * config.gatewayJoinSlackMs);
}
const SERVER_DRIFT_FACTOR = 10;

/** How long after its time an IIS request is joined (`EngineWindows.gatewayDelayMs`). */
export function gatewayDelayOf(config: Pick<EngineConfig, 'clockSkewToleranceMs' | 'gatewayJoinSlackMs'>): number {
  return 3 * config.clockSkewToleranceMs + config.gatewayJoinSlackMs;
}

export function windowsOf(config: EngineConfig): EngineWindows {
  const skew = config.clockSkewToleranceMs;
  const pendingDelayMs = 2 * skew + config.gatewayJoinSlackMs;
  const gatewayDelayMs = gatewayDelayOf(config);
  const closeDelayMs = Math.max(config.attemptGapMs, config.stageTimeoutMs, pendingDelayMs + 2 * skew) + 1;
  const perStep = closeDelayMs + SWEEP_INTERVAL_MS;
  return {
    pendingDelayMs,
    gatewayDelayMs,
    closeDelayMs,
    dedupWindowMs: 2 * closeDelayMs,
    retentionMs: config.reorderDelayMs + gatewayDelayMs + SWEEP_INTERVAL_MS + (EXTENDING_STEPS + 1) * perStep,
  };
}

/**
 * Whether an event in a closed attempt may be in other attempts too: an NPS refusal of the DA server as RADIUS client
 * (among the nearest few of each attempt it explains), or a decision on the DA server's signing certificate. Count such
 * events once, and keep them for `retentionMs` rather than until the first attempt holding them is handed back. (An
 * NPS 4402 explains every denial around it, but only the nearest carries it: joins.ts.)
 */
export function isSharedEvent(e: NormalizedEvent): boolean {
  if (e.kind === 'radius.client_error') return true;
  // The CA's events about the DA server's own signing-certificate requests explain every attempt of that server for a
  // while (DaServerContext), like the NPS client errors above.
  return (e.kind === 'ca.request' || e.kind === 'ca.result') && e.machineRequester != null;
}

/** Whether a dropped event still marks several attempts: an IIS request that fits two users' attempts flags both. */
export function isSharedDrop(d: { readonly reason: string }): boolean {
  return d.reason === 'ambiguous_gateway_request';
}
