import { z } from 'zod';
import { ANALYSIS_DEFAULT_VALUES as D } from './analysis-defaults.js';

/** `+01:00`, `-0530`, `UTC+2`: a fixed offset east of UTC. */
export const UTC_OFFSET = /^(UTC)?[+-]\d{1,2}(:?\d{2})?$/i;

/** A time zone name this runtime knows (IANA: `Europe/Berlin`, `America/New_York`, `UTC`). */
export function isTimeZoneName(text: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(text)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
    return true;
  } catch {
    return false;
  }
}

/**
 * Settings of the analysis core (identity, correlation windows). Shared by `otptrace analyze` and the correlator,
 * so both give the same verdicts on the same events.
 */
export const analysisConfigSchema = z
  .object({
    domains: z
      .record(z.string(), z.array(z.string()))
      .default(D.domains)
      .describe('NetBIOS domain → DNS domain / UPN suffixes, e.g. { "CORP": ["corp.example.com", "example.com"] }.'),
    probeUsers: z
      .array(z.string())
      .default(D.probeUsers)
      .describe('RADIUS probe account of the DA server (registry value RadiusProbeUser); default DAProbeUser.'),
    nonOtpRadiusAuthenticationTypes: z
      .array(z.string())
      .default(D.nonOtpRadiusAuthenticationTypes)
      .describe(
        'NPS AuthenticationType values of RADIUS traffic that is not DirectAccess OTP (which is PAP, MS-OTPCE §3.2.5.1): a decision of these types that no client, IIS or CA event corroborates is ignored, not reported as an attempt.',
      ),
    otpTemplatePattern: z
      .string()
      .default(D.otpTemplatePattern)
      .describe(
        'Certificate templates that are OTP logon templates; a CA request for another template only joins an attempt already open.',
      ),
    signingTemplatePattern: z
      .string()
      .default(D.signingTemplatePattern)
      .describe(
        "Certificate templates of the DA server's own OTP signing (registration authority) certificate, e.g. DAOTPRA (docs/windows-events.md §1.3). The CA's decisions on the DA server's machine requests for them are evidence.",
      ),
    daServerAddresses: z
      .record(z.string(), z.array(z.string()))
      .default(D.daServerAddresses)
      .describe(
        "Addresses each DA server sends RADIUS from (DA server name → addresses), for NPS System events 13/14 that name a RADIUS client only by address, and for the IIS join when NPS knows the DA servers by friendly names (6272/6273 ClientName). Addresses NPS logged in 6272/6273 for a named client are learned as well, and so is the address whose decisions line up with one DA server's requests alone. A DA server with no known address takes, for a request that waited for RADIUS, the refusals of an address no DA server is known by (a new node of a load-balanced cluster).",
      ),
    signingRequestWindowMs: z
      .number()
      .int()
      .positive()
      .default(D.signingRequestWindowMs)
      .describe(
        "How long before an attempt a denial of the DA server's signing-certificate request still explains it, in ms.",
      ),
    radiusTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(D.radiusTimeoutMs)
      .describe(
        "The DA server's RADIUS timeout (Get-RemoteAccessRadius, default 5 s), in ms: an OTP request without a RADIUS decision that took at least this long waited for RADIUS; one well below it (under half) was refused by the DA server itself (docs/windows-events.md §9). Without an IIS request, NPS refusals of the DA server (System 13/14/17/18) this long before a client's failure explain it.",
      ),
    certificateValidityMs: z
      .number()
      .int()
      .positive()
      .default(D.certificateValidityMs)
      .describe(
        'Validity of the OTP logon certificate, in ms: the same user asking again from the same computer within it after a success means the issued certificate could not log them on (docs/windows-events.md §9).',
      ),
    npsLogUtcOffsets: z
      .record(
        z.string(),
        z.string().refine((text) => UTC_OFFSET.test(text) || isTimeZoneName(text), {
          message: 'expected a UTC offset (`+01:00`) or a time zone name (`Europe/Berlin`)',
        }),
      )
      .default(D.npsLogUtcOffsets)
      .describe(
        "Clock of each NPS server's log files, which write local time with no offset: NPS server name → a fixed UTC offset (`+01:00`) or, for a server that follows daylight saving time, its time zone (`Europe/Berlin`, an IANA name), so that records on both sides of a change are placed right. A server not listed here gets its offset learned record by record: from the 6272/6273 events its records repeat when the input holds both, else from its users' own events (the CA request after an accept, the client's result after a reject), the server's records deciding together (a record that teaches nothing takes its nearest earlier record's); a server nothing teaches has its times read as UTC, and the summary says so (docs/windows-events.md §9).",
      ),
    iisServerName: z
      .string()
      .nullable()
      .default(D.iisServerName)
      .describe(
        'The DA server of IIS W3C logs whose site does not log s-computername and whose path does not name it (`<host>/W3SVC<n>/u_ex*.log`); without it, such lines name the server by its address (s-ip).',
      ),
    clockSkewToleranceMs: z
      .number()
      .int()
      .nonnegative()
      .default(D.clockSkewToleranceMs)
      .describe("How far apart two hosts' clocks may be, in ms."),
    attemptGapMs: z
      .number()
      .int()
      .positive()
      .default(D.attemptGapMs)
      .describe("A new attempt starts when this much time has passed since the user's previous event, in ms."),
    stageTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(D.stageTimeoutMs)
      .describe('An attempt still waiting for its next step this long after its last event is closed, in ms.'),
    gatewayJoinSlackMs: z
      .number()
      .int()
      .nonnegative()
      .default(D.gatewayJoinSlackMs)
      .describe(
        "Extra slack when placing a RADIUS decision inside an IIS request's [start, end], in ms (IIS logs whole seconds).",
      ),
    sources: z
      .union([z.literal('auto'), z.array(z.enum(['client', 'gateway', 'radius', 'ca']))])
      .default(D.sources)
      .describe('Which sources the input is expected to hold; `auto` = those that appear in it.'),
    earliestEventTime: z.iso
      .datetime({ offset: true })
      .default(D.earliestEventTime)
      .describe('Events logged before this time are rejected as implausible (a zeroed FILETIME renders as 1601).'),
    maxFutureMs: z
      .number()
      .int()
      .nonnegative()
      .default(D.maxFutureMs)
      .describe(
        "Events logged more than this long after the reference time (the analysis's or collector's clock) are rejected, in ms.",
      ),
    maxEventBytes: z
      .number()
      .int()
      .positive()
      .default(D.maxEventBytes)
      .describe('Largest single event accepted, in bytes; a larger one is rejected without being buffered whole.'),
  })
  .strict();
export type AnalysisConfig = z.infer<typeof analysisConfigSchema>;
export type AnalysisConfigInput = z.input<typeof analysisConfigSchema>;
