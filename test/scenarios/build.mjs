// Writes the scenario corpus: test/scenarios/<name>/*.xml plus intent.json (what the scenario means: the verdict
// of each attempt, stated by hand). `node test/scenarios/build.mjs` rewrites the XML; the golden expected.json files
// are written by `node test/scenarios/build.mjs --golden` after a build, and only when the analysis agrees with every
// scenario's intent. scenarios.test.ts asserts both.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flow, mergeFlows, nextRecord, resetRecords } from './flow.mjs';
import { ca4886, ca4887, ca4888, logon, nps, nps4402, npsClientError } from './render.mjs';
import { dtsLog, iasLog, odbcLog, w3cLog } from './text-logs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const T = (hhmmss) => Date.parse(`2026-11-02T${hhmmss}Z`);
const CA_NAME = ['CAName', 'ca01.corp.example\\Corp-Issuing-CA'];
const SERVER = ['serverAddress', 'da.corp.example'];

const ok = { eventId: 10022, fields: [CA_NAME] };
const authFailed = (code = '8007052E') => ({
  eventId: 10005,
  fields: [['user', '{user}'], SERVER, ['errorCode', code]],
});
const enrolFailed = { eventId: 10019, fields: [['OTPUserName', '{user}'], CA_NAME] };
const granted = { eventId: 6272 };
const denied = (reasonCode, reason) => ({ eventId: 6273, reasonCode, reason });
const web = { status: 200, timeTaken: 640 };

