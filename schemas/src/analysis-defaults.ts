// The analysis settings' defaults, written here rather than inline in `analysisConfigSchema` so that a run without
// settings (most `otptrace analyze` runs) has them without loading zod. The schema takes each default from here, and
// its tests check that parsing `{}` gives exactly this object (and the type checker that it is an
// `AnalysisConfig`, where vocabulary.ts names it `DEFAULT_ANALYSIS_CONFIG`); what each setting means is described in the schema.

/** Every setting at its default; deeply frozen, as it is shared. */
export const ANALYSIS_DEFAULT_VALUES = deepFreeze({
  domains: {},
  probeUsers: ['DAProbeUser'],
  nonOtpRadiusAuthenticationTypes: [
    'EAP',
    'PEAP',
    'MS-CHAPv2',
    'MS-CHAPv1',
    'MS-CHAP v2',
    'MS-CHAP v1',
    'CHAP',
    'EAP-TLS',
    'Unauthenticated',
  ],
  otpTemplatePattern: 'otp',
  signingTemplatePattern: 'OTPRA|OTP.?Sign',
  daServerAddresses: {},
  signingRequestWindowMs: 86_400_000,
  radiusTimeoutMs: 5_000,
  certificateValidityMs: 600_000,
  npsLogUtcOffsets: {},
  iisServerName: null,
  clockSkewToleranceMs: 180_000,
  attemptGapMs: 300_000,
  stageTimeoutMs: 120_000,
  gatewayJoinSlackMs: 1_500,
  sources: 'auto' as const,
  earliestEventTime: '2000-01-01T00:00:00Z',
  maxFutureMs: 86_400_000,
  maxEventBytes: 4 * 1024 * 1024,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
