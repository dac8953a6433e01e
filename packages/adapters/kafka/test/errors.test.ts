import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaAdapterError, toAdapterError, withDeadline } from '../src/errors.js';

/**
 * The error kafkajs builds from a broker's error code and hands to KafkaJSProtocolError (its src/protocol/error.js):
 * its types say only `Error | string`.
 */
const protocolError = (type: string, code: number, message: string) =>
  Object.assign(new Error(message), { type, code, retriable: true });

describe('toAdapterError', () => {
  it('marks a lost connection as retriable, even when wrapped in "retries exceeded"', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const wrapped = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 });
    const error = toAdapterError(wrapped, 'produce');
    expect({ retriable: error.retriable, code: error.code }).toEqual({ retriable: true, code: 'connection' });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('marks too few in-sync replicas as retriable and an unknown topic as permanent', () => {
    const isr = toAdapterError(new KafkaJSProtocolError(protocolError('NOT_ENOUGH_REPLICAS', 19, 'x')), 'p');
    const topic = toAdapterError(new KafkaJSProtocolError(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'y')), 'p');
    expect([isr.retriable, isr.code, topic.retriable, topic.code]).toEqual([
      true,
      'not_enough_replicas',
      false,
      'topic_missing',
    ]);
  });

  it('treats a plain programming error as not retriable', () => {
    const error = toAdapterError(new TypeError('value must be a Buffer'), 'produce');
    expect([error.retriable, error.code]).toEqual([false, 'failed']);
  });
});

describe('withDeadline', () => {
  it('fails with a retriable timeout when the work does not settle in time', async () => {
    const never = new Promise<void>(() => {});
    const error = await withDeadline(never, 20, 'produce').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaAdapterError);
    expect((error as KafkaAdapterError).code).toBe('timeout');
    expect((error as KafkaAdapterError).retriable).toBe(true);
  });

  it('passes the result through when the work settles first', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});

describe('toAdapterError on wrapped causes', () => {
  it('looks through a non-retriable wrapper to the refused connection beneath', async () => {
    const { KafkaJSNonRetriableError } = await import('kafkajs');
    // Its code takes a cause as a second argument (src/errors.js); its types leave it out.
    const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const error = toAdapterError(new NonRetriable(cause, { cause }), 'produce');
    expect([error.retriable, error.code]).toEqual([true, 'connection']);
  });
});
