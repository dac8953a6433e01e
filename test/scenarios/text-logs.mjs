// Re-renders the IIS 6200 and NPS 6272/6273 events of a scenario as the text logs most sites really keep
// (docs/windows-events.md §9): IIS W3C extended logs (u_exYYMMDD.log) and NPS log files in the database-compatible
// (ODBC) and DTS-compliant formats. Same attempts, other formats: the differential test compares the verdicts.
//   W3C: TechNet "W3C Extended Log File Format (IIS 6.0)": #Software/#Version/#Date/#Fields directives, values
//     separated by spaces, `-` empty, `+` for a space; date and time in UTC. The default IIS field set does not
//     include s-computername: the DA server is then named by the folder (<host>/W3SVC<n>/).
//   NPS ODBC: TechNet "Interpret NPS Database Format Log Files" (cc771748): fixed column order (0 ComputerName,
//     1 ServiceName, 2 Record-Date, 3 Record-Time, 4 Packet-Type, 5 User-Name, 6 Fully-Qualified-Distinguished-Name,
//     11 NAS-Identifier, 12 NAS-IP-Address, 14 Client-Vendor, 15 Client-IP-Address, 16 Client-Friendly-Name,
//     22 Service-Type, 23 Authentication-Type, 24 Policy-Name, 25 Reason-Code, 26 Class, ...), text in quotes.
//   NPS DTS: same page and NXLog's xm_nps documentation: one <Event> per line, elements with data_type.
//   NPS times are the NPS server's local time with no offset.
import { zoneOffsetMinutes } from '@otptrace/generator';

const dataOf = (xml, name) => {
  const m = new RegExp(`<Data Name="${name}">([^<]*)</Data>`).exec(xml);
  return m === null
    ? null
    : m[1]
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"');
};
const systemTimeOf = (xml) => Date.parse(/SystemTime="([^"]+)"/.exec(xml)[1]);
const eventIdOf = (xml) => Number(/<EventID[^>]*>(\d+)</.exec(xml)[1]);
const computerOf = (xml) => /<Computer>([^<]+)</.exec(xml)[1];

const DEFAULT_FIELDS = [
  'date',
  'time',
  's-ip',
  'cs-method',
  'cs-uri-stem',
  'cs-uri-query',
  's-port',
  'cs-username',
  'c-ip',
  'cs(User-Agent)',
  'cs(Referer)',
  'sc-status',
  'sc-substatus',
  'sc-win32-status',
  'time-taken',
];
const XML_NAME = { 'cs(User-Agent)': 'csUser-Agent', 'cs(Referer)': 'csReferer' };
const w3cValue = (v) => (v === null || v === '' ? '-' : v.replaceAll(' ', '+'));

/** A W3C line of one IIS 6200 event for the given #Fields. */
function w3cLine(xml, fields) {
  return fields.map((f) => w3cValue(dataOf(xml, XML_NAME[f] ?? f))).join(' ');
}

/**
 * A W3C log of the 6200 events: the default field set, then (when `restartAfter` is given) an IIS restart that adds
 * s-computername mid-file. Other requests of the site (GETs) are mixed in, as on a real DA server.
 */
