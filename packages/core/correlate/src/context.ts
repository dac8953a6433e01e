import type { CaRequest, CaResult, RadiusClientError, RadiusDecision } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { hostKey, lowerHost } from './hosts.js';

/** A CA event of the DA server's own request for its OTP signing certificate. */
export type SigningEvent = CaRequest | CaResult;

interface Held<E> {
  readonly events: E[];
  /** Latest event time of the entry. */
  time: number;
  used: boolean;
}

/**
 * Events that name no user but explain every attempt of one DA server for a while (docs/windows-events.md §9): NPS
 * refusing the DA server as a RADIUS client (System 13/14/17/18), and the CA's decisions on the DA server's own
 * requests for its OTP signing certificate. They are held here and attached when an attempt closes, once every event
 * that could belong to it has been placed; those no attempt took are handed back when they expire.
 */
export class DaServerContext {
  private readonly clientErrors: Held<RadiusClientError>[] = [];
  /** Signing requests by CA computer and request ID. */
  private readonly signing = new Map<string, Held<SigningEvent> & { readonly machine: string }>();
  /** No held signing request is older than this (its latest event): a sweep before it has none to expire. */
  private signingOldest = Number.POSITIVE_INFINITY;
  /** Times of recent denials for reason 4 or 5 (no GC / no DC), by NPS server: a domain-controller outage. */
  private readonly outages = new Map<string, number[]>();
  /** RADIUS client addresses NPS logged for a DA server name (ClientName/NASIdentifier → ClientIPAddress). */
  private readonly addresses = new Map<string, Set<string>>();

  constructor(
    private readonly skewMs: number,
    private readonly signingWindowMs: number,
    configured: Readonly<Record<string, readonly string[]>>,
  ) {
    for (const [name, list] of Object.entries(configured))
      this.addresses.set(hostKey(name), new Set(list.map((ip) => ip.toLowerCase())));
  }

  addClientError(e: RadiusClientError): void {
    this.clientErrors.push({ events: [e], time: e.time, used: false });
  }

  /** Keep an event of the DA server's request for its signing certificate, with the other events of that request. */
  addSigning(e: SigningEvent): void {
    const key = requestKey(e.ref.computer, e.requestId);
    const held = this.signing.get(key);
    if (held === undefined) {
      this.signing.set(key, { events: [e], time: e.time, used: false, machine: hostKey(e.machineRequester ?? '') });
      if (e.time < this.signingOldest) this.signingOldest = e.time;
    } else {
      held.events.push(e);
      held.time = Math.max(held.time, e.time);
    }
  }

  /** A CertificationAuthority application event (no requester) joins a held signing request of its request ID. */
  joinSigning(e: CaResult): boolean {
    const held = this.signing.get(requestKey(e.ref.computer, e.requestId));
    if (held === undefined) return false;
    held.events.push(e);
    return true;
  }

  /**
   * Whether NPS denied another request for reason 4 or 5 (GC / domain unavailable) around this attempt's decision:
   * with it, reason 7 (domain unknown) is a domain-controller outage too (docs/windows-events.md §9).
   */
  outageNear(a: OpenAttempt): boolean {
    const r = a.radius;
    if (r === null) return false;
    const times = this.outages.get(hostKey(r.ref.computer));
    if (times === undefined) return false;
    for (const t of times) if (Math.abs(t - r.time) <= this.skewMs) return true;
    return false;
  }

  /** Learn which addresses a DA server sends RADIUS from, and where NPS lost its domain controllers. */
  learn(r: RadiusDecision): void {
    if (r.decision === 'denied' && (r.reasonCode === 4 || r.reasonCode === 5)) {
      const key = hostKey(r.ref.computer);
      // Only the recent ones matter; the list stays short.
      const times = (this.outages.get(key) ?? []).filter((t) => t >= r.time - 2 * this.skewMs);
      times.push(r.time);
      this.outages.set(key, times);
    }
    if (r.clientIp === null) return;
    const ip = lowerHost(r.clientIp);
    if (r.clientName !== null) this.learnAddress(r.clientName, ip);
    if (r.nasIdentifier !== null) this.learnAddress(r.nasIdentifier, ip);
  }

  private learnAddress(name: string, ip: string): void {
    const key = hostKey(name);
    const set = this.addresses.get(key);
    if (set === undefined) this.addresses.set(key, new Set([ip]));
    else set.add(ip);
  }

