import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { configuredPartitions, createKafkaAdmin, createRecordProducer, type KafkaClient } from '@otptrace/kafka';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import {
  createPool,
  createPostgresTicketSink,
  inTransaction,
  loadTicketState,
  migrate,
  type Pool,
  saveTicketState,
  settingsFromEnv,
} from '@otptrace/postgres';
import type { Logger } from '@otptrace/runtime';
import type { TicketSinksConfig } from '@otptrace/schemas';
import {
  createKafkaTicketSink,
  createNdjsonTicketSink,
  createTicketDispatcher,
  createWebhookTicketSink,
  type DeadLetter,
  type DispatchState,
  type DispatchStore,
  type TicketSink,
} from '@otptrace/ticket';
import type { AttemptSink } from './sinks.js';

/** What the ticket sinks may need from the running service. */
export interface TicketSinkDeps {
  logger: Logger;
  /** Environment: the PostgreSQL connection and the webhook secret come from here, never from the config file. */
  env: Record<string, string | undefined>;
  /** The correlator's Kafka client, for the Kafka sink. */
  kafka?: KafkaClient;
}

/** Something to set up before the first delivery and to release at the end. */
interface Part {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The correlator's ticket sinks from configuration: the ticket engine runs once over each batch of attempts, and its
 * changes go to every configured sink once per ticket revision (see the dispatcher in @otptrace/ticket). Null when no
 * sink is configured.
 */
export function createTicketSinks(config: TicketSinksConfig, deps: TicketSinkDeps): AttemptSink | null {
  const sinks: TicketSink[] = [];
  const parts: Part[] = [];
  let store: DispatchStore = memoryStore();
  if (config.postgres.enabled) {
    const settings = { ...settingsFromEnv(deps.env), schema: config.postgres.schema };
    const pool = createPool(settings);
    parts.push({ start: () => migrate(pool, settings.schema).then(() => {}), stop: () => pool.end() });
    sinks.push(createPostgresTicketSink(pool));
    store = postgresStore(pool, config.postgres.stateName);
  } else if (config.stateFile !== null) {
    store = fileStore(config.stateFile);
  }
  if (config.kafka.topic !== null) {
    if (deps.kafka === undefined) throw new Error('the Kafka ticket sink needs a Kafka connection');
    const { topic, partitions, replicationFactor } = config.kafka;
    // Compacted by ticket key: a key moved to another partition would leave its older change as a second "latest".
    const producer = createRecordProducer(deps.kafka, {
      partitions: configuredPartitions([{ name: topic, partitions }]),
    });
    const admin = createKafkaAdmin(deps.kafka);
    parts.push({
      async start() {
        await admin.connect();
        // Compacted: the topic keeps the latest change of every ticket key.
        await admin.ensureTopics([
          { name: topic, partitions, replicationFactor, configs: { 'cleanup.policy': 'compact' } },
        ]);
        await admin.disconnect();
        await producer.connect();
      },
      stop: () => producer.disconnect(),
    });
    sinks.push(createKafkaTicketSink(topic, { send: (t, key, value) => producer.send([{ topic: t, key, value }]) }));
  }
  if (config.webhook.url !== null) sinks.push(webhookSink(config.webhook, deps));
  if (config.ndjson.path !== null) {
    const path = config.ndjson.path;
    sinks.push(createNdjsonTicketSink({ append: (text) => appendFile(path, text) }));
  }
  if (sinks.length === 0) return null;
  if (!config.postgres.enabled && config.stateFile === null) {
    deps.logger.warn('ticket state is kept in memory only: set tickets.stateFile so a restart resumes the tickets');
  }
  const dispatcher = createTicketDispatcher({ config: config.engine, store, sinks });
  let started: Promise<void> | null = null;
  deps.logger.info({ sinks: sinks.map((s) => s.name) }, 'ticket changes are delivered to these sinks');
  return {
    name: 'tickets',
    async write(attempts: readonly AnalyzedAttempt[]) {
      started ??= Promise.all(parts.map((p) => p.start())).then(() => {});
      await started;
      const report = await dispatcher.process(attempts.map((a) => a.record));
      for (const [sink, result] of Object.entries(report.sinks)) {
        deps.logger.debug({ sink, ...result }, 'ticket changes delivered');
      }
    },
    async close() {
      for (const part of parts) await part.stop();
    },
  };
}

function webhookSink(config: TicketSinksConfig['webhook'], deps: TicketSinkDeps): TicketSink {
  const secret = deps.env[config.secretEnv];
  if (secret === undefined || secret === '') {
    throw new Error(`the ticket webhook needs its HMAC key in the environment variable ${config.secretEnv}`);
  }
  const deadLetterFile = config.deadLetterFile;
  return createWebhookTicketSink(
    {
      url: config.url!,
      secret,
      maxAttempts: config.maxAttempts,
      baseDelayMs: config.baseDelayMs,
      maxDelayMs: config.maxDelayMs,
    },
    {
      async post(url, body, headers) {
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(config.timeoutMs) });
        await res.body?.cancel();
        return { status: res.status };
      },
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async deadLetter(entry: DeadLetter) {
        const { change, ...why } = entry;
        deps.logger.error(
          { ticket: change.ticket.key, revision: change.ticket.revision, ...why },
          'webhook gave up on a ticket change',
        );
        if (deadLetterFile !== null) await appendFile(deadLetterFile, `${JSON.stringify(entry)}\n`);
      },
    },
  );
}

function memoryStore(): DispatchStore {
  let state: DispatchState | null = null;
  return {
    load: async () => state && structuredClone(state),
    save: async (next) => {
      state = structuredClone(next);
    },
  };
}

/** The dispatch state in one JSON file, replaced atomically (write then rename) so a crash leaves the old or the new. */
function fileStore(path: string): DispatchStore {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as DispatchState;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(`ticket state file ${path} cannot be read: ${(error as Error).message}`);
      }
    },
    async save(state) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, JSON.stringify(state));
      await rename(`${path}.tmp`, path);
    },
  };
}

/**
 * The dispatcher's state in PostgreSQL: the engine's in its row of ticket_engine_state (its remembered attempt IDs in
 * ticket_seen, of which a step writes only what it changed), the outbox and the ledger in a row of their own
 * (`<name>/delivery`), so that recording a delivery does not write the engine's state again. A state saved whole, by
 * an earlier version, is read as it is and saved in this form by the next step.
 */
function postgresStore(pool: Pool, name: string): DispatchStore {
  const deliveryRow = `${name}/delivery`;
  const noEngine = () => null;
  return {
    load: () =>
      inTransaction(pool, async (client) => {
        const delivery = await loadTicketState<Delivery>(client, deliveryRow, false, noEngine);
        if (delivery === null) return loadTicketState<DispatchState>(client, name, false, (s) => s.engine);
        return { engine: await loadTicketState(client, name), ...delivery };
      }),
    save: (state, seen, what) =>
      inTransaction(pool, async (client) => {
        if (what === 'step' && state.engine !== null) await saveTicketState(client, name, state.engine, seen);
        const delivery: Delivery = { outbox: state.outbox, delivered: state.delivered };
        await saveTicketState(client, deliveryRow, delivery, null, noEngine);
      }),
  };
}

/** What a dispatcher's state holds besides the engine's. */
type Delivery = Pick<DispatchState, 'outbox' | 'delivered'>;
