import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamCarry } from '@otptrace/pipeline';
import type { Logger } from '@otptrace/runtime';
import { asUtf8, completeLength, encodingOf, formatOf } from './complete-events.js';
import { BatchRefused, type Publisher } from './publisher.js';

/**
 * Reads EVTX-XML from a stream (standard input: `wevtutil qe Security /f:xml | ...`) and publishes complete events.
 * A stream cannot be re-read, so a batch Kafka refused is retried until it is taken, with reading paused meanwhile.
 * Resolves when the stream ended and everything was acknowledged.
 */
export async function followStream(
  stream: AsyncIterable<Buffer | string>,
  publisher: Publisher,
  logger: Logger,
  options: { retryDelayMs: number; isClosing: () => boolean },
): Promise<void> {
  let pending = Buffer.alloc(0);
  let started = false;
  let encoding: 'utf8' | 'utf16le' | null = null;
  const carry: StreamCarry = {};
  const send = async (bytes: Buffer): Promise<void> => {
    while (true) {
      try {
        await publisher.publish(asUtf8(bytes, encoding ?? 'utf8'), 'stdin', { carry });
        return;
      } catch (error) {
        if (!(error instanceof BatchRefused) || options.isClosing()) throw error;
        logger.warn({ kind: error.kind }, 'stdin batch refused; retrying');
        await sleep(options.retryDelayMs);
      }
    }
  };
  for await (const chunk of stream) {
    pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    encoding ??= pending.length >= 2 ? encodingOf(pending) : null;
    if (encoding === null) continue;
    const length = completeLength(pending, encoding, formatOf(carry, pending, !started, encoding));
    if (length === 0) continue;
    started = true;
    await send(pending.subarray(0, length));
    pending = pending.subarray(length);
    if (options.isClosing()) return;
  }
  if (pending.toString('utf8').trim().length > 0) await send(pending);
}
