// Renders Windows Event XML exactly as the real renderings do, for the scenario corpus. Field lists and order:
//   NPS 6272/6273: test/fixtures/windows-samples/nps-6272-1.xml, nps-6273-1.xml (27 <Data Name> fields each; 6273 ends
//     ReasonCode, Reason, LoggingResult); System: Task 12552, Keywords 0x8020…/0x8010… (audit success/failure).
//   NPS 4402: test/fixtures/windows-samples/nps-4402-1.xml (provider NPS, System log, one unnamed <Data>).
//   NPS 13/14 (System, provider NPS): TechNet "Event ID 14 — RADIUS Client Communication" (cc735357): %1 is the
//     RADIUS client's address; same shape as 4402.
//   6272 SubjectUserSid: the user's SID on a grant (the user was found); S-1-0-0 (NULL SID) on these denials.
//   CA 4886/4887/4888 v1: test/fixtures/windows-samples/adcs-4886-1.xml, adcs-4887-1.xml, adcs-4888-1.xml; 4889 v0 and the
//     v0 layouts: docs/windows-events.md §2.4 (Task 12805). 4888 Disposition = signed decimal HRESULT.
//   CertificationAuthority 53/54: docs/windows-events.md §2.4 (RequestId, Reason, SubjectName, AdditionalInformation).
//   Client OtpCredentialProvider 10000–10022: docs/windows-events.md §2.1 (provider, GUID, channel, field names).
//   IIS 6200: docs/windows-events.md §2.3 (provider, GUID, channel, the template field order and XML spellings).
// No real XML sample exists for the client and IIS events (§5): their System parts follow the shape of real events.

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const SECURITY_GUID = '{54849625-5478-4994-A5BA-3E3B0328C30D}';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Windows writes SystemTime with 7 fractional digits. */
export function systemTime(ms) {
  const iso = new Date(Math.floor(ms)).toISOString();
  const ticks = String(Math.round((ms % 1000) * 10_000)).padStart(7, '0');
  return `${iso.slice(0, 19)}.${ticks}Z`;
}

function system({
  provider,
  guid,
  eventId,
  version = 0,
  level = 0,
  task = 0,
  keywords,
  time,
  recordId,
  channel,
  computer,
  qualifiers,
  userSid,
  pid = 700,
  tid = 800,
}) {
  const prov =
    guid === undefined ? `<Provider Name="${provider}" />` : `<Provider Name="${provider}" Guid="${guid}" />`;
  const id =
    qualifiers === undefined
      ? `<EventID>${eventId}</EventID>`
      : `<EventID Qualifiers="${qualifiers}">${eventId}</EventID>`;
  return `<System>${prov}${id}<Version>${version}</Version><Level>${level}</Level><Task>${task}</Task><Opcode>0</Opcode><Keywords>${keywords}</Keywords><TimeCreated SystemTime="${systemTime(time)}" /><EventRecordID>${recordId}</EventRecordID><Correlation /><Execution ProcessID="${pid}" ThreadID="${tid}" /><Channel>${channel}</Channel><Computer>${computer}</Computer>${userSid === undefined ? '<Security />' : `<Security UserID="${userSid}" />`}</System>`;
}

function data(pairs) {
  return `<EventData>${pairs.map(([k, v]) => (v === '' ? `<Data Name="${k}" />` : `<Data Name="${k}">${esc(v)}</Data>`)).join('')}</EventData>`;
}

const event = (sys, body) => `<Event xmlns="${NS}">${sys}${body}</Event>`;

