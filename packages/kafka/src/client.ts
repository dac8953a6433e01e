import { Kafka, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConnection } from './config.js';

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

function saslOptions(connection: KafkaConnection): SASLOptions | undefined {
  const sasl = connection.sasl;
  if (!sasl) return undefined;
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

// kafkajs logs a line for every reconnect attempt; keep its errors and warnings, drop its chatter below that.
function logCreator(logger: AdapterLogger | undefined) {
  return () =>
    ({ level, log }: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = log;
      const fields = { kafka: rest.namespace ?? 'client', broker: rest.broker, error: rest.error };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
    };
}

/** Builds a client for the configured cluster. Nothing connects until a producer, consumer or admin does. */
export function createKafkaClient(connection: KafkaConnection, logger?: AdapterLogger): KafkaClient {
  const sasl = saslOptions(connection);
  const raw = new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator: logCreator(logger),
    // Reconnect quickly after a broker restart; the idempotent producer retries without bound on its own.
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
  });
  return { raw, connection, logger };
}
