import type { DropReason } from '@otptrace/model';
import type { NormalizedEvent } from '@otptrace/schemas';
import { addToAttempt, type ClosedAttempt, closedAttempt, eventsOf, type OpenAttempt } from './attempt.js';
import { AttemptIndex } from './attempt-index.js';
import { ClientAddresses } from './client-addresses.js';
import { type EngineConfig, type EngineWindows, SWEEP_INTERVAL_MS, windowsOf } from './config.js';
import { DaServerContext } from './context.js';
import { Deduplicator } from './dedup.js';
import { eventBefore, KeyedMinHeap } from './heap.js';
import { hostKey } from './hosts.js';
import type { JoinContext } from './join-context.js';
import { resolvePending } from './joins.js';
import { PendingJoins } from './pending.js';
import { isOtherRadiusTraffic } from './placement.js';
import { type RoutingParts, routeEvent } from './routing.js';
import { clockReachOf, type LearnedServer, ServerClocks } from './server-clocks.js';
import { UserPlacement } from './user-placement.js';

/** An event the engine let go, and why. */
export interface Drop {
  readonly event: NormalizedEvent;
  readonly reason: DropReason;
}

/** What one call hands back: attempts closed and events dropped since the last call. */
export interface EngineOutput {
  readonly attempts: ClosedAttempt[];
  readonly drops: Drop[];
}

/**
 * ③ Stitches normalised events into attempts by event time. Time only enters as the watermark given to
 * `advance()`: the engine reads no clock, so replaying old logs gives the same attempts as the live stream did.
 *
 * Events of a named user are placed at once (in event-time order, after the reorder buffer) into the user's earliest
 * open attempt whose slot for that step is free and whose other steps are consistent in order (within the clock-skew
 * tolerance) and in meaning; otherwise they open a new attempt. Events that name no user (IIS requests, NPS 4402,
 * CertificationAuthority application events, most client events) wait until every event that could match them has
 * been placed, then join the one attempt they fit (joins.ts), or are counted as dropped.
 */
export class CorrelationEngine {
  /** The windows derived from the configuration: join and close delays, duplicate window, retention. */
  readonly windows: EngineWindows;
  private readonly buffer = new KeyedMinHeap<NormalizedEvent>(eventBefore);
  private readonly attempts: AttemptIndex;
  private readonly pending: PendingJoins;
  private readonly dedup: Deduplicator;
  private readonly joins: JoinContext;
  private readonly routing: RoutingParts;
  /** Events about a DA server as a whole, attached to its attempts as they close. */
  private readonly context: DaServerContext;
  /** Where the events that name their user go (and the RADIUS decisions that wait for a retry's steps). */
  private readonly byUser: UserPlacement;
  private drops: Drop[] = [];
  private closed: ClosedAttempt[] = [];
  private clock = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * `learnedServers`: what an earlier engine of the same site learned of its DA servers (its `learnedServers()`), which
   * this one starts from until its own requests say otherwise: a stream's engine after an idle flush.
   */
  constructor(
    private readonly config: EngineConfig,
    learnedServers: readonly LearnedServer[] = [],
  ) {
    this.windows = windowsOf(config);
    this.attempts = new AttemptIndex(this.windows.closeDelayMs);
    this.dedup = new Deduplicator(this.windows.dedupWindowMs);
    this.byUser = new UserPlacement(this.attempts, config, (event, reason) => this.drop(event, reason));
    this.pending = new PendingJoins(this.windows.gatewayDelayMs, this.windows.pendingDelayMs);
    this.context = new DaServerContext(
      config.clockSkewToleranceMs,
      config.signingRequestWindowMs ?? DEFAULT_SIGNING_WINDOW_MS,
      config.daServerAddresses ?? {},
      config.radiusTimeoutMs,
      config.gatewayJoinSlackMs,
      learnedServers,
    );
    this.routing = {
      config,
      attempts: this.attempts,
      context: this.context,
      pending: this.pending,
      byUser: this.byUser,
      drop: (event, reason) => this.drop(event, reason),
    };
    this.joins = {
      attempts: this.attempts,
      config,
      clocks: new ServerClocks(clockReachOf(config.clockSkewToleranceMs), serversByAddress(config), learnedServers),
      addresses: new ClientAddresses(CLIENT_ADDRESS_TTL_MS),
      drop: (event, reason) => this.drops.push({ event, reason }),
      joinSigning: (event) => this.context.joinSigning(event),
      rememberServer: (a, addresses) => this.context.rememberServer(a, addresses),
      pendingGateways: (lo, hi) => this.pending.gatewaysWithin(lo, hi),
      pendingGatewaysOfHost: (host, lo, hi) => this.pending.gatewaysOfHostWithin(host, lo, hi),
    };
  }

