import type { RootCauseCode } from '@otptrace/model';
import type { Outcome, Stage } from '@otptrace/schemas';
import type { CaServer, DaServer, Fleet, Host } from './fleet.js';
import type { Prng } from './prng.js';
import { type CaRequestSpec, renderCaApplicationEvent, renderCaDecision, renderCaReceived } from './render/ca.js';
import { CLIENT_CHANNEL, renderClientEvent } from './render/client.js';
import { IIS_CHANNEL, type IisRequest, OTP_URI_STEM, renderIisEvent } from './render/iis.js';
import {
  type RadiusSubject,
  renderNpsClientRefused,
  renderNpsDecision,
  renderNpsNoDomainController,
} from './render/nps.js';
import type { Stamp } from './render/stamp.js';

/** The four files a fleet is written to (docs/windows-events.md §0.2: one per source machine role). */
export const FLEET_FILES = ['client.xml', 'iis.xml', 'nps.xml', 'ca.xml'] as const;
export type FleetFile = (typeof FLEET_FILES)[number];

/** An event waiting for its time; rendered when it is written, so record IDs follow the write order. */
export interface ScheduledEvent {
  readonly time: number;
  readonly file: FleetFile;
  readonly host: Host;
  readonly channel: string;
  readonly render: (stamp: Stamp) => string;
}

/** The verdict `otptrace analyze` should reach for one attempt (one entry of expected.json). */
export interface ExpectedAttempt {
  readonly id: string;
  /** Lower-case `domain\sam`. */
  readonly user: string;
  /** ISO time of the attempt's first event (true time, before any host clock skew). */
  readonly start: string;
  readonly outcome: Exclude<Outcome, 'incomplete'>;
  readonly failedStage: Stage | null;
  readonly rootCause: RootCauseCode | null;
  /** The generator's scenario name, to read a mismatch. */
  readonly scenario: string;
  readonly detail: {
    readonly npsReasonCode: number | null;
    readonly caHresult: string | null;
    readonly clientEventId: number | null;
    readonly httpStatus: number | null;
  };
  /**
   * The client address (c-ip) of the attempt's IIS request, null when it made none: tells which logged request is the
   * attempt's own (each user's laptop has an address of its own), to check how `analyze` joined IIS requests, which
   * name no user.
   */
  readonly clientAddress: string | null;
  readonly hosts: {
    readonly client: string | null;
    readonly gateway: string;
    readonly radius: string | null;
    readonly ca: string | null;
  };
  /**
   * The attempt's own events in the client computer's log, at the time that log gives them (its clock's, skew
   * included): the analysed attempt holding one of them is this attempt, whatever the clocks say about the start.
   * Absent from files written before it was added.
   */
  readonly clientEvents?: readonly ClientLogEntry[];
}

/** One client event as its laptop logged it. */
export interface ClientLogEntry {
  readonly eventId: number;
  /** ISO time on the laptop's clock. */
  readonly logged: string;
}

/** Collects one attempt's events and the facts its verdict needs. */
export class AttemptBuilder {
  readonly events: ScheduledEvent[] = [];
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  npsReasonCode: number | null = null;
  caHresult: string | null = null;
  clientEventId: number | null = null;
  httpStatus: number | null = null;
  usedRadius = false;
  usedCa = false;
  usedClient = false;
  /** The c-ip of the attempt's IIS request, once it made one. */
  requestAddress: string | null = null;
  /** The client events so far, at the laptop's clock. */
  readonly clientLog: ClientLogEntry[] = [];

  constructor(
    readonly rng: Prng,
    readonly fleet: Fleet,
    readonly da: DaServer,
    readonly subject: RadiusSubject & { readonly upn: string; readonly dn: string },
    readonly client: Host | null,
    readonly clientAddress: string,
    readonly start: number,
    private readonly nextCaRequestId: (ca: CaServer) => number,
  ) {}

  /** `CORP\sam`, as the client and the CA write the user. */
  get domainUser(): string {
    return `${this.fleet.domain.netbios}\\${this.subject.sam}`;
  }

