import type {
  CaRequest,
  CaResult,
  GatewayEvent,
  RadiusClientError,
  RadiusDecision,
  RadiusDirectoryUnavailable,
} from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { HTTP_403_ERROR } from './client-phase.js';
import { serverDriftOf, waitedForRadius } from './config.js';
import { hostKey, lowerHost, sameHost } from './hosts.js';
import type { LearnedServer } from './server-clocks.js';

/** A CA event of the DA server's own request for its OTP signing certificate. */
export type SigningEvent = CaRequest | CaResult;

interface Held<E> {
  readonly events: E[];
  /** Latest event time of the entry. */
  time: number;
  used: boolean;
  /** A refusal of a RADIUS client is in an attempt (which carries the nearest few as evidence). */
  attached?: boolean;
}

/**
 * An NPS refusal of a RADIUS client, with the client's host key and lower-case address worked out once: every closing
 * attempt of its DA server compares them, and reading them off the (cold) event cost a cache miss each time.
 */
interface HeldClientError extends Held<RadiusClientError> {
  readonly host: string;
  readonly address: string;
}

/**
 * The NPS refusals of its DA server an unanswered attempt carries as evidence: those during its IIS request, else the
 * nearest to it. It is explained by every one around the request, but in an outage (a wrong shared secret) NPS logs
 * one per request, and each attempt carrying all of them made the output grow with the square of the outage (2,000
 * requests in 200 s: 1.3 GB of JSON, 25 s).
 */
const CLIENT_ERRORS_KEPT = 3;

/**
 * Events that name no user but explain every attempt of one DA server for a while (docs/windows-events.md §9): NPS
 * refusing the DA server as a RADIUS client (System 13/14/17/18), and the CA's decisions on the DA server's own
 * requests for its OTP signing certificate. They are held here and attached when an attempt closes, once every event
 * that could belong to it has been placed; those no attempt took are handed back when they expire.
 */
export class DaServerContext {
  private readonly clientErrors: HeldClientError[] = [];
  /** Signing requests by CA computer and request ID. */
  private readonly signing = new Map<string, Held<SigningEvent> & { readonly machine: string }>();
  /** No held signing request is older than this (its latest event): a sweep before it has none to expire. */
  private signingOldest = Number.POSITIVE_INFINITY;
  /** The DA servers' OTP requests in runs of the same answer, in time order... */
  private readonly answers = new AnswerRuns();
  /**
   * ...and each server's own, by host key: one server's outage (403.16 after a root certificate change) refuses its
   * requests alike while the others' succeed in between.
   */
  private readonly answersByServer = new Map<string, AnswerRuns>();
  /**
   * Each server's OTP requests that waited for RADIUS (`waitedForRadius`), by host key, in the order of their starts:
   * which of them an NPS refusal of the server was (`ownsRefusal`).
   */
  private readonly waitedByServer = new Map<string, GatewayEvent[]>();
  /**
   * The time windows of unanswered attempts that refusals naming each DA server explain: by its name (host key), and
   * by its address (lower case). Two maps rather than one of prefixed keys: no key string made per closing attempt.
   */
  private readonly explainedHosts = new Intervals();
  private readonly explainedAddresses = new Intervals();
  /** Recent denials for reason 4 or 5 (no GC / no DC), by NPS server: a domain-controller outage. */
  private readonly outages = new HostTimes();
  /** NPS 4402s (no domain controller for a domain), by NPS server. */
  private readonly directory = new HostTimes();
  /** RADIUS client addresses NPS logged for a DA server name (ClientName/NASIdentifier → ClientIPAddress). */
  private readonly addresses = new Map<string, Set<string>>();
  /** The same the other way round: the names (host keys) NPS or the configuration gave each address. */
  private readonly claimants = new Map<string, string[]>();
  /**
   * Host keys known to be DA servers: those whose IIS requests were read, and those the configuration gives addresses.
   * An address NPS names only by other names (an administrator's friendly name) may be any DA server's.
   */
  private readonly servers = new Set<string>();
  /** The configuration's addresses of each DA server (host key): applied by every run, so never carried over. */
  private readonly configured = new Map<string, Set<string>>();
  /**
   * The RADIUS client addresses NPS knew an unanswered attempt's DA server at when the IIS join gave the attempt its
   * request, until the attempt closes: what is learned later does not change it, so a stream closing the attempt
   * later gives the same evidence.
   */
  private readonly joinedServers = new Map<OpenAttempt, readonly string[]>();
  /** How long before a client's result its DA server may have asked RADIUS (see `eventsFor`). */
  private readonly requestSpanMs: number;
  /** How far NPS's clock may put a refusal outside the IIS request it answered (`serverDriftOf`). */
  private readonly serverDriftMs: number;

