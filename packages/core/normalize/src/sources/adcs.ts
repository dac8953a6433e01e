import { computerNameOf, type ParsedEvent } from '@otptrace/model';
import {
  baseFields,
  field,
  hresultInText,
  ignored,
  intField,
  type NormalizeContext,
  type Normalized,
  rejected,
  toHresult,
  transientField,
} from '../outcome.js';

// CA, Security log (provider Microsoft-Windows-Security-Auditing, task 12805). Fields read (samples adcs-4886-1,
// adcs-4887-1, adcs-4888-1, adcs-4886-2-synthetic-v0; version 0/1 layouts in docs/windows-events.md §2.4):
//   4886 received: RequestId, Requester, Attributes (v0); + Subject, SubjectAlternativeName, CertificateTemplate (v1)
//   4887 issued / 4888 denied / 4889 pending: RequestId, Requester, Attributes, Disposition, SubjectKeyIdentifier,
//   Subject (v0); 4888's Disposition is the denial HRESULT as a signed decimal (-2146875392 = 0x80094800).
// CA, Application log (provider Microsoft-Windows-CertificationAuthority; §2.4 table): 53 denied (RequestId, Reason,
// SubjectName, AdditionalInformation), 21/22 could not process (RequestId, ErrorCode, SubjectName[, AdditionalInformation]),
// 54 pending. Older renderings carry the same values as unnamed <Data> in that order (%1..%4).

const RESULT_STATUS = { 4887: 'issued', 4888: 'denied', 4889: 'pending' } as const;

/** Map one CA Security event (4886–4889). */
export function normalizeCaAudit(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const requestId = intField(p, 'RequestId') ?? intField(p, 'RequestID') ?? intField(p, 'Request ID');
  if (requestId === null || requestId === undefined)
    return rejected(
      requestId === null ? 'missing_field' : 'invalid_field',
      `CA ${p.eventId} without a numeric RequestId`,
      'EventData.RequestId',
    );
  const requester = field(p, 'Requester');
  if (requester === null) return rejected('missing_field', `CA ${p.eventId} without Requester`, 'EventData.Requester');
  const attributes = parseAttributes(field(p, 'Attributes'));
  const template = field(p, 'CertificateTemplate') ?? attributes.get('certificatetemplate') ?? null;
  // A computer account's request is noise, except the DA server's own for its OTP signing certificate: when that one
  // is denied, every attempt fails after the RADIUS grant (docs/windows-events.md §9).
  const machine = machineOf(requester);
  if (machine !== null && (template === null || !ctx.signingTemplate.test(template))) return ignored('machine_request');
  const user =
    machine !== null
      ? null
      : (ctx.identity.resolve(requester) ?? ctx.identity.resolve(field(p, 'SubjectAlternativeName')));
  const subject = field(p, 'Subject');
  if (p.eventId === 4886) {
    return {
      status: 'event',
      event: {
        id: base.id,
        ref: base.ref,
        time: base.time,
        kind: 'ca.request',
        source: 'ca',
        user,
        requestId,
        template,
        subject,
        requestingMachine: requestingMachineOf(attributes, base.ref.computer),
        // Version 1 only (sample adcs-4886-1): the provider the requester's key came from.
        cspProvider: field(p, 'RequestCSPProvider'),
        machineRequester: machine,
      },
    };
  }
  const status = RESULT_STATUS[p.eventId as keyof typeof RESULT_STATUS];
  const disposition = transientField(p, 'Disposition');
  let hresult: string | null = null;
  if (status === 'denied') {
    hresult = toHresult(disposition);
    if (hresult === null)
      return rejected(
        disposition === null ? 'missing_field' : 'invalid_field',
        '4888 Disposition is not an HRESULT',
        'EventData.Disposition',
      );
  }
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'ca.result',
      source: 'ca',
      user,
      requestId,
      status,
      hresult,
      template,
      subject,
      detail: null,
      machineRequester: machine,
    },
  };
}

/** `CORP\DA01$` → `da01`; null for a user. */
function machineOf(requester: string): string | null {
  const name = requester.trim();
  if (!name.endsWith('$')) return null;
  return name.slice(name.lastIndexOf('\\') + 1, -1).toLowerCase();
}

const APP_FIELDS: Record<number, { status: 'denied' | 'error' | 'pending'; reasonField: string }> = {
  53: { status: 'denied', reasonField: 'Reason' },
  21: { status: 'error', reasonField: 'ErrorCode' },
  22: { status: 'error', reasonField: 'ErrorCode' },
  54: { status: 'pending', reasonField: 'AdditionalInformation' },
};

/** Map one CertificationAuthority application event (53, 21, 22, 54). */
export function normalizeCaApplication(p: ParsedEvent, _ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const spec = APP_FIELDS[p.eventId];
  if (spec === undefined) return ignored('unrelated_event');
  const named = Object.keys(p.data).length > 0;
  const requestText = named ? field(p, 'RequestId') : (p.dataList[0]?.trim() ?? null);
  if (requestText === null || !/^\d+$/.test(requestText))
    return rejected(
      'missing_field',
      `CertificationAuthority ${p.eventId} without a numeric request ID`,
      'EventData.RequestId',
    );
  const reason = named ? field(p, spec.reasonField) : (p.dataList[1]?.trim() ?? null);
  const subject = named ? field(p, 'SubjectName') : (p.dataList[2]?.trim() ?? null);
  const extra = named ? field(p, 'AdditionalInformation') : (p.dataList[3]?.trim() ?? null);
  const detail = [reason, extra].filter((s): s is string => s !== null && s !== '').join(' — ') || null;
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'ca.result',
      source: 'ca',
      user: null,
      requestId: Number(requestText),
      status: spec.status,
      hresult: spec.status === 'pending' ? null : (hresultInText(reason) ?? hresultInText(extra)),
      template: null,
      subject,
      detail,
    },
  };
}

/**
 * The client computer a request names: `rmd:` is the requesting machine ([MS-WCCE] 3.2.2.6.2.1.1), `ccm:` the computer
 * that submitted it, which the correlation takes for the client computer. Not when it is the CA itself: a request made
 * through web enrolment on the CA names the CA (sample adcs-4886-1: `ccm:braavos.essos.local` on braavos).
 */
function requestingMachineOf(attributes: ReadonlyMap<string, string>, caComputer: string): string | null {
  const named = attributes.get('rmd') ?? attributes.get('ccm') ?? null;
  return named === null || computerNameOf(named) === computerNameOf(caComputer) ? null : named;
}

/** `CertificateTemplate:DAOTPLogon SAN:upn=a@b rmd:pc1.corp` → lower-case keys to values. */
function parseAttributes(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (text === null) return out;
  for (const part of text.split(/\s+/)) {
    const colon = part.indexOf(':');
    if (colon > 0) out.set(part.slice(0, colon).toLowerCase(), part.slice(colon + 1));
  }
  return out;
}
