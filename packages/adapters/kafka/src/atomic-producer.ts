import type { Producer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { KafkaAdapterError, toAdapterError, withDeadline } from './errors.js';
import { producerPartitioner } from './partitioner.js';
import { groupByTopic, type RecordProducer } from './producer.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, splitIntoRequests } from './request-size.js';

/** Options of an all-or-nothing producer. */
export interface AtomicProducerOptions {
  /**
   * Prefix of the transactional ids (`<prefix>-<n>`): unique per producing process, and the same after its restart
   * (a restarted process then fences and aborts what its predecessor left open at once, not after the timeout).
   */
  transactionalIdPrefix: string;
  /** Transactions open at once (each uses one transactional id); further sends wait for a free one. */
  sessions: number;
  /** Each topic's `max.message.bytes`; requests are cut to fit (default: Kafka's default). */
  maxMessageBytes?: (topic: string) => number;
  /** How long the coordinator keeps a transaction its producer abandoned before aborting it, ms. */
  transactionTimeoutMs?: number;
}

interface Session {
  readonly id: string;
  producer: Producer | null;
}

/**
 * A producer whose `send` is all or nothing: every record of one call goes out in one Kafka transaction, cut into
 * produce requests that fit each topic's `max.message.bytes`, with acks from all in-sync replicas. Consumers reading
 * committed records (kafkajs' default; `isolation.level=read_committed` in Java) see all of a send or none of it.
 *
 * A send with no answer within the connection's `sendTimeoutMs` fails with a retriable error and its transaction is
 * never committed: it is aborted, and the session is renewed with the same transactional id, which fences the old
 * producer (whose retries then fail) and makes the coordinator abort whatever it left open. So a refused send is never
 * written later, and its caller may send the records again. One window stays open: a failure during the commit
 * itself (one request) leaves its outcome unknown; that error has code `commit_unknown`.
 */
export function createAtomicProducer(client: KafkaClient, options: AtomicProducerOptions): RecordProducer {
  const timeoutMs = client.connection.sendTimeoutMs;
  const limits = options.maxMessageBytes ?? (() => KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  const idle: Session[] = Array.from({ length: options.sessions }, (_, i) => ({
    id: `${options.transactionalIdPrefix}-${i}`,
    producer: null,
  }));
  const waiting: ((session: Session) => void)[] = [];
  let closed = false;

  const acquire = (): Promise<Session> => {
    const session = idle.pop();
    if (session) return Promise.resolve(session);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const releaseSession = (session: Session) => {
    const next = waiting.shift();
    if (next) next(session);
    else idle.push(session);
  };
  const open = async (session: Session): Promise<Producer> => {
    if (session.producer) return session.producer;
    const producer = client.raw.producer({
      transactionalId: session.id,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: producerPartitioner,
      ...(options.transactionTimeoutMs === undefined ? {} : { transactionTimeout: options.transactionTimeoutMs }),
    });
    session.producer = producer;
    // connect() initialises the transactional id: this bumps its epoch, fencing any older producer of the same id.
    await producer.connect();
    return producer;
  };
  // The session's producer is in an unknown state: drop it (stopping its retries); its successor fences it.
  const discard = (session: Session) => {
    const old = session.producer;
    session.producer = null;
    if (old) void old.disconnect().catch(() => {});
  };

  const transact = async (session: Session, requests: ReturnType<typeof splitIntoRequests>) => {
    let committing = false;
    let abandoned = false;
    const work = (async () => {
      const producer = await open(session);
      const transaction = await producer.transaction();
      try {
        for (const request of requests) {
          await transaction.sendBatch({ topicMessages: groupByTopic(request), acks: -1, timeout: timeoutMs });
        }
      } catch (error) {
        await transaction.abort().catch(() => {});
        throw error;
      }
      // Past the deadline the caller was told "not written": never commit then.
      if (abandoned) {
        await transaction.abort().catch(() => {});
        throw new Error('abandoned at the deadline');
      }
      committing = true;
      await transaction.commit();
    })();
    try {
      await withDeadline(work, timeoutMs, 'produce');
    } catch (error) {
      abandoned = true;
      // Past the deadline the work may still be running: it must not commit. Discarding the session disconnects its
      // producer (a later commit fails) and the next one with the same id aborts the open transaction.
      discard(session);
      if (committing) {
        // The commit request went out: the coordinator may or may not have it.
        void work.catch(() => {});
        throw new KafkaAdapterError(`produce: the commit's outcome is unknown (${(error as Error).message})`, {
          retriable: true,
          code: 'commit_unknown',
          cause: error,
        });
      }
      void work.catch(() => {});
      throw toAdapterError(error, 'produce');
    }
  };

  return {
    async connect() {
      // Sessions open on first use; connecting one now checks that the cluster and the coordinator answer.
      const session = await acquire();
      try {
        await withDeadline(open(session), timeoutMs, 'producer connect');
      } catch (error) {
        discard(session);
        throw toAdapterError(error, 'producer connect');
      } finally {
        releaseSession(session);
      }
    },
    async send(records) {
      if (records.length === 0) return;
      if (closed) throw toAdapterError(new Error('producer closed'), 'produce');
      const requests = splitIntoRequests(records, limits);
      const session = await acquire();
      try {
        await transact(session, requests);
      } finally {
        releaseSession(session);
      }
    },
    async disconnect() {
      closed = true;
      const all = idle.splice(0);
      await Promise.all(
        all.map((s) => (s.producer ? withDeadline(s.producer.disconnect(), timeoutMs, 'disconnect') : undefined)),
      ).catch(() => {});
    },
  };
}
