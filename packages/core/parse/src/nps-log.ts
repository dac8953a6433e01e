import type { DropReason } from '@otptrace/model';
import { decodeEntities } from './entities.js';

// NPS local log files (%SystemRoot%\System32\LogFiles\IN*.log), docs/windows-events.md §9.
//
// Database-compatible ("ODBC") format: TechNet "Interpret NPS Database Format Log Files" (cc771748) and NXLog's
// xm_nps module documentation. Comma-separated, text values in double quotes (a quote inside doubled), attributes in
// a fixed order; the ones read here, 0-based: 0 ComputerName, 1 ServiceName, 2 Record-Date (MM/DD/YYYY), 3 Record-Time
// (HH:MM:SS), 4 Packet-Type, 5 User-Name, 6 Fully-Qualified-Distinguished-Name, 11 NAS-Identifier, 12 NAS-IP-Address,
// 15 Client-IP-Address, 16 Client-Friendly-Name, 23 Authentication-Type, 24 Policy-Name, 25 Reason-Code, 26 Class.
// TechNet's example: "CLIENTCOMP","IAS",03/07/2008,13:04:33,1,"client",,,,,,,,,9,"10.10.10.10","npsclient",...
//
// DTS-compliant format: the same pages (NXLog shows it): one XML <Event> per record, each attribute an element with
// a data_type attribute: <Timestamp> (MM/DD/YYYY HH:MM:SS.mmm), <Computer-Name>, <Event-Source>, <Packet-Type>,
// <User-Name>, <Fully-Qualifed-User-Name> (so spelt by NPS), <SAM-Account-Name>, <Client-IP-Address>,
// <Client-Friendly-Name>, <NAS-IP-Address>, <NAS-Identifier>, <Authentication-Type>, <NP-Policy-Name>,
// <Proxy-Policy-Name>, <Reason-Code>, <Class>.
//
// IAS format ("IAS (Legacy)" in NPS's log file properties): TechNet "Interpret IAS Format Log Files" (dd197432, and
// cc785145 for Windows Server 2003) and the Iasparse examples (cc781314). A header of six values: NAS-IP-Address,
// User-Name, Record-Date (MM/DD/YYYY), Record-Time (HH:MM:SS), Service-Name, Computer-Name; then attribute ID, value
// pairs in the order the packet had them. IDs read here (the same pages' table, and the Iasparse dictionary):
// 1 User-Name, 4 NAS-IP-Address, 32 NAS-Identifier, 4108 Client-IP-Address, 4127 Authentication-Type,
// 4128 Client-Friendly-Name, 4129 SAM-Account-Name, 4130 Fully-Qualifed-User-Name, 4136 Packet-Type,
// 4142 Reason-Code, 4149 NP-Policy-Name, 4154 Proxy-Policy-Name. Values are never quoted: a text value holding a
// delimiter or an unprintable character is written in hexadecimal (`0x…`).
// TechNet's example: 10.10.10.10,client,06/04/1999,14:42:19,NPS,CLIENTCOMP,6,2,7,1,5,9,61,5,64,1,65,1,31,1
//
// The three formats write the NPS server's local time with no offset (docs/windows-events.md §9): the caller applies
// it. Iasparse's remarks (cc781987) note that the format can be changed while NPS runs, so one file may hold records
// of more than one format: each record is read by its own shape (`npsRecordFormat`).

/** One NPS log-file record, values as written (null when empty); times are the NPS server's local wall clock. */
export interface NpsLogRecord {
  /** The format it was written in (absent in records a carry of an older version saved). */
  readonly format?: NpsLogFormat;
  readonly computer: string | null;
  /** Local date and time, `YYYY-MM-DDTHH:MM:SS(.mmm)` with no zone. */
  readonly localTime: string | null;
  readonly packetType: string | null;
  readonly userName: string | null;
  readonly fullyQualifiedUserName: string | null;
  readonly clientIp: string | null;
  readonly clientName: string | null;
  readonly nasIp: string | null;
  readonly nasIdentifier: string | null;
  readonly authenticationType: string | null;
  readonly policyName: string | null;
  readonly reasonCode: string | null;
}

export type NpsLogLine =
  | { readonly ok: true; readonly record: NpsLogRecord }
  | { readonly ok: false; readonly code: DropReason; readonly reason: string };

const ODBC_COLUMNS = 27; // up to Class: a record with fewer columns is cut short