  /** How long after its own time the engine may still need an event (see `EngineWindows.retentionMs`). */
  get retentionMs(): number {
    return this.windows.retentionMs;
  }

  /** The longest a placed event waits to be joined (`EngineWindows.gatewayDelayMs`): by then its join is decided. */
  get joinDelayMs(): number {
    return this.windows.gatewayDelayMs;
  }

  /**
   * What was learned of the DA servers so far, in name order: NPS's clock against theirs and the RADIUS clients lined
   * up with their requests (the IIS join), and the addresses NPS logged for their names. Every known DA server is
   * listed, even with nothing else learned: being one decides whose refusals an address explains.
   */
  learnedServers(): LearnedServer[] {
    const clocks = new Map(this.joins.clocks.learned().map((s) => [s.server, s]));
    const out: LearnedServer[] = [];
    for (const { server, npsAddresses } of this.context.knownServers()) {
      const clock = clocks.get(server);
      clocks.delete(server);
      out.push({ server, offsetMs: clock?.offsetMs ?? 0, radiusClients: clock?.radiusClients ?? [], npsAddresses });
    }
    // A server known from an earlier run's clocks alone.
    for (const clock of clocks.values()) out.push({ ...clock, npsAddresses: [] });
    return out.sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
  }

  /** Number of attempts still open (for memory accounting and lag metrics). */
  get openAttempts(): number {
    return this.attempts.size;
  }

  /** Take one event. Duplicates (same computer, channel, EventRecordID) are dropped here. */
  add(event: NormalizedEvent): void {
    const duplicate = this.dedup.check(event);
    if (duplicate !== null) return void this.drops.push({ event, reason: duplicate });
    // Too late to be placed in order: the caller decides where it goes (a late-events topic), never silently away.
    if (event.time + this.config.reorderDelayMs < this.clock)
      return void this.drops.push({ event, reason: 'late_event' });
    this.buffer.push(event, event.time);
  }