  constructor(
    private readonly skewMs: number,
    private readonly signingWindowMs: number,
    configured: Readonly<Record<string, readonly string[]>>,
    /** How long the DA servers wait for a RADIUS answer. */
    private readonly radiusTimeoutMs: number,
    /** The IIS join's slack: a request is logged up to it before its client's result; the servers' clocks' jitter. */
    private readonly slackMs: number,
    /** The DA servers an earlier engine of the same site knew, with their NPS addresses (`knownServers`). */
    priors: readonly LearnedServer[] = [],
  ) {
    this.requestSpanMs = radiusTimeoutMs + slackMs;
    this.serverDriftMs = serverDriftOf({ clockSkewToleranceMs: skewMs, gatewayJoinSlackMs: slackMs });
    for (const [name, list] of Object.entries(configured)) {
      const key = hostKey(name);
      this.servers.add(key);
      const addresses = new Set(list.map((ip) => ip.toLowerCase()));
      this.configured.set(key, addresses);
      for (const ip of addresses) this.learnAddress(name, ip);
    }
    for (const prior of priors) {
      this.servers.add(prior.server);
      for (const ip of prior.npsAddresses ?? NO_ADDRESSES) this.learnAddress(prior.server, ip);
    }
  }

  /**
   * The DA servers known so far beyond the configuration (host keys, in name order: those whose IIS requests were
   * read, or an earlier run knew), each with the addresses NPS logged for its name, sorted: what a stream carries over
   * an idle flush, so that its next run tells one server's refusals from another's as one reading of everything
   * would. The configuration is left out: every run applies it, and an address taken out of it is not kept alive.
   */
  knownServers(): { readonly server: string; readonly npsAddresses: string[] }[] {
    const out: { readonly server: string; readonly npsAddresses: string[] }[] = [];
    for (const server of [...this.servers].sort()) {
      const configured = this.configured.get(server);
      const npsAddresses = [...(this.addresses.get(server) ?? NO_ADDRESSES)].filter((ip) => !configured?.has(ip));
      if (configured === undefined || npsAddresses.length > 0) out.push({ server, npsAddresses: npsAddresses.sort() });
    }
    return out;
  }

  /** An NPS refusal of a RADIUS client, as it is placed (event-time order: the list stays in time order). */
  addClientError(e: RadiusClientError): void {
    const held: HeldClientError = {
      events: [e],
      time: e.time,
      used: false,
      attached: false,
      host: hostKey(e.client),
      address: e.client.toLowerCase(),
    };
    let at = this.clientErrors.length;
    while (at > 0 && this.clientErrors[at - 1]!.time > e.time) at--;
    // Nearly always at the tail (push: splice would allocate the empty array it returns).
    if (at === this.clientErrors.length) this.clientErrors.push(held);
    else this.clientErrors.splice(at, 0, held);
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
    return r !== null && this.outages.anyWithin(r.ref.computer, r.time - this.skewMs, r.time + this.skewMs, false);
  }

