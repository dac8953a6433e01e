import { z } from 'zod';
import { ticketConfigSchema } from './ticket.js';

/**
 * Where the correlator delivers ticket changes: any combination of PostgreSQL, a Kafka topic, a webhook and an NDJSON
 * file. Each change reaches each sink once per ticket revision; a replay of the same attempts delivers nothing new.
 */
export const ticketSinksConfigSchema = z
  .object({
    engine: ticketConfigSchema.prefault({}).describe('How attempts become tickets (scopes, incidents, quiet period).'),
    stateFile: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'JSON file keeping the ticket engine state and the delivery ledger across restarts when PostgreSQL is not a sink (with PostgreSQL they live in its ticket_engine_state table, the remembered attempt IDs in ticket_seen). null keeps them in memory only.',
      ),
    postgres: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Upsert tickets into the tickets table (connection from DATABASE_URL or PG* variables).'),
        schema: z.string().default('otptrace').describe('PostgreSQL schema of the tickets table (migrated at start).'),
        stateName: z
          .string()
          .default('correlator.tickets')
          .describe(
            'Row of ticket_engine_state holding the engine state (and name of its remembered attempt IDs in ticket_seen); one per independent ticket writer.',
          ),
      })
      .strict()
      .prefault({})
      .describe('PostgreSQL sink.'),
    kafka: z
      .object({
        topic: z
          .string()
          .nullable()
          .default(null)
          .describe(
            'Topic receiving one record per change, keyed by ticket key (created compacted if missing); null = off.',
          ),
        partitions: z.number().int().positive().default(3).describe('Partitions of the topic when it is created.'),
        replicationFactor: z
          .number()
          .int()
          .positive()
          .default(1)
          .describe('Replication factor of the topic when it is created.'),
      })
      .strict()
      .prefault({})
      .describe('Kafka sink (same brokers as the correlator).'),
    webhook: z
      .object({
        url: z
          .string()
          .url()
          .nullable()
          .default(null)
          .describe('URL receiving each change as a signed JSON POST; null = off.'),
        secretEnv: z
          .string()
          .default('OTPTRACE_TICKET_WEBHOOK_SECRET')
          .describe(
            'Environment variable holding the HMAC-SHA256 key of the X-Otptrace-Signature header (never in a config file).',
          ),
        maxAttempts: z.number().int().positive().default(5).describe('Tries per change, the first included.'),
        baseDelayMs: z
          .number()
          .int()
          .nonnegative()
          .default(500)
          .describe('Delay before the first retry; doubles on each retry up to maxDelayMs.'),
        maxDelayMs: z.number().int().nonnegative().default(30_000).describe('Longest delay between two tries.'),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .default(10_000)
          .describe('A POST without an answer for this long counts as a network error (retried).'),
        deadLetterFile: z
          .string()
          .nullable()
          .default(null)
          .describe(
            'NDJSON file receiving changes the receiver refused or that exhausted their tries; null = logged only.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Webhook sink: HMAC-signed, retried with backoff, idempotent by ticket key and revision.'),
    ndjson: z
      .object({
        path: z
          .string()
          .nullable()
          .default(null)
          .describe('File appended with one JSON ticket change per line; null = off.'),
      })
      .strict()
      .prefault({})
      .describe('NDJSON file sink.'),
  })
  .strict();
export type TicketSinksConfig = z.infer<typeof ticketSinksConfigSchema>;
export type TicketSinksConfigInput = z.input<typeof ticketSinksConfigSchema>;