/** Read one database-compatible (ODBC) line. */
export function readOdbcLine(line: string): NpsLogLine {
  const v = splitCsv(line);
  if (v === null)
    return { ok: false, code: 'invalid_field', reason: 'unbalanced quotes in an NPS database-format line' };
  if (v.length < ODBC_COLUMNS)
    return {
      ok: false,
      code: 'missing_field',
      reason: `NPS database-format line with ${v.length} of at least ${ODBC_COLUMNS} columns`,
    };
  const at = (i: number): string | null => (v[i] === undefined || v[i] === '' ? null : v[i]!);
  return {
    ok: true,
    record: {
      format: 'odbc',
      computer: at(0),
      localTime: localTimeOf(at(2), at(3)),
      packetType: at(4),
      userName: at(5),
      fullyQualifiedUserName: at(6),
      nasIdentifier: at(11),
      nasIp: at(12),
      clientIp: at(15),
      clientName: at(16),
      authenticationType: at(23),
      policyName: at(24),
      reasonCode: at(25),
    },
  };
}

/** The shape of an NPS log line: a DTS `<Event>`, a database-compatible line (quoted computer name first), or IAS. */
export type NpsLogFormat = 'odbc' | 'dts' | 'ias';

/** The format of one NPS log line by its first characters, or null when it looks like none of them. */
export function npsRecordFormat(line: string): NpsLogFormat | null {
  const t = line.trimStart();
  if (t.startsWith('<')) return 'dts';
  if (ODBC_START.test(t)) return 'odbc';
  if (IAS_START.test(t)) return 'ias';
  return null;
}

