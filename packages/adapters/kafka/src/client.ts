import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConnection } from './config.js';
import { stopIdlePolling } from './idle-polling.js';

/** The slice of a pino-like logger the adapter writes to; the client's own log lines are routed here. */
export interface AdapterLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A connection to one Kafka cluster; producers, consumers and the admin client are made from it. */
export interface KafkaClient {
  /** The underlying client: only modules of this package may touch it. */
  readonly raw: Kafka;
  readonly connection: KafkaConnection;
  readonly logger: AdapterLogger | undefined;
}

/** Reads a file named in the configuration (tests pass their own). */
export type FileReader = (path: string) => Buffer;

function saslOptions(connection: KafkaConnection, read: FileReader): SASLOptions | undefined {
  const sasl = connection.sasl;
  if (!sasl) return undefined;
  // A secret file may end with a newline (echo, editors): the password is its text without surrounding space.
  const password =
    sasl.password ??
    read(sasl.passwordFile as string)
      .toString('utf8')
      .trim();
  if (password === '') throw new Error('kafka.sasl: the password file is empty');
  return { mechanism: sasl.mechanism, username: sasl.username, password } as SASLOptions;
}

function tlsOptions(connection: KafkaConnection, read: FileReader): boolean | ConnectionOptions {
  const ssl = connection.ssl;
  if (typeof ssl === 'boolean') return ssl;
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.caFile === null ? {} : { ca: [read(ssl.caFile)] }),
    ...(ssl.certFile === null ? {} : { cert: read(ssl.certFile) }),
    ...(ssl.keyFile === null ? {} : { key: read(ssl.keyFile) }),
  };
}

/**
 * What kafkajs reports at error level in normal operation, and retries by itself: a group coordinator still loading or
 * moved, a rebalance in progress, a member that must rejoin, a transaction coordinator not ready yet.
 */
const ROUTINE =
  /coordinator.{0,20}(load|not available|not aware|moved)|not.?coordinator|correct coordinator|rebalanc|rejoin|member id|concurrent (transactions|operation)|unknown member|illegal generation/i;

/** The level a kafkajs log line deserves: its routine retries are information, not errors an operator acts on. */
export function adapterLevel(level: logLevel, text: string): 'error' | 'warn' | 'debug' | null {
  if (level === logLevel.ERROR) return ROUTINE.test(text) ? 'debug' : 'error';
  if (level === logLevel.WARN) return ROUTINE.test(text) ? 'debug' : 'warn';
  return level === logLevel.INFO ? 'debug' : null;
}

/**
 * Chooses the level of each kafkajs line in turn. A consumer that crashes logs "Crash: <cause>", then "Restarting the
 * consumer in N ms" at error level with no cause: the restart is as routine as the crash before it (a coordinator still
 * loading on a new broker, a rebalance), and a warning after a real crash, which is itself logged as an error.
 */
export function createLevelChooser(): (level: logLevel, text: string) => 'error' | 'warn' | 'debug' | null {
  let lastCrashRoutine = false;
  return (level, text) => {
    const to = adapterLevel(level, text);
    if (text.startsWith('Crash:')) lastCrashRoutine = to === 'debug';
    else if (text.startsWith('Restarting the consumer')) return lastCrashRoutine ? 'debug' : 'warn';
    return to;
  };
}

// kafkajs logs a line for every reconnect attempt; keep its real errors and warnings, drop its chatter below that.
function logCreator(logger: AdapterLogger | undefined) {
  return () => {
    const levelOf = createLevelChooser();
    return ({ level, log }: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = log;
      const fields = { kafka: rest.namespace ?? 'client', broker: rest.broker, error: rest.error };
      const to = levelOf(level, `${message} ${String(rest.error ?? '')}`);
      if (to !== null) logger[to](fields, message);
    };
  };
}

/**
 * The kafkajs settings for a connection: TLS material and the SASL password are read from the files the
 * configuration names (never from the command line). Holds secrets: never log the result.
 */
export function kafkaClientConfig(
  connection: KafkaConnection,
  logger?: AdapterLogger,
  read: FileReader = (path) => readFileSync(path),
): KafkaConfig {
  const sasl = saslOptions(connection, read);
  return {
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ssl: tlsOptions(connection, read),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator: logCreator(logger),
    // Reconnect quickly after a broker restart; the idempotent producer retries without bound on its own.
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
  };
}

/** Builds a client for the configured cluster. Nothing connects until a producer, consumer or admin does. */
export function createKafkaClient(connection: KafkaConnection, logger?: AdapterLogger): KafkaClient {
  stopIdlePolling();
  return { raw: new Kafka(kafkaClientConfig(connection, logger)), connection, logger };
}
