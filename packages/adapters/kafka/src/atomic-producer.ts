import type { Producer, Transaction } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { KafkaAdapterError, toAdapterError, withDeadline } from './errors.js';
import { ANY_PARTITIONS, pinnedPartitioner } from './partitioner.js';
import { groupByTopic, type ProducerOptions, type RecordProducer } from './producer.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, splitIntoRequests } from './request-size.js';

/** Options of an all-or-nothing producer. */
export interface AtomicProducerOptions extends ProducerOptions {
  /**
   * Prefix of the transactional ids (`<prefix>-<n>`): unique per producing process, and the same after its restart
   * (a restarted process then fences and aborts what its predecessor left open at once, not after the timeout).
   */
  transactionalIdPrefix: string;
  /** Transactions open at once (each uses one transactional id); further sends wait for a free one. */
  sessions: number;
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
 * A step (connect, a produce request, the commit) with no answer within the connection's `sendTimeoutMs` fails the
 * send with a retriable error, and its transaction is never committed: it is aborted, and the session is renewed with
 * the same transactional id, which fences the old producer (its retries then fail) and makes the coordinator abort
 * whatever it left open. So a refused send is never written later, and its caller may send the records again. One
 * window stays open: a failure of the commit request itself leaves the outcome unknown (code `commit_unknown`).
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
      createPartitioner: pinnedPartitioner(options.partitions ?? ANY_PARTITIONS, client.logger),
      // The idempotent session retries a request until it is answered; this producer's deadlines bound the wait.
      retry: { retries: Number.MAX_SAFE_INTEGER },
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

  // Each step (open, each produce request, the commit) has the connection's sendTimeoutMs: a large batch takes as
  // long as it needs while the cluster answers, and a stalled one is given up within one timeout.
  const transact = async (session: Session, requests: ReturnType<typeof splitIntoRequests>) => {
    const step = <T>(work: Promise<T>, what: string) => withDeadline(work, timeoutMs, what);
    let transaction: Transaction | undefined;
    try {
      const producer = await step(open(session), 'producer connect');
      transaction = await step(producer.transaction(), 'begin transaction');
      for (const request of requests) {
        await step(
          transaction.sendBatch({ topicMessages: groupByTopic(request), acks: -1, timeout: timeoutMs }),
          'produce',
        );
      }
    } catch (error) {
      // Never committed. Abort if the coordinator answers; in any case drop the producer (its pending retries stop)
      // and let the next session with this id fence it, which aborts the transaction for good.
      if (transaction) void transaction.abort().catch(() => {});
      discard(session);
      throw toAdapterError(error, 'produce');
    }
    try {
      await step(transaction.commit(), 'commit');
    } catch (error) {
      discard(session);
      // The commit request may have reached the coordinator: the batch may or may not be visible.
      throw new KafkaAdapterError(`produce: the commit's outcome is unknown (${(error as Error).message})`, {
        retriable: true,
        code: 'commit_unknown',
        cause: error,
      });
    }
  };

  return {
    async connect() {
      // Every session now: this checks that the cluster answers, and fences (aborting what they left open) the
      // sessions a previous run of this process did not finish, instead of leaving them to the transaction timeout.
      const sessions = idle.splice(0);
      try {
        await withDeadline(Promise.all(sessions.map(open)), timeoutMs, 'producer connect');
      } catch (error) {
        for (const session of sessions) discard(session);
        throw toAdapterError(error, 'producer connect');
      } finally {
        for (const session of sessions) releaseSession(session);
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
