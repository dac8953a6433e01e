import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@otptrace/runtime';
import { BatchRefused, type Publisher } from './publisher.js';

/** Settings of the ingestion endpoint. */
export interface HttpInputOptions {
  host: string;
  port: number;
  tokens: readonly string[];
  bodyLimitBytes: number;
  retryAfterSeconds: number;
}

/** The running ingestion server. */
export interface HttpInput {
  readonly port: number;
  /** Stops taking new batches; resolves when the batches already taken are answered. */
  close(): Promise<void>;
}

/** The path batches are posted to. */
export const EVENTS_PATH = '/v1/events';

// Constant-time comparison, so response timing does not reveal how much of a token was right.
function authorized(header: string | undefined, tokens: readonly Buffer[]): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  return tokens.some((token) => token.length === given.length && timingSafeEqual(token, given));
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

/**
 * POST /v1/events with a batch of EVTX-XML (`<Event>` elements, optionally inside `<Events>`). Answers 202 only after
 * Kafka acknowledged every event of the batch; 401 without a valid bearer token; 413 past the body limit; 429 when
 * too many batches are in flight and 503 when Kafka is unavailable, both with Retry-After: nothing of a refused
 * batch is acknowledged, so the sender simply posts it again (duplicates are dropped by event id downstream).
 */
export async function startHttpInput(
  options: HttpInputOptions,
  publisher: Publisher,
  logger: Logger,
): Promise<HttpInput> {
  const tokens = options.tokens.map((t) => Buffer.from(t));
  const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };
  let closing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ((req.url ?? '').split('?')[0] !== EVENTS_PATH) return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (!authorized(req.headers.authorization, tokens)) return reply(res, 401, { error: 'bearer token required' });
    if (closing) return reply(res, 503, { error: 'shutting down' }, retryAfter);
    if (Number(req.headers['content-length'] ?? 0) > options.bodyLimitBytes) {
      return reply(res, 413, { error: `body larger than ${options.bodyLimitBytes} bytes` }, { connection: 'close' });
    }
    const body = await readBody(req, options.bodyLimitBytes);
    if (body === null)
      return reply(res, 413, { error: `body larger than ${options.bodyLimitBytes} bytes` }, { connection: 'close' });
    try {
      const summary = await publisher.publish(body, `http:${req.socket.remoteAddress ?? 'unknown'}`);
      reply(res, 202, summary);
    } catch (error) {
      if (!(error instanceof BatchRefused)) throw error;
      if (error.kind === 'overloaded') reply(res, 429, { error: 'overloaded, retry later' }, retryAfter);
      else if (error.kind === 'unavailable') reply(res, 503, { error: 'Kafka unavailable, retry later' }, retryAfter);
      else reply(res, 500, { error: 'the batch could not be written' });
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'ingestion request failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
    });
  });
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
