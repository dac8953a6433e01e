import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@otptrace/runtime';
import { createRateLimiter, type SenderIdentity, type TlsMaterial } from './http-security.js';
import { BatchRefused, type Publisher } from './publisher.js';

/** Settings of the ingestion endpoint, with its secrets already read (http-security.ts). */
export interface HttpInputOptions {
  host: string;
  port: number;
  senders: readonly SenderIdentity[];
  tls: TlsMaterial | null;
  rateLimit: { perSecond: number; burst: number };
  bodyLimitBytes: number;
  retryAfterSeconds: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Monotonic clock of the rate limiter, ms (tests pass their own). */
  clock?: () => number;
}

/** The running ingestion server. */
export interface HttpInput {
  readonly port: number;
  /** Stops taking new batches; resolves when the batches already taken are answered. */
  close(): Promise<void>;
}

/** The path batches are posted to. */
export const EVENTS_PATH = '/v1/events';

// Constant-time comparison against every sender (no early exit), so response timing does not reveal how much of a
// token was right nor which sender matched.
function authenticate(header: string | undefined, senders: readonly SenderIdentity[]): SenderIdentity | undefined {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const given = Buffer.from(match[1]);
  let found: SenderIdentity | undefined;
  for (const sender of senders) {
    const same = sender.token.length === given.length && timingSafeEqual(sender.token, given);
    if (same) found = sender;
  }
  return found;
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Reads the body up to `limit` bytes; resolves null (and stops reading) as soon as the limit is passed. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Node checks headersTimeout and requestTimeout every connectionsCheckingInterval: keep it well below both.
function createServer(options: HttpInputOptions, listener: (req: IncomingMessage, res: ServerResponse) => void) {
  const timeouts = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(options.headersTimeoutMs / 4))),
  };
  if (options.tls === null) return createHttpServer(timeouts, listener);
  const { cert, key, clientCa } = options.tls;
  const mtls = clientCa === null ? {} : { ca: clientCa, requestCert: true, rejectUnauthorized: true };
  return createHttpsServer({ ...timeouts, cert, key, minVersion: 'TLSv1.2', ...mtls }, listener);
}

/**
 * POST /v1/events with a batch of EVTX-XML (`<Event>` elements, optionally inside `<Events>`), over HTTPS when
 * configured (with client certificates when a client CA is). Answers 202 only after Kafka acknowledged every event
 * of the batch; 401 without a known bearer token; 429 past the sender's rate or when too many batches are in
 * flight, 503 when Kafka is unavailable, all with Retry-After; 413 past the body limit; 408 for a client too slow
 * to send its request. Events of computers or sources the sender may not speak for are dead-lettered as
 * computer_not_allowed. Nothing of a refused batch is acknowledged, so the sender simply posts it again.
 */
export async function startHttpInput(
  options: HttpInputOptions,
  publisher: Publisher,
  logger: Logger,
): Promise<HttpInput> {
  const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };
  const rate = createRateLimiter(options.rateLimit, options.clock);
  const tooLarge = { error: `body larger than ${options.bodyLimitBytes} bytes` };
  let closing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ((req.url ?? '').split('?')[0] !== EVENTS_PATH) return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    const sender = authenticate(req.headers.authorization, options.senders);
    if (!sender) return reply(res, 401, { error: 'bearer token required' });
    if (closing) return reply(res, 503, { error: 'shutting down' }, retryAfter);
    const decision = rate(sender.name);
    if (!decision.allowed) {
      return reply(res, 429, { error: 'rate limit' }, { 'retry-after': String(decision.retryAfterSeconds) });
    }
    if (Number(req.headers['content-length'] ?? 0) > options.bodyLimitBytes) {
      return reply(res, 413, tooLarge, { connection: 'close' });
    }
    const body = await readBody(req, options.bodyLimitBytes);
    if (body === null) return reply(res, 413, tooLarge, { connection: 'close' });
    try {
      const summary = await publisher.publish(body, `http:${sender.name}`, sender);
      if (summary.rejected > 0) logger.info({ sender: sender.name, ...summary }, 'batch had rejected events');
      reply(res, 202, summary);
    } catch (error) {
      if (!(error instanceof BatchRefused)) throw error;
      if (error.kind === 'overloaded') reply(res, 429, { error: 'overloaded, retry later' }, retryAfter);
      else if (error.kind === 'unavailable') reply(res, 503, { error: 'Kafka unavailable, retry later' }, retryAfter);
      else reply(res, 500, { error: 'the batch could not be written' });
    }
  };
  const server: Server = createServer(options, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'ingestion request failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
    });
  });
  // A failed handshake (no or untrusted client certificate) is the client's problem: note it, keep serving.
  server.on('tlsClientError', (error: Error) => logger.debug({ reason: error.message }, 'TLS handshake refused'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