// The first values of a line of each legacy format, up to the time: both put the date and time third and fourth.
export const ODBC_START = /^"[^"\r\n]*","[^"\r\n]*",\d{1,2}\/\d{1,2}\/\d{4},\d{1,2}:\d{2}:\d{2},/;
export const IAS_START =
  /^[^",\r\n]*,[^,\r\n]*,\d{1,2}\/\d{1,2}\/\d{4},\d{1,2}:\d{2}:\d{2},[^,\r\n]*,[^,\r\n]*(,|\r?\n|$)/;

// IAS attribute IDs (see the top of this file).
const IAS = {
  userName: 1,
  nasIpAddress: 4,
  nasIdentifier: 32,
  clientIpAddress: 4108,
  authenticationType: 4127,
  clientFriendlyName: 4128,
  samAccountName: 4129,
  fullyQualifiedUserName: 4130,
  packetType: 4136,
  reasonCode: 4142,
  npPolicyName: 4149,
  proxyPolicyName: 4154,
} as const;
const IAS_HEADER = 6;

/** Read one IAS-format line: the six header values, then attribute ID, value pairs (the first of an ID is kept). */
export function readIasLine(line: string): NpsLogLine {
  const v = line.split(',');
  if (v.length < IAS_HEADER)
    return {
      ok: false,
      code: 'missing_field',
      reason: `NPS IAS-format line with ${v.length} of at least ${IAS_HEADER} header values`,
    };
  if ((v.length - IAS_HEADER) % 2 !== 0)
    return { ok: false, code: 'invalid_field', reason: 'NPS IAS-format line with an attribute ID and no value' };
  const attributes = new Map<number, string>();
  for (let i = IAS_HEADER; i < v.length; i += 2) {
    const id = v[i]!.trim();
    if (!/^\d{1,10}$/.test(id))
      return {
        ok: false,
        code: 'invalid_field',
        reason: `NPS IAS-format attribute ID "${id.slice(0, 40)}" is not a number`,
      };
    const value = v[i + 1]!.trim();
    if (value !== '' && !attributes.has(Number(id))) attributes.set(Number(id), value);
  }
  const header = (i: number): string | null => {
    const value = v[i]!.trim();
    return value === '' ? null : iasText(value);
  };
  const attribute = (...ids: number[]): string | null => {
    for (const id of ids) {
      const value = attributes.get(id);
      if (value !== undefined) return iasText(value);
    }
    return null;
  };
  return {
    ok: true,
    record: {
      format: 'ias',
      computer: header(5),
      localTime: localTimeOf(header(2), header(3)),
      packetType: attribute(IAS.packetType),
      userName: header(1) ?? attribute(IAS.userName, IAS.samAccountName),
      fullyQualifiedUserName: attribute(IAS.fullyQualifiedUserName),
      clientIp: attribute(IAS.clientIpAddress),
      clientName: attribute(IAS.clientFriendlyName),
      nasIp: header(0) ?? attribute(IAS.nasIpAddress),
      nasIdentifier: attribute(IAS.nasIdentifier),
      authenticationType: attribute(IAS.authenticationType),
      policyName: attribute(IAS.npPolicyName, IAS.proxyPolicyName),
      reasonCode: attribute(IAS.reasonCode),
    },
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A text value as IAS wrote it: `0x` and hexadecimal digits stand for a value with a delimiter or an unprintable
 * character in it. Decoded only when its bytes are UTF-8 text holding such a character (so a name that merely looks
 * like hexadecimal stays as written).
 */
function iasText(value: string): string {
  if (value.length < 4 || value.length % 2 !== 0 || !/^0x(?:[0-9a-f]{2})+$/i.test(value)) return value;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(value.slice(2), 'hex'));
  } catch {
    return value;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what IAS writes in hex
  return /[,\u0000-\u001f\u007f]/.test(text) ? text.replace(/^\u0000+|\u0000+$/g, '') : value;
}

const DTS_NAME = /^[A-Za-z][\w-]*$/;

/** Read one DTS-compliant record: `<Event>…</Event>`. */
export function readDtsRecord(text: string): NpsLogLine {
  const t = text.trim();
  if (!t.startsWith('<Event>') || !t.endsWith('</Event>'))
    return { ok: false, code: 'not_an_event', reason: 'NPS DTS record that is not one <Event>…</Event>' };
  const values = new Map<string, string>();
  // Flat elements `<Name data_type="n">value</Name>`, read with indexOf (a regex with a back-reference was 2× slower).
  const end = t.length - 8;
  for (let at = t.indexOf('<', 7); at >= 0 && at < end; ) {
    const close = t.indexOf('>', at);
    if (close < 0) break;
    const space = t.indexOf(' ', at);
    const name = t.slice(at + 1, space > 0 && space < close ? space : close);
    const endTag = t.indexOf(`</${name}>`, close);
    if (name.startsWith('/') || endTag < 0 || !DTS_NAME.test(name))
      return {
        ok: false,
        code: 'malformed_xml',
        reason: 'NPS DTS record with an element that is not <Name>value</Name>',
      };
    const raw = t.slice(close + 1, endTag);
    const value = raw.includes('&') ? decodeEntities(raw.trim()) : raw.trim();
    if (value === null) return { ok: false, code: 'malformed_xml', reason: `bad entity reference in <${name}>` };
    if (value !== '') values.set(name.toLowerCase(), value);
    at = t.indexOf('<', endTag + name.length + 3);
  }
  const get = (...names: string[]): string | null => {
    for (const n of names) {
      const v = values.get(n);
      if (v !== undefined) return v;
    }
    return null;
  };
  const stamp = get('timestamp');
  const [date, time] =
    stamp === null ? [null, null] : [stamp.slice(0, stamp.indexOf(' ')), stamp.slice(stamp.indexOf(' ') + 1)];
  return {
    ok: true,
    record: {
      format: 'dts',
      computer: get('computer-name'),
      localTime: localTimeOf(date, time),
      packetType: get('packet-type'),
      userName: get('user-name', 'sam-account-name'),
      fullyQualifiedUserName: get('fully-qualifed-user-name', 'fully-qualified-user-name'),
      clientIp: get('client-ip-address'),
      clientName: get('client-friendly-name'),
      nasIp: get('nas-ip-address'),
      nasIdentifier: get('nas-identifier'),
      authenticationType: get('authentication-type'),
      policyName: get('np-policy-name', 'proxy-policy-name'),
      reasonCode: get('reason-code'),
    },
  };
}

/** `MM/DD/YYYY` + `HH:MM:SS(.mmm)` → `YYYY-MM-DDTHH:MM:SS(.mmm)`; null when either does not have that shape. */
function localTimeOf(date: string | null, time: string | null): string | null {
  if (date === null || time === null) return null;
  const d = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2}):(\d{2})(\.\d{1,3})?$/.exec(time.trim());
  if (d === null || t === null) return null;
  const two = (s: string) => s.padStart(2, '0');
  return `${d[3]}-${two(d[1]!)}-${two(d[2]!)}T${two(t[1]!)}:${t[2]}:${t[3]}${t[4] ?? ''}`;
}

/** Split one CSV line: quoted values may hold commas and doubled quotes. Null when a quote is not closed. */
function splitCsv(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return null;
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      // A closing quote ends the value: a comma or the end of the line must follow.
      if (j < line.length && line[j] !== ',') return null;
      out.push(value);
      i = j + 1; // skip the comma
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      out.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
  return out;
}
