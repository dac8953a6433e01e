import { z } from 'zod';

/**
 * Settings of the analysis core (identity, correlation windows). Shared by `otptrace analyze` and the correlator,
 * so both give the same verdicts on the same events.
 */
export const analysisConfigSchema = z
  .object({
    domains: z
      .record(z.string(), z.array(z.string()))
      .default({})
      .describe('NetBIOS domain → DNS domain / UPN suffixes, e.g. { "CORP": ["corp.example.com", "example.com"] }.'),
    probeUsers: z
      .array(z.string())
      .default(['DAProbeUser'])
      .describe('RADIUS probe account of the DA server (registry value RadiusProbeUser); default DAProbeUser.'),
    nonOtpRadiusAuthenticationTypes: z
      .array(z.string())
      .default([
        'EAP',
        'PEAP',
        'MS-CHAPv2',
        'MS-CHAPv1',
        'MS-CHAP v2',
        'MS-CHAP v1',
        'CHAP',
        'EAP-TLS',
        'Unauthenticated',
      ])
      .describe(
        'NPS AuthenticationType values of RADIUS traffic that is not DirectAccess OTP (which is PAP, MS-OTPCE §3.2.5.1): a decision of these types that no client, IIS or CA event corroborates is ignored, not reported as an attempt.',
      ),
    otpTemplatePattern: z
      .string()
      .default('otp')
      .describe(
        'Certificate templates that are OTP logon templates; a CA request for another template only joins an attempt already open.',
      ),
    clockSkewToleranceMs: z
      .number()
      .int()
      .nonnegative()
      .default(180_000)
      .describe("How far apart two hosts' clocks may be, in ms."),
    attemptGapMs: z
      .number()
      .int()
      .positive()
      .default(300_000)
      .describe("A new attempt starts when this much time has passed since the user's previous event, in ms."),
    stageTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(120_000)
      .describe('An attempt still waiting for its next step this long after its last event is closed, in ms.'),
    gatewayJoinSlackMs: z
      .number()
      .int()
      .nonnegative()
      .default(1_500)
      .describe(
        "Extra slack when placing a RADIUS decision inside an IIS request's [start, end], in ms (IIS logs whole seconds).",
      ),
    sources: z
      .union([z.literal('auto'), z.array(z.enum(['client', 'gateway', 'radius', 'ca']))])
      .default('auto')
      .describe('Which sources the input is expected to hold; `auto` = those that appear in it.'),
    earliestEventTime: z.iso
      .datetime({ offset: true })
      .default('2000-01-01T00:00:00Z')
      .describe('Events logged before this time are rejected as implausible (a zeroed FILETIME renders as 1601).'),
    maxFutureMs: z
      .number()
      .int()
      .nonnegative()
      .default(86_400_000)
      .describe(
        "Events logged more than this long after the reference time (the analysis's or collector's clock) are rejected, in ms.",
      ),
    maxEventBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024)
      .describe('Largest single event accepted, in bytes; a larger one is rejected without being buffered whole.'),
  })
  .strict();
export type AnalysisConfig = z.infer<typeof analysisConfigSchema>;
export type AnalysisConfigInput = z.input<typeof analysisConfigSchema>;

/** The defaults, validated once. */
export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = Object.freeze(analysisConfigSchema.parse({})) as AnalysisConfig;
