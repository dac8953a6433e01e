import { z } from 'zod';
import { sourceSchema } from './event.js';
import { OUTCOMES, STAGES } from './vocabulary.js';

export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

export const rootCauseSchema = z.object({
  code: z.string(),
  title: z.string(),
  remediation: z.string(),
  alsoPossible: z
    .array(z.string())
    .optional()
    .describe(
      "Other root-cause codes the logs read cannot rule out, most likely first: a log that would tell them apart is missing (e.g. the DA server's IIS log, whose time-taken and 403 sub-status decide). Absent when the evidence decides.",
    ),
});
export type RootCause = z.infer<typeof rootCauseSchema>;

/** One piece of evidence: a log record an analyst can open (contract: source, eventId, computer, recordId, time). */
export const evidenceSchema = z.object({
  source: sourceSchema,
  eventId: z.number().int(),
  computer: z.string(),
  recordId: z.number().int(),
  time: z.string(),
  provider: z.string(),
  channel: z.string(),
  /** Human-readable gist of the event, e.g. "6273 denied, reason 16". */
  summary: z.string(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** Error details of the failing step, for the trace's error event and the text report. */
export const failureDetailSchema = z.object({
  npsReasonCode: z.number().int().nullable(),
  npsReason: z.string().nullable(),
  caHresult: z.string().nullable(),
  caHresultSymbol: z.string().nullable(),
  clientEventId: z.number().int().nullable(),
  clientErrorCode: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
});
export type FailureDetail = z.infer<typeof failureDetailSchema>;

/** One attempt as `otptrace analyze --format json` prints it and the correlator publishes it. */
export const attemptRecordSchema = z.object({
  /** Deterministic: derived from the user and the first evidence event. */
  id: z.string(),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  user: z.string(),
  start: z.string(),
  end: z.string(),
  outcome: outcomeSchema,
  failedStage: stageSchema.nullable(),
  rootCause: rootCauseSchema.nullable(),
  detail: failureDetailSchema,
  evidence: z.array(evidenceSchema),
  /** Set only by the correlator, when an attempt's JSON exceeded the attempts topic's max.message.bytes. */
  evidenceOmitted: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe(
      'Evidence entries left out of the middle of `evidence` so that the record fits its Kafka topic (the first and last ones are kept); absent when nothing was left out. `otptrace analyze` never sets it.',
    ),
  hosts: z.object({
    client: z.string().nullable(),
    gateway: z.string().nullable(),
    radius: z.string().nullable(),
    ca: z.string().nullable(),
  }),
  clientAddress: z.string().nullable(),
  /** Set when an IIS request overlapped two users' attempts on one DA server and was not attributed. */
  gatewayAmbiguous: z.boolean(),
  npsClockAheadMs: z
    .number()
    .int()
    .optional()
    .describe(
      "How far NPS's clock was ahead of the DA server's (ms; negative: behind), as learned from the logs when the attempt's IIS request was joined: the RADIUS decision's time (NPS's clock) less this is on the DA server's clock. Absent when the clocks agree or no IIS request was joined.",
    ),
  /**
   * Root-cause codes of problems found beside the verdict, e.g. `certificate_not_usable_for_logon` on a success the
   * same user had to repeat (the verdict stays success).
   */
  findings: z.array(z.string()).default([]),
  /** Why the attempt was closed: the client's result, the next attempt, or a timeout waiting for a stage. */
  closedBy: z.enum(['result', 'timeout', 'end_of_input']),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

export const rejectionSchema = z.object({
  file: z.string(),
  /** Byte offset of the rejected text in its file (0-based). */
  position: z.number().int().nonnegative(),
  reason: z.string(),
  /** Stable code of the reason (see the drop-reason catalogue). */
  code: z.string(),
});
export type Rejection = z.infer<typeof rejectionSchema>;

export const summarySchema = z.object({
  eventsRead: z.number().int(),
  eventsCorrelated: z.number().int(),
  eventsIgnored: z.number().int(),
  eventsRejected: z.number().int(),
  attempts: z.record(z.string(), z.number().int()),
  /** Why events were ignored, by drop-reason code. */
  ignoredBy: z.record(z.string(), z.number().int()),
  /**
   * For NPS log files (local time, no offset in the records): the UTC offset used per NPS server (of its first record)
   * and where it came from (configured, learned from the server's 6272/6273 or its users' events, or UTC assumed), with
   * the configured time zone if one was, or the changes of a learned offset. Absent without NPS log files.
   */
  npsLogClocks: z
    .record(
      z.string(),
      z.object({
        offset: z.string(),
        basis: z.enum(['configured', 'learned', 'assumed_utc']),
        /** The configured time zone, when the server's offset follows one (`offset` is then its first record's). */
        zone: z.string().optional(),
        /**
         * Where a learned offset changed (daylight saving time), in log order: the UTC time of the first record at
         * the new offset, and the offset.
         */
        changes: z.array(z.object({ from: z.string(), offset: z.string() })).optional(),
      }),
    )
    .optional(),
  /**
   * What the IIS join learned of each DA server (by its short name, lower case) from the logs, when it learned
   * anything: how far NPS's clock is ahead of the server's (ms; negative: behind; absent when they agree within half a
   * second), and the addresses NPS knows the server at, from decisions that line up with its requests alone (NPS names
   * it by a friendly name). Absent when nothing was learned.
   */
  daServers: z
    .record(
      z.string(),
      z.object({
        npsClockAheadMs: z.number().int().optional(),
        radiusClients: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type Summary = z.infer<typeof summarySchema>;