  /**
   * Whether its NPS server logged a 4402 (no domain controller) within the clock-skew tolerance of this attempt's
   * denial: the 4402 explains it, as it explains every denial around it. (The 4402 itself is evidence of the nearest
   * denial only, joins.ts: in an outage NPS logs one per request, and each denial carrying all of them made the
   * output grow with the square of the outage.)
   */
  directoryNear(a: OpenAttempt): boolean {
    const r = a.radius;
    if (r === null || r.decision !== 'denied') return false;
    return this.directory.anyWithin(r.ref.computer, r.time - this.skewMs, r.time + this.skewMs, true);
  }

  /** An OTP request of a DA server, as it is placed (event-time order). */
  noteRequest(g: GatewayEvent, host: string): void {
    this.servers.add(host);
    this.answers.add(g);
    let own = this.answersByServer.get(host);
    if (own === undefined) {
      own = new AnswerRuns();
      this.answersByServer.set(host, own);
    }
    own.add(g);
    if (g.status < 400 && waitedForRadius(g.timeTakenMs, this.radiusTimeoutMs) === true) {
      const waited = this.waitedByServer.get(host);
      if (waited === undefined) this.waitedByServer.set(host, [g]);
      else {
        // Placed by their ends: a request that waited longer than the one before began earlier (a few places back).
        let at = waited.length;
        while (at > 0 && waited[at - 1]!.startTime > g.startTime) at--;
        if (at === waited.length) waited.push(g);
        else waited.splice(at, 0, g);
      }
    }
  }

  /**
   * For an attempt the DA server refused (10005) with no IIS request joined to it: the refusal every request around
   * its client's result got (`ClosedAttempt.refusalAround`). An outage (a stopped application pool, an untrusted
   * certificate) refuses every request alike, many a second, and then any is as good as its own. `slackMs`: the IIS
   * join's slack (a request is logged up to it before the client's result).
   */
  refusalAround(a: OpenAttempt, slackMs: number): GatewayEvent | null {
    const client = a.client;
    if (a.gateway !== null || a.radius !== null || client === null || client.ref.eventId !== 10005 || a.probe)
      return null;
    // The requests of the server the client names, when its IIS log names it alike; else every server's (a client
    // may name the servers by a public name or address that no IIS log gives).
    const named = client.serverAddress === null ? undefined : this.answersByServer.get(hostKey(client.serverAddress));
    const runs = named ?? this.answers;
    // A client that reports the DA server's 403 (0x80040001, KB2973071) was refused: the requests answered in between
    // are others', and the refusals alone tell which one it got. Any other error leaves every answer in.
    const refusedOnly = client.errorCode === HTTP_403_ERROR;
    return refusalWithin(
      refusedOnly ? runs.refused : runs.all,
      client.time - this.skewMs,
      client.time + slackMs + this.skewMs,
    );
  }

  /**
   * Whether an NPS refusal of DA server `host` at `time` (on the server's clock) may be request `g`'s. NPS logs one per
   * RADIUS packet it drops (inferred, docs/windows-events.md §9), and the DA server sends a request's first packet as
   * the request begins, then one per RADIUS timeout. Not when another request of the server that waited for RADIUS
   * began after `g` and before the refusal, both by more than the IIS join's slack (the servers' clocks' jitter), and
   * still ran: the refusal is that one's. Nor when `g` began after the refusal while another ran. With a wrong shared
   * secret every request has its own first refusal; a refusal of the server's probe during a RADIUS outage lay inside
   * five timeouts of 20–30 s, and each was blamed on the secret (generated fleet 6052).
   */
  private ownsRefusal(g: GatewayEvent, host: string, time: number): boolean {
    const waited = this.waitedByServer.get(host);
    if (waited === undefined) return true;
    const slack = this.slackMs;
    // Another that began after `g` and before the refusal, and still ran.
    const after = firstIndex(0, waited.length, (k) => waited[k]!.startTime <= g.startTime + slack);
    for (let i = after; i < waited.length && waited[i]!.startTime < time - slack; i++)
      if (waited[i]!.time >= time - slack) return false;
    if (g.startTime <= time + slack) return true;
    // `g` began after the refusal: another that began before it (within the clock-skew tolerance, far longer than a DA
    // server waits for RADIUS) and still ran.
    for (let i = firstIndex(0, waited.length, (k) => waited[k]!.startTime < time - slack) - 1; i >= 0; i--) {
      const other = waited[i]!;
      if (other.startTime < time - this.skewMs) break;
      if (other.time >= time) return false;
    }
    return true;
  }

