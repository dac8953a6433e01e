/**
 * `--help` text of the analysis options (schemas/src/analysis-config.ts documents them in comments, which zod cannot
 * see at run time). Keyed by the option's path under `analysis`; keep in step with that file.
 */
export const ANALYSIS_OPTION_DOCS: Readonly<Record<string, string>> = Object.freeze({
  domains: 'NetBIOS domain -> DNS domain / UPN suffixes, e.g. {"CORP": ["corp.example.com"]}.',
  probeUsers: 'RADIUS probe accounts of the DA servers (registry value RadiusProbeUser).',
  otpTemplatePattern: 'Pattern (case-insensitive) of the OTP logon certificate templates.',
  clockSkewToleranceMs: "How far apart two hosts' clocks may be, ms.",
  attemptGapMs: "A new attempt starts when this much time has passed since the user's previous event, ms.",
  stageTimeoutMs: 'An attempt still waiting for its next step this long after its last event is closed, ms.',
  gatewayJoinSlackMs: "Slack when placing a RADIUS decision inside an IIS request's time span, ms.",
  sources: 'Sources the input is expected to hold: "auto" (those seen) or a list of client, gateway, radius, ca.',
  maxEventBytes: 'Largest single event accepted, bytes.',
  nonOtpRadiusAuthenticationTypes:
    'NPS AuthenticationType values of RADIUS traffic that is not DirectAccess OTP (which is PAP): such a decision that no client, IIS or CA event corroborates is ignored.',
  earliestEventTime: 'Events logged before this time are rejected as implausible (a zeroed FILETIME renders as 1601).',
  maxFutureMs: "Events logged more than this long after the collector's clock are rejected, ms.",
});
