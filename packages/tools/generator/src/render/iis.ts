import type { DaServer } from '../fleet.js';
import { hostTime, pickStyle, type Stamp } from './stamp.js';
import { renderEvent } from './xml.js';

/**
 * IIS on the DA server: Microsoft-Windows-IIS-Logging event 6200, channel Microsoft-IIS-Logging/Logs. Provider GUID,
 * field names and their template order: docs/windows-events.md §2.3. `date`/`time` are UTC at whole seconds, written
 * when the request completed; `time-taken` is in ms. No real XML sample exists.
 */
export const IIS_PROVIDER = 'Microsoft-Windows-IIS-Logging';
export const IIS_GUID = '{7E8AD27F-B271-4EA2-A783-A47BDE29143B}';
export const IIS_CHANNEL = 'Microsoft-IIS-Logging/Logs';
/**
 * Where the OTP ISAPI extension listens. UNCERTAIN (§0.3: the real path is not documented); the client events name it
 * as base path + port.
 */
export const OTP_BASE_PATH = '/DAOTPAuth';
export const OTP_URI_STEM = '/DAOTPAuth/DAAUTHOTP.DLL';

// W3C logExtFileFlags: all 22 fields, or IIS's default set (date, time, c-ip, cs-username, s-ip, cs-method,
// cs-uri-stem, cs-uri-query, sc-status, sc-win32-status, time-taken, s-port, User-Agent, Referer, sc-substatus).
const ALL_FIELDS = 4194303;
const DEFAULT_FIELDS = 2478031;

/** One HTTP request as IIS logs it. */
export interface IisRequest {
  readonly clientIp: string;
  readonly method: string;
  readonly uriStem: string;
  readonly status: number;
  readonly subStatus: number;
  readonly win32Status: number;
  readonly timeTakenMs: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly userAgent: string;
}

/** Render a 6200 event; `stamp.time` is the request's completion. */
export function renderIisEvent(stamp: Stamp, da: DaServer, req: IisRequest): string {
  const iso = new Date(Math.floor(hostTime(stamp) / 1000) * 1000).toISOString();
  const all = da.iisAllFields;
  const opt = (value: string): string => (all ? value : '-');
  const data: (readonly [string, string])[] = [
    ['EnabledFieldsFlags', String(all ? ALL_FIELDS : DEFAULT_FIELDS)],
    ['date', iso.slice(0, 10)],
    ['time', iso.slice(11, 19)],
    ['c-ip', req.clientIp],
    ['cs-username', '-'],
    ['s-sitename', opt(da.siteName)],
    ['s-computername', opt(da.fqdn.split('.')[0]?.toUpperCase() ?? '-')],
    ['s-ip', da.ip],
    ['cs-method', req.method],
    ['cs-uri-stem', req.uriStem],
    ['cs-uri-query', '-'],
    ['sc-status', String(req.status)],
    ['sc-win32-status', String(req.win32Status)],
    ['sc-bytes', opt(String(req.bytesSent))],
    ['cs-bytes', opt(String(req.bytesReceived))],
    ['time-taken', String(req.timeTakenMs)],
    ['s-port', '443'],
    ['csUser-Agent', req.userAgent],
    ['csCookie', '-'],
    ['csReferer', '-'],
    ['cs-version', opt('HTTP/1.1')],
    ['cs-host', opt(da.fqdn)],
    ['sc-substatus', String(req.subStatus)],
    ['CustomFields', ''],
  ];
  return renderEvent(
    pickStyle(stamp),
    {
      provider: IIS_PROVIDER,
      guid: IIS_GUID,
      eventId: 6200,
      version: 0,
      level: 4,
      task: 0,
      opcode: 0,
      keywords: '0x8000000000000000',
      time: hostTime(stamp),
      ticks: stamp.rng.int(10000),
      recordId: stamp.recordId,
      processId: stamp.host.lsassPid + 3000,
      threadId: stamp.rng.between(100, 20000) & ~3,
      channel: IIS_CHANNEL,
      computer: stamp.host.fqdn,
    },
    { kind: 'named', data },
  );
}
