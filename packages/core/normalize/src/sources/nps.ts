import type { ParsedEvent } from '@otptrace/model';
import { baseFields, detach, field, intField, type NormalizeContext, type Normalized, rejected } from '../outcome.js';

// RADIUS: Security-log events of the NPS server, provider Microsoft-Windows-Security-Auditing, task 12552:
// 6272 granted, 6273 denied, 6274 discarded. Fields read (real samples nps-6272-1, nps-6273-1; field order in
// docs/windows-events.md §2.2): SubjectUserName, SubjectDomainName, FullyQualifiedSubjectUserName, ClientName,
// ClientIPAddress, NASIdentifier, AuthenticationType, NetworkPolicyName, ReasonCode and Reason (6273/6274).
// System log, provider NPS: 4402 "There is no domain controller available for domain %1" (sample nps-4402-1:
// one unnamed <Data>); 13, 14, 17, 18: NPS refused a RADIUS client, %1 naming the client (address or friendly name):
// 13 not a configured client, 14 invalid authenticator (mismatched shared secret), 17 Message-Authenticator missing
// where required, 18 Message-Authenticator invalid (docs/windows-events.md §9).

const DECISIONS = { 6272: 'granted', 6273: 'denied', 6274: 'discarded' } as const;

/** Map one NPS Security event (6272/6273/6274). */
export function normalizeNpsDecision(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const decision = DECISIONS[p.eventId as keyof typeof DECISIONS];
  const user = npsUser(p, ctx);
  if (user === null)
    return rejected('missing_field', `NPS ${p.eventId} without a user name`, 'EventData.SubjectUserName');
  const reasonCode = intField(p, 'ReasonCode');
  if (reasonCode === undefined) return rejected('invalid_field', 'ReasonCode is not a number', 'EventData.ReasonCode');
  if (decision !== 'granted' && reasonCode === null)
    return rejected('missing_field', `NPS ${p.eventId} without ReasonCode`, 'EventData.ReasonCode');
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'radius.decision',
      source: 'radius',
      user,
      decision,
      reasonCode: decision === 'granted' ? (reasonCode ?? 0) : reasonCode,
      reason: field(p, 'Reason'),
      clientName: field(p, 'ClientName'),
      clientIp: field(p, 'ClientIPAddress'),
      nasIdentifier: field(p, 'NASIdentifier'),
      authenticationType: field(p, 'AuthenticationType'),
      networkPolicy: field(p, 'NetworkPolicyName'),
    },
  };
}

// SubjectUserName holds the RADIUS User-Name as received (e.g. `mydomain\username`); when it is bare, the
// fully qualified name or SubjectDomainName supplies the domain.
function npsUser(p: ParsedEvent, ctx: NormalizeContext) {
  const name = field(p, 'SubjectUserName');
  if (name !== null && /[\\/@]/.test(name)) return ctx.identity.resolve(name);
  const fq = field(p, 'FullyQualifiedSubjectUserName');
  if (fq !== null && /[\\/@]/.test(fq)) return ctx.identity.resolve(fq);
  return ctx.identity.resolve(name, field(p, 'SubjectDomainName'));
}

const CLIENT_PROBLEMS = {
  13: 'unknown_client',
  14: 'bad_authenticator',
  17: 'missing_message_authenticator',
  18: 'bad_message_authenticator',
} as const;

/** Map NPS 13/14/17/18 (System log): NPS refused a RADIUS client. */
export function normalizeNpsClientError(p: ParsedEvent, _ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const problem = CLIENT_PROBLEMS[p.eventId as keyof typeof CLIENT_PROBLEMS];
  const client = (p.dataList[0] ?? '').trim();
  if (client === '')
    return rejected('missing_field', `NPS ${p.eventId} without the RADIUS client`, 'EventData.Data[0]');
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'radius.client_error',
      source: 'radius',
      user: null,
      client: detach(client),
      problem,
    },
  };
}

/** Map NPS 4402 (System log): no domain controller available for a domain. */
export function normalizeNpsDirectory(p: ParsedEvent, _ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const domain = (p.dataList[0] ?? '').trim();
  if (domain === '') return rejected('missing_field', 'NPS 4402 without the domain name', 'EventData.Data[0]');
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'radius.directory_unavailable',
      source: 'radius',
      user: null,
      domain,
    },
  };
}
