import type { ParsedEvent } from '@otptrace/model';
import { scanEvent } from '@otptrace/parse';

// Re-writes the generator's IIS 6200 and NPS 6272/6273 events as the text logs most sites keep instead
// (docs/windows-events.md §9), so that a fleet can be written as `--iis w3c --nps dts|odbc|ias`:
//   IIS W3C extended log (TechNet "W3C Extended Log File Format (IIS 6.0)"): one file per DA server under
//     `<host>/W3SVC1/`, IIS's default field set (no s-computername: the folder names the server), `-` for empty,
//     `+` for spaces, UTC.
//   NPS log files (TechNet "Interpret NPS Database Format Log Files" cc771748 and "Interpret IAS Format Log Files"
//     dd197432; NXLog xm_nps): one file per NPS server under `<host>/`, an Access-Request and its Access-Accept /
//     Access-Reject per decision, in the NPS server's local time (UTC + the given offset, or the given time zone's),
//     database-compatible (fixed columns), DTS-compliant (one <Event> per line) or IAS (attribute ID, value pairs).
// Other events of those files stay as XML (the NPS System log's 4402, the Security log's unrelated events).

/** Formats of the IIS and NPS logs of a generated fleet. */
export interface TextLogFormats {
  readonly iis: 'xml' | 'w3c';
  readonly nps: 'xml' | 'dts' | 'odbc' | 'ias';
  /** NPS servers' local time, minutes east of UTC (NPS log files only). */
  readonly npsUtcOffsetMinutes: number;
  /** Or their time zone, daylight saving time included. */
  readonly npsTimeZone: string | null;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const offsetFormats = new Map<string, { format: Intl.DateTimeFormat; byQuarter: Map<number, number> }>();

/**
 * Minutes east of UTC of the time zone `zone` at the instant `utcMs`, from the runtime's time zone data (Intl's
 * `longOffset` name, `GMT+02:00`). UTC to local time has one answer; zones change their offset on a quarter hour.
 */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  let entry = offsetFormats.get(zone);
  if (entry === undefined) {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    entry = { format, byQuarter: new Map() };
    offsetFormats.set(zone, entry);
  }
  const quarter = Math.floor(utcMs / QUARTER_HOUR_MS);
  let minutes = entry.byQuarter.get(quarter);
  if (minutes === undefined) {
    const name = entry.format.formatToParts(utcMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
    if (m === null) throw new Error(`unexpected offset name ${name} of ${zone}`);
    minutes = m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    if (entry.byQuarter.size > 100_000) entry.byQuarter.clear();
    entry.byQuarter.set(quarter, minutes);
  }
  return minutes;
}

const W3C_FIELDS = [
  ['date', 'date'],
  ['time', 'time'],
  ['s-ip', 's-ip'],
  ['cs-method', 'cs-method'],
  ['cs-uri-stem', 'cs-uri-stem'],
  ['cs-uri-query', 'cs-uri-query'],
  ['s-port', 's-port'],
  ['cs-username', 'cs-username'],
  ['c-ip', 'c-ip'],
  ['cs(User-Agent)', 'csUser-Agent'],
  ['cs(Referer)', 'csReferer'],
  ['sc-status', 'sc-status'],
  ['sc-substatus', 'sc-substatus'],
  ['sc-win32-status', 'sc-win32-status'],
  ['time-taken', 'time-taken'],
] as const;

const w3cValue = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v.replaceAll(' ', '+'));
const shortHost = (computer: string): string => computer.split('.')[0]!.toLowerCase();
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A text line for one file of the fleet. */
export interface TextLine {
  readonly file: string;
  readonly text: string;
}

/** Turns the XML events of iis.xml / nps.xml into text-log lines; keeps per-file headers. */
export class TextLogRewriter {
  private readonly started = new Set<string>();

  constructor(private readonly formats: TextLogFormats) {}

  /** Whether events of this fleet file are re-written. */
  rewrites(file: string): boolean {
    return (file === 'iis.xml' && this.formats.iis === 'w3c') || (file === 'nps.xml' && this.formats.nps !== 'xml');
  }

  /** The lines for one XML event of iis.xml or nps.xml; null when the event stays XML. */
  rewrite(file: string, xml: string): TextLine[] | null {
    const parsed = scanEvent(xml);
    if (!parsed.ok) return null;
    const e = parsed.value;
    if (file === 'iis.xml' && e.eventId === 6200) return this.w3c(e);
    if (file === 'nps.xml' && (e.eventId === 6272 || e.eventId === 6273)) return this.nps(e);
    // An IIS log holds nothing else; the NPS server's other events stay in its XML export.
    return file === 'iis.xml' ? [] : null;
  }

  private w3c(e: ParsedEvent): TextLine[] {
    const day = (e.data.date ?? '').replaceAll('-', '').slice(2);
    const file = `${shortHost(e.computer)}/W3SVC1/u_ex${day}.log`;
    const out: TextLine[] = [];
    if (!this.started.has(file)) {
      this.started.add(file);
      out.push({
        file,
        text: `#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: ${e.data.date} ${e.data.time}\r\n#Fields: ${W3C_FIELDS.map(([w]) => w).join(' ')}\r\n`,
      });
    }
    out.push({ file, text: `${W3C_FIELDS.map(([, x]) => w3cValue(e.data[x])).join(' ')}\r\n` });
    return out;
  }

