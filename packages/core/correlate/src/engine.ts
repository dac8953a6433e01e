import type { DropReason } from '@otptrace/model';
import type {
  CaResult,
  ClientEvent,
  GatewayEvent,
  NormalizedEvent,
  RadiusDirectoryUnavailable,
} from '@otptrace/schemas';
import { addToAttempt, type ClosedAttempt, newAttempt, type OpenAttempt, type Slot } from './attempt.js';
import { type EngineConfig, type EngineWindows, SWEEP_INTERVAL_MS, windowsOf } from './config.js';
import { DaServerContext } from './context.js';
import { eventBefore, MinHeap } from './heap.js';
import { hostKey, matchGateway, matchUserlessClient, sameHost } from './joins.js';
import { acceptsEvent } from './placement.js';

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

type Pending =
  | { readonly type: 'gateway'; readonly event: GatewayEvent }
  | { readonly type: 'client'; readonly event: ClientEvent }
  | { readonly type: 'directory'; readonly event: RadiusDirectoryUnavailable }
  | { readonly type: 'caApp'; readonly event: CaResult };

/**
 * ③ Stitches normalised events into attempts by event time. Time only enters as the watermark given to
 * `advance()`: the engine reads no clock, so replaying old logs gives the same attempts as the live stream did.
 *
 * Events of a named user are placed at once (in event-time order, after the reorder buffer) into the user's earliest
 * open attempt whose slot for that step is free and whose other steps are consistent in order (within the clock-skew
 * tolerance) and in meaning; otherwise they open a new attempt. Events that name no user (IIS requests, NPS 4402,
 * CertificationAuthority application events, most client events) wait until every event that could match them has
 * been placed, then join the one attempt they fit, or are counted as dropped.
 */
export class CorrelationEngine {
  private readonly buffer = new MinHeap<NormalizedEvent>(eventBefore);
  private readonly byUser = new Map<string, OpenAttempt[]>();
  private readonly open = new Set<OpenAttempt>();
  private readonly byRequest = new Map<string, OpenAttempt>();
  /** Open attempts by host (client machine `m:`, CA `c:`, NPS `r:` + short name): the joins look here, not at all. */
  private readonly byHost = new Map<string, Set<OpenAttempt>>();
  private readonly hostKeys = new WeakMap<OpenAttempt, string[]>();
  /** When each open attempt may close (its last event plus the close delay), lazily: stale entries are skipped. */
  private readonly closeQueue = new MinHeap<{ readonly at: number; readonly a: OpenAttempt }>((x, y) => x.at < y.at);
  private readonly pending: Pending[] = [];
  /** Events about a DA server as a whole, attached to its attempts as they close. */
  private readonly context: DaServerContext;
  private readonly seen = new Map<string, NormalizedEvent>();
  private drops: Drop[] = [];
  private closed: ClosedAttempt[] = [];
  private seq = 0;
  private clock = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** The windows derived from the configuration: join and close delays, duplicate window, retention. */
  readonly windows: EngineWindows;
  private readonly pendingDelay: number;
  private readonly closeDelay: number;
  private readonly dedupWindow: number;

  constructor(private readonly config: EngineConfig) {
    this.windows = windowsOf(config);
    this.pendingDelay = this.windows.pendingDelayMs;
    this.closeDelay = this.windows.closeDelayMs;
    this.dedupWindow = this.windows.dedupWindowMs;
    this.context = new DaServerContext(
      config.clockSkewToleranceMs,
      config.signingRequestWindowMs ?? DEFAULT_SIGNING_WINDOW_MS,
      config.daServerAddresses ?? {},
    );
  }

  /** How long after its own time the engine may still need an event (see `EngineWindows.retentionMs`). */
  get retentionMs(): number {
    return this.windows.retentionMs;
  }

  /** Number of attempts still open (for memory accounting and lag metrics). */
  get openAttempts(): number {
    return this.open.size;
  }