/** NPS 6272 (granted) or 6273 (denied, with reasonCode/reason) for a PAP request from the DA server. */
export function nps({
  eventId = 6272,
  time,
  recordId,
  computer = 'nps01.corp.example',
  user,
  domain = 'CORP',
  fqdn = 'corp.example',
  reasonCode,
  reason,
  daServer = 'da01',
  daIp = '10.0.0.10',
}) {
  const denied = eventId !== 6272;
  const fields = [
    ['SubjectUserSid', denied ? 'S-1-0-0' : userSid(user)],
    ['SubjectUserName', `${domain}\\${user}`],
    ['SubjectDomainName', domain],
    ['FullyQualifiedSubjectUserName', `${fqdn}/${user}`],
    ['SubjectMachineSID', 'S-1-0-0'],
    ['SubjectMachineName', '-'],
    ['FullyQualifiedSubjectMachineName', '-'],
    ['MachineInventory', '-'],
    ['CalledStationID', '-'],
    ['CallingStationID', '-'],
    ['NASIPv4Address', daIp],
    ['NASIPv6Address', '-'],
    ['NASIdentifier', daServer],
    ['NASPortType', 'Virtual'],
    ['NASPort', '-'],
    ['ClientName', daServer],
    ['ClientIPAddress', daIp],
    ['ProxyPolicyName', 'Use Windows authentication for all users'],
    ['NetworkPolicyName', denied ? '-' : 'DirectAccess OTP'],
    ['AuthenticationProvider', 'Windows'],
    ['AuthenticationServer', computer],
    ['AuthenticationType', 'PAP'],
    ['EAPType', '-'],
    ['AccountSessionIdentifier', '-'],
  ];
  if (denied) fields.push(['ReasonCode', String(reasonCode)], ['Reason', reason]);
  else fields.push(['QuarantineState', 'Full Access'], ['QuarantineSessionIdentifier', '-']);
  fields.push(['LoggingResult', 'Accounting information was written to the local log file.']);
  return event(
    system({
      provider: 'Microsoft-Windows-Security-Auditing',
      guid: SECURITY_GUID,
      eventId,
      version: 1,
      task: 12552,
      keywords: denied ? '0x8010000000000000' : '0x8020000000000000',
      time,
      recordId,
      channel: 'Security',
      computer,
    }),
    data(fields),
  );
}

/** A stable domain SID for a user name (the domain part fixed, the RID from the name). */
export function userSid(user) {
  let rid = 1100;
  for (const c of user.toLowerCase()) rid = (rid * 31 + c.charCodeAt(0)) % 90_000;
  return `S-1-5-21-1004336348-1177238915-682003330-${1100 + rid}`;
}

/** NPS 13 (unknown RADIUS client address) or 14 (invalid authenticator: shared secret) in the System log. */
export function npsClientError({ eventId, time, recordId, computer = 'nps01.corp.example', client }) {
  return nps4402({ time, recordId, computer, domain: client }).replace(
    '<EventID Qualifiers="49152">4402<',
    `<EventID Qualifiers="49152">${eventId}<`,
  );
}

/** NPS 4402 in the System log: no domain controller available for a domain. */
export function nps4402({ time, recordId, computer = 'nps01.corp.example', domain }) {
  return event(
    system({
      provider: 'NPS',
      eventId: 4402,
      qualifiers: 49152,
      level: 2,
      keywords: '0x80000000000000',
      time,
      recordId,
      channel: 'System',
      computer,
    })
      .replace(/<Version>0<\/Version>/, '')
      .replace(/<Opcode>0<\/Opcode>/, '')
      .replace(/<Correlation \/><Execution ProcessID="700" ThreadID="800" \/>/, ''),
    `<EventData><Data>${esc(domain)}</Data></EventData>`,
  );
}

const CA = 'ca01.corp.example';

/** System part of a CA audit event (Security log, task 12805 Certification Services; samples adcs-4886-1 etc.). */
function caSystem(eventId, version, keywords, { time, recordId, computer }) {
  return system({
    provider: 'Microsoft-Windows-Security-Auditing',
    guid: SECURITY_GUID,
    eventId,
    version,
    task: 12805,
    keywords,
    time,
    recordId,
    channel: 'Security',
    computer,
  });
}

/** A request's Attributes as the CA logs it: `CertificateTemplate:<name>`, and `ccm:<machine>` when known. */
function caAttributes(template, machine) {
  return [`CertificateTemplate:${template}`, machine ? `ccm:${machine}` : null].filter(Boolean).join(' ');
}

/** CA 4886 v1: a certificate request was received. */
export function ca4886({
  time,
  recordId,
  computer = CA,
  requestId,
  requester,
  template = 'DAOTPLogon',
  machine,
  upn,
  subject = '',
  csp = 'Microsoft Software Key Storage Provider',
}) {
  return event(
    caSystem(4886, 1, '0x8020000000000000', { time, recordId, computer }),
    data([
      ['RequestId', String(requestId)],
      ['Requester', requester],
      ['Attributes', caAttributes(template, machine)],
      ['Subject', subject],
      ['SubjectAlternativeName', upn ? `Other Name: Principal Name=${upn}` : ''],
      ['CertificateTemplate', template],
      ['RequestOSVersion', ''],
      ['RequestCSPProvider', csp],
      ['RequestClientInfo', ''],
      ['AuthenticationService', 'Kerberos'],
      ['AuthenticationLevel', 'Privacy'],
      ['DCOMorRPC', 'DCOM'],
    ]),
  );
}