  /** The watermark moved to `watermark` (event time): place what is due, resolve joins, close finished attempts. */
  advance(watermark: number): EngineOutput {
    const placeUpTo = watermark - this.config.reorderDelayMs;
    while (this.buffer.peekKey() <= placeUpTo) this.placeInOrder(this.buffer.pop()!);
    this.byUser.placeWaitingBefore(placeUpTo);
    if (placeUpTo > this.clock) this.clock = placeUpTo;
    // Joins and closing are swept at most every few seconds of event time; the delays make that safe.
    if (this.clock - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(false);
    return this.take();
  }

  /** The input has ended: place everything, resolve every join and close every attempt. */
  flush(): EngineOutput {
    for (let e = this.buffer.pop(); e !== undefined; e = this.buffer.pop()) this.placeInOrder(e);
    this.byUser.placeWaitingBefore(Number.POSITIVE_INFINITY);
    this.sweep(true);
    return this.take();
  }

  private take(): EngineOutput {
    // Most calls close and drop nothing: they all share one empty (frozen) output.
    if (this.closed.length === 0 && this.drops.length === 0) return NOTHING;
    const out = { attempts: this.closed, drops: this.drops };
    this.closed = [];
    this.drops = [];
    return out;
  }

  /**
   * Place `e` after the decisions waiting for a retry whose wait ended before it: each is placed before every event
   * later than its wait, however the watermark moved, so that the stream and `analyze` place alike.
   */
  private placeInOrder(e: NormalizedEvent): void {
    // The joins due before it too: what a join teaches (a laptop's clock, from the success a user-less 10022 completes)
    // is known to the events after it alike, whether a sweep came between (offline, event by event) or a stream placed
    // a whole batch first.
    if (this.pending.firstDue < e.time) this.resolveDue(e.time, false);
    this.byUser.placeWaitingBefore(e.time);
    routeEvent(e, this.routing);
    this.realignTold();
  }

  /** Read again the answers of each laptop whose clock a CA's answer just told (`UserPlacement.realignAnswers`). */
  private realignTold(): void {
    const told = this.attempts.takeTold();
    for (let i = 0; i < told.length; i++) this.byUser.realignAnswers(told[i]!.userKey, told[i]!.computer, told[i]!.at);
  }

  private drop(event: NormalizedEvent, reason: DropReason): void {
    this.drops.push({ event, reason });
  }

  /**
   * The sweep's loops are in functions of their own: a loop here made V8 compile the sweep on stack replacement, and
   * that code, compiled while the 4402s' map was empty (no feedback for the map's entries), was entered again at each
   * sweep and deoptimised every time it reached the 4402s (380 deoptimisations in the outage flood after another).
   */
  private sweep(final: boolean): void {
    this.lastSweep = this.clock;
    this.resolveDue(final ? Number.POSITIVE_INFINITY : this.clock);
    this.closeDue(final);
    this.expireContext(final);
  }

  /** Join the user-less events due by `until` (only those due before it when not `inclusive`). */
  private resolveDue(until: number, inclusive = true): void {
    for (let e = this.pending.next(until, inclusive); e !== undefined; e = this.pending.next(until, inclusive)) {
      resolvePending(e, this.pending.lastGatewayHost, this.joins);
      this.realignTold();
    }
  }

  /** Close the attempts due (every one when `final`). */
  private closeDue(final: boolean): void {
    // Only the attempts that close are ordered (by start).
    const due = final ? this.attempts.dueAll() : this.attempts.dueBefore(this.clock);
    for (let i = 0; i < due.length; i++) this.close(due[i]!, final);
  }

  /** Hand back the context events no attempt took, and forget what no attempt still open can need. */
  private expireContext(final: boolean): void {
    const signingWindow = this.config.signingRequestWindowMs ?? DEFAULT_SIGNING_WINDOW_MS;
    const horizon = this.clock - this.windows.dedupWindowMs;
    const expired = this.context.expire(
      final ? Number.POSITIVE_INFINITY : horizon,
      final ? Number.POSITIVE_INFINITY : horizon - signingWindow,
    );
    for (const event of expired.clientErrors) this.drop(event, 'unmatched_radius_client_event');
    for (const event of expired.repeatedClientErrors) this.drop(event, 'repeated_radius_client_event');
    for (const event of expired.signing) this.drop(event, 'machine_request');
    // Duplicate detection only needs to remember events that could still arrive within the reorder window.
    if (!final) this.dedup.forget(this.clock);
    if (!final) this.joins.addresses.forget(this.clock - CLIENT_ADDRESS_TTL_MS);
    if (!final)
      this.context.forgetRequestsBefore(this.clock - this.windows.retentionMs - this.config.clockSkewToleranceMs);
    // An attempt still open has its decision within the retention window: a 4402 before it explains none.
    if (!final)
      this.context.forgetDirectoryBefore(this.clock - this.windows.retentionMs - this.config.clockSkewToleranceMs);
  }

  private close(a: OpenAttempt, final: boolean): void {
    this.attempts.remove(a);
    const explaining = this.context.eventsFor(a);
    for (let i = 0; i < explaining.length; i++) addToAttempt(a, explaining[i]!);
    if (isOtherRadiusTraffic(a, this.config)) for (const e of eventsOf(a)) this.drop(e, 'non_otp_radius');
    else {
      const timedOut = a.last + this.windows.closeDelayMs < this.clock;
      const closedBy = a.client !== null ? 'result' : final && !timedOut ? 'end_of_input' : 'timeout';
      const { context } = this;
      const refusal = context.refusalAround(a, this.config.gatewayJoinSlackMs);
      this.closed.push(closedAttempt(a, closedBy, context.outageNear(a), context.directoryNear(a), refusal));
    }
    // What the caller gets is a copy: the attempt's object can open another.
    this.attempts.recycle(a);
  }
}

/** The output of a call that closed and dropped nothing: frozen, so that a caller's push fails loudly. */
const NO_ATTEMPTS: ClosedAttempt[] = [];
const NO_DROPS: Drop[] = [];
Object.freeze(NO_ATTEMPTS);
Object.freeze(NO_DROPS);
const NOTHING: EngineOutput = Object.freeze({ attempts: NO_ATTEMPTS, drops: NO_DROPS });

const DEFAULT_SIGNING_WINDOW_MS = 86_400_000;
/**
 * How long a client address is taken to stay its computer's (`ClientAddresses`): a DirectAccess client keeps its
 * address while connected, and a user's attempts and retries come within minutes.
 */
const CLIENT_ADDRESS_TTL_MS = 8 * 3_600_000;

/** The DA server (host key) of each RADIUS client address the configuration gives (`daServerAddresses`). */
function serversByAddress(config: EngineConfig): Map<string, string> {
  const servers = new Map<string, string>();
  for (const [name, addresses] of Object.entries(config.daServerAddresses ?? {}))
    for (const address of addresses) servers.set(address.toLowerCase(), hostKey(name));
  return servers;
}
