import { createRequire } from 'node:module';

/** The part of kafkajs's internal request queue (src/network/requestQueue/index.js, 2.2.x) that the fix touches. */
interface RequestQueuePrototype {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueuePrototype): void;
}

let applied: boolean | undefined;

/**
 * Stops kafkajs from polling each connection's request queue when no request waits. kafkajs 2.2.4 (its last release)
 * re-arms a timer after every answer and every check: when no request waits and none is throttled, its delay
 * (`throttledUntil - Date.now()`, with `throttledUntil` -1) is negative, so Node runs it after 1 ms, and the check
 * re-arms it again. Every connection (consumer, producer, coordinators) then polls about a thousand times a second for
 * as long as it is open, idle or busy (kafkajs issues #1704 and #1751; on Node 23 and later each process also prints a
 * TimeoutNegativeWarning). A check is needed only while requests wait, throttled or at the in-flight limit, and a
 * request that has to wait arms one when it is queued (`push`), which this keeps; so with nothing waiting, none is
 * armed. Measured on an idle consumer and producer: bench/kafka-idle.mjs, bench/README.md (session 41).
 *
 * Patches the prototype kafkajs itself uses (the same CommonJS module), once per process. Returns false, changing
 * nothing, when kafkajs's internals are not the expected ones (another version).
 */
export function stopIdlePolling(): boolean {
  if (applied !== undefined) return applied;
  applied = false;
  let queue: { prototype: RequestQueuePrototype } | undefined;
  try {
    queue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
  } catch {
    return applied;
  }
  const prototype = queue?.prototype;
  const schedule = prototype?.scheduleCheckPendingRequests;
  if (prototype === undefined || typeof schedule !== 'function') return applied;
  prototype.scheduleCheckPendingRequests = function scheduleWhileWaiting(this: RequestQueuePrototype) {
    if (!Array.isArray(this.pending) || this.pending.length > 0) schedule.call(this);
  };
  applied = true;
  return applied;
}