/** CA 4887 v1: issued. */
export function ca4887({
  time,
  recordId,
  computer = CA,
  requestId,
  requester,
  template = 'DAOTPLogon',
  machine,
  upn,
  subject,
}) {
  return event(
    caSystem(4887, 1, '0x8020000000000000', { time, recordId, computer }),
    data([
      ['RequestId', String(requestId)],
      ['Requester', requester],
      ['Attributes', caAttributes(template, machine)],
      ['Disposition', '3'],
      ['SubjectKeyIdentifier', '22 1c 6d 0a 2f 43 59 9c 96 27 4c 27 12 37 29 1a b0 bd 14 ed'],
      ['Subject', subject],
      ['SubjectAlternativeName', `Other Name: Principal Name=${upn}`],
      ['CertificateTemplate', template],
      ['SerialNumber', `6400000${String(requestId).padStart(4, '0')}686da065d22cd2190c000000000068`],
      ['AuthenticationService', 'Kerberos'],
      ['AuthenticationLevel', 'Privacy'],
      ['DCOMorRPC', 'DCOM'],
    ]),
  );
}

/** CA 4888 v1: denied; `hresult` as a signed decimal like Windows writes it. */
export function ca4888({
  time,
  recordId,
  computer = CA,
  requestId,
  requester,
  template = 'DAOTPLogon',
  machine,
  hresult,
}) {
  const signed = (Number.parseInt(hresult, 16) | 0).toString();
  return event(
    caSystem(4888, 1, '0x8010000000000000', { time, recordId, computer }),
    data([
      ['RequestId', String(requestId)],
      ['Requester', requester],
      ['Attributes', caAttributes(template, machine)],
      ['Disposition', signed],
      ['SubjectKeyIdentifier', 'd8 20 c0 86 b6 af 92 cc f9 77 de 92 6b 29 61 8d c0 5a 79 e8'],
      ['Subject', ''],
      ['AuthenticationService', 'Kerberos'],
      ['AuthenticationLevel', 'Privacy'],
      ['DCOMorRPC', 'DCOM'],
    ]),
  );
}

/** CA 4889 v0: set to pending (Disposition 5 = CR_DISP_UNDER_SUBMISSION). */
export function ca4889({ time, recordId, computer = CA, requestId, requester, template = 'DAOTPLogon', subject }) {
  return event(
    caSystem(4889, 0, '0x8020000000000000', { time, recordId, computer }),
    data([
      ['RequestId', String(requestId)],
      ['Requester', requester],
      ['Attributes', `CertificateTemplate:${template}`],
      ['Disposition', '5'],
      ['SubjectKeyIdentifier', '5e 0b 21 7f 04 9a 11 c2 8e 41 3d 19 77 5a 60 4f 2a c8 91 0d'],
      ['Subject', subject],
    ]),
  );
}

/** CertificationAuthority 53 (denied, with the HRESULT in the Reason text) or 54 (pending). */
export function caApp({ eventId = 53, time, recordId, computer = CA, requestId, reason, subject }) {
  const level = eventId === 53 ? 3 : 4;
  return event(
    system({
      provider: 'Microsoft-Windows-CertificationAuthority',
      guid: '{6A71D062-9AFE-4F35-AD08-52134F85DFB9}',
      eventId,
      level,
      keywords: '0x8000000000000000',
      time,
      recordId,
      channel: 'Application',
      computer,
    }),
    data([
      ['RequestId', String(requestId)],
      ['Reason', reason],
      ['SubjectName', subject],
      ['AdditionalInformation', eventId === 53 ? 'Denied by Policy Module' : 'Taken Under Submission'],
    ]),
  );
}