  private add(time: number, file: FleetFile, host: Host, channel: string, render: (s: Stamp) => string): void {
    this.first = Math.min(this.first, time);
    this.last = Math.max(this.last, time);
    this.events.push({ time, file, host, channel, render });
  }

  /** A client OtpCredentialProvider event. */
  clientEvent(time: number, eventId: number, values: readonly string[]): void {
    const host = this.client;
    if (host === null) throw new Error('probe attempts have no client');
    this.usedClient = true;
    this.clientEventId = eventId;
    this.clientLog.push({ eventId, logged: new Date(time + host.clockOffsetMs).toISOString() });
    this.add(time, 'client.xml', host, CLIENT_CHANNEL, (s) => renderClientEvent(s, eventId, values));
  }

  /** The IIS 6200 of the OTP request that ran from `startTime` to `endTime`. */
  iis(startTime: number, endTime: number, status: number, subStatus = 0): void {
    this.first = Math.min(this.first, startTime);
    this.httpStatus = status;
    this.requestAddress = this.clientAddress;
    const req: IisRequest = {
      clientIp: this.clientAddress,
      method: 'POST',
      uriStem: OTP_URI_STEM,
      status,
      subStatus,
      win32Status: 0,
      timeTakenMs: Math.max(1, Math.round(endTime - startTime)),
      bytesSent: status === 200 ? this.rng.between(2800, 4200) : this.rng.between(1200, 1500),
      bytesReceived: this.rng.between(2400, 3600),
      userAgent: '-',
    };
    this.add(endTime, 'iis.xml', this.da, IIS_CHANNEL, (s) => renderIisEvent(s, this.da, req));
  }

  /** NPS 6272 (reasonCode null) or 6273 on the DA server's RADIUS server. */
  nps(time: number, reasonCode: number | null, sidKnown = true): void {
    const nps = this.da.radius;
    this.usedRadius = true;
    if (reasonCode !== null) this.npsReasonCode = reasonCode;
    const subject: RadiusSubject = { sam: this.subject.sam, sid: sidKnown ? this.subject.sid : null };
    this.add(time, 'nps.xml', nps, 'Security', (s) =>
      renderNpsDecision(s, nps, this.da, this.fleet.domain, subject, reasonCode),
    );
  }

  /** System `NPS` 4402 on the RADIUS server. */
  npsNoDomainController(time: number): void {
    const nps = this.da.radius;
    this.add(time, 'nps.xml', nps, 'System', (s) => renderNpsNoDomainController(s, this.fleet.domain.netbios));
  }

  /**
   * System `NPS` 13 or 14 on the RADIUS server: it refused a request from the DA server's address. No decision: the
   * attempt's RADIUS host stays unknown, as `otptrace analyze` reports it.
   */
  npsRefusedClient(time: number, eventId: 13 | 14): void {
    const nps = this.da.radius;
    this.add(time, 'nps.xml', nps, 'System', (s) => renderNpsClientRefused(s, eventId, this.da.ip));
  }

  /** The CA's 4886, its decision (4887/4888/4889) and, for a denial or a pending request, Application 53/54. */
  ca(
    received: number,
    decided: number,
    decision: { status: 'issued' | 'pending' } | { status: 'denied'; hresult: string },
  ) {
    const ca = this.da.ca;
    this.usedCa = true;
    const req: CaRequestSpec = {
      requestId: this.nextCaRequestId(ca),
      requester: this.domainUser,
      template: 'DAOTPLogon',
      subjectDn: this.subject.dn,
      upn: this.subject.upn,
      machine: this.client?.fqdn ?? '-',
    };
    this.add(received, 'ca.xml', ca, 'Security', (s) => renderCaReceived(s, ca, req));
    this.add(decided, 'ca.xml', ca, 'Security', (s) => renderCaDecision(s, ca, req, decision));
    if (decision.status === 'denied') this.caHresult = decision.hresult;
    if (decision.status !== 'issued') {
      const hresult = decision.status === 'denied' ? decision.hresult : null;
      const appTime = decided + this.rng.between(0, 4);
      this.add(appTime, 'ca.xml', ca, 'Application', (s) => renderCaApplicationEvent(s, req, hresult));
    }
  }
}
