import type { ParsedEvent } from '@otptrace/model';
import {
  baseFields,
  field,
  ignored,
  intField,
  type NormalizeContext,
  type Normalized,
  rejected,
  transientField,
} from '../outcome.js';
import { parseIisTime } from '../time.js';

// Gateway: provider Microsoft-Windows-IIS-Logging, event 6200, channel Microsoft-IIS-Logging/Logs, on the DA server.
// Fields read (docs/windows-events.md §2.3, the XML <Data Name> spellings): date, time (UTC, when the request
// completed), c-ip, s-ip, s-port, s-sitename, cs-method, cs-uri-stem, sc-status, sc-substatus, sc-win32-status,
// time-taken (ms), cs-host, cs-username. The request names no user: the correlator joins it by time.

/** Map one IIS 6200 event. */
export function normalizeIis(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  const base = baseFields(p);
  if (base === null) return rejected('invalid_time', 'TimeCreated/@SystemTime does not parse');
  const date = transientField(p, 'date');
  const time = transientField(p, 'time');
  // Only the W3C fields enabled for the site are filled (EnabledFieldsFlags): without date/time, TimeCreated (written
  // as the request completes) stands in.
  const logged = date === null || time === null ? base.time : parseIisTime(date, time);
  if (logged === null) return rejected('invalid_time', 'IIS date/time do not parse', 'EventData.time');
  const method = field(p, 'cs-method');
  if (method === null) return rejected('missing_field', 'IIS event without cs-method', 'EventData.cs-method');
  // The OTP sign-in is a POST (MS-OTPCE §1.4); the site's other requests are dropped here, before they are kept.
  if (method.toUpperCase() !== 'POST') return ignored('gateway_other_request');
  const status = intField(p, 'sc-status');
  if (status === null || status === undefined)
    return rejected(
      status === null ? 'missing_field' : 'invalid_field',
      'IIS event without a numeric sc-status',
      'EventData.sc-status',
    );
  const timeTaken = intField(p, 'time-taken');
  // date/time have whole seconds; TimeCreated, written as the request completes, refines them when it agrees.
  const end = base.time >= logged && base.time < logged + 2000 ? base.time : logged;
  const taken = timeTaken === undefined || timeTaken === null || timeTaken < 0 ? null : timeTaken;
  return {
    status: 'event',
    event: {
      id: base.id,
      ref: base.ref,
      time: end,
      kind: 'gateway.request',
      source: 'gateway',
      // cs-username is usually `-` (the client authenticates with its computer certificate); used when present.
      user: ctx.identity.resolve(field(p, 'cs-username')),
      startTime: end - (taken ?? 0),
      method: method.toUpperCase(),
      uriStem: field(p, 'cs-uri-stem') ?? '',
      status,
      subStatus: intField(p, 'sc-substatus') ?? null,
      win32Status: intField(p, 'sc-win32-status') ?? null,
      timeTakenMs: taken,
      clientIp: field(p, 'c-ip'),
      serverIp: field(p, 's-ip'),
      serverPort: intField(p, 's-port') ?? null,
      siteName: field(p, 's-sitename'),
      host: field(p, 'cs-host'),
    },
  };
}
