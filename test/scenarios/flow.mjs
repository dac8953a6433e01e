// One OTP attempt's events across the four logs, in the real order (docs/windows-events.md §0.2: IIS request start ≤
// NPS 6272/6273 ≤ IIS 6200 (logged at completion) < CA 4886 ≤ 4887/4888 < client result), with optional clock skew
// per host.
import { ca4886, ca4887, ca4888, ca4889, caApp, client, iis, nps } from './render.mjs';

const counters = new Map();
/** Next EventRecordID of one log (computer + channel). */
export function nextRecord(log, start = 1000) {
  const n = (counters.get(log) ?? start) + 1;
  counters.set(log, n);
  return n;
}
export function resetRecords(firstRequestId = 4100) {
  counters.clear();
  requestIds = firstRequestId;
}

const HRESULT_TEXT = {
  '0x80094012':
    'The permissions on the certificate template do not allow the current user to enroll for this type of certificate. 0x80094012 (-2146877422 CERTSRV_E_TEMPLATE_DENIED)',
  '0x80094011':
    'The permissions on this certification authority do not allow the current user to enroll for certificates. 0x80094011 (-2146877423 CERTSRV_E_ENROLL_DENIED)',
  '0x8009480B':
    'One or more signatures did not include the required application or issuance policies. The request is missing one or more required valid signatures. 0x8009480b (-2146875381 CERTSRV_E_SIGNATURE_REJECTED)',
  '0x80094800':
    'The requested certificate template is not supported by this CA. 0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)',
  '0x80094811':
    'The public key does not meet the minimum size required by the specified certificate template. 0x80094811 (-2146875375 CERTSRV_E_KEY_LENGTH)',
  '0x80092013':
    'The revocation function was unable to check revocation because the revocation server was offline. 0x80092013 (-2146885613 CRYPT_E_REVOCATION_OFFLINE)',
  '0x800B0109':
    'A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider. 0x800b0109 (-2146762487 CERT_E_UNTRUSTEDROOT)',
  '0x80094801':
    'The request contains no certificate template information. 0x80094801 (-2146875391 CERTSRV_E_NO_CERT_TYPE)',
};

let requestIds = 4100;

/**
 * Events of one attempt by log file. `steps` says what happened: iis {status, timeTaken}, radius {eventId,
 * reasonCode, reason}, ca {result: issued|denied|pending|received, hresult, app}, client {eventId, fields}.
 */
export function flow({
  user,
  domain = 'CORP',
  t0,
  machine = 'client01.corp.example',
  clientIp = '198.51.100.23',
  iis: web,
  radius,
  ca,
  client: result,
  skew = {},
}) {
  const out = { client: [], iis: [], nps: [], ca: [] };
  const at = (host, ms) => t0 + ms + (skew[host] ?? 0);
  const requester = `${domain}\\${user}`;
  const upn = `${user}@corp.example`;
  const subject = `CN=${user[0].toUpperCase()}${user.slice(1)},OU=Users,DC=corp,DC=example`;
  if (radius) {
    out.nps.push(nps({ time: at('nps', 350), recordId: nextRecord('nps-sec', 276341000), user, domain, ...radius }));
  }
  if (web) {
    const taken = web.timeTaken ?? 640;
    const server = web.computer ?? 'da01.corp.example';
    out.iis.push(
      iis({
        time: at('iis', taken),
        // One IIS log per DA server; the first keeps the record numbers the other scenarios were written with.
        recordId: nextRecord(server === 'da01.corp.example' ? 'iis' : `iis-${server}`, 52000),
        computer: server,
        clientIp,
        status: web.status ?? 200,
        subStatus: web.subStatus ?? 0,
        timeTaken: taken,
        uriStem: web.uriStem,
      }),
    );
  }
  if (ca) {
    const requestId = requestIds++;
    const base = { requestId, requester };
    out.ca.push(
      ca4886({
        ...base,
        time: at('ca', 1500),
        recordId: nextRecord('ca-sec', 61500),
        machine,
        upn,
        subject,
        csp: ca.csp,
      }),
    );
    if (ca.result === 'issued')
      out.ca.push(
        ca4887({ ...base, time: at('ca', 1530), recordId: nextRecord('ca-sec', 61500), machine, upn, subject }),
      );
    if (ca.result === 'denied') {
      out.ca.push(
        ca4888({ ...base, time: at('ca', 1530), recordId: nextRecord('ca-sec', 61500), machine, hresult: ca.hresult }),
      );
      if (ca.app)
        out.ca.push(
          caApp({
            eventId: 53,
            time: at('ca', 1531),
            recordId: nextRecord('ca-app', 9000),
            requestId,
            reason: HRESULT_TEXT[ca.hresult] ?? `Denied ${ca.hresult}`,
            subject,
          }),
        );
    }
    if (ca.result === 'pending') {
      out.ca.push(ca4889({ ...base, time: at('ca', 1530), recordId: nextRecord('ca-sec', 61500), subject }));
      if (ca.app)
        out.ca.push(
          caApp({
            eventId: 54,
            time: at('ca', 1531),
            recordId: nextRecord('ca-app', 9000),
            requestId,
            reason: 'Taken Under Submission',
            subject,
          }),
        );
    }
  }
  if (result) {
    const fields = (result.fields ?? []).map(([k, v]) => [k, v.replace('{user}', requester)]);
    out.client.push(
      client({
        eventId: result.eventId,
        time: at('client', result.after ?? 1900),
        recordId: nextRecord(`client-${machine}`, 300),
        computer: machine,
        fields,
        level: result.eventId === 10022 ? 4 : 2,
      }),
    );
  }
  return out;
}

/** Merge several flows' events per file, sorted by their SystemTime like wevtutil's default order. */
export function mergeFlows(flows) {
  const out = { client: [], iis: [], nps: [], ca: [] };
  for (const f of flows) for (const k of Object.keys(out)) out[k].push(...f[k]);
  const timeOf = (xml) => /SystemTime="([^"]+)"/.exec(xml)[1];
  for (const k of Object.keys(out)) out[k].sort((a, b) => (timeOf(a) < timeOf(b) ? -1 : timeOf(a) > timeOf(b) ? 1 : 0));
  return out;
}
