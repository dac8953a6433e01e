import { hostname, totalmem } from 'node:os';
import { kafkaConnectionSchema, PIPELINE_TOPICS, topicSpecSchema } from '@otptrace/kafka';
import { serviceOptions } from '@otptrace/runtime';
import { analysisConfigSchema, SOURCES, sourceSchema } from '@otptrace/schemas';
import { z } from 'zod';

/** Environment prefix of the collector's overrides: OTPTRACE_COLLECTOR_HTTP__PORT=8080 sets http.port. */
export const COLLECTOR_ENV_PREFIX = 'OTPTRACE_COLLECTOR_';

const MiB = 1024 * 1024;

/** Default memory budget for batches in flight: 1/64 of the machine's (or container's) memory, 64 to 512 MiB. */
export function defaultBodyBudgetBytes(): number {
  const constrained = process.constrainedMemory();
  const memory = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.min(512 * MiB, Math.max(64 * MiB, Math.floor(memory / 64)));
}

/** The three topics the collector writes (the events topic is also read by the correlator: same settings). */
export const collectorTopicsSchema = z
  .object({
    events: topicSpecSchema
      .prefault(PIPELINE_TOPICS.events)
      .describe(
        'Normalised events, keyed by site: every partition count gives exactly the verdicts of `otptrace analyze`; ' +
          'more partitions spread sites over correlators (services/correlator/README.md).',
      ),
    raw: topicSpecSchema
      .prefault(PIPELINE_TOPICS.raw)
      .describe('Raw EVTX-XML of every accepted event, keyed by event id, kept for replay (retention in configs).'),
    deadLetter: topicSpecSchema
      .prefault(PIPELINE_TOPICS.deadLetter)
      .describe('Events that failed parsing or validation: reason, code and raw text.'),
  })
  .strict();
export type CollectorTopics = z.infer<typeof collectorTopicsSchema>;

/** A sender of the HTTP input: its token (from an environment variable or a file) and what it may speak for. */
export const httpClientSchema = z
  .object({
    name: z.string().min(1).describe('Name of the sender in logs, metrics and dead letters (never the token).'),
    tokenEnv: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Environment variable holding the bearer token (at least 16 characters).'),
    tokenFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('File holding the bearer token (surrounding white space ignored), e.g. a mounted Secret.'),
    computers: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Computer names (<Computer>, case-insensitive) it may send events of: exact FQDNs, "*.domain" or "*". ' +
          'Events of any other computer are dead-lettered as computer_not_allowed.',
      ),
    sources: z
      .array(sourceSchema)
      .min(1)
      .default([...SOURCES])
      .describe('Sources (client, gateway, radius, ca) it may send events of; others are computer_not_allowed.'),
  })
  .strict()
  .refine((c) => (c.tokenEnv === null) !== (c.tokenFile === null), {
    message: 'set exactly one of tokenEnv and tokenFile',
  });
export type HttpClientConfig = z.infer<typeof httpClientSchema>;

const httpTlsSchema = z
  .object({
    certFile: z.string().min(1).describe('PEM certificate chain of the HTTPS server.'),
    keyFile: z.string().min(1).describe('PEM private key of the HTTPS server.'),
    clientCaFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('PEM CA bundle: when set, every client must present a certificate that chains to it (mTLS).'),
  })
  .strict();

