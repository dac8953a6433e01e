import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger, Metrics } from '@otptrace/runtime';
import { createAdmission } from './admission.js';
import { ACCEPTED_ENCODINGS, bodyDecoder, streamBody } from './http-body.js';
import { createRateLimiter, type SenderIdentity, type TlsMaterial } from './http-security.js';
import { type BodySource, createTextLogFiles } from './http-text-logs.js';
import { BatchRefused, type Publisher } from './publisher.js';
import type { TextLogStore } from './text-log-store.js';

/** Settings of the ingestion endpoint, with its secrets already read (http-security.ts). */
export interface HttpInputOptions {
  host: string;
  port: number;
  senders: readonly SenderIdentity[];
  tls: TlsMaterial | null;
  rateLimit: { perSecond: number; burst: number };
  bodyLimitBytes: number;
  /** Bytes of request bodies all requests in flight may hold (decompressed); each sender a fair share. */
  memoryBudgetBytes: number;
  /** Batches read or written at once; each sender a fair share. */
  maxInFlightBatches: number;
  retryAfterSeconds: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * How long an NPS log file posted in bodies may go without a body before the requests in it still waiting for an
   * answer are published as unanswered, ms.
   */
  npsAnswerWaitMs: number;
  /** Where text logs' carries are kept over a restart (null: in memory only). */
  textLogStore?: TextLogStore | null;
  /** Monotonic clock of the rate limiter and of the NPS answer wait, ms (tests pass their own). */
  clock?: () => number;
}

/** The running ingestion server. */
export interface HttpInput {
  readonly port: number;
  /** Stops taking new batches; resolves when the batches already taken are answered. */
  close(): Promise<void>;
}

// Room first held for a body sent without Content-Length (chunked); grown as it comes.
const UNKNOWN_LENGTH_START = 64 * 1024;
/**
 * Memory a batch holds per byte of its (decoded) body while it is read and written: its events' raw text and the
 * normalised events (measured: about 1.9, test/integration/collector-load.test.ts). The budget counts this, so that
 * it bounds memory rather than bytes on the wire.
 */
export const HELD_BYTES_PER_BODY_BYTE = 2;

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

// After a refusal the client may still be sending a body nobody will read. Node would destroy the socket as soon as
// the answer is written, and a reset while the client is still sending makes its TCP stack drop the answer unread.
// So: send the answer, end our side, read (and drop) what still comes up to a few MiB, then stop reading (the
// client's writes stall, and it reads the answer meanwhile), and close after a moment. Closing as soon as the MiB
// were read reset the connection within milliseconds on loopback, often before the client had read the answer.
const LINGER_MS = 500;
const LINGER_BYTES = 4 * 1024 * 1024;

function lingeringClose(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    const started = Date.now();
    const readBefore = socket.bytesRead;
    const timer = setInterval(() => {
      if (socket.destroyed || Date.now() - started > LINGER_MS) {
        clearInterval(timer);
        socket.destroy();
      } else if (socket.bytesRead - readBefore > LINGER_BYTES) {
        socket.pause();
      }
    }, 10);
    timer.unref();
  };
}

/** Answers and closes the connection, whatever of the body is still coming. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  lingeringClose(req.socket);
  reply(res, status, body, { ...headers, connection: 'close' });
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
 * POST /v1/events with a batch of EVTX-XML (`<Event>` elements, optionally inside `<Events>`, optionally gzip or
 * deflate), over HTTPS when configured (with client certificates when a client CA is). Token, path, method, encoding,
 * declared size and capacity (a fair share of the body memory budget and batch slots per sender) are decided before
 * the body is read; refusals close the connection. The body is parsed as it streams. 202 only after Kafka committed
 * the batch; every status it can answer: services/collector/README.md. Counts refusals by status and reason.
 */
