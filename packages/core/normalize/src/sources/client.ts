import type { ParsedEvent } from '@otptrace/model';
import {
  baseFields,
  field,
  ignored,
  type NormalizeContext,
  type Normalized,
  rejected,
  toHresult,
  transientField,
} from '../outcome.js';

// Client: provider Microsoft-Windows-OtpCredentialProviderEvt, channel Microsoft-Windows-OtpCredentialProvider/Operational,
// events 10000–10022. Fields read (docs/windows-events.md §2.1, from airbus-cert/etl-parser's template order):
//   user (10003, 10005, 10006, 10008, 10011, 10012), OTPUserName (10018, 10019), serverAddress (10000–10002, 10005,
//   10006), errCode (UInt32, 10000–10002), errorCode (hex string without 0x, 10004–10015), CAName (10018, 10019,
//   10022), templateName (10003).

/** 10009 (a key could not be deleted) does not end an attempt. */
const INFORMATIONAL = new Set([10009]);

/** Map one client event. */
export function normalizeClient(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  if (INFORMATIONAL.has(p.eventId)) return ignored('client_informational');
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const rawCode = transientField(p, 'errorCode') ?? transientField(p, 'errCode');
  const errorCode =
    rawCode === null
      ? null
      : errorCodeOf(rawCode, p.data.errCode !== undefined && transientField(p, 'errorCode') === null);
  if (rawCode !== null && errorCode === null)
    return rejected('invalid_field', 'the error code is not a number', 'EventData.errorCode');
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: base.time,
      kind: 'client.result',
      source: 'client',
      user: ctx.identity.resolve(field(p, 'user') ?? field(p, 'OTPUserName')),
      errorCode,
      serverAddress: field(p, 'serverAddress'),
      caName: field(p, 'CAName'),
      templateName: field(p, 'templateName'),
    },
  };
}

// errCode is a UInt32 rendered in decimal; errorCode is hex digits without 0x (the message prepends it).
function errorCodeOf(raw: string, decimal: boolean): string | null {
  if (decimal && /^\d+$/.test(raw)) return toHresult(raw);
  if (/^(0x)?[0-9a-f]{1,8}$/i.test(raw)) return toHresult(`0x${raw.replace(/^0x/i, '')}`);
  return toHresult(raw);
}