  /** Take one event. Duplicates (same computer, channel, EventRecordID) are dropped here. */
  add(event: NormalizedEvent): void {
    const earlier = this.seen.get(event.id);
    // The same record identity far apart in event time is another event: a cleared log restarts EventRecordID.
    // Fingerprints are only computed for such a repeat, which is rare.
    if (earlier !== undefined && Math.abs(earlier.time - event.time) <= this.dedupWindow) {
      const same = fingerprintOf(earlier) === fingerprintOf(event);
      this.drops.push({ event, reason: same ? 'duplicate_event' : 'conflicting_duplicate' });
      return;
    }
    this.seen.set(event.id, event);
    if (event.time + this.config.reorderDelayMs < this.clock) {
      // Too late to be placed in order: the caller decides where it goes (a late-events topic), never silently away.
      this.drops.push({ event, reason: 'late_event' });
      return;
    }
    this.buffer.push(event);
  }

  /** The watermark moved to `watermark` (event time): place what is due, resolve joins, close finished attempts. */
  advance(watermark: number): EngineOutput {
    const placeUpTo = watermark - this.config.reorderDelayMs;
    for (let e = this.buffer.peek(); e !== undefined && e.time <= placeUpTo; e = this.buffer.peek()) {
      this.buffer.pop();
      this.place(e);
    }
    if (placeUpTo > this.clock) this.clock = placeUpTo;
    // Joins and closing are swept at most every few seconds of event time; the delays make that safe.
    if (this.clock - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(false);
    return this.take();
  }

  /** The input has ended: place everything, resolve every join and close every attempt. */
  flush(): EngineOutput {
    for (let e = this.buffer.pop(); e !== undefined; e = this.buffer.pop()) this.place(e);
    this.sweep(true);
    return this.take();
  }

  private take(): EngineOutput {
    const out = { attempts: this.closed, drops: this.drops };
    this.closed = [];
    this.drops = [];
    return out;
  }

  private place(e: NormalizedEvent): void {
    switch (e.kind) {
      case 'gateway.request':
        if (e.method !== 'POST') this.drops.push({ event: e, reason: 'gateway_other_request' });
        else this.pending.push({ type: 'gateway', event: e });
        return;
      case 'radius.directory_unavailable':
        this.pending.push({ type: 'directory', event: e });
        return;
      case 'client.result':
        if (e.user === null) this.pending.push({ type: 'client', event: e });
        else this.placeByUser(e, 'client', true, 'unrelated_event');
        return;
      case 'radius.decision':
        this.context.learn(e);
        this.placeByUser(e, 'radius', true, 'unrelated_event');
        return;
      case 'radius.client_error':
        this.context.addClientError(e);
        return;
      case 'ca.request': {
        if (e.machineRequester != null) return void this.context.addSigning(e);
        if (e.user === null) return void this.drops.push({ event: e, reason: 'not_otp_request' });
        // A request for another template (user or machine autoenrolment) never joins: it is not this attempt's. One
        // whose template is unknown (version 0 events may not say) may join an attempt already open.
        const otp = templateKind(e.template, this.config.otpTemplate);
        if (otp === 'other') return void this.drops.push({ event: e, reason: 'not_otp_request' });
        const a = this.placeByUser(e, 'caRequest', otp === 'otp', 'not_otp_request');
        if (a !== null) this.byRequest.set(requestKey(e.ref.computer, e.requestId), a);
        return;
      }
      case 'ca.result': {
        if (e.machineRequester != null) return void this.context.addSigning(e);
        const a = this.byRequest.get(requestKey(e.ref.computer, e.requestId));
        if (a !== undefined && this.open.has(a)) return void this.join(a, e);
        if (e.user === null) return void this.pending.push({ type: 'caApp', event: e });
        const otp = templateKind(e.template, this.config.otpTemplate);
        if (otp === 'other') return void this.drops.push({ event: e, reason: 'unmatched_ca_result' });
        const placed = this.placeByUser(e, 'caResult', otp === 'otp', 'unmatched_ca_result');
        if (placed !== null) this.byRequest.set(requestKey(e.ref.computer, e.requestId), placed);
        return;
      }
    }
  }

  /** Put a user-named event in the user's first attempt that accepts it, or open one when `mayOpen`. */
  private placeByUser(e: NormalizedEvent, slot: Slot, mayOpen: boolean, dropReason: DropReason): OpenAttempt | null {
    const user = e.user!;
    const list = this.byUser.get(user.key);
    if (list !== undefined) {
      // An attempt that already has the client's result has ended for the user: a server event that fits an attempt
      // still waiting for it (a retry) goes there first; the ended one takes it only when nothing else fits (a client
      // clock behind the servers').
      const waiting = list.filter((a) => a.client === null);
      const ended = list.filter((a) => a.client !== null);
      for (const a of slot === 'client' ? list : [...waiting, ...ended]) {
        if (acceptsEvent(a, e, slot, this.config)) {
          this.join(a, e);
          return a;
        }
      }
    }
    if (!mayOpen) {
      this.drops.push({ event: e, reason: dropReason });
      return null;
    }
    const a = newAttempt(this.seq++, user.key, user, this.config.isProbe(user.key), e.time);
    addToAttempt(a, e);
    this.track(a);
    this.index(a, e);
    return a;
  }

  /** Put an event into an open attempt, keeping the host index and the close queue up to date. */
  private join(a: OpenAttempt, e: NormalizedEvent): void {
    addToAttempt(a, e);
    this.index(a, e);
  }

  private index(a: OpenAttempt, e: NormalizedEvent): void {
    this.closeQueue.push({ at: a.last + this.closeDelay, a });
    const keys = this.hostKeys.get(a) ?? [];
    const add = (key: string): void => {
      if (keys.includes(key)) return;
      keys.push(key);
      const set = this.byHost.get(key);
      if (set === undefined) this.byHost.set(key, new Set([a]));
      else set.add(a);
    };
    if (e.kind === 'ca.request' || e.kind === 'ca.result') add(`c:${hostKey(e.ref.computer)}`);
    if (e.kind === 'ca.request' && e.requestingMachine !== null) add(`m:${hostKey(e.requestingMachine)}`);
    if (e.kind === 'client.result') add(`m:${hostKey(e.ref.computer)}`);
    if (e.kind === 'radius.decision') add(`r:${hostKey(e.ref.computer)}`);
    this.hostKeys.set(a, keys);
  }

  private hosted(key: string): Iterable<OpenAttempt> {
    return this.byHost.get(key) ?? [];
  }

  private track(a: OpenAttempt): void {
    this.open.add(a);
    const key = a.userKey ?? `@${a.clientMachine ?? ''}`;
    const list = this.byUser.get(key);
    if (list === undefined) this.byUser.set(key, [a]);
    else list.push(a);
  }

  private sweep(final: boolean): void {
    this.lastSweep = this.clock;
    this.resolvePending(final);
    // Only the attempts that close are ordered (by start): the close queue hands out those whose time came.
    const closing: OpenAttempt[] = [];
    if (final) closing.push(...this.open);
    else {
      for (let top = this.closeQueue.peek(); top !== undefined && top.at < this.clock; top = this.closeQueue.peek()) {
        this.closeQueue.pop();
        // Stale entries (the attempt got later events, or is closed already) are skipped.
        if (this.open.has(top.a) && top.a.last + this.closeDelay === top.at && !closing.includes(top.a))
          closing.push(top.a);
      }
    }
    closing.sort((x, y) => x.first - y.first || x.seq - y.seq);
    for (const a of closing) this.close(a, final);
    const expired = this.context.expire(
      final ? Number.POSITIVE_INFINITY : this.clock - this.dedupWindow,
      final
        ? Number.POSITIVE_INFINITY
        : this.clock - this.dedupWindow - (this.config.signingRequestWindowMs ?? DEFAULT_SIGNING_WINDOW_MS),
    );
    for (const event of expired.clientErrors) this.drops.push({ event, reason: 'unmatched_radius_client_event' });
    for (const event of expired.signing) this.drops.push({ event, reason: 'machine_request' });
    // Duplicate detection only needs to remember events that could still arrive within the reorder window.
    const horizon = this.clock - this.dedupWindow;
    for (const [id, s] of this.seen) {
      if (final || s.time >= horizon) break;
      this.seen.delete(id);
    }
  }

  private resolvePending(final: boolean): void {
    if (this.pending.length === 0) return;
    this.pending.sort((x, y) => this.dueTime(x) - this.dueTime(y) || (eventBefore(x.event, y.event) ? -1 : 1));
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (!final && this.dueTime(p) > this.clock) keep.push(p);
      else this.resolve(p);
    }
    this.pending.length = 0;
    this.pending.push(...keep);
  }