  /** Forget the requests before `time`: no attempt still open could have made them. */
  forgetRequestsBefore(time: number): void {
    this.answers.forgetBefore(time);
    for (const [host, runs] of this.answersByServer) if (runs.forgetBefore(time)) this.answersByServer.delete(host);
    for (const [host, waited] of this.waitedByServer) {
      // By their starts: one that began before `time` may have ended after it, and goes with the next forgetting.
      let k = 0;
      while (k < waited.length && waited[k]!.startTime < time - this.skewMs) k++;
      if (k === waited.length) this.waitedByServer.delete(host);
      else if (k > 0) waited.splice(0, k);
    }
  }

  /** An NPS 4402, as it is placed (event-time order). */
  noteDirectory(d: RadiusDirectoryUnavailable): void {
    this.directory.add(d.ref.computer, d.time);
  }

  /** Forget the 4402s before `time`: no attempt still open has a decision they could explain. */
  forgetDirectoryBefore(time: number): void {
    this.directory.forgetBefore(time);
  }

  /** Learn which addresses a DA server sends RADIUS from, and where NPS lost its domain controllers. */
  learn(r: RadiusDecision): void {
    if (r.decision === 'denied' && (r.reasonCode === 4 || r.reasonCode === 5)) {
      // Only the recent ones matter.
      this.outages.forgetBeforeOn(r.ref.computer, r.time - 2 * this.skewMs);
      this.outages.add(r.ref.computer, r.time);
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
    else if (set.has(ip)) return;
    else set.add(ip);
    const names = this.claimants.get(ip);
    if (names === undefined) this.claimants.set(ip, [key]);
    else if (!names.includes(key)) names.push(key);
  }

  /** Whether NPS or the configuration names address `ip` (lower case) by a DA server's host name. */
  private knownServerAt(ip: string): boolean {
    const names = this.claimants.get(ip);
    if (names === undefined) return false;
    for (let i = 0; i < names.length; i++) if (this.servers.has(names[i]!)) return true;
    return false;
  }

  /** The IIS join gave unanswered attempt `a` its request, on a DA server NPS knows at `addresses`. */
  rememberServer(a: OpenAttempt, addresses: readonly string[]): void {
    this.joinedServers.set(a, addresses.slice());
  }

  /** Whether NPS named one of the DA servers `hosts` as a RADIUS client by address, or the configuration does. */
  private anyAddressOf(hosts: readonly string[]): boolean {
    for (let i = 0; i < hosts.length; i++) if (this.addresses.has(hosts[i]!)) return true;
    return false;
  }

  /**
   * The addresses (lower case, each once) the DA servers `hosts` send RADIUS from: those the IIS join knew (`joined`),
   * those NPS logged for their names (in the order a set of them had), and the address the IIS request was served on:
   * a short list, not a set made for each closing attempt.
   */
  private addressesOf(hosts: readonly string[], serverIp: string | null, joined: readonly string[]): string[] {
    const addresses = joined.slice();
    for (let i = 0; i < hosts.length; i++)
      this.addresses.get(hosts[i]!)?.forEach((ip) => {
        if (!addresses.includes(ip)) addresses.push(ip);
      });
    if (serverIp !== null) {
      const ip = serverIp.toLowerCase();
      if (!addresses.includes(ip)) addresses.push(ip);
    }
    return addresses;
  }

  /** The context events that explain a closing attempt (each event may explain several attempts). */
  eventsFor(a: OpenAttempt): readonly (RadiusClientError | SigningEvent)[] {
    let joined: readonly string[] | undefined;
    if (this.joinedServers.size > 0) {
      joined = this.joinedServers.get(a);
      // The attempt's object may open another once closed.
      if (joined !== undefined) this.joinedServers.delete(a);
    }
    const g = a.gateway;
    // Most attempts are explained by neither kind: they are told apart before anything is gathered.
    const refusedClient = a.radius === null && this.clientErrors.length > 0 && (g !== null || refusedWithoutRequest(a));
    const signing =
      a.radius?.decision === 'granted' && a.caRequest === null && a.caResults.length === 0 && this.signing.size > 0;
    if (a.probe || !(refusedClient || signing)) return NO_EVENTS;
    const hosts = daHosts(a);
    const out: (RadiusClientError | SigningEvent)[] = [];
    if (refusedClient) {
      // When the DA server asked RADIUS: during its IIS request; without one (no IIS log read), in the span before the
      // client's result that a request waiting for RADIUS takes (the RADIUS timeout, logged up to the IIS join's slack
      // before the result), on the server the client names.
      let from: number;
      let to: number;
      let serverIp: string | null;
      // Whether the DA server waited for RADIUS (a request it refused itself is answered well within the timeout).
      let waited = true;
      if (g !== null) {
        // On NPS's clock, as the refusals are logged (`ServerClocks`): a DA server 30 s ahead of NPS put every one
        // outside its request, and the attempt read as RADIUS not answering.
        from = g.startTime + a.npsClockAheadMs;
        to = g.time + a.npsClockAheadMs;
        serverIp = g.serverIp;
        waited = waitedForRadius(g.timeTakenMs, this.radiusTimeoutMs) !== false;
      } else {
        const c = a.client!;
        const server = c.serverAddress!;
        to = c.time;
        from = to - this.requestSpanMs;
        // A client may name the server by address: then it is one, not a host name (whose first label is its key).
        serverIp = isIpAddress(server) ? server : null;
        if (serverIp === null) addHost(hosts, server);
      }
      const addresses = this.addressesOf(hosts, serverIp, joined ?? NO_ADDRESSES);
      // Around an IIS request, NPS's refusals are placed by two servers' clocks; before a client's result, by a laptop's.
      // Three minutes around a request in an outage took refusals of the same server's other requests, and blamed the
      // RADIUS client's settings for RADIUS timeouts.
      const reach = g !== null ? this.serverDriftMs : this.skewMs;
      const lo = from - reach;
      const hi = to + reach;
      // Every refusal naming the server in [lo, hi] explains the attempt (and is not unmatched when it expires).
      for (let i = 0; i < hosts.length; i++) this.explainedHosts.add(hosts[i]!, lo, hi);
      for (let i = 0; i < addresses.length; i++) this.explainedAddresses.add(addresses[i]!, lo, hi);
      // A DA server NPS has never named by address is refused from an address no other DA server is known by: a
      // refusal from such an address explains its requests that waited for RADIUS. Such a server is a node new to a
      // load-balanced cluster (asking from its own address rather than the cluster's), or one NPS knows only by a
      // friendly name, as the client's 10005 names it by its public name (with no IIS log read, nothing else ties the
      // two). A server whose address is known is refused from that address, so it never takes another's.
      const unclaimedToo = waited && joined === undefined && !this.anyAddressOf(hosts);
      const named = (held: HeldClientError) =>
        hosts.includes(held.host) ||
        addresses.includes(held.address) ||
        (unclaimedToo && isIpAddress(held.address) && !this.knownServerAt(held.address));
      // With the IIS request read, its span is known and its own tries' refusals lie in it; without, the span is a
      // guess (the request may have been tried more times than it holds), and the nearest ones outside it count too.
      // A refusal inside a request that waited for RADIUS is that request's only when no other request of the server
      // that waited began after the request and before the refusal (`ownsRefusal`).
      const server = g !== null && waited ? hostKey(g.ref.computer) : null;
      const own =
        server !== null
          ? (held: HeldClientError) => named(held) && this.ownsRefusal(g!, server, held.time - a.npsClockAheadMs)
          : named;
      const kept = nearestHeld(this.clientErrors, from, to, lo, hi, own, CLIENT_ERRORS_KEPT, g !== null);
      for (const held of kept) {
        held.attached = true;
        out.push(held.events[0]!);
        // The unclaimed address's other refusals around the request are explained too (counted as repeated).
        if (!addresses.includes(held.address)) {
          addresses.push(held.address);
          this.explainedAddresses.add(held.address, lo, hi);
        }
      }
    }
    if (signing && hosts.length > 0) {
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
  ): { clientErrors: RadiusClientError[]; repeatedClientErrors: RadiusClientError[]; signing: SigningEvent[] } {
    // Most sweeps expire nothing: no list is built and no entry is read (the signing requests are held for a day).
    if (this.clientErrors.length === 0 && (this.signing.size === 0 || this.signingOldest >= signingBefore))
      return NOTHING_EXPIRED;
    const clientErrors: RadiusClientError[] = [];
    const repeatedClientErrors: RadiusClientError[] = [];
    const signing: SigningEvent[] = [];
    // Held in time order: the expired ones are the first.
    const expired = heldAtOrAfter(this.clientErrors, clientErrorsBefore);
    for (const held of this.clientErrors.splice(0, expired)) {
      if (held.attached === true) continue;
      const e = held.events[0]!;
      const explained =
        this.explainedHosts.covers(held.host, e.time) || this.explainedAddresses.covers(held.address, e.time);
      (explained ? repeatedClientErrors : clientErrors).push(e);
    }
    this.explainedHosts.forgetBefore(clientErrorsBefore);
    this.explainedAddresses.forgetBefore(clientErrorsBefore);
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
    return { clientErrors, repeatedClientErrors, signing };
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

/**
 * Whether the DA server refused an attempt that has no IIS request (no IIS log was read, or the request went to
 * another): its client's 10005, naming the server it asked.
 */
function refusedWithoutRequest(a: OpenAttempt): boolean {
  const c = a.client;
  return a.gateway === null && c !== null && c.ref.eventId === 10005 && c.serverAddress !== null;
}

/** An IPv4 or IPv6 address rather than a host name (a name has no colon, and not four numeric labels alone). */
function isIpAddress(text: string): boolean {
  return text.includes(':') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(text);
}

function addHost(hosts: string[], name: string | null): void {
  if (name === null) return;
  const key = hostKey(name);
  if (!hosts.includes(key)) hosts.push(key);
}

/** What a sweep that expires nothing gets (never written). */
const NOTHING_EXPIRED: {
  clientErrors: RadiusClientError[];
  repeatedClientErrors: RadiusClientError[];
  signing: SigningEvent[];
} = Object.freeze({
  clientErrors: Object.freeze([]) as unknown as RadiusClientError[],
  repeatedClientErrors: Object.freeze([]) as unknown as RadiusClientError[],
  signing: Object.freeze([]) as unknown as SigningEvent[],
});

/** The first entry of a list held in time order whose time is at least `time`. */
function heldAtOrAfter(list: readonly { readonly time: number }[], time: number): number {
  // A binary search without `firstIndex`'s callback: every unanswered attempt that closes asks it.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index from `from` whose time is at least `time` (a list in time order; a binary search). `firstIndex`
 * without its callback: every closing attempt asks two of these lists (a closure per question).
 */
function firstTimeAtOrAfter(times: readonly number[], from: number, time: number): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, to) where `before` turns false (it holds for a prefix of the range: a binary search). */
function firstIndex(from: number, to: number, before: (i: number) => boolean): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The `count` entries `accept` takes in [lo, hi] nearest to the span [from, to] (those inside it first; ties: the
 * earlier), in time order: read outward from the span, not the whole window (an outage fills it with thousands). When
 * `insideSuffices`, only those inside if there are any: a request's own refusals are logged during it (one per try),
 * and with some inside, those outside are other requests' (in an outage, one a request), which are looked at only
 * when the clocks may have put the request's own there.
 */
function nearestHeld<H extends { time: number }>(
  list: readonly H[],
  from: number,
  to: number,
  lo: number,
  hi: number,
  accept: (held: H) => boolean,
  count: number,
  insideSuffices: boolean,
): H[] {
  const kept: H[] = [];
  const inside = heldAtOrAfter(list, from);
  // Inside the span: all equally near, the earliest first.
  for (let i = inside; i < list.length && list[i]!.time <= to && kept.length < count; i++)
    if (accept(list[i]!)) kept.push(list[i]!);
  if (kept.length === count || (insideSuffices && kept.length > 0)) return kept;
  let left = inside - 1;
  let right = inside;
  while (right < list.length && list[right]!.time <= to) right++;
  const before: H[] = [];
  while (kept.length + before.length < count) {
    const l = left >= 0 && list[left]!.time >= lo ? list[left]! : null;
    const r = right < list.length && list[right]!.time <= hi ? list[right]! : null;
    if (l === null && r === null) break;
    // The nearer side; equally near: the earlier (left) one.
    if (r === null || (l !== null && from - l.time <= r.time - to)) {
      left--;
      if (accept(l!)) before.push(l!);
    } else {
      right++;
      if (accept(r)) kept.push(r);
    }
  }
  if (before.length === 0) return kept;
  // The list is in time order, so those before the span (read leftward) then the others are: no sort needed.
  const inOrder: H[] = [];
  for (let i = before.length - 1; i >= 0; i--) inOrder.push(before[i]!);
  for (let i = 0; i < kept.length; i++) inOrder.push(kept[i]!);
  return inOrder;
}

/** OTP requests in runs of the same answer, in time order: every request, and the refused ones (status 400 or more). */
class AnswerRuns {
  readonly all: AnswerRun[] = [];
  readonly refused: AnswerRun[] = [];

  add(g: GatewayEvent): void {
    addToRuns(this.all, g);
    if (g.status >= 400) addToRuns(this.refused, g);
  }

  /** Forgets the runs that ended before `time`; whether none is left. */
  forgetBefore(time: number): boolean {
    forgetRunsBefore(this.all, time);
    forgetRunsBefore(this.refused, time);
    return this.all.length === 0;
  }
}

/** Adds OTP request `g` (in time order) to `runs`: to the last run when it got the same answer. */
function addToRuns(runs: AnswerRun[], g: GatewayEvent): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && last.status === g.status && last.subStatus === g.subStatus && g.time >= last.end) {
    last.end = g.time;
    last.count++;
  } else runs.push({ status: g.status, subStatus: g.subStatus, start: g.time, end: g.time, count: 1, first: g });
}

/** Drops the runs that ended before `time`. */
function forgetRunsBefore(runs: AnswerRun[], time: number): void {
  let k = 0;
  while (k < runs.length && runs[k]!.end < time) k++;
  if (k > 0) runs.splice(0, k);
}

/** The refusal (HTTP status 400 or more) that every OTP request of `runs` in [lo, hi] got alike, when there are several; else null. */
function refusalWithin(runs: readonly AnswerRun[], lo: number, hi: number): GatewayEvent | null {
  // The first run that ends at or after `lo`: every request in the window is in it when the next starts after `hi`.
  const first = firstIndex(0, runs.length, (i) => runs[i]!.end < lo);
  const run = runs[first];
  if (run === undefined || run.start > hi || run.status < 400 || run.count < 2) return null;
  const next = runs[first + 1];
  return next === undefined || next.start > hi ? run.first : null;
}

/** Consecutive OTP requests (in time order) that got the same answer. */
interface AnswerRun {
  readonly status: number;
  readonly subStatus: number | null;
  readonly start: number;
  end: number;
  count: number;
  /** Its first request, whose answer stands for the run's. */
  readonly first: GatewayEvent;
}

/** Time windows per key, merged as they come (mostly in time order), for "does one cover this time?". */
class Intervals {
  private readonly byKey = new Map<string, { starts: number[]; ends: number[] }>();

  add(key: string, lo: number, hi: number): void {
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = { starts: [], ends: [] };
      this.byKey.set(key, list);
    }
    const n = list.starts.length;
    // Overlapping the last (the usual case: attempts close in time order): merged into it.
    if (n > 0 && lo <= list.ends[n - 1]! && hi >= list.starts[n - 1]!) {
      list.starts[n - 1] = Math.min(list.starts[n - 1]!, lo);
      list.ends[n - 1] = Math.max(list.ends[n - 1]!, hi);
      return;
    }
    list.starts.push(lo);
    list.ends.push(hi);
  }

  covers(key: string, time: number): boolean {
    const list = this.byKey.get(key);
    if (list === undefined) return false;
    for (let i = list.starts.length - 1; i >= 0; i--) if (list.starts[i]! <= time && time <= list.ends[i]!) return true;
    return false;
  }

  /** Forget the windows that end before `time`. */
  forgetBefore(time: number): void {
    for (const [key, list] of this.byKey) {
      let k = 0;
      while (k < list.ends.length && list.ends[k]! < time) k++;
      if (k === list.ends.length) this.byKey.delete(key);
      else if (k > 0) {
        list.starts.splice(0, k);
        list.ends.splice(0, k);
      }
    }
  }
}

/** What a closing attempt that no context event explains gets (never written). */
const NO_EVENTS: readonly (RadiusClientError | SigningEvent)[] = Object.freeze([]);

function requestKey(computer: string, requestId: number): string {
  return `${computer.toLowerCase()}|${requestId}`;
}

/**
 * Times of one kind of event per NPS server (by short name), with the computer each names, in the order they come
 * (event-time order), forgotten from the front: a query for a window is a binary search, whatever the number held.
 */
class HostTimes {
  private readonly byHost = new Map<string, { times: number[]; computers: string[]; head: number }>();

