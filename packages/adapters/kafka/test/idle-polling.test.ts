import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { stopIdlePolling } from '../src/idle-polling.js';

// kafkajs's request queue (one per broker connection), driven here without a broker: the requests are "sent" by
// recording their correlation IDs, and answered by `fulfillRequest`.
interface Queue {
  pending: unknown[];
  throttleCheckTimeoutId: unknown;
  push(request: object): void;
  checkPendingRequests(): void;
  fulfillRequest(answer: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => Queue;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function queueOf(maxInFlightRequests: number | null, sent: number[]) {
  const queue = new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: quiet,
    isConnected: () => true,
  });
  const push = (correlationId: number) =>
    queue.push({
      entry: { correlationId, apiKey: 0, apiName: 'Produce', apiVersion: 3, resolve() {}, reject() {} },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
  const answer = (correlationId: number) => queue.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { queue, push, answer };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// In this order: the first shows kafkajs as published, before the fix is applied to this process.
describe("kafkajs's request queue", () => {
  it('as published, arms a timer after a check even when no request waits', () => {
    const { queue } = queueOf(null, []);
    queue.checkPendingRequests();
    expect(queue.pending).toHaveLength(0);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });

  it('once fixed, arms none while no request waits', () => {
    expect(stopIdlePolling()).toBe(true);
    expect(stopIdlePolling()).toBe(true); // once per process: a second call changes nothing
    const sent: number[] = [];
    const { queue, push, answer } = queueOf(null, sent);
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    push(1);
    answer(1);
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('once fixed, still sends a request that waits for the in-flight limit, as its slot frees', async () => {
    const sent: number[] = [];
    const { queue, push, answer } = queueOf(1, sent);
    push(1);
    push(2);
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(1);
    expect(queue.throttleCheckTimeoutId).not.toBeNull(); // armed by the queued request
    answer(1);
    expect(sent).toEqual([1, 2]);
    await later(30); // the armed check runs, finds nothing waiting and re-arms nothing
    expect(queue.throttleCheckTimeoutId).toBeNull();
    answer(2);
    queue.destroy();
  });

  it('once fixed, still sends a request that waits out a throttle, when the throttle ends', async () => {
    const sent: number[] = [];
    const { queue, push, answer } = queueOf(null, sent);
    queue.maybeThrottle(40);
    push(1);
    expect(sent).toEqual([]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    await later(80);
    expect(sent).toEqual([1]);
    answer(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });
});