  /**
   * When a pending event is joined. An IIS request waits one skew longer than a client event, so that a client result
   * logged right after the response (which may itself open the attempt, e.g. 10016 after a 403) is placed first.
   */
  private dueTime(p: Pending): number {
    return p.event.time + (p.type === 'gateway' ? this.windows.gatewayDelayMs : this.pendingDelay);
  }

  private resolve(p: Pending): void {
    switch (p.type) {
      case 'gateway': {
        const m = matchGateway(p.event, this.open, this.config);
        if (m.kind === 'one') this.join(m.attempt, p.event);
        else if (m.kind === 'ambiguous') {
          for (const a of m.attempts) a.gatewayAmbiguous = true;
          this.drops.push({ event: p.event, reason: 'ambiguous_gateway_request' });
        } else this.drops.push({ event: p.event, reason: 'unmatched_gateway_request' });
        return;
      }
      case 'client': {
        const caHost = p.event.caName === null ? null : p.event.caName.split('\\')[0]!;
        const a = matchUserlessClient(
          p.event,
          {
            byMachine: this.hosted(`m:${hostKey(p.event.ref.computer)}`),
            byCa: caHost === null ? [] : this.hosted(`c:${hostKey(caHost)}`),
            all: this.open,
          },
          this.config,
        );
        if (a !== null) return void this.join(a, p.event);
        if (this.config.opensUserlessAttempt?.(p.event) === false) {
          this.drops.push({ event: p.event, reason: 'userless_not_owner' });
          return;
        }
        // Nothing on the servers matches (e.g. the client never reached them): an attempt of its own.
        const own = newAttempt(this.seq++, null, null, false, p.event.time);
        addToAttempt(own, p.event);
        this.track(own);
        this.index(own, p.event);
        return;
      }
      case 'directory': {
        let attached = false;
        for (const a of this.hosted(`r:${hostKey(p.event.ref.computer)}`)) {
          const r = a.radius;
          // NPS log files name the server by its short name, the event logs by FQDN.
          if (r === null || r.decision !== 'denied' || !sameHost(r.ref.computer, p.event.ref.computer)) continue;
          if (Math.abs(r.time - p.event.time) > this.config.clockSkewToleranceMs) continue;
          this.join(a, p.event);
          attached = true;
        }
        if (!attached) this.drops.push({ event: p.event, reason: 'unmatched_directory_event' });
        return;
      }
      case 'caApp': {
        const a = this.byRequest.get(requestKey(p.event.ref.computer, p.event.requestId));
        if (a !== undefined && this.open.has(a)) this.join(a, p.event);
        else if (!this.context.joinSigning(p.event)) this.drops.push({ event: p.event, reason: 'unmatched_ca_result' });
        return;
      }
    }
  }

