import { createHmac } from 'node:crypto';
import type { TicketChange } from '@otptrace/schemas';
import { changeJson, type SinkResult, type TicketSink } from './types.js';

/** Where and how to POST ticket changes. */
export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key; the receiver recomputes `X-Otptrace-Signature` over the raw body to authenticate it. */
  secret: string;
  /** Tries per change, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Defaults: 5 tries, 0.5 s doubling to at most 30 s. */
export const DEFAULT_WEBHOOK_RETRY = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 } as const;

/** A change the webhook gave up on. */
export interface DeadLetter {
  change: TicketChange;
  reason: 'permanent' | 'exhausted';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

/** I/O of the webhook sink. `post` resolves with the HTTP status and rejects on a network error. */
export interface WebhookPorts {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
  sleep(ms: number): Promise<void>;
  deadLetter(entry: DeadLetter): Promise<void>;
}

/** `sha256=<hex>` HMAC of a body, the value of the `X-Otptrace-Signature` header. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether a status means the receiver may accept the same request later (timeouts, rate limits, server errors). */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A sink POSTing each change as JSON, signed, retried with exponential backoff, dead-lettered when it cannot land. */
export function createWebhookTicketSink(config: WebhookConfig, ports: WebhookPorts): TicketSink {
  return {
    name: 'webhook',
    async deliver(changes: readonly TicketChange[]): Promise<SinkResult> {
      const result: SinkResult = { delivered: 0, deadLettered: 0 };
      for (const change of changes) {
        const dead = await postWithRetries(config, ports, change);
        if (dead === null) result.delivered += 1;
        else {
          await ports.deadLetter(dead);
          result.deadLettered += 1;
        }
      }
      return result;
    },
  };
}

/** POST one change until it lands (null) or cannot (the dead letter). */
async function postWithRetries(
  config: WebhookConfig,
  ports: WebhookPorts,
  change: TicketChange,
): Promise<DeadLetter | null> {
  const body = changeJson(change);
  const headers = {
    'content-type': 'application/json',
    'x-otptrace-signature': webhookSignature(config.secret, body),
    'x-otptrace-ticket-key': change.ticket.key,
    // Key + revision identify this delivery, so a receiver can drop the duplicate a retry may cause.
    'x-otptrace-delivery': `${change.ticket.key}:${change.ticket.revision}`,
  };
  let lastStatus: number | null = null;
  let lastError: string | null = null;
  for (let attempt = 1; attempt <= config.maxAttempts; attempt += 1) {
    if (attempt > 1) await ports.sleep(Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 2)));
    try {
      const { status } = await ports.post(config.url, body, headers);
      if (status >= 200 && status < 300) return null;
      lastStatus = status;
      lastError = null;
      if (!isRetriableStatus(status)) return { change, reason: 'permanent', attempts: attempt, lastStatus, lastError };
    } catch (error) {
      // A network error (refused, reset, timeout) may pass: retry it.
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return { change, reason: 'exhausted', attempts: config.maxAttempts, lastStatus, lastError };
}
