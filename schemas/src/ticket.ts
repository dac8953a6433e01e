import { z } from 'zod';

/**
 * What a ticket is scoped to, where the fix is: the CA, the NPS server that answered, the DA server (`gateway`) that
 * asked, a client subnet or one client computer, or the whole fleet.
 */
export const TICKET_SCOPE_KINDS = ['ca', 'radius', 'gateway', 'subnet', 'computer', 'fleet'] as const;
export const ticketScopeSchema = z.object({
  kind: z.enum(TICKET_SCOPE_KINDS),
  /** Lower-case host name or subnet; null for `fleet`, or when the log did not name the host. */
  target: z.string().nullable(),
  /** `kind:target` (or `fleet`): the scope part of the ticket's identity. */
  label: z.string(),
});
export type TicketScope = z.infer<typeof ticketScopeSchema>;

/** One root-cause ticket: one per root cause and scope, not per attempt (the JSON every ticket sink receives). */
export const ticketSchema = z.object({
  /** `<baseKey>-<incarnation>`: stable across replays and restarts. */
  key: z.string(),
  /** Hash of code + scope: the same for every incarnation of the problem. */
  baseKey: z.string(),
  /** 1 for the first ticket of a code + scope, +1 each time it opens again after a resolution. */
  incarnation: z.number().int().positive(),
  /** Revision of this ticket; grows by one on every change, so a sink can drop stale deliveries. */
  revision: z.number().int().positive(),
  /** Root-cause code, or `<user-code>_burst` for a burst of user errors (e.g. `otp_rejected_burst`). */
  code: z.string(),
  /** `root_cause`: an infrastructure (or unknown) cause; `user_error_burst`: many user errors at once. */
  kind: z.enum(['root_cause', 'user_error_burst']),
  /**
   * `scattered`: failures now and then (the mark of a configuration fault), resolved by a quiet period; `incident`:
   * many at once (an outage), resolved by successes through the scope. A scattered ticket becomes an incident when
   * the failures pass `incidentThreshold` within `incidentWindowMs`. Absent in tickets written before it existed.
   */
  pattern: z.enum(['scattered', 'incident']).default('incident'),
  title: z.string(),
  remediation: z.string(),
  scope: ticketScopeSchema,
  status: z.enum(['open', 'resolved']),
  /** Event time (ISO) of the first and the last attempt counted. */
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** Event time of the success that resolved it. */
  resolvedAt: z.string().nullable(),
  attemptCount: z.number().int().nonnegative(),
  affectedUsers: z.object({
    /** Distinct users; exact up to the engine's `maxTrackedUsers`, then a lower bound (`capped`). */
    count: z.number().int().nonnegative(),
    capped: z.boolean(),
    /** The first users seen, at most `maxSampleUsers`. */
    sample: z.array(z.string()),
  }),
  /**
   * Other causes that some attempts counted could not be told from, for want of a log that decides (a 10005 with no
   * IIS log read may also be the DA server refusing the request itself), each with how many of the attempts it was
   * possible for, by code; absent while every attempt counted was told apart.
   */
  alsoPossible: z.array(z.object({ code: z.string(), attempts: z.number().int().positive() })).optional(),
  /** Trace IDs of the first attempts counted, at most `maxSampleTraceIds`: open them in the trace viewer. */
  sampleTraceIds: z.array(z.string()),
  /** Successes in a row through the scope since the last failure: the ticket resolves at `resolveAfterSuccesses`. */
  successStreak: z.number().int().nonnegative(),
});
export type Ticket = z.infer<typeof ticketSchema>;

/**
 * One change of a ticket, with its snapshot: sinks receive these, in the order they happened. Each lifecycle change
 * (`opened` or `reopened`, `resolved`) is reported on its own, with its own revision, even when several fall in one
 * engine step, so a sink sees the same lifecycle however the attempts were batched; the counts in between coalesce.
 */
export const ticketChangeSchema = z.object({
  /**
   * `opened`: a new ticket (incarnation 1); `reopened`: a new incarnation of a code + scope resolved before; both come
   * first for their key, as of the end of the step or just before a resolution in the same step. `updated`: more
   * failures, a pattern or a recovery streak. `resolved`: the ticket closed.
   */
  change: z.enum(['opened', 'updated', 'resolved', 'reopened']),
  ticket: ticketSchema,
});
export type TicketChange = z.infer<typeof ticketChangeSchema>;

/** Settings of the ticket engine. */
export const ticketConfigSchema = z
  .object({
    resolveAfterSuccesses: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe(
        'Successes in a row through its scope, after its last failure, that an incident ticket needs (besides its quiet period) to resolve.',
      ),
    quietPeriodMs: z
      .number()
      .int()
      .positive()
      .default(1_800_000)
      .describe(
        'A ticket stays open until no failure of it came for this long (event time), instead of opening and resolving per attempt; a scattered ticket then resolves, an incident once it also saw its successes.',
      ),
    incidentThreshold: z
      .number()
      .int()
      .positive()
      .default(5)
      .describe(
        'Failures of one cause and scope within `incidentWindowMs` that make a ticket an incident (an outage: it also needs successes through its scope to resolve).',
      ),
    incidentWindowMs: z
      .number()
      .int()
      .positive()
      .default(600_000)
      .describe('Sliding window of the incident rate, in ms of event time.'),
    clientScope: z
      .enum(['fleet', 'subnet'])
      .default('subnet')
      .describe(
        '`subnet`: a client-side cause gets one ticket per client subnet (or per computer when the address is unknown); `fleet`: one per cause.',
      ),
    burstThreshold: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe(
        'User errors (wrong OTP, cancellations) of one code and scope within `burstWindowMs` that open a burst ticket.',
      ),
    burstMinUsers: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('Distinct users a burst needs (one user retrying twenty times is no burst).'),
    burstWindowMs: z
      .number()
      .int()
      .positive()
      .default(600_000)
      .describe('Sliding window of the user-error burst rate, in ms of event time.'),
    dedupeHorizonMs: z
      .number()
      .int()
      .positive()
      .default(86_400_000)
      .describe(
        'Attempt IDs are remembered this long (event time, behind the newest attempt) to ignore duplicates; older attempts are ignored as late.',
      ),
    maxSampleUsers: z.number().int().nonnegative().default(20).describe('Users named in a ticket, at most.'),
    maxTrackedUsers: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Distinct users counted exactly per ticket; beyond, the count is a lower bound (`capped`).'),
    maxSampleTraceIds: z
      .number()
      .int()
      .nonnegative()
      .default(10)
      .describe('Trace IDs of the first attempts kept per ticket, to open in the trace viewer.'),
  })
  .strict();
export type TicketConfig = z.infer<typeof ticketConfigSchema>;
export type TicketConfigInput = z.input<typeof ticketConfigSchema>;
