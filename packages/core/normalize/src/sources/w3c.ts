import type { W3cHeader } from '@otptrace/parse';
import { w3cField } from '@otptrace/parse';
import type { GatewayEvent } from '@otptrace/schemas';
import {
  detach,
  ignored,
  intern,
  type NormalizeContext,
  type Normalized,
  recordIdentity,
  rejected,
} from '../outcome.js';
import { parseIisTime } from '../time.js';

// Gateway from an IIS W3C text log (docs/windows-events.md §9): the same normalised request as a 6200 event gives
// (sources/iis.ts). Fields read, W3C names (TechNet "W3C Extended Log File Format (IIS 6.0)"; IIS logging field
// reference on learn.microsoft.com): date, time (UTC, when the request completed), c-ip, s-ip, s-port, s-sitename,
// s-computername, cs-method, cs-uri-stem, sc-status, sc-substatus, sc-win32-status, time-taken (ms), cs-host,
// cs-username.

/** The 6200 event a W3C line stands for: analysts and statistics read one event ID for an IIS request. */
export const W3C_EVENT_ID = 6200;
export const W3C_PROVIDER = 'IIS W3C log';
/**
 * HTTP.sys' error log (`%SystemRoot%\System32\LogFiles\HTTPERR\httperr<n>.log`), W3C-shaped with its own fields
 * (cs-uri, s-reason, s-queuename): the requests HTTP.sys answered itself, which IIS never logs, e.g. the 503 of a
 * stopped or crashed application pool (reason phrases AppOffline, Disabled, QueueFull, AppShutdown, ...). Microsoft
 * Learn, "Format of the HTTP Server API Error Logs" and "Types of Errors Logged by the HTTP Server API"
 * (MicrosoftDocs/win32, desktop-src/Http/, commit 47e64c1, CC BY 4.0).
 */
export const HTTPERR_PROVIDER = 'HTTP.sys error log';

/** Where a W3C record is, for its identity and evidence. */
export interface W3cWhere {
  /** The file's name (evidence channel), e.g. `u_ex261102.log`; one name per stream otherwise. */
  readonly channel: string;
  readonly lineNumber: number;
  /**
   * The DA server when the site does not log s-computername: configured (`iisServerName`), else from the file's
   * folder (`<host>/W3SVC<n>/`). Without either, the server's address (s-ip) names it.
   */
  readonly server: string | null;
}

/** Map one W3C record to a gateway request (non-POST lines are ignored as 6200 events are). */
export function normalizeW3c(
  record: { header: W3cHeader; values: readonly string[] },
  where: W3cWhere,
  ctx: NormalizeContext,
): Normalized {
  const method = w3cField(record, 'cs-method');
  // HTTP.sys logs connection time-outs with no request (`- - - - - Timer_ConnectionIdle`): not a sign-in.
  if (method === null && w3cField(record, 's-reason') !== null) return ignored('gateway_other_request');
  if (method === null) return rejected('missing_field', 'W3C line without cs-method', 'cs-method');
  if (method.toUpperCase() !== 'POST') return ignored('gateway_other_request');
  const date = w3cField(record, 'date');
  const time = w3cField(record, 'time');
  const logged = date === null || time === null ? null : parseIisTime(date, time);
  if (logged === null) return rejected('invalid_time', 'W3C date/time missing or not parseable', 'date time');
  // W3C times are whole seconds (a 6200's TimeCreated refines them; a text line has nothing finer): the request
  // completed within that second, taken as its middle, so that the steps it waited for fall inside it.
  const end = logged + HALF_SECOND_MS;
  const status = intOf(w3cField(record, 'sc-status'));
  if (status === null || status === undefined)
    return rejected(
      status === null ? 'missing_field' : 'invalid_field',
      'W3C line without a numeric sc-status',
      'sc-status',
    );
  const taken = intOf(w3cField(record, 'time-taken'));
  const timeTaken = taken === undefined || taken === null || taken < 0 ? null : taken;
  const computer = intern(w3cField(record, 's-computername') ?? where.server ?? w3cField(record, 's-ip') ?? 'unknown');
  // An HTTPERR line names its reason (never empty there) and the whole URL with its query.
  const reason = w3cField(record, 's-reason');
  const queue = reason === null ? null : w3cField(record, 's-queuename');
  const uri = w3cField(record, 'cs-uri-stem') ?? pathOf(w3cField(record, 'cs-uri'));
  const event: GatewayEvent = {
    id: recordIdentity(computer, where.channel, where.lineNumber),
    ref: {
      provider: reason === null ? W3C_PROVIDER : HTTPERR_PROVIDER,
      eventId: W3C_EVENT_ID,
      computer,
      channel: intern(where.channel),
      recordId: where.lineNumber,
    },
    time: end,
    kind: 'gateway.request',
    source: 'gateway',
    user: ctx.identity.resolve(w3cField(record, 'cs-username')),
    startTime: end - (timeTaken ?? 0),
    method: 'POST',
    // The OTP endpoint's path, the same on every line: one shared copy.
    uriStem: intern(uri ?? ''),
    status,
    subStatus: intOf(w3cField(record, 'sc-substatus')) ?? null,
    win32Status: intOf(w3cField(record, 'sc-win32-status')) ?? null,
    timeTakenMs: timeTaken,
    clientIp: detachOrNull(w3cField(record, 'c-ip')),
    serverIp: detachOrNull(w3cField(record, 's-ip')),
    serverPort: intOf(w3cField(record, 's-port')) ?? null,
    siteName: detachOrNull(w3cField(record, 's-sitename')),
    host: detachOrNull(w3cField(record, 'cs-host')),
  };
  if (reason !== null) event.httpSysReason = detach(queue === null ? reason : `${reason} (queue ${queue})`);
  return { status: 'event', event };
}

/** The path of a URL as HTTP.sys logs it (`/otp/DAAuthOtp.dll?x=1`: without the query). */
function pathOf(uri: string | null): string | null {
  if (uri === null) return null;
  const query = uri.indexOf('?');
  return query < 0 ? uri : uri.slice(0, query);
}

const detachOrNull = (s: string | null): string | null => (s === null ? null : intern(s));

const HALF_SECOND_MS = 500;

/** An integer value; undefined when present but not an integer, null when absent. */
function intOf(v: string | null): number | null | undefined {
  if (v === null) return null;
  return /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
}