export async function startHttpInput(
  options: HttpInputOptions,
  publisher: Publisher,
  logger: Logger,
  metrics?: Metrics,
): Promise<HttpInput> {
  const refusals = metrics?.counter('otptrace_collector_http_refused_total', 'Requests refused, by status and reason.');
  const inFlightBytes = metrics?.gauge(
    'otptrace_collector_body_bytes_in_flight',
    'Body bytes held by admitted requests.',
  );
  const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };
  const rate = createRateLimiter(options.rateLimit, options.clock);
  const admission = createAdmission({
    memoryBudgetBytes: options.memoryBudgetBytes,
    maxInFlightBatches: options.maxInFlightBatches,
    minShareBytes: HELD_BYTES_PER_BODY_BYTE * options.bodyLimitBytes,
  });
  const tooLarge = { error: `body larger than ${options.bodyLimitBytes} bytes` };
  const clock = options.clock ?? (() => performance.now());
  const store = options.textLogStore ?? null;
  const textLogs = createTextLogFiles(undefined, store);
  if (store !== null) {
    const restored = textLogs.restore(
      await store.load(),
      (name) => options.senders.find((s) => s.name === name),
      clock(),
    );
    if (restored > 0) logger.info({ files: restored }, 'text logs posted before the restart go on where they were');
  }
  let closing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const deny = (status: number, reason: string, body: object, headers: Record<string, string> = {}) => {
      refusals?.(1, { status: String(status), reason });
      refuse(req, res, status, body, headers);
    };
    // Everything is decided on the headers, before a byte of the body is read.
    if ((req.url ?? '').split('?')[0] !== EVENTS_PATH) return deny(404, 'not_found', { error: 'not found' });
    if (req.method !== 'POST') return deny(405, 'method', { error: 'use POST' }, { allow: 'POST' });
    const sender = authenticate(req.headers.authorization, options.senders);
    if (!sender) return deny(401, 'unauthenticated', { error: 'bearer token required' });
    if (closing) return deny(503, 'shutting_down', { error: 'shutting down' }, retryAfter);
    const decoder = bodyDecoder(req.headers['content-encoding']);
    if (decoder === 'unsupported')
      return deny(415, 'encoding', { error: `Content-Encoding must be one of ${ACCEPTED_ENCODINGS.join(', ')}` });
    const source = textLogs.of(sender, req.headers, clock());
    if (source.kind === 'bad') return deny(400, 'text_log_headers', { error: source.error });
    if (source.kind === 'busy')
      return deny(
        503,
        'text_log_settling',
        { error: "the file's unanswered requests are being published" },
        retryAfter,
      );
    try {
      await take(req, res, sender, source, decoder, deny);
    } finally {
      if (source.kind === 'file') source.done(clock());
    }
  };
  const take = async (
    req: IncomingMessage,
    res: ServerResponse,
    sender: SenderIdentity,
    source: Extract<BodySource, { kind: 'alone' | 'file' }>,
    decoder: Exclude<ReturnType<typeof bodyDecoder>, 'unsupported'>,
    deny: (status: number, reason: string, body: object, headers?: Record<string, string>) => void,
  ): Promise<void> => {
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    if (declared !== null && declared > options.bodyLimitBytes) return deny(413, 'too_large', tooLarge);
    // Room for the declared body (or a first piece of one of unknown length); more is asked for as it comes.
    const initial = Math.min(declared ?? UNKNOWN_LENGTH_START, options.bodyLimitBytes);
    const ticket = admission.admit(sender.name, HELD_BYTES_PER_BODY_BYTE * initial);
    if (!ticket.admitted) {
      logger.debug({ sender: sender.name, status: ticket.status, reason: ticket.reason }, 'batch not admitted');
      return deny(ticket.status, 'capacity', { error: `overloaded: ${ticket.reason}, retry later` }, retryAfter);
    }
    inFlightBytes?.(admission.state().bytes);
    try {
      // The rate is spent only by batches that are admitted: a refusal for capacity costs the sender nothing.
      const decision = rate(sender.name);
      if (!decision.allowed) {
        const wait = { 'retry-after': String(decision.retryAfterSeconds) };
        return deny(429, 'rate', { error: 'rate limit' }, wait);
      }
      // A client that asked (Expect: 100-continue) sends its body only now, once it is sure to be read.
      if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
      const batch =
        source.kind === 'file'
          ? publisher.begin(source.label, { sender, carry: source.carry })
          : publisher.begin(`http:${sender.name}`, { sender });
      const room = (decoded: number) => ticket.cover(HELD_BYTES_PER_BODY_BYTE * decoded);
      const outcome = await streamBody(req, decoder, options.bodyLimitBytes, room, (chunk) => batch.push(chunk));
      if (outcome === 'aborted') {
        logger.info({ sender: sender.name }, 'client went away before its batch was complete');
        return;
      }
      if (outcome === 'too_large') return deny(413, 'too_large', tooLarge);
      if (outcome === 'bad_encoding')
        return deny(400, 'bad_encoding', { error: 'the body is not valid data of its Content-Encoding' });
      if (outcome === 'over_budget')
        return deny(503, 'capacity', { error: 'overloaded: the memory budget is spent, retry later' }, retryAfter);
      const summary = await batch.publish();
      // Before the answer: a body answered 202 has its carry where a restart finds it.
      if (source.kind === 'file') await source.commit();
      if (summary.rejected > 0) logger.info({ sender: sender.name, ...summary }, 'batch had rejected events');
      reply(res, 202, summary);
    } catch (error) {
      if (!(error instanceof BatchRefused)) throw error;
      const message = error.kind === 'unavailable' ? 'Kafka unavailable, retry later' : 'Kafka refused the batch';
      reply(res, 503, { error: message }, retryAfter);
    } finally {
      ticket.release();
      inFlightBytes?.(admission.state().bytes);
    }
  };
  // NPS requests still waiting for their answer in files that went quiet are unanswered: published as such (the
  // decision a 6274 gives, discarded), so that a failure at the end of a file, or before a quiet night, is not held
  // until the file's next line. A refused batch keeps them waiting for the next round.
  let sweeping = false;
  const sweep = async () => {
    if (sweeping || closing) return;
    sweeping = true;
    try {
      for (const file of textLogs.quiet(clock(), options.npsAnswerWaitMs)) {
        try {
          const summary = await publisher
            .begin(file.label, { sender: file.sender, carry: file.carry, quiet: true })
            .publish();
          await file.commit();
          logger.debug({ sender: file.sender.name, ...summary }, 'unanswered NPS requests published');
        } catch (error) {
          if (!(error instanceof BatchRefused))
            logger.error({ err: error }, 'publishing unanswered NPS requests failed');
        } finally {
          file.done(clock());
        }
      }
    } finally {
      sweeping = false;
    }
  };
  const sweeper = setInterval(() => void sweep(), Math.max(50, Math.floor(options.npsAnswerWaitMs / 4)));
  sweeper.unref();
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'ingestion request failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
    });
  };
  const server: Server = createServer(options, serve);
  // Without this listener Node answers 100 Continue at once; with it, a refusal comes before any byte of the body.
  server.on('checkContinue', serve);
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
      clearInterval(sweeper);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
