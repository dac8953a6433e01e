// The fixed names of the contracts as plain values, without zod: code that only needs the names (analyze's hot path
// and its start-up) does not load zod, which with its locales was a third of `otptrace analyze`'s start-up. The zod
// schemas build their enums from these.

import type { AnalysisConfig } from './analysis-config.js';
import { ANALYSIS_DEFAULT_VALUES } from './analysis-defaults.js';

/**
 * The four machines of a DirectAccess OTP logon, named by the JSON contract's stage names:
 * `client` (OtpCredentialProvider), `gateway` (the DA server's IIS / OTP signing), `radius` (NPS), `ca` (ADCS).
 */
export const SOURCES = ['client', 'gateway', 'radius', 'ca'] as const;

/** Outcomes of one OTP attempt (the JSON contract of `otptrace analyze`). */
export const OUTCOMES = ['success', 'failure', 'cancelled', 'probe', 'incomplete'] as const;

/** Where an attempt failed: the user's computer, the DA server, NPS / the OTP server, the CA. */
export const STAGES = ['client', 'gateway', 'radius', 'ca'] as const;

/** Version of the analysis documents; raised when a field changes meaning or goes away (adding one does not). */
export const ANALYSIS_SCHEMA_VERSION = 1 as const;

/** The analysis settings at their defaults, as `analysisConfigSchema` parses `{}` (its tests check it). */
export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = ANALYSIS_DEFAULT_VALUES;

export type { SpanRole, TraceAttributeDoc } from './trace-attributes.js';
export {
  ATTR,
  OTP_FAILURE_EVENT,
  SPAN_NAMES,
  SPAN_ROLES,
  TRACE_ATTRIBUTE_NAMES,
  TRACE_ATTRIBUTES,
} from './trace-attributes.js';