/** Each scenario: its attempts (flows), extra raw events per file, and the intended verdicts in time order. */
const SCENARIOS = {
  success: {
    flows: [{ user: 'alice', t0: T('08:00:00'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok }],
    intent: [{ user: 'corp\\alice', outcome: 'success', failedStage: null, code: null }],
  },
  'success-without-ca-log': {
    // Only the client, IIS and NPS logs were exported: the client's 10022 (which names no user) still joins.
    flows: [{ user: 'amy', t0: T('08:01:00'), iis: web, radius: granted, client: ok }],
    intent: [{ user: 'corp\\amy', outcome: 'success', failedStage: null, code: null }],
  },
  'otp-rejected': {
    flows: [
      {
        user: 'bob',
        t0: T('08:05:00'),
        iis: web,
        radius: denied(
          16,
          'Authentication failed due to a user credentials mismatch. Either the user name provided does not map to an existing user account or the password was incorrect.',
        ),
        client: authFailed(),
      },
    ],
    intent: [{ user: 'corp\\bob', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' }],
  },
  'otp-rejected-by-extension': {
    flows: [
      {
        user: 'carol',
        t0: T('08:06:00'),
        iis: web,
        radius: denied(
          21,
          'An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.',
        ),
        client: authFailed(),
      },
    ],
    intent: [{ user: 'corp\\carol', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' }],
  },
  'radius-policy': {
    flows: [
      {
        user: 'dave',
        t0: T('08:07:00'),
        iis: web,
        radius: denied(48, 'The connection request did not match any configured network policy.'),
        client: authFailed(),
      },
    ],
    intent: [{ user: 'corp\\dave', outcome: 'failure', failedStage: 'radius', code: 'radius_policy' }],
  },
  'radius-account': {
    flows: [
      {
        user: 'erin',
        t0: T('08:08:00'),
        iis: web,
        radius: denied(34, 'The user account that is specified in the RADIUS Access-Request message is disabled.'),
        client: authFailed(),
      },
    ],
    intent: [{ user: 'corp\\erin', outcome: 'failure', failedStage: 'radius', code: 'radius_account' }],
  },
  'radius-directory-unavailable': {
    flows: [
      {
        user: 'frank',
        t0: T('08:09:00'),
        iis: web,
        radius: denied(5, 'The specified domain is not accessible.'),
        client: authFailed(),
      },
    ],
    extra: {
      nps: [() => nps4402({ time: T('08:09:00') + 200, recordId: nextRecord('nps-sys', 84000), domain: 'CORP' })],
    },
    intent: [{ user: 'corp\\frank', outcome: 'failure', failedStage: 'radius', code: 'radius_directory_unavailable' }],
  },
  'radius-no-response': {
    // The DA server waited for RADIUS (long time-taken) and NPS logged nothing for the user; the NPS log is present
    // (the probe's decision shows it was read).
    flows: [
      { user: 'DAProbeUser', t0: T('08:09:30'), radius: denied(8, 'The specified user account does not exist.') },
      {
        user: 'gina',
        t0: T('08:10:00'),
        iis: { status: 200, timeTaken: 15_200 },
        client: { ...authFailed('80004005'), after: 15_500 },
      },
    ],
    intent: [
      { user: 'corp\\daprobeuser', outcome: 'probe', failedStage: null, code: null },
      { user: 'corp\\gina', outcome: 'failure', failedStage: 'radius', code: 'radius_no_response' },
    ],
  },
  'signing-failed': {
    flows: [{ user: 'hank', t0: T('08:11:00'), iis: web, radius: granted, client: authFailed('80004005') }],
    intent: [{ user: 'corp\\hank', outcome: 'failure', failedStage: 'gateway', code: 'signing_failed' }],
  },
  'ca-unreachable': {
    flows: [
      {
        user: 'ivan',
        t0: T('08:12:00'),
        iis: web,
        radius: granted,
        client: { eventId: 10018, fields: [['OTPUserName', '{user}'], CA_NAME] },
      },
    ],
    intent: [{ user: 'corp\\ivan', outcome: 'failure', failedStage: 'ca', code: 'ca_unreachable' }],
  },
  'ca-unreachable-beside-autoenrolment': {
    // The CA's log holds the same user's autoenrolment for the User template a few seconds later: not this attempt's.
    flows: [
      {
        user: 'ines',
        t0: T('08:12:30'),
        iis: web,
        radius: granted,
        client: { eventId: 10018, fields: [['OTPUserName', '{user}'], CA_NAME] },
      },
    ],
    extra: {
      ca: [
        () =>
          ca4886({
            time: T('08:12:33'),
            recordId: nextRecord('ca-sec', 61500),
            requestId: 4990,
            requester: 'CORP\\ines',
            template: 'User',
            upn: 'ines@corp.example',
            machine: 'client01.corp.example',
          }),
        () =>
          ca4887({
            time: T('08:12:33') + 20,
            recordId: nextRecord('ca-sec', 61500),
            requestId: 4990,
            requester: 'CORP\\ines',
            template: 'User',
            upn: 'ines@corp.example',
            subject: 'CN=Ines,OU=Users,DC=corp,DC=example',
            machine: 'client01.corp.example',
          }),
      ],
    },
    intent: [{ user: 'corp\\ines', outcome: 'failure', failedStage: 'ca', code: 'ca_unreachable' }],
  },
  'ca-denied-template-permission': {
    flows: [
      {
        user: 'judy',
        t0: T('08:13:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x80094012', app: true },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\judy', outcome: 'failure', failedStage: 'ca', code: 'ca_denied_template_permission' }],
  },
  'ca-denied-signature': {
    flows: [
      {
        user: 'kate',
        t0: T('08:14:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x8009480B', app: true },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\kate', outcome: 'failure', failedStage: 'ca', code: 'ca_denied_signature' }],
  },
  'ca-template-not-available': {
    flows: [
      {
        user: 'liam',
        t0: T('08:15:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x80094800', app: true },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\liam', outcome: 'failure', failedStage: 'ca', code: 'ca_template_not_available' }],
  },
  'ca-denied-key-length': {
    flows: [
      {
        user: 'mia',
        t0: T('08:16:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x80094811', app: true },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\mia', outcome: 'failure', failedStage: 'ca', code: 'ca_denied_key_length' }],
  },
  'ca-denied-other': {
    flows: [
      {
        user: 'noah',
        t0: T('08:17:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x80094801' },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\noah', outcome: 'failure', failedStage: 'ca', code: 'ca_denied_other' }],
  },
  'ca-pending': {
    flows: [
      {
        user: 'olga',
        t0: T('08:18:00'),
        iis: web,
        radius: granted,
        ca: { result: 'pending', app: true },
        client: enrolFailed,
      },
    ],
    intent: [{ user: 'corp\\olga', outcome: 'failure', failedStage: 'ca', code: 'ca_pending' }],
  },
  'client-cannot-reach-server': {
    flows: [
      {
        user: 'paul',
        t0: T('08:19:00'),
        machine: 'client07.corp.example',
        client: {
          eventId: 10001,
          after: 0,
          fields: [SERVER, ['path', '/otp'], ['port', '443'], ['errCode', '2147954402']],
        },
      },
    ],
    intent: [
      {
        user: 'unknown@client07.corp.example',
        outcome: 'failure',
        failedStage: 'gateway',
        code: 'client_cannot_reach_server',
      },
    ],
  },
  'client-certificate-missing': {
    flows: [
      {
        user: 'quinn',
        t0: T('08:20:00'),
        iis: { status: 403, subStatus: 7, timeTaken: 15 },
        client: { eventId: 10016, after: 300, fields: [] },
      },
    ],
    intent: [
      {
        user: 'unknown@client01.corp.example',
        outcome: 'failure',
        failedStage: 'client',
        code: 'client_certificate_missing',
      },
    ],
  },
  'challenge-required': {
    flows: [
      {
        user: 'rosa',
        t0: T('08:21:00'),
        iis: web,
        client: { eventId: 10006, fields: [['user', '{user}'], SERVER, ['errorCode', '0']] },
      },
    ],
    intent: [{ user: 'corp\\rosa', outcome: 'failure', failedStage: 'radius', code: 'challenge_required' }],
  },
  'user-not-in-directory': {
    flows: [
      {
        user: 'sam',
        t0: T('08:22:00'),
        client: {
          eventId: 10011,
          after: 0,
          fields: [
            ['user', '{user}'],
            ['errorCode', '80070534'],
          ],
        },
      },
    ],
    intent: [{ user: 'corp\\sam', outcome: 'failure', failedStage: 'client', code: 'user_not_in_directory' }],
  },
  'client-certificate-store': {
    flows: [
      {
        user: 'tina',
        t0: T('08:23:00'),
        iis: web,
        radius: granted,
        ca: { result: 'issued' },
        client: { eventId: 10007, fields: [['errorCode', '80090016']] },
      },
    ],
    intent: [{ user: 'corp\\tina', outcome: 'failure', failedStage: 'client', code: 'client_certificate_store' }],
  },
  cancelled: {
    flows: [
      {
        user: 'uma',
        t0: T('08:24:00'),
        machine: 'client09.corp.example',
        client: { eventId: 10010, after: 0, fields: [] },
      },
    ],
    intent: [{ user: 'unknown@client09.corp.example', outcome: 'cancelled', failedStage: null, code: null }],
  },
  probe: {
    flows: [
      { user: 'DAProbeUser', t0: T('08:25:00'), radius: denied(8, 'The specified user account does not exist.') },
      { user: 'DAProbeUser', t0: T('08:30:00'), radius: denied(8, 'The specified user account does not exist.') },
    ],
    intent: [
      { user: 'corp\\daprobeuser', outcome: 'probe', failedStage: null, code: null },
      { user: 'corp\\daprobeuser', outcome: 'probe', failedStage: null, code: null },
    ],
  },
  'retry-after-failure': {
    flows: [
      {
        user: 'vera',
        t0: T('08:31:00'),
        iis: web,
        radius: denied(16, 'Authentication failed due to a user credentials mismatch.'),
        client: authFailed(),
      },
      { user: 'vera', t0: T('08:31:40'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
    ],
    intent: [
      { user: 'corp\\vera', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
      { user: 'corp\\vera', outcome: 'success', failedStage: null, code: null },
    ],
  },
  'skewed-clocks': {
    // The client's clock runs 95 s behind, the CA's 40 s ahead, the DA server's 1 s ahead of NPS.
    flows: [
      {
        user: 'walt',
        t0: T('08:32:00'),
        iis: web,
        radius: denied(16, 'Authentication failed due to a user credentials mismatch.'),
        client: authFailed(),
        skew: { client: -95_000, ca: 40_000, iis: 1_000 },
      },
      {
        user: 'walt',
        t0: T('08:32:50'),
        iis: web,
        radius: granted,
        ca: { result: 'issued' },
        client: ok,
        skew: { client: -95_000, ca: 40_000, iis: 1_000 },
      },
    ],
    intent: [
      { user: 'corp\\walt', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
      { user: 'corp\\walt', outcome: 'success', failedStage: null, code: null },
    ],
  },
  'overlap-on-two-da-servers': {
    // Two users' requests overlap in time on two DA servers; NPS names each server as the RADIUS client: no ambiguity.
    flows: [
      {
        user: 'yann',
        t0: T('08:35:00'),
        machine: 'client23.corp.example',
        clientIp: '198.51.100.42',
        iis: { status: 200, timeTaken: 900, computer: 'da01.corp.example' },
        radius: { ...granted, daServer: 'da01' },
        ca: { result: 'issued' },
        client: ok,
      },
      {
        user: 'zoe',
        t0: T('08:35:00') + 100,
        machine: 'client24.corp.example',
        clientIp: '198.51.100.43',
        iis: { status: 200, timeTaken: 900, computer: 'da02.corp.example' },
        radius: {
          ...denied(16, 'Authentication failed due to a user credentials mismatch.'),
          daServer: 'da02',
          daIp: '10.0.0.11',
        },
        client: authFailed(),
      },
    ],
    intent: [
      { user: 'corp\\yann', outcome: 'success', failedStage: null, code: null },
      { user: 'corp\\zoe', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
    ],
  },
  'ambiguous-gateway': {
    // Two users' requests overlap on one DA server: each IIS request contains both RADIUS decisions, which fit either
    // split alike. They go in the order of the requests' ends, each to its own (called ambiguous until 2026-12-04).
    flows: [
      {
        user: 'xena',
        t0: T('08:34:00'),
        machine: 'client21.corp.example',
        clientIp: '198.51.100.40',
        iis: { status: 200, timeTaken: 900 },
        radius: granted,
        ca: { result: 'issued' },
        client: ok,
      },
      {
        user: 'yuri',
        t0: T('08:34:00') + 100,
        machine: 'client22.corp.example',
        clientIp: '198.51.100.41',
        iis: { status: 200, timeTaken: 900 },
        radius: denied(16, 'Authentication failed due to a user credentials mismatch.'),
        client: authFailed(),
      },
    ],
    intent: [
      { user: 'corp\\xena', outcome: 'success', failedStage: null, code: null },
      { user: 'corp\\yuri', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
    ],
  },
};

// docs/windows-events.md §9: failure modes the four logs show that the first catalogue did not tell apart.
const probeDenied = denied(8, 'The specified user account does not exist.');
const failedIn = (user, stage, code) => ({ user: `corp\\${user}`, outcome: 'failure', failedStage: stage, code });
const authFailedRequest = (user, t0, web, client = authFailed('80004005')) => ({ user, t0, iis: web, client });
/** The DA server's own request for its OTP signing certificate (requester CORP\DA03$, template DAOTPRA). */
const signingRequest = (time, requestId, hresult) => [
  () =>
    ca4886({
      time,
      recordId: nextRecord('ca-sec', 61500),
      requestId,
      requester: 'CORP\\DA03$',
      template: 'DAOTPRA',
      machine: 'da03.corp.example',
      subject: 'CN=da03.corp.example',
      csp: 'Microsoft Software Key Storage Provider',
    }),
  () =>
    hresult === null
      ? ca4887({
          time: time + 30,
          recordId: nextRecord('ca-sec', 61500),
          requestId,
          requester: 'CORP\\DA03$',
          template: 'DAOTPRA',
          machine: 'da03.corp.example',
          upn: 'da03$@corp.example',
          subject: 'CN=da03.corp.example',
        })
      : ca4888({
          time: time + 30,
          recordId: nextRecord('ca-sec', 61500),
          requestId,
          requester: 'CORP\\DA03$',
          template: 'DAOTPRA',
          machine: 'da03.corp.example',
          hresult,
        }),
];

const DOMAIN_SCENARIOS = {
  'radius-extension-failed': {
    flows: [
      {
        user: 'abel',
        t0: T('10:00:00'),
        iis: web,
        radius: denied(9, 'The connection request was discarded by a third-party extension DLL file.'),
        client: authFailed('80004005'),
      },
    ],
    intent: [failedIn('abel', 'radius', 'radius_extension_failed')],
  },
  'radius-remote-unavailable': {
    // NPS proxies to the OTP server, which did not answer (117) and, a minute later, did not process (112).
    flows: [
      {
        user: 'bea',
        t0: T('10:01:00'),
        iis: { status: 200, timeTaken: 4_100 },
        radius: denied(117, 'The remote RADIUS server did not respond.'),
        client: authFailed('80004005'),
      },
      {
        user: 'cid',
        t0: T('10:02:00'),
        iis: web,
        radius: denied(112, 'The remote RADIUS server did not process the authentication request.'),
        client: authFailed('80004005'),
      },
    ],
    intent: [
      failedIn('bea', 'radius', 'radius_remote_unavailable'),
      failedIn('cid', 'radius', 'radius_remote_unavailable'),
    ],
  },
  'radius-remote-access-lockout': {
    // 64 is NPS's own lockout; 36 (the AD lockout) stays radius_account.
    flows: [
      {
        user: 'dina',
        t0: T('10:03:00'),
        iis: web,
        radius: denied(64, 'Remote Access Account Lockout has been triggered for the user account.'),
        client: authFailed(),
      },
      {
        user: 'egon',
        t0: T('10:04:00'),
        machine: 'client02.corp.example',
        iis: web,
        radius: denied(36, 'The user account that is specified in the RADIUS Access-Request message is locked.'),
        client: authFailed(),
      },
    ],
    intent: [failedIn('dina', 'radius', 'radius_remote_access_lockout'), failedIn('egon', 'radius', 'radius_account')],
  },
  'radius-unknown-domain': {
    // Reason 7 alone is the user name's domain; 7 with a 4402 from the same NPS server around it is a DC outage (a
    // second NPS server, so that its 4402 cannot explain the first one's denial).
    flows: [
      {
        user: 'fay',
        t0: T('10:05:00'),
        iis: web,
        radius: denied(7, 'The specified domain does not exist.'),
        client: authFailed(),
      },
      {
        user: 'gus',
        t0: T('10:05:40'),
        machine: 'client02.corp.example',
        iis: web,
        radius: { ...denied(7, 'The specified domain does not exist.'), computer: 'nps02.corp.example' },
        client: authFailed(),
      },
      {
        // On a third NPS server, another user is denied for 5 (domain unavailable) ten seconds earlier: 7 is the
        // same outage. (The streaming correlator sees the 5 only in the same partition: ivy and hana share one of 4.)
        user: 'ivy',
        t0: T('10:06:20'),
        machine: 'client03.corp.example',
        iis: web,
        radius: { ...denied(5, 'The specified domain is not accessible.'), computer: 'nps03.corp.example' },
        client: authFailed(),
      },
      {
        user: 'hana',
        t0: T('10:06:30'),
        machine: 'client04.corp.example',
        iis: web,
        radius: { ...denied(7, 'The specified domain does not exist.'), computer: 'nps03.corp.example' },
        client: authFailed(),
      },
    ],
    extra: {
      nps: [
        () =>
          nps4402({
            time: T('10:05:40') + 300,
            recordId: nextRecord('nps02-sys', 84000),
            computer: 'nps02.corp.example',
            domain: 'CORP',
          }),
      ],
    },
    intent: [
      failedIn('fay', 'radius', 'radius_unknown_domain'),
      failedIn('gus', 'radius', 'radius_directory_unavailable'),
      failedIn('ivy', 'radius', 'radius_directory_unavailable'),
      failedIn('hana', 'radius', 'radius_directory_unavailable'),
    ],
  },
  'radius-client-misconfigured': {
    // Ida logs on through DA01 from her desktop (NPS logs DA01's RADIUS address), then the shared secret is rotated on
    // one side only, and she tries from her laptop: NPS
    // logs 14 (invalid authenticator) for DA01's requests and no decision; the DA server waits its RADIUS timeout.
    flows: [
      {
        user: 'ida',
        t0: T('10:29:00'),
        machine: 'client02.corp.example',
        iis: web,
        radius: granted,
        ca: { result: 'issued' },
        client: ok,
      },
      authFailedRequest(
        'ida',
        T('10:30:00'),
        { status: 200, timeTaken: 15_300 },
        { ...authFailed('80004005'), after: 15_600 },
      ),
    ],
    extra: {
      nps: [0, 5_000, 10_000].map(
        (d) => () =>
          npsClientError({
            eventId: 14,
            time: T('10:30:00') + 200 + d,
            recordId: nextRecord('nps-sys', 84000),
            client: '10.0.0.10',
          }),
      ),
    },
    intent: [
      { user: 'corp\\ida', outcome: 'success', failedStage: null, code: null },
      failedIn('ida', 'radius', 'radius_client_misconfigured'),
    ],
  },
  'gateway-rejected-request': {
    // No RADIUS decision while the NPS log was read, and IIS answered in 180 ms, far below the 5 s RADIUS timeout:
    // the DA server refused before asking RADIUS (stale template name or unknown user).
    flows: [
      { user: 'DAProbeUser', t0: T('10:34:30'), radius: probeDenied },
      authFailedRequest(
        'jon',
        T('10:35:00'),
        { status: 200, timeTaken: 180 },
        { ...authFailed('80004005'), after: 400 },
      ),
    ],
    intent: [
      { user: 'corp\\daprobeuser', outcome: 'probe', failedStage: null, code: null },
      failedIn('jon', 'gateway', 'gateway_rejected_request'),
    ],
  },
  'client-certificate-revoked': {
    flows: [
      authFailedRequest(
        'kim',
        T('10:36:00'),
        { status: 403, subStatus: 13, timeTaken: 20 },
        { ...authFailed('80040001'), after: 300 },
      ),
    ],
    intent: [failedIn('kim', 'client', 'client_certificate_revoked')],
  },
  'gateway-untrusted-client-certificate': {
    flows: [
      authFailedRequest(
        'lou',
        T('10:37:00'),
        { status: 403, subStatus: 16, timeTaken: 20 },
        { ...authFailed('80040001'), after: 300 },
      ),
    ],
    intent: [failedIn('lou', 'gateway', 'gateway_untrusted_client_certificate')],
  },
  'client-certificate-expired': {
    // KB2973071: Windows 8.1 keeps presenting the expired cached computer certificate.
    flows: [
      authFailedRequest(
        'max',
        T('10:38:00'),
        { status: 403, subStatus: 17, timeTaken: 20 },
        { ...authFailed('80040001'), after: 300 },
      ),
    ],
    intent: [failedIn('max', 'client', 'client_certificate_expired')],
  },
  'gateway-otp-extension-blocked': {
    flows: [
      authFailedRequest(
        'ned',
        T('10:39:00'),
        { status: 404, subStatus: 2, timeTaken: 15 },
        { ...authFailed('80004005'), after: 300 },
      ),
    ],
    intent: [failedIn('ned', 'gateway', 'gateway_otp_extension_blocked')],
  },
  'signing-certificate-denied': {
    // DA03's renewals of its signing certificate were denied (it lost Enroll on DAOTPRA); an autoenrolment
    // of another computer is noise. Then RADIUS grants, and the client fails before any request reaches the CA.
    flows: [
      {
        user: 'ora',
        t0: T('10:45:00'),
        iis: { ...web, computer: 'da03.corp.example' },
        radius: { ...granted, daServer: 'da03', daIp: '10.0.0.13' },
        client: authFailed('80004005'),
      },
    ],
    extra: {
      ca: [
        ...signingRequest(T('10:42:30'), 4050, '0x80094012'),
        ...signingRequest(T('10:44:00'), 4060, '0x80094012'),
        () =>
          ca4886({
            time: T('10:44:30'),
            recordId: nextRecord('ca-sec', 61500),
            requestId: 4061,
            requester: 'CORP\\CLIENT07$',
            template: 'Machine',
            machine: 'client07.corp.example',
          }),
      ],
    },
    intent: [failedIn('ora', 'gateway', 'signing_certificate_denied')],
  },
  'ca-revocation-offline': {
    flows: [
      {
        user: 'pia',
        t0: T('10:46:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x80092013', app: true },
        client: enrolFailed,
      },
    ],
    intent: [failedIn('pia', 'ca', 'ca_revocation_offline')],
  },
  'ca-chain-untrusted': {
    flows: [
      {
        user: 'rex',
        t0: T('10:47:00'),
        iis: web,
        radius: granted,
        ca: { result: 'denied', hresult: '0x800B0109', app: true },
        client: enrolFailed,
      },
    ],
    intent: [failedIn('rex', 'ca', 'ca_chain_untrusted')],
  },
  'issued-but-unusable': {
    // Success, then the same user asks again from the same computer 3 minutes later: the certificate could not log
    // them on (the finding certificate_not_usable_for_logon on the first attempt; both verdicts stay success).
    flows: [
      { user: 'sid', t0: T('10:50:00'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
      { user: 'sid', t0: T('10:53:00'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
    ],
    intent: [
      { user: 'corp\\sid', outcome: 'success', failedStage: null, code: null },
      { user: 'corp\\sid', outcome: 'success', failedStage: null, code: null },
    ],
  },
  'radius-client-new-node': {
    // A node added to the DA servers' load-balanced cluster (DA02) sends RADIUS from its own address, which NPS does not
    // know as a client: NPS logs 13 for each of its requests and no decision, and no earlier decision names DA02's
    // address. DA01's address is known (Ida's logon): Kim's request there, refused by DA01 itself in 180 ms while DA02
    // fails, keeps its own verdict.
    flows: [
      { user: 'ida', t0: T('10:40:00'), machine: 'client02.corp.example', iis: web, radius: granted, client: ok },
      authFailedRequest(
        'jon',
        T('10:41:00'),
        { status: 200, timeTaken: 15_300, computer: 'da02.corp.example' },
        { ...authFailed('80004005'), after: 15_600 },
      ),
      authFailedRequest(
        'kim',
        T('10:41:05'),
        { status: 200, timeTaken: 180 },
        { ...authFailed('80004005'), after: 400 },
      ),
    ],
    extra: {
      nps: [0, 5_000, 10_000].map(
        (d) => () =>
          npsClientError({
            eventId: 13,
            time: T('10:41:00') + 200 + d,
            recordId: nextRecord('nps-sys', 84000),
            client: '10.0.0.12',
          }),
      ),
    },
    intent: [
      { user: 'corp\\ida', outcome: 'success', failedStage: null, code: null },
      failedIn('jon', 'radius', 'radius_client_misconfigured'),
      failedIn('kim', 'gateway', 'gateway_rejected_request'),
    ],
  },
};
Object.assign(SCENARIOS, DOMAIN_SCENARIOS);

/** Empty a scenario folder of its logs, keeping its golden expected.json (golden.mjs owns that). */
function clearLogs(dir) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f !== 'expected.json') rmSync(join(dir, f), { force: true, recursive: true });
}

function writeScenario(name, spec) {
  const dir = join(here, name);
  clearLogs(dir);
  const files = mergeFlows(spec.flows.map(flow));
  for (const [file, makers] of Object.entries(spec.extra ?? {})) files[file].push(...makers.map((m) => m()));
  for (const [file, events] of Object.entries(files)) {
    if (events.length === 0 || spec.without?.includes(file)) continue;
    // wevtutil qe /f:xml writes events back to back with no root element; one per line here.
    writeFileSync(join(dir, `${file}.xml`), `${events.map(spec.edit ?? ((e) => e)).join('\r\n')}\r\n`);
  }
  writeFileSync(join(dir, 'intent.json'), `${JSON.stringify(spec.intent, null, 2)}\n`);
}

// Variations of rendering that Windows really produces (docs/windows-events.md §8: quote style, GUID case, white space
// differ between real samples; RenderingInfo as in test/fixtures/windows-samples/other/security-4624-renderinginfo.xml).
const singleQuotes = (xml) => xml.replace(/="([^"]*)"/g, "='$1'");
const pretty = (xml) => xml.replace(/></g, '>\r\n  <');
const lowerGuids = (xml) => xml.replace(/Guid="(\{[^"]+\})"/g, (_, g) => `Guid="${g.toLowerCase()}"`);
const withRenderingInfo = (xml) =>
  xml.replace(
    '</Event>',
    '<RenderingInfo Culture="en-US"><Message>Certificate Services received a certificate request.&#xD;\n&#xD;\nRequest ID:\t%1</Message><Level>Information</Level><Task>Certification Services</Task><Opcode>Info</Opcode><Channel>Security</Channel><Provider>Microsoft Windows security auditing.</Provider><Keywords><Keyword>Audit Success</Keyword></Keywords></RenderingInfo></Event>',
  );

/** Scenarios that re-render other scenarios' attempts: order of files and events, duplicates, encodings. */
const VARIANTS = {
  'out-of-order': {
    // wevtutil /rd:true writes newest first; the NPS log comes as two files, the later one named first.
    build: (files) => ({
      '1-ca.xml': [...files.ca].reverse().join('\r\n'),
      '2-nps-newer.xml': files.nps.slice(2).reverse().join('\r\n'),
      '3-nps-older.xml': files.nps.slice(0, 2).reverse().join('\r\n'),
      '4-client.xml': [...files.client].reverse().join('\r\n'),
      '5-iis.xml': [...files.iis].reverse().join('\r\n'),
    }),
  },
  duplicates: {
    // Two overlapping exports of the NPS and CA logs: every shared record must count once.
    build: (files) => ({
      'client.xml': files.client.join('\r\n'),
      'iis.xml': files.iis.join('\r\n'),
      'nps-monday.xml': files.nps.slice(0, 3).join('\r\n'),
      'nps-monday-again.xml': files.nps.join('\r\n'),
      'ca-1.xml': files.ca.join('\r\n'),
      'ca-2.xml': files.ca.slice(1).join('\r\n'),
    }),
  },
  encodings: {
    build: (files) => ({
      // wevtutil redirected on Windows: UTF-16LE with a BOM.
      'client-utf16.xml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(files.client.join('\r\n'), 'utf16le')]),
      // Event Viewer "Save as XML": declaration, <Events> wrapper, UTF-8 with BOM.
      'iis-saved.xml': `\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<Events>${files.iis.join('')}</Events>`,
      // Single quotes and upper-case GUIDs, one event per line, as in nps-6272-1.xml.
      'nps-single-quotes.xml': files.nps.map(singleQuotes).join('\n'),
      // Indented, lower-case GUIDs, RenderingInfo, CRLF: the Event Viewer copy/paste shape of the adcs samples.
      'ca-pretty.xml': files.ca.map((x) => pretty(withRenderingInfo(lowerGuids(x)))).join('\r\n'),
    }),
  },
};

const VARIANT_FLOWS = [
  {
    user: 'vera',
    t0: T('09:00:00'),
    iis: web,
    radius: denied(16, 'Authentication failed due to a user credentials mismatch.'),
    client: authFailed(),
  },
  { user: 'vera', t0: T('09:00:45'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
  {
    user: 'zack',
    t0: T('09:02:00'),
    machine: 'client30.corp.example',
    iis: web,
    radius: granted,
    ca: { result: 'denied', hresult: '0x80094800', app: true },
    client: enrolFailed,
  },
];
const VARIANT_INTENT = [
  { user: 'corp\\vera', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
  { user: 'corp\\vera', outcome: 'success', failedStage: null, code: null },
  { user: 'corp\\zack', outcome: 'failure', failedStage: 'ca', code: 'ca_template_not_available' },
];

function writeVariant(name, variant) {
  const dir = join(here, name);
  clearLogs(dir);
  const files = mergeFlows(VARIANT_FLOWS.map(flow));
  for (const [file, content] of Object.entries(variant.build(files))) writeFileSync(join(dir, file), content);
  writeFileSync(join(dir, 'intent.json'), `${JSON.stringify(VARIANT_INTENT, null, 2)}\n`);
}

/**
 * The same attempts in the text logs most sites keep (docs/windows-events.md §9): IIS W3C files under
 * `<host>/W3SVC<n>/` and NPS log files in local time (UTC+1 here, configured in config.json unless learned), beside
 * the client and CA XML. The differential test in scenarios.test.ts compares their verdicts with the XML originals.
 */
const NPS_OFFSET = 60;
const TEXT_LOG_VARIANTS = {
  'success-text-logs': { of: 'success', nps: 'dts' },
  'otp-rejected-text-logs': { of: 'otp-rejected', nps: 'odbc' },
  'radius-no-response-text-logs': { of: 'radius-no-response', nps: 'dts' },
  'gateway-rejected-request-text-logs': { of: 'gateway-rejected-request', nps: 'odbc' },
  'radius-account-text-logs': { of: 'radius-account', nps: 'ias' },
};
const NPS_LOGS = { dts: dtsLog, odbc: odbcLog, ias: iasLog };

function writeTextLogs(
  dir,
  files,
  { nps: format, offset = NPS_OFFSET, keepNpsXml = false, keepIisXml = false, restartAfter = null, unanswered },
) {
  clearLogs(dir);
  const write = (name, content) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  };
  if (files.client.length > 0) write('client.xml', `${files.client.join('\r\n')}\r\n`);
  if (files.ca.length > 0) write('ca.xml', `${files.ca.join('\r\n')}\r\n`);
  if (files.iis.length > 0) write('da01/W3SVC2/u_ex261102.log', w3cLog(files.iis, { restartAfter }));
  if (keepIisXml) write('iis.xml', `${files.iis.join('\r\n')}\r\n`);
  const decisions = files.nps.filter((x) => /<EventID>627[23]</.test(x));
  const system = files.nps.filter((x) => !/<EventID>627[23]</.test(x));
  if (keepNpsXml) write('nps.xml', `${files.nps.join('\r\n')}\r\n`);
  else if (system.length > 0) write('nps-system.xml', `${system.join('\r\n')}\r\n`);
  // Local NPS log files are named IN<yymm>.log; the reader does not care about the name.
  if (decisions.length > 0) write('nps01/IN2611.log', NPS_LOGS[format](decisions, offset, { unanswered }));
}

const at = (iso) => Date.parse(iso);
/**
 * test/scenarios/text-logs-daylight-saving*: an NPS server in Europe/Berlin. dora's denial on Saturday 24 October 2026
 * (CEST, UTC+2); in the night of the change, erik at 02:30 and fay at 02:55 local (CEST), then gus at 02:20 local,
 * after the clock went back to 02:00 (CET: the log's order tells the repeated hour's second occurrence); dora's
 * success on Monday 26 October (CET, UTC+1). One fixed offset would put the NPS records of one side of the change an
 * hour away from their IIS requests.
 */
const DAYLIGHT_SAVING_FLOWS = [
  {
    user: 'dora',
    t0: at('2026-10-24T10:00:00Z'),
    iis: web,
    radius: denied(16, 'Authentication failed due to a user credentials mismatch.'),
    client: authFailed(),
  },
  { user: 'erik', t0: at('2026-10-25T00:30:00Z'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
  {
    user: 'fay',
    t0: at('2026-10-25T00:55:00Z'),
    machine: 'client32.corp.example',
    iis: web,
    radius: granted,
    ca: { result: 'issued' },
    client: ok,
  },
  {
    user: 'gus',
    t0: at('2026-10-25T01:20:00Z'),
    machine: 'client33.corp.example',
    iis: web,
    radius: granted,
    ca: { result: 'issued' },
    client: ok,
  },
  { user: 'dora', t0: at('2026-10-26T10:00:00Z'), iis: web, radius: granted, ca: { result: 'issued' }, client: ok },
];
const DAYLIGHT_SAVING_INTENT = [
  { user: 'corp\\dora', outcome: 'failure', failedStage: 'radius', code: 'otp_rejected' },
  { user: 'corp\\erik', outcome: 'success', failedStage: null, code: null },
  { user: 'corp\\fay', outcome: 'success', failedStage: null, code: null },
  { user: 'corp\\gus', outcome: 'success', failedStage: null, code: null },
  { user: 'corp\\dora', outcome: 'success', failedStage: null, code: null },
];

function writeTextLogVariant(name, { of, nps: format }) {
  const spec = SCENARIOS[of];
  const dir = join(here, name);
  const files = mergeFlows(spec.flows.map(flow));
  writeTextLogs(dir, files, { nps: format });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify({ npsLogUtcOffsets: { nps01: '+01:00' } }, null, 2)}\n`);
  writeFileSync(join(dir, 'intent.json'), `${JSON.stringify(spec.intent, null, 2)}\n`);
}

/**
 * Scenarios read as some sites keep their logs: `without` the files named, each event rendered through `edit`.
 */
const PARTIAL_SCENARIOS = {
  'radius-client-misconfigured-no-iis': {
    // The shared secret rotated on one side, read without the IIS log, NPS knowing the DA server by the administrator's
    // name for it: the client's 10005 names the server by its public name, so only time ties NPS's refusals of
    // 10.0.0.10 to the failure.
    ...SCENARIOS['radius-client-misconfigured'],
    without: ['iis'],
    edit: (xml) => xml.replace(/(<Data Name="(?:ClientName|NASIdentifier)">)da01</g, '$1DirectAccess gateway<'),
  },
};

resetRecords();
for (const [name, spec] of Object.entries(SCENARIOS)) writeScenario(name, spec);
for (const [name, spec] of Object.entries(PARTIAL_SCENARIOS)) {
  resetRecords();
  writeScenario(name, spec);
}
for (const [name, variant] of Object.entries(TEXT_LOG_VARIANTS)) {
  resetRecords();
  writeTextLogVariant(name, variant);
}
{
  // Both the NPS audit events and the DTS log, no offset configured: the offset is learned from the audit twins, and
  // the log records that repeat them count as duplicates; so do the W3C lines of requests also logged as 6200 (a site
  // logging to file and ETW). The W3C log changes its #Fields mid-file (an IIS restart adding s-computername).
  resetRecords();
  const dir = join(here, 'text-logs-learned-offset');
  writeTextLogs(dir, mergeFlows(VARIANT_FLOWS.map(flow)), {
    nps: 'dts',
    keepNpsXml: true,
    keepIisXml: true,
    restartAfter: 1,
  });
  writeFileSync(join(dir, 'intent.json'), `${JSON.stringify(VARIANT_INTENT, null, 2)}\n`);
}
{
  // The NPS log holds the user's Access-Request and no answer: NPS took the request and never decided.
  resetRecords();
  const dir = join(here, 'nps-log-unanswered');
  const files = mergeFlows(
    [
      {
        user: 'ugo',
        t0: T('11:00:00'),
        iis: { status: 200, timeTaken: 15_200 },
        radius: denied(16, 'unused: the request is rendered without its answer'),
        client: { ...authFailed('80004005'), after: 15_500 },
      },
    ].map(flow),
  );
  writeTextLogs(dir, files, { nps: 'dts', unanswered: () => true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify({ npsLogUtcOffsets: { nps01: '+01:00' } }, null, 2)}\n`);
  writeFileSync(
    join(dir, 'intent.json'),
    `${JSON.stringify([{ user: 'corp\\ugo', outcome: 'failure', failedStage: 'radius', code: 'radius_request_discarded' }], null, 2)}\n`,
  );
}
// An NPS server that follows daylight saving time (Europe/Berlin), its time zone in config.json; and the same with
// its audit events beside the log and nothing configured (offsets learned from the records' audit twins).
for (const [name, learned] of [
  ['text-logs-daylight-saving', false],
  ['text-logs-daylight-saving-learned', true],
]) {
  resetRecords();
  const dir = join(here, name);
  const files = mergeFlows(DAYLIGHT_SAVING_FLOWS.map(flow));
  // Learned: the NPS audit events are kept beside the log, and no zone is configured: each side of the change
  // learns its offset from its own records' audit twins.
  writeTextLogs(dir, files, { nps: 'dts', offset: 'Europe/Berlin', keepNpsXml: learned });
  if (!learned)
    writeFileSync(
      join(dir, 'config.json'),
      `${JSON.stringify({ npsLogUtcOffsets: { nps01: 'Europe/Berlin' } }, null, 2)}\n`,
    );
  writeFileSync(join(dir, 'intent.json'), `${JSON.stringify(DAYLIGHT_SAVING_INTENT, null, 2)}\n`);
}
for (const [name, variant] of Object.entries(VARIANTS)) {
  resetRecords();
  writeVariant(name, variant);
}
writeSeedExample();

/**
 * examples/seed-story: the case of examples/seed-story/STORY.md (NPS granted, the client said 0x80040008, the CA denied because
 * of the OTP template's cryptographic provider), among what really surrounds it: logons in the Security logs, the
 * DA server's probe every five minutes, and another user's successful logon. File names as an analyst exports them.
 */
function writeSeedExample() {
  // Its own numbering, independent of how many scenarios come before: the published example does not move.
  resetRecords(4117);
  const dir = join(here, '..', '..', 'examples', 'seed-story');
  mkdirSync(dir, { recursive: true });
  const t = (hhmmss) => Date.parse(`2013-10-21T${hhmmss}Z`);
  const seedClient = { eventId: 10005, fields: [['user', '{user}'], SERVER, ['errorCode', '80040008']] };
  const flows = [
    {
      user: 'adupont',
      t0: t('09:12:05'),
      machine: 'win7-0142.corp.example',
      iis: web,
      radius: granted,
      ca: { result: 'issued' },
      client: ok,
    },
    {
      user: 'bsimon',
      t0: t('09:14:31'),
      machine: 'win7-0077.corp.example',
      clientIp: '203.0.113.77',
      iis: { status: 200, timeTaken: 710 },
      radius: granted,
      ca: { result: 'denied', hresult: '0x80094811', app: true },
      client: seedClient,
    },
  ].map(flow);
  const files = mergeFlows(flows);
  // URAOTPLogin: the OTP logon template of the story.
  for (const k of ['ca']) files[k] = files[k].map((x) => x.replaceAll('DAOTPLogon', 'URAOTPLogin'));
  const probes = [];
  for (let m = 0; m < 30; m += 5) {
    const time = t('09:00:00') + m * 60_000 + 120;
    probes.push(
      nps({
        eventId: 6273,
        time,
        recordId: nextRecord('nps-sec', 276341000),
        user: 'DAProbeUser',
        reasonCode: 8,
        reason: 'The specified user account does not exist.',
      }),
    );
  }
  const noise = (computer, log, from, count) =>
    Array.from({ length: count }, (_, i) =>
      logon({ time: from + i * 37_000, recordId: nextRecord(log, 880000), computer }),
    );
  const byTime = (list) =>
    list.sort((a, b) => (/SystemTime="([^"]+)"/.exec(a)[1] < /SystemTime="([^"]+)"/.exec(b)[1] ? -1 : 1));
  const write = (name, events) => writeFileSync(join(dir, name), `${events.join('\r\n')}\r\n`);
  write('win7-clients-OtpCredentialProvider-Operational.xml', files.client);
  write('da01-Microsoft-IIS-Logging-Logs.xml', files.iis);
  write(
    'nps01-Security.xml',
    byTime([...files.nps, ...probes, ...noise('nps01.corp.example', 'nps-sec-noise', t('09:00:10'), 40)]),
  );
  write(
    'ca01-Security.xml',
    byTime([
      ...files.ca.filter((x) => !x.includes('CertificationAuthority')),
      ...noise('ca01.corp.example', 'ca-sec-noise', t('09:00:20'), 30),
    ]),
  );
  write(
    'ca01-Application.xml',
    files.ca.filter((x) => x.includes('CertificationAuthority')),
  );
}

void logon;
void nps;
console.log(`wrote ${Object.keys(SCENARIOS).length + Object.keys(VARIANTS).length} scenarios`);