  private nps(e: ParsedEvent): TextLine[] {
    const utc = Date.parse(e.systemTime);
    const zone = this.formats.npsTimeZone;
    const local = utc + (zone === null ? this.formats.npsUtcOffsetMinutes : zoneOffsetMinutes(zone, utc)) * 60_000;
    const d = new Date(local);
    const file = `${shortHost(e.computer)}/IN${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}.log`;
    const granted = e.eventId === 6272;
    const base = {
      computer: e.computer.split('.')[0]!.toUpperCase(),
      user: e.data.SubjectUserName,
      fq: e.data.FullyQualifiedSubjectUserName,
      nasIp: e.data.NASIPv4Address,
      nasId: e.data.NASIdentifier,
      clientIp: e.data.ClientIPAddress,
      clientName: e.data.ClientName,
      authType: e.data.AuthenticationType === 'PAP' ? '1' : '5',
    };
    const request = { ...base, local: local - 3, packet: 1, reason: '0', policy: undefined as string | undefined };
    const answer = {
      ...base,
      local,
      packet: granted ? 2 : 3,
      reason: granted ? '0' : (e.data.ReasonCode ?? '0'),
      policy: granted ? e.data.NetworkPolicyName : undefined,
    };
    const render = this.formats.nps === 'dts' ? dtsRecord : this.formats.nps === 'ias' ? iasRecord : odbcRecord;
    return [
      { file, text: `${render(request)}\r\n` },
      { file, text: `${render(answer)}\r\n` },
    ];
  }
}

interface NpsRecord {
  readonly computer: string;
  readonly local: number;
  readonly packet: number;
  readonly user: string | undefined;
  readonly fq: string | undefined;
  readonly nasIp: string | undefined;
  readonly nasId: string | undefined;
  readonly clientIp: string | undefined;
  readonly clientName: string | undefined;
  readonly authType: string;
  readonly policy: string | undefined;
  readonly reason: string;
}

function localParts(local: number): { date: string; time: string; ms: string } {
  const d = new Date(local);
  return {
    date: `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

const present = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== '-';
const quoted = (v: string | undefined): string => (present(v) ? `"${v.replaceAll('"', '""')}"` : '');

function odbcRecord(r: NpsRecord): string {
  const { date, time } = localParts(r.local);
  const cols: string[] = new Array(71).fill('');
  cols[0] = quoted(r.computer);
  cols[1] = '"IAS"';
  cols[2] = date;
  cols[3] = time;
  cols[4] = String(r.packet);
  cols[5] = r.packet === 1 ? quoted(r.user) : '';
  cols[6] = r.packet === 1 ? '' : quoted(r.fq);
  cols[11] = quoted(r.nasId);
  cols[12] = quoted(r.nasIp);
  cols[14] = '9';
  cols[15] = quoted(r.clientIp);
  cols[16] = quoted(r.clientName);
  cols[23] = r.authType;
  cols[24] = quoted(r.policy);
  cols[25] = r.reason;
  return cols.join(',');
}

/**
 * An IAS-format record: NAS-IP-Address, User-Name, date, time, service and computer, then attribute ID, value pairs
 * (32 NAS-Identifier, 4108 Client-IP-Address, 4128 Client-Friendly-Name, 4127 Authentication-Type, 4130
 * Fully-Qualifed-User-Name, 4149 NP-Policy-Name, 4136 Packet-Type, 4142 Reason-Code). As in TechNet's examples the
 * answer keeps the User-Name in its header; a value holding a comma is written in hexadecimal.
 */
function iasRecord(r: NpsRecord): string {
  const { date, time } = localParts(r.local);
  const text = (v: string | undefined): string =>
    !present(v) ? '' : /[,\r\n]/.test(v) ? `0x${Buffer.from(v, 'utf8').toString('hex')}` : v;
  const pairs: [number, string | undefined][] = [
    [32, r.nasId],
    [4108, r.clientIp],
    [4128, r.clientName],
    [4127, r.authType],
    [4130, r.packet === 1 ? undefined : r.fq],
    [4149, r.policy],
    [4136, String(r.packet)],
    [4142, r.reason],
  ];
  const header = [text(r.nasIp), text(r.user), date, time, 'IAS', text(r.computer)];
  return [...header, ...pairs.filter(([, v]) => present(v)).flatMap(([id, v]) => [String(id), text(v)])].join(',');
}

const element = (name: string, type: number, v: string | undefined): string =>
  present(v) ? `<${name} data_type="${type}">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${name}>` : '';

function dtsRecord(r: NpsRecord): string {
  const { date, time, ms } = localParts(r.local);
  return [
    '<Event>',
    element('Timestamp', 4, `${date} ${time}.${ms}`),
    element('Computer-Name', 1, r.computer),
    element('Event-Source', 1, 'IAS'),
    element('User-Name', 1, r.packet === 1 ? r.user : undefined),
    element('Fully-Qualifed-User-Name', 1, r.packet === 1 ? undefined : r.fq),
    element('NAS-IP-Address', 3, r.nasIp),
    element('NAS-Identifier', 1, r.nasId),
    element('Client-IP-Address', 3, r.clientIp),
    element('Client-Friendly-Name', 1, r.clientName),
    element('NP-Policy-Name', 1, r.policy),
    element('Authentication-Type', 0, r.authType),
    element('Packet-Type', 0, String(r.packet)),
    element('Reason-Code', 0, r.reason),
    '</Event>',
  ].join('');
}
