import { z } from 'zod';
import { SOURCES } from './vocabulary.js';

export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

/** Where an event came from in its Windows log: enough for an analyst to find it again. */
export const eventRefSchema = z.object({
  provider: z.string(),
  eventId: z.number().int(),
  computer: z.string(),
  channel: z.string(),
  recordId: z.number().int().nonnegative(),
});
export type EventRef = z.infer<typeof eventRefSchema>;

/**
 * A user as one log names them. `key` is the lower-case sAMAccountName (the correlation and partition key);
 * `domain` is the lower-case NetBIOS domain when known. `domainExplicit` is true when the log spelled a NetBIOS
 * name (DOMAIN\user) or the configured domain map resolved it; a domain guessed from a DNS name's first label
 * never vetoes a join.
 */
export const userRefSchema = z.object({
  key: z.string().min(1),
  domain: z.string().nullable(),
  domainExplicit: z.boolean(),
  raw: z.string(),
});
export type UserRef = z.infer<typeof userRefSchema>;

const common = {
  /** Stable identity of the log record: computer, channel and EventRecordID (duplicates share it). */
  id: z.string(),
  ref: eventRefSchema,
  /** Event time, epoch milliseconds (microsecond fraction kept). */
  time: z.number(),
  user: userRefSchema.nullable(),
};

/** Client: Microsoft-Windows-OtpCredentialProviderEvt 10000–10022. */
export const clientEventSchema = z.object({
  ...common,
  kind: z.literal('client.result'),
  source: z.literal('client'),
  /** `0x`-prefixed upper-case hex of errorCode/errCode, when the event has one. */
  errorCode: z.string().nullable(),
  serverAddress: z.string().nullable(),
  caName: z.string().nullable(),
  templateName: z.string().nullable(),
});

/** Gateway: Microsoft-Windows-IIS-Logging 6200 on the DA server (one HTTP request, logged when it completed). */
export const gatewayEventSchema = z.object({
  ...common,
  kind: z.literal('gateway.request'),
  source: z.literal('gateway'),
  /** Request start: `time` minus `time-taken`. */
  startTime: z.number(),
  method: z.string(),
  uriStem: z.string(),
  status: z.number().int(),
  subStatus: z.number().int().nullable(),
  win32Status: z.number().int().nullable(),
  timeTakenMs: z.number().int().nullable(),
  clientIp: z.string().nullable(),
  serverIp: z.string().nullable(),
  serverPort: z.number().int().nullable(),
  siteName: z.string().nullable(),
  host: z.string().nullable(),
  /**
   * Set only for a request HTTP.sys answered itself, read from its error log (HTTPERR): the reason phrase and the
   * request queue (application pool), e.g. `AppOffline (queue DefaultAppPool)`. IIS never saw such a request.
   */
  httpSysReason: z.string().optional(),
});

/** RADIUS: Security 6272 granted / 6273 denied / 6274 discarded on the NPS server. */
export const radiusDecisionSchema = z.object({
  ...common,
  kind: z.literal('radius.decision'),
  source: z.literal('radius'),
  decision: z.enum(['granted', 'denied', 'discarded']),
  reasonCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  clientName: z.string().nullable(),
  clientIp: z.string().nullable(),
  nasIdentifier: z.string().nullable(),
  authenticationType: z.string().nullable(),
  networkPolicy: z.string().nullable(),
  /**
   * For a decision read from an NPS log file, whose times are the NPS server's local time with no offset
   * (docs/windows-events.md §9): the offset applied to this record and where it came from. Absent for 6272/6273/6274
   * (UTC).
   */
  clock: z
    .object({
      offsetMinutes: z.number().int(),
      basis: z.enum(['configured', 'learned', 'assumed_utc']),
      /** The configured time zone the offset was taken from (it changes with daylight saving time). */
      zone: z.string().optional(),
    })
    .optional(),
});

/** RADIUS: System-log `NPS` 4402, no domain controller available for a domain (names no user). */
export const radiusDirectorySchema = z.object({
  ...common,
  kind: z.literal('radius.directory_unavailable'),
  source: z.literal('radius'),
  domain: z.string(),
});

/**
 * RADIUS: System-log `NPS`/`IAS` 13, 14, 17, 18: NPS refused a RADIUS client (unknown address, bad authenticator:
 * mismatched shared secret, Message-Authenticator missing or invalid; docs/windows-events.md §9). Names no user.
 */
export const radiusClientErrorSchema = z.object({
  ...common,
  kind: z.literal('radius.client_error'),
  source: z.literal('radius'),
  /** The RADIUS client as NPS names it: its address or friendly name. */
  client: z.string(),
  problem: z.enum([
    'unknown_client',
    'bad_authenticator',
    'missing_message_authenticator',
    'bad_message_authenticator',
  ]),
});

/**
 * The computer account of a CA request made by a machine (`DOMAIN\DA01$` → `da01`): only the DA server's requests for
 * its OTP signing template are kept (docs/windows-events.md §9); null or absent for a user's request.
 */
const machineRequester = z.string().nullable().optional();

/** CA: Security 4886 (request received). */
export const caRequestSchema = z.object({
  ...common,
  kind: z.literal('ca.request'),
  source: z.literal('ca'),
  requestId: z.number().int(),
  template: z.string().nullable(),
  subject: z.string().nullable(),
  /** The requesting machine named in Attributes (`rmd:`/`ccm:`), when present. */
  requestingMachine: z.string().nullable(),
  /** 4886 v1 `RequestCSPProvider`: the cryptographic provider the requester used (explains 0x80094811). */
  cspProvider: z.string().nullable().optional(),
  machineRequester,
});

/** CA: Security 4887 issued / 4888 denied / 4889 pending, and CertificationAuthority 53/21/22 (denied, error) / 54 (pending). */
export const caResultSchema = z.object({
  ...common,
  kind: z.literal('ca.result'),
  source: z.literal('ca'),
  requestId: z.number().int(),
  status: z.enum(['issued', 'denied', 'pending', 'error']),
  /** `0x`-prefixed upper-case HRESULT of a denial or error. */
  hresult: z.string().nullable(),
  template: z.string().nullable(),
  subject: z.string().nullable(),
  /** Free text of a CertificationAuthority application event (Reason / ErrorCode / AdditionalInformation). */
  detail: z.string().nullable(),
  machineRequester,
});

/** An event of one of the four sources, normalised: what the correlator consumes and Kafka carries. */
export const normalizedEventSchema = z.discriminatedUnion('kind', [
  clientEventSchema,
  gatewayEventSchema,
  radiusDecisionSchema,
  radiusDirectorySchema,
  radiusClientErrorSchema,
  caRequestSchema,
  caResultSchema,
]);
export type NormalizedEvent = z.infer<typeof normalizedEventSchema>;
export type ClientEvent = z.infer<typeof clientEventSchema>;
export type GatewayEvent = z.infer<typeof gatewayEventSchema>;
export type RadiusDecision = z.infer<typeof radiusDecisionSchema>;
export type RadiusDirectoryUnavailable = z.infer<typeof radiusDirectorySchema>;
export type RadiusClientError = z.infer<typeof radiusClientErrorSchema>;
export type CaRequest = z.infer<typeof caRequestSchema>;
export type CaResult = z.infer<typeof caResultSchema>;
export type EventKind = NormalizedEvent['kind'];