  add(computer: string, time: number): void {
    const key = hostKey(computer);
    let list = this.byHost.get(key);
    if (list === undefined) {
      list = { times: [], computers: [], head: 0 };
      this.byHost.set(key, list);
    }
    // Events are placed in time order; one out of it (never expected) is put in its place all the same.
    let at = list.times.length;
    while (at > list.head && list.times[at - 1]! > time) at--;
    // Nearly always at the tail (push: splice would allocate the empty array it returns, twice per event).
    if (at === list.times.length) {
      list.times.push(time);
      list.computers.push(computer);
    } else {
      list.times.splice(at, 0, time);
      list.computers.splice(at, 0, computer);
    }
  }

  /**
   * Whether an event of the server `computer` names lies in [lo, hi]: of its short name, or (`exact`) of a name
   * `sameHost` matches (a short name and its FQDN, not two FQDNs of different domains).
   */
  anyWithin(computer: string, lo: number, hi: number, exact: boolean): boolean {
    const list = this.byHost.get(hostKey(computer));
    if (list === undefined) return false;
    const { times, computers } = list;
    for (let i = firstTimeAtOrAfter(times, list.head, lo); i < times.length && times[i]! <= hi; i++)
      if (!exact || sameHost(computers[i]!, computer)) return true;
    return false;
  }

  forgetBeforeOn(computer: string, time: number): void {
    const key = hostKey(computer);
    const list = this.byHost.get(key);
    if (list !== undefined && this.forget(list, time)) this.byHost.delete(key);
  }

  forgetBefore(time: number): void {
    for (const [key, list] of this.byHost) if (this.forget(list, time)) this.byHost.delete(key);
  }

  /** Drops the times before `time`; true when none is left. */
  private forget(list: { times: number[]; computers: string[]; head: number }, time: number): boolean {
    list.head = firstTimeAtOrAfter(list.times, list.head, time);
    if (list.head === list.times.length) return true;
    // Compact once the forgotten front is the larger part (amortised: each time is moved at most once more).
    if (list.head > 1024 && list.head * 2 > list.times.length) {
      list.times.splice(0, list.head);
      list.computers.splice(0, list.head);
      list.head = 0;
    }
    return false;
  }
}

const NO_ADDRESSES: readonly string[] = Object.freeze([]);
