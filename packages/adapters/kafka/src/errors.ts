/**
 * Errors of the Kafka adapter, each saying whether a retry can help. The collector turns a retriable error into
 * `503 Retry-After` (the client sends the batch again later); a non-retriable one is a configuration or programming
 * problem that no retry fixes (unknown topic, record too large, authorization).
 */
export class KafkaAdapterError extends Error {
  /** True when the same call may succeed later (broker down, leader moving, timeout). */
  readonly retriable: boolean;
  /** Stable short code: `connection`, `timeout`, `not_enough_replicas`, `topic_missing`, `record_too_large`, ... */
  readonly code: string;

  constructor(message: string, options: { retriable: boolean; code: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaAdapterError';
    this.retriable = options.retriable;
    this.code = options.code;
  }
}

interface ClientErrorShape {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

// Protocol error types (kafkajs `type`, Kafka's error names) that say the cluster is temporarily unable to serve.
const TRANSIENT_TYPES = new Set([
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'REBALANCE_IN_PROGRESS',
  'KAFKA_STORAGE_ERROR',
  'BROKER_NOT_AVAILABLE',
  'THROTTLING_QUOTA_EXCEEDED',
  // The idempotent session lost track across a broker restart: a new session (the producer renews itself) fixes it.
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);
const PERMANENT_TYPES: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'topic_missing',
  MESSAGE_TOO_LARGE: 'record_too_large',
  RECORD_LIST_TOO_LARGE: 'record_too_large',
  TOPIC_AUTHORIZATION_FAILED: 'not_authorized',
  CLUSTER_AUTHORIZATION_FAILED: 'not_authorized',
  GROUP_AUTHORIZATION_FAILED: 'not_authorized',
  SASL_AUTHENTICATION_FAILED: 'not_authorized',
  INVALID_REPLICATION_FACTOR: 'invalid_topic_config',
  INVALID_PARTITIONS: 'invalid_topic_config',
  POLICY_VIOLATION: 'invalid_topic_config',
};

/**
 * The innermost cause behind "retries exceeded" and "non-retriable" wrappers: that is what decides whether trying
 * again later helps (kafkajs wraps a refused connection in a KafkaJSNonRetriableError once its own retries are spent).
 */
function innermost(error: ClientErrorShape): ClientErrorShape {
  let current = error;
  for (let depth = 0; depth < 8; depth++) {
    const next = current.originalError ?? current.cause;
    if (!next || typeof next !== 'object') break;
    current = next as ClientErrorShape;
  }
  return current;
}

/** Maps anything the Kafka client threw to a KafkaAdapterError with a retriable flag and a stable code. */
export function toAdapterError(error: unknown, context: string): KafkaAdapterError {
  if (error instanceof KafkaAdapterError) return error;
  const shape: ClientErrorShape = typeof error === 'object' && error !== null ? (error as ClientErrorShape) : {};
  const root = innermost(shape);
  const message = `${context}: ${root.message ?? shape.message ?? String(error)}`;
  const type = root.type ?? shape.type;
  if (type && PERMANENT_TYPES[type]) {
    return new KafkaAdapterError(message, { retriable: false, code: PERMANENT_TYPES[type], cause: error });
  }
  if (type && TRANSIENT_TYPES.has(type)) {
    return new KafkaAdapterError(message, { retriable: true, code: type.toLowerCase(), cause: error });
  }
  const name = root.name ?? shape.name ?? '';
  if (/Connection|BrokerNotFound|NumberOfRetriesExceeded|Closed/.test(name)) {
    return new KafkaAdapterError(message, { retriable: true, code: 'connection', cause: error });
  }
  if (/Timeout/.test(name)) return new KafkaAdapterError(message, { retriable: true, code: 'timeout', cause: error });
  // kafkajs marks its own errors; anything else (a TypeError, a bad argument) is a programming error.
  const retriable = root.retriable === true || shape.retriable === true;
  return new KafkaAdapterError(message, { retriable, code: retriable ? 'transient' : 'failed', cause: error });
}

/** Rejects with a retriable `timeout` error if `work` has not settled within `ms` (the work itself goes on). */
export async function withDeadline<T>(work: Promise<T>, ms: number, context: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new KafkaAdapterError(`${context}: no answer within ${ms} ms`, { retriable: true, code: 'timeout' })),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