  /** The context events that explain a closing attempt (each event may explain several attempts). */
  eventsFor(a: OpenAttempt): readonly (RadiusClientError | SigningEvent)[] {
    const g = a.gateway;
    // Most attempts are explained by neither kind: they are told apart before anything is gathered.
    const refusedClient = a.radius === null && g !== null && this.clientErrors.length > 0;
    const signing =
      a.radius?.decision === 'granted' && a.caRequest === null && a.caResults.length === 0 && this.signing.size > 0;
    if (a.probe || !(refusedClient || signing)) return NO_EVENTS;
    const hosts = daHosts(a);
    if (hosts.length === 0) return NO_EVENTS;
    const out: (RadiusClientError | SigningEvent)[] = [];
    if (refusedClient) {
      const addresses = new Set<string>(hosts.flatMap((h) => [...(this.addresses.get(h) ?? [])]));
      if (g.serverIp !== null) addresses.add(g.serverIp.toLowerCase());
      for (const held of this.clientErrors) {
        const e = held.events[0]!;
        const named = hosts.includes(hostKey(e.client)) || addresses.has(e.client.toLowerCase());
        if (named && e.time >= g.startTime - this.skewMs && e.time <= g.time + this.skewMs) {
          held.used = true;
          out.push(e);
        }
      }
    }
    if (signing) {
      // The DA server's latest signing request before the attempt decides: a later issued one supersedes a denial.
      let latest: (Held<SigningEvent> & { machine: string }) | null = null;
      for (const held of this.signing.values()) {
        if (!hosts.includes(held.machine) || held.time > a.last + this.skewMs) continue;
        if (held.time < a.first - this.signingWindowMs) continue;
        if (latest === null || held.time > latest.time) latest = held;
      }
      const refused = latest?.events.some(
        (e) => e.kind === 'ca.result' && (e.status === 'denied' || e.status === 'error'),
      );
      if (latest !== null && refused === true) {
        latest.used = true;
        for (const e of latest.events) out.push(e);
      }
    }
    return out;
  }

  /** Events older than `before` that no attempt took (all of them when `before` is infinite), forgotten here. */
  expire(
    clientErrorsBefore: number,
    signingBefore: number,
  ): { clientErrors: RadiusClientError[]; signing: SigningEvent[] } {
    // Most sweeps expire nothing: no list is built and no entry is read (the signing requests are held for a day).
    if (this.clientErrors.length === 0 && (this.signing.size === 0 || this.signingOldest >= signingBefore))
      return NOTHING_EXPIRED;
    const clientErrors: RadiusClientError[] = [];
    const signing: SigningEvent[] = [];
    for (let i = this.clientErrors.length - 1; i >= 0; i--) {
      const held = this.clientErrors[i]!;
      if (held.time >= clientErrorsBefore) continue;
      this.clientErrors.splice(i, 1);
      if (!held.used) for (const e of held.events) clientErrors.push(e);
    }
    if (this.signingOldest < signingBefore) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const [key, held] of this.signing) {
        if (held.time >= signingBefore) {
          if (held.time < oldest) oldest = held.time;
          continue;
        }
        this.signing.delete(key);
        if (!held.used) for (const e of held.events) signing.push(e);
      }
      this.signingOldest = oldest;
    }
    return { clientErrors, signing };
  }
}

/** Names of the DA server an attempt went through (each once): the IIS host, and the RADIUS client NPS named. */
function daHosts(a: OpenAttempt): string[] {
  const hosts: string[] = [];
  if (a.gateway !== null) hosts.push(hostKey(a.gateway.ref.computer));
  const r = a.radius;
  if (r !== null) {
    addHost(hosts, r.clientName);
    addHost(hosts, r.nasIdentifier);
  }
  return hosts;
}

function addHost(hosts: string[], name: string | null): void {
  if (name === null) return;
  const key = hostKey(name);
  if (!hosts.includes(key)) hosts.push(key);
}

/** What a sweep that expires nothing gets (never written). */
const NOTHING_EXPIRED: { clientErrors: RadiusClientError[]; signing: SigningEvent[] } = Object.freeze({
  clientErrors: Object.freeze([]) as unknown as RadiusClientError[],
  signing: Object.freeze([]) as unknown as SigningEvent[],
});

/** What a closing attempt that no context event explains gets (never written). */
const NO_EVENTS: readonly (RadiusClientError | SigningEvent)[] = Object.freeze([]);

function requestKey(computer: string, requestId: number): string {
  return `${computer.toLowerCase()}|${requestId}`;
}