  /** An attempt made only of an NPS decision for other RADIUS traffic (Wi-Fi EAP, a gateway) is no OTP attempt. */
  private isOtherRadiusTraffic(a: OpenAttempt): boolean {
    const type = a.radius?.authenticationType?.toLowerCase();
    if (a.probe || type === undefined || this.config.nonOtpAuthenticationTypes?.has(type) !== true) return false;
    return a.gateway === null && a.client === null && a.caRequest === null && a.caResults.length === 0;
  }

  private close(a: OpenAttempt, final: boolean): void {
    this.open.delete(a);
    for (const key of this.hostKeys.get(a) ?? []) {
      const set = this.byHost.get(key);
      set?.delete(a);
      if (set?.size === 0) this.byHost.delete(key);
    }
    const key = a.userKey ?? `@${a.clientMachine ?? ''}`;
    const list = this.byUser.get(key);
    if (list !== undefined) {
      const i = list.indexOf(a);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byUser.delete(key);
    }
    for (const e of a.events) {
      if (e.kind === 'ca.request' || e.kind === 'ca.result')
        this.byRequest.delete(requestKey(e.ref.computer, e.requestId));
    }
    for (const e of this.context.eventsFor(a)) addToAttempt(a, e);
    a.directoryOutageNearby = this.context.outageNear(a);
    if (this.isOtherRadiusTraffic(a)) {
      for (const e of a.events) this.drops.push({ event: e, reason: 'non_otp_radius' });
      return;
    }
    const timedOut = a.last + this.closeDelay < this.clock;
    this.closed.push({
      userKey: a.userKey,
      user: a.user,
      probe: a.probe,
      first: a.first,
      last: a.last,
      events: [...a.events].sort((x, y) => (eventBefore(x, y) ? -1 : 1)),
      radius: a.radius,
      directory: a.directory,
      radiusClientErrors: a.radiusClientErrors,
      signing: a.signing,
      directoryOutageNearby: a.directoryOutageNearby,
      gateway: a.gateway,
      gatewayAmbiguous: a.gatewayAmbiguous,
      caRequest: a.caRequest,
      caResults: a.caResults,
      client: a.client,
      clientMachine: a.clientMachine,
      closedBy: a.client !== null ? 'result' : final && !timedOut ? 'end_of_input' : 'timeout',
    });
  }
}