/** Client OtpCredentialProvider event; `fields` in the template order of docs/windows-events.md §2.1. */
export function client({ eventId, time, recordId, computer = 'client01.corp.example', fields = [], level = 2 }) {
  return event(
    system({
      provider: 'Microsoft-Windows-OtpCredentialProviderEvt',
      guid: '{5cad485a-210f-4c16-80c5-f892de74e28d}',
      eventId,
      level,
      keywords: '0x8000000000000000',
      time,
      recordId,
      channel: 'Microsoft-Windows-OtpCredentialProvider/Operational',
      computer,
      userSid: 'S-1-5-18',
    }),
    fields.length === 0 ? '' : data(fields),
  );
}

/** IIS 6200 on the DA server: one request, logged when it completed (date/time UTC whole seconds, time-taken ms). */
export function iis({
  time,
  recordId,
  computer = 'da01.corp.example',
  clientIp,
  method = 'POST',
  status = 200,
  subStatus = 0,
  win32Status = 0,
  timeTaken,
  uriStem = '/otp/DAAuthOtp.dll',
}) {
  const end = new Date(Math.floor(time));
  const fields = [
    ['EnabledFieldsFlags', '2478031'],
    ['date', end.toISOString().slice(0, 10)],
    ['time', end.toISOString().slice(11, 19)],
    ['c-ip', clientIp],
    ['cs-username', '-'],
    ['s-sitename', 'W3SVC2'],
    ['s-computername', computer.split('.')[0].toUpperCase()],
    ['s-ip', '203.0.113.10'],
    ['cs-method', method],
    ['cs-uri-stem', uriStem],
    ['cs-uri-query', '-'],
    ['sc-status', String(status)],
    ['sc-win32-status', String(win32Status)],
    ['sc-bytes', '1523'],
    ['cs-bytes', '2911'],
    ['time-taken', String(timeTaken)],
    ['s-port', '443'],
    ['csUser-Agent', 'OTPCEP'],
    ['csCookie', '-'],
    ['csReferer', '-'],
    ['cs-version', 'HTTP/1.1'],
    ['cs-host', 'da.corp.example'],
    ['sc-substatus', String(subStatus)],
    ['CustomFields', ''],
  ];
  return event(
    system({
      provider: 'Microsoft-Windows-IIS-Logging',
      guid: '{7E8AD27F-B271-4EA2-A783-A47BDE29143B}',
      eventId: 6200,
      level: 4,
      keywords: '0x8000000000000000',
      time,
      recordId,
      channel: 'Microsoft-IIS-Logging/Logs',
      computer,
    }),
    data(fields),
  );
}

/** An unrelated Security event (4624 logon), shaped like test/fixtures/windows-samples/other/security-4624-renderinginfo.xml. */
export function logon({ time, recordId, computer }) {
  return event(
    system({
      provider: 'Microsoft-Windows-Security-Auditing',
      guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
      eventId: 4624,
      version: 3,
      task: 12544,
      keywords: '0x8020000000000000',
      time,
      recordId,
      channel: 'Security',
      computer,
    }),
    data([
      ['SubjectUserSid', 'S-1-5-18'],
      ['SubjectUserName', 'NPS01$'],
      ['SubjectDomainName', 'CORP'],
      ['SubjectLogonId', '0x3e7'],
      ['TargetUserSid', 'S-1-5-18'],
      ['TargetUserName', 'SYSTEM'],
      ['TargetDomainName', 'NT AUTHORITY'],
      ['TargetLogonId', '0x3e7'],
      ['LogonType', '5'],
      ['LogonProcessName', 'Advapi  '],
      ['AuthenticationPackageName', 'Negotiate'],
      ['WorkstationName', '-'],
      ['LogonGuid', '{00000000-0000-0000-0000-000000000000}'],
      ['TransmittedServices', '-'],
      ['LmPackageName', '-'],
      ['KeyLength', '0'],
      ['ProcessId', '0x314'],
      ['ProcessName', 'C:\\Windows\\System32\\services.exe'],
      ['IpAddress', '-'],
      ['IpPort', '-'],
      ['ImpersonationLevel', '%%1833'],
      ['RestrictedAdminMode', '-'],
      ['RemoteCredentialGuard', '-'],
      ['TargetOutboundUserName', '-'],
      ['TargetOutboundDomainName', '-'],
      ['VirtualAccount', '%%1843'],
      ['TargetLinkedLogonId', '0x0'],
      ['ElevatedToken', '%%1842'],
    ]),
  );
}
