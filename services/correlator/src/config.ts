import { kafkaConnectionSchema, PIPELINE_TOPICS, topicSpecSchema } from '@otptrace/kafka';
import { serviceOptions } from '@otptrace/runtime';
import { analysisConfigSchema, ticketSinksConfigSchema } from '@otptrace/schemas';
import { z } from 'zod';

/** Environment prefix of the correlator's overrides: OTPTRACE_CORRELATOR_GRACE_MS=30000 sets graceMs. */
export const CORRELATOR_ENV_PREFIX = 'OTPTRACE_CORRELATOR_';

/** The correlator's configuration file (JSON); every field can be overridden from the environment. */
export const correlatorConfigSchema = z
  .object({
    kafka: kafkaConnectionSchema.prefault({ clientId: 'otptrace-correlator' }).describe('Kafka connection.'),
    groupId: z
      .string()
      .min(1)
      .default('otptrace-correlator')
      .describe('Consumer group: every instance with this id shares the partitions of the events topic.'),
    sessionTimeoutMs: z
      .number()
      .int()
      .min(6_000)
      .default(10_000)
      .describe(
        'A member that sends no heartbeat for this long is dropped from the group and its partitions move (a restarted correlator gets them back after at most this long).',
      ),
    fetchBytesPerPartition: z
      .number()
      .int()
      .min(65_536)
      .default(4 * 1_048_576)
      .describe(
        "Most bytes fetched from one partition at a time (kafkajs' maxBytesPerPartition): the largest batch, and a batch is one transaction, so a backlog is read in fewer, larger transactions.",
      ),
    fromBeginning: z
      .boolean()
      .default(true)
      .describe('Where a group with no committed offset starts: the earliest retained event (true) or new ones only.'),
    topics: z
      .object({
        events: topicSpecSchema
          .prefault(PIPELINE_TOPICS.events)
          .describe('Normalised events written by the collector, keyed by site (same settings as the collector).'),
        attempts: topicSpecSchema
          .prefault(PIPELINE_TOPICS.attempts)
          .describe(
            'Attempts with their verdicts (the JSON contract of `otptrace analyze`), keyed by user, written in transactions.',
          ),
        late: topicSpecSchema
          .prefault(PIPELINE_TOPICS.late)
          .describe('Events that arrived after their place in event time had passed (counted, never lost).'),
      })
      .strict()
      .prefault({}),
    createTopics: z
      .boolean()
      .default(true)
      .describe('At start-up create missing topics; when false only check that they exist as configured.'),
    graceMs: z
      .number()
      .int()
      .nonnegative()
      .default(60_000)
      .describe(
        "Event-time grace: a site's events wait until its newest event is this much (plus twice the clock-skew tolerance) newer, so that forwarders' delays do not make them late.",
      ),
    idleFlushMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        "When a partition has read its whole log and no event came to it for this long (wall clock), close its sites' open attempts as the end of input.",
      ),
    idleFlushSettleMs: z
      .number()
      .int()
      .nonnegative()
      .default(120_000)
      .describe(
        "A live partition (its sites' newest server event younger than this by the wall clock) is closed only after this long without an event, not idleFlushMs: an attempt still under way (a RADIUS timeout, a user typing the OTP) is not cut in two. Logs replayed or backfilled are older and close after idleFlushMs. 0: always idleFlushMs.",
      ),
    retryPauseMs: z
      .number()
      .int()
      .nonnegative()
      .default(1_000)
      .describe(
        'Pause before a partition whose outputs could not be written (broker or sink down, or another member took it) is re-read from its commit.',
      ),
    traces: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Send every attempt as a trace over OTLP (also reads OTEL_* variables).'),
        endpoint: z
          .string()
          .nullable()
          .default(null)
          .describe(
            'Base OTLP endpoint (/v1/traces is appended); null = OTEL_EXPORTER_OTLP_ENDPOINT or localhost:4318.',
          ),
        tracesEndpoint: z
          .string()
          .nullable()
          .default(null)
          .describe('Full OTLP traces URL, used as is (wins over endpoint), like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.'),
        protocol: z
          .enum(['http/protobuf', 'http/json', 'zipkin'])
          .default('http/protobuf')
          .describe(
            "OTLP encoding, or `zipkin` for Zipkin's own API (endpoint: the Zipkin server, /api/v2/spans appended).",
          ),
      })
      .strict()
      .prefault({}),
    statistics: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Write every attempt and the tickets it opens or resolves to PostgreSQL (connection from DATABASE_URL or PG* variables).',
          ),
        schema: z
          .string()
          .default('otptrace')
          .describe('PostgreSQL schema of the statistics tables (migrated at start).'),
      })
      .strict()
      .prefault({}),
    tickets: ticketSinksConfigSchema
      .prefault({})
      .describe(
        'Where ticket changes go: any combination of PostgreSQL, a Kafka topic, a signed webhook, an NDJSON file.',
      ),
    ...serviceOptions(9465),
    analysis: analysisConfigSchema
      .prefault({})
      .describe('Correlation settings shared with `otptrace analyze` (same values give the same verdicts).'),
  })
  .strict();
export type CorrelatorConfig = z.infer<typeof correlatorConfigSchema>;
export type CorrelatorConfigInput = z.input<typeof correlatorConfigSchema>;
