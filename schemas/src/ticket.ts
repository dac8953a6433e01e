import { z } from 'zod';

/**
 * What a ticket is scoped to: the host of the failing stage (`ca`, `radius`, `gateway`), a client subnet, or the
 * whole fleet (client-side causes, whose host is the user's own computer).
 */
export const TICKET_SCOPE_KINDS = ['ca', 'radius', 'gateway', 'subnet', 'fleet'] as const;
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
  /** Trace IDs of the first attempts counted, at most `maxSampleTraceIds`: open them in the trace viewer. */
  sampleTraceIds: z.array(z.string()),
  /** Successes in a row through the scope since the last failure: the ticket resolves at `resolveAfterSuccesses`. */
  successStreak: z.number().int().nonnegative(),
});
export type Ticket = z.infer<typeof ticketSchema>;

/** A ticket as it changed in one engine step: sinks receive these. */
export const ticketChangeSchema = z.object({
  change: z.enum(['opened', 'updated', 'resolved']),
  ticket: ticketSchema,
});
export type TicketChange = z.infer<typeof ticketChangeSchema>;

/** Settings of the ticket engine. */
export const ticketConfigSchema = z
  .object({
    /** Successes in a row through the scope's host (after the ticket's last failure) that resolve it. */
    resolveAfterSuccesses: z.number().int().positive().default(3),
    /** `fleet`: client-side causes get one ticket per code; `subnet`: one per code and client subnet. */
    clientScope: z.enum(['fleet', 'subnet']).default('fleet'),
    /** A burst of user errors (same code and scope) opens a ticket when this many arrive within `burstWindowMs`... */
    burstThreshold: z.number().int().positive().default(20),
    /** ...from at least this many distinct users (one user retrying twenty times is no burst). */
    burstMinUsers: z.number().int().positive().default(10),
    /** Sliding window of the burst rate, in ms of event time. */
    burstWindowMs: z.number().int().positive().default(600_000),
    /** Attempt IDs are remembered this long (event time, behind the newest attempt) to ignore duplicates; older attempts are ignored as late. */
    dedupeHorizonMs: z.number().int().positive().default(86_400_000),
    maxSampleUsers: z.number().int().nonnegative().default(20),
    maxTrackedUsers: z.number().int().positive().default(10_000),
    maxSampleTraceIds: z.number().int().nonnegative().default(10),
  })
  .strict();
export type TicketConfig = z.infer<typeof ticketConfigSchema>;
export type TicketConfigInput = z.input<typeof ticketConfigSchema>;