export function w3cLog(iisEvents, { restartAfter = null } = {}) {
  const withName = [...DEFAULT_FIELDS.slice(0, 7), 's-computername', ...DEFAULT_FIELDS.slice(7)];
  const header = (fields, t) => [
    '#Software: Microsoft Internet Information Services 10.0',
    '#Version: 1.0',
    `#Date: ${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}`,
    `#Fields: ${fields.join(' ')}`,
  ];
  const lines = [];
  let fields = DEFAULT_FIELDS;
  const sorted = [...iisEvents].sort((a, b) => systemTimeOf(a) - systemTimeOf(b));
  sorted.forEach((xml, i) => {
    if (i === 0) lines.push(...header(fields, systemTimeOf(xml) - 60_000));
    if (restartAfter !== null && i === restartAfter) {
      fields = withName;
      lines.push(...header(fields, systemTimeOf(xml) - 1_000));
    }
    const get = xml
      .replace(/<Data Name="cs-method">POST</, '<Data Name="cs-method">GET<')
      .replace(/<Data Name="cs-uri-stem">[^<]*</, '<Data Name="cs-uri-stem">/IPHTTPS<')
      .replace(/<Data Name="time-taken">\d+</, '<Data Name="time-taken">1<');
    lines.push(w3cLine(get, fields), w3cLine(xml, fields));
  });
  return `${lines.join('\r\n')}\r\n`;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
/**
 * NPS local wall clock: MM/DD/YYYY and HH:MM:SS(.mmm). `offset`: minutes east of UTC, or a time zone name (the
 * offset at that instant, from the runtime's Intl time zone data: UTC to local has one answer).
 */
function localParts(utcMs, offset) {
  const d = new Date(utcMs + (typeof offset === 'string' ? zoneOffsetMinutes(offset, utcMs) : offset) * 60_000);
  return {
    date: `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

/** The Access-Request and its answer (or the request alone) for one 6272/6273 event. */
function npsRecords(xml, { unanswered = false } = {}) {
  const granted = eventIdOf(xml) === 6272;
  const user = dataOf(xml, 'SubjectUserName');
  const fq = dataOf(xml, 'FullyQualifiedSubjectUserName');
  const base = {
    computer: computerOf(xml).split('.')[0].toUpperCase(),
    time: systemTimeOf(xml),
    user,
    canonical: fq === null ? null : `${fq.split('/')[0]}/Users/${fq.split('/').pop()}`,
    nasIp: dataOf(xml, 'NASIPv4Address'),
    nasId: dataOf(xml, 'NASIdentifier'),
    clientIp: dataOf(xml, 'ClientIPAddress'),
    clientName: dataOf(xml, 'ClientName'),
    policy: dataOf(xml, 'NetworkPolicyName'),
    proxyPolicy: dataOf(xml, 'ProxyPolicyName'),
  };
  const request = { ...base, time: base.time - 5, packetType: 1, reasonCode: 0 };
  if (unanswered) return [request];
  const answer = {
    ...base,
    packetType: granted ? 2 : 3,
    reasonCode: granted ? 0 : Number(dataOf(xml, 'ReasonCode')),
    policy: granted ? base.policy : null,
  };
  return [request, answer];
}

const q = (v) => (v === null || v === undefined || v === '-' ? '' : `"${String(v).replaceAll('"', '""')}"`);

/** An NPS database-compatible (ODBC) log of the NPS decisions, times in the NPS server's local time. */
export function odbcLog(npsEvents, offsetMinutes) {
  const lines = [];
  for (const xml of npsEvents) {
    for (const r of npsRecords(xml)) {
      const { date, time } = localParts(r.time, offsetMinutes);
      const cols = new Array(71).fill('');
      cols[0] = q(r.computer);
      cols[1] = q('IAS');
      cols[2] = date;
      cols[3] = time;
      cols[4] = String(r.packetType);
      cols[5] = r.packetType === 1 ? q(r.user) : '';
      cols[6] = r.packetType === 1 ? '' : q(r.canonical);
      cols[11] = q(r.nasId);
      cols[12] = q(r.nasIp);
      cols[14] = '9';
      cols[15] = q(r.clientIp);
      cols[16] = q(r.clientName);
      cols[22] = r.packetType === 2 ? '1' : '';
      cols[23] = '1';
      cols[24] = q(r.policy);
      cols[25] = String(r.reasonCode);
      cols[26] = r.packetType === 1 ? '' : q(`311 1 ${r.clientIp} ${date} ${time} ${r.time % 997}`);
      lines.push(cols.join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * An NPS IAS-format log of the NPS decisions (TechNet dd197432): NAS-IP-Address, User-Name, date, time, service and
 * computer, then attribute ID, value pairs; the answers, as in the Iasparse examples, keep the user in their header but
 * leave out the request's Authentication-Type.
 */
export function iasLog(npsEvents, offsetMinutes) {
  const lines = [];
  const text = (v) => (v === null || v === undefined || v === '-' ? '' : String(v));
  for (const xml of npsEvents) {
    for (const r of npsRecords(xml)) {
      const { date, time } = localParts(r.time, offsetMinutes);
      const pairs = [
        [32, r.nasId],
        [4108, r.clientIp],
        [4128, r.clientName],
        [4127, r.packetType === 1 ? '1' : null],
        [4130, r.packetType === 1 ? null : r.canonical],
        [4149, r.policy],
        [4136, r.packetType],
        [4142, r.reasonCode],
      ].filter(([, v]) => text(v) !== '');
      const header = [text(r.nasIp), text(r.user), date, time, 'IAS', r.computer];
      lines.push([...header, ...pairs.flatMap(([id, v]) => [id, text(v)])].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

const el = (name, type, value) =>
  value === null || value === undefined || value === '-'
    ? ''
    : `<${name} data_type="${type}">${String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${name}>`;

/** An NPS DTS-compliant log of the NPS decisions (or, with `unanswered`, of their requests alone). */
export function dtsLog(npsEvents, offsetMinutes, { unanswered = () => false } = {}) {
  const lines = [];
  for (const xml of npsEvents) {
    for (const r of npsRecords(xml, { unanswered: unanswered(xml) })) {
      const { date, time, ms } = localParts(r.time, offsetMinutes);
      lines.push(
        [
          '<Event>',
          el('Timestamp', 4, `${date} ${time}.${ms}`),
          el('Computer-Name', 1, r.computer),
          el('Event-Source', 1, 'IAS'),
          el('User-Name', 1, r.packetType === 1 ? r.user : null),
          el('Fully-Qualifed-User-Name', 1, r.packetType === 1 ? null : r.user),
          el('NAS-IP-Address', 3, r.nasIp),
          el('NAS-Identifier', 1, r.nasId),
          el('Client-IP-Address', 3, r.clientIp),
          el('Client-Vendor', 0, 0),
          el('Client-Friendly-Name', 1, r.clientName),
          el('Proxy-Policy-Name', 1, r.proxyPolicy),
          el('NP-Policy-Name', 1, r.policy),
          el('Authentication-Type', 0, 1),
          el('Packet-Type', 0, r.packetType),
          el('Reason-Code', 0, r.reasonCode),
          '</Event>',
        ].join(''),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