/** Whether a certificate template is an OTP logon template, another one, or not named by the event. */
function templateKind(template: string | null, otp: RegExp): 'otp' | 'other' | 'unknown' {
  if (template === null || template === '') return 'unknown';
  return otp.test(template) ? 'otp' : 'other';
}

const DEFAULT_SIGNING_WINDOW_MS = 86_400_000;

function requestKey(computer: string, requestId: number): string {
  return `${computer.toLowerCase()}|${requestId}`;
}

// Two copies of one record are the same event when what otptrace reads from them is the same: time, user and the
// verdict-bearing fields, folded into a 32-bit FNV-1a hash (the duplicate map keeps one number per event, not a copy).
function fingerprintOf(e: NormalizedEvent): number {
  let text = `${e.ref.eventId}|${e.ref.provider}|${e.time}|${e.user?.key ?? ''}|${e.user?.domain ?? ''}`;
  switch (e.kind) {
    case 'radius.decision':
      text += `|${e.decision}|${e.reasonCode}|${e.clientName}`;
      break;
    case 'ca.request':
      text += `|${e.requestId}|${e.template}`;
      break;
    case 'ca.result':
      text += `|${e.requestId}|${e.status}|${e.hresult}`;
      break;
    case 'client.result':
      text += `|${e.errorCode}|${e.caName}|${e.serverAddress}`;
      break;
    case 'gateway.request':
      text += `|${e.status}|${e.method}|${e.clientIp}|${e.timeTakenMs}`;
      break;
    case 'radius.directory_unavailable':
      text += `|${e.domain}`;
      break;
    case 'radius.client_error':
      text += `|${e.client}|${e.problem}`;
      break;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