/** The collector's configuration file (JSON); every field can be overridden from the environment. */
export const collectorConfigSchema = z
  .object({
    kafka: kafkaConnectionSchema.prefault({ clientId: 'otptrace-collector' }).describe('Kafka connection.'),
    topics: collectorTopicsSchema.prefault({}),
    site: z
      .string()
      .min(1)
      .default('default')
      .describe(
        'The site whose events this collector forwards (one DirectAccess deployment: its DA servers, NPS, CAs and ' +
          'clients). It keys the events topic: a site is correlated by one engine, sites spread over partitions.',
      ),
    createTopics: z
      .boolean()
      .default(true)
      .describe('At start-up create missing topics; when false only check that they exist as configured.'),
    http: z
      .object({
        enabled: z.boolean().default(true).describe('Accept POST /v1/events batches of EVTX-XML.'),
        host: z.string().default('0.0.0.0').describe('Address the ingestion server listens on.'),
        port: z.number().int().min(0).max(65_535).default(8080).describe('Port of the ingestion server (0 = any).'),
        tokens: z
          .array(z.string().min(16))
          .default([])
          .describe(
            'Bearer tokens that may speak for any computer and source (at least 16 characters each): secrets, never ' +
              'logged; set them from the environment. Prefer http.clients, which binds each token to its computers.',
          ),
        clients: z
          .array(httpClientSchema)
          .default([])
          .describe(
            'Senders, each with its token (from the environment or a file) and the computers it may speak for.',
          ),
        tls: httpTlsSchema
          .nullable()
          .default(null)
          .describe(
            'HTTPS: certificate and key files, optionally a client CA (mTLS); null = plain HTTP behind a proxy.',
          ),
        rateLimit: z
          .object({
            perSecond: z
              .number()
              .positive()
              .default(100)
              .describe('Batches per second each token may post, sustained (a forwarder posts a few).'),
            burst: z
              .number()
              .int()
              .positive()
              .default(1_000)
              .describe('Batches a token may post at once before 429 (a backlog replayed after an outage).'),
          })
          .strict()
          .prefault({})
          .describe('Token bucket per sender; beyond it 429 with Retry-After.'),
        headersTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(10_000)
          .describe('Longest a client may take to send the request headers, ms (slow clients are cut off).'),
        requestTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe('Longest a client may take to send a whole request, headers and body, ms (then 408).'),
        bodyLimitBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024)
          .describe('Largest batch accepted, compressed and decompressed; a larger body gets 413.'),
        memoryBudgetBytes: z
          .number()
          .int()
          .positive()
          .default(defaultBodyBudgetBytes)
          .describe(
            'Memory for batches in flight, all senders together, counted as twice their decompressed bodies; a sender ' +
              'holds at most a fair share. Default: 1/64 of memory, 64-512 MiB; at least 4 × bodyLimitBytes.',
          ),
        maxInFlightBatches: z
          .number()
          .int()
          .positive()
          .default(8)
          .describe(
            'Batches being read or written at once, all senders together; a sender holds at most a fair share. ' +
              'Beyond: 429 (sender over its share) or 503.',
          ),
        retryAfterSeconds: z.number().int().positive().default(5).describe('Retry-After sent with 429 and 503.'),
        textLogStateDir: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe(
            'Folder where what a text log posted in bodies leaves for its next body (the W3C #Fields, the line count, ' +
              'NPS requests awaiting their answer) is kept, one small file per sender and file, written after Kafka ' +
              'took each body: a restarted collector reads the next body as it would have. Give each collector its ' +
              'own. null (default): in memory only, and a restart loses it.',
          ),
      })
      .strict()
      .prefault({}),
    files: z
      .object({
        paths: z
          .array(z.string())
          .default([])
          .describe('Files or folders (their *.xml files) followed as they grow, like wevtutil qe /f:xml output.'),
        stateFile: z
          .string()
          .default('collector-positions.json')
          .describe('Where the byte position of each followed file is kept, written after Kafka acknowledged.'),
        pollIntervalMs: z
          .number()
          .int()
          .positive()
          .default(1_000)
          .describe('How often followed files are checked, ms.'),
        maxReadBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024)
          .describe('Most bytes read from one file per poll (one Kafka batch).'),
      })
      .strict()
      .prefault({}),
    npsAnswerWaitMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe(
        'An NPS log file (posted in bodies with X-Otptrace-File, or followed) that gets no new line for this long: ' +
          'its Access-Requests still without an answer are published as unanswered (discarded), as offline decides ' +
          'at the end of the file, ms.',
      ),
    transactionalIdPrefix: z
      .string()
      .min(1)
      .default(() => `otptrace-collector-${hostname()}`)
      .describe(
        'Prefix of the Kafka transactional ids (one per batch slot): unique per collector instance and stable ' +
          'across its restarts (e.g. the pod name of a StatefulSet).',
      ),
    stdin: z
      .boolean()
      .default(false)
      .describe('Read EVTX-XML from standard input (e.g. wevtutil qe Security /f:xml | otptrace-collector).'),
    ...serviceOptions(9464),
    analysis: analysisConfigSchema.prefault({}).describe('Identity settings shared with `otptrace analyze`.'),
  })
  .strict()
  .refine((c) => !c.http.enabled || c.http.tokens.length + c.http.clients.length > 0, {
    message: 'http.enabled needs at least one sender in http.clients or http.tokens',
    path: ['http', 'tokens'],
  })
  .refine((c) => c.http.memoryBudgetBytes >= 4 * c.http.bodyLimitBytes, {
    message: 'http.memoryBudgetBytes must be at least 4 × http.bodyLimitBytes (two largest batches, each held twice)',
    path: ['http', 'memoryBudgetBytes'],
  });
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
export type HttpConfig = CollectorConfig['http'];
export type CollectorConfigInput = z.input<typeof collectorConfigSchema>;
