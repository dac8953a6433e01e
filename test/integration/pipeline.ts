import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ConsumedRecord, createGroupConsumer, createKafkaClient, kafkaConnectionSchema } from '@otptrace/kafka';
import type { AttemptRecord } from '@otptrace/schemas';
import { expect } from 'vitest';
import { eventItems, ndjsonBodies, npsLogBodies, w3cBodies } from '../../packages/core/stream/test/corpus.js';
import { uniqueName } from './setup-kafka.js';

const CLI = fileURLToPath(new URL('../../services/cli/bin/otptrace.js', import.meta.url));

/** The line `otptrace pipeline` prints once it is ready (the external contract: these exact names). */
export interface PipelineReady {
  collector: string;
  token: string;
  brokers: string[];
  topics: { events: string; attempts: string };
}

/** A running `otptrace pipeline` process. */
export interface RunningPipeline {
  readonly ready: PipelineReady;
  readonly child: ChildProcess;
  /** Everything it wrote on stderr (its services' logs). */
  output(): string;
  /**
   * POSTs the files' events in event-time order, `batch` events per request, `pauseMs` apart, to `url` (default: the
   * pipeline's collector); every request must be accepted. `npsClock`: the NPS servers' offset (minutes) or time
   * zone, for when their log lines were written (default 0).
   */
  post(
    files: Array<[string, Buffer]>,
    options?: { batch?: number; pauseMs?: number; url?: string | undefined; npsClock?: number | string },
  ): Promise<void>;
  /** SIGTERM (or SIGINT); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface PipelineOptions {
  partitions?: number;
  correlators?: number;
  idleFlushMs?: number;
  /** `--config FILE`: analysis settings for the collector and correlators. */
  config?: string;
  /** Extra environment, inherited by the services (e.g. OTPTRACE_CORRELATOR_TRACES__ENABLED). */
  env?: Record<string, string>;
}

/** Starts `otptrace pipeline` as a newcomer would and waits for its ready line. */
export async function startPipeline(name: string, options: PipelineOptions = {}): Promise<RunningPipeline> {
  const args = [
    CLI,
    'pipeline',
    '--partitions',
    String(options.partitions ?? 1),
    '--correlators',
    String(options.correlators ?? 1),
    '--idle-flush-ms',
    String(options.idleFlushMs ?? 1_500),
    '--prefix',
    uniqueName(name),
    ...(options.config === undefined ? [] : ['--config', options.config]),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await new Promise<PipelineReady>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(stdout.slice(0, nl)) as PipelineReady);
    });
    child.once('exit', (code) => reject(new Error(`otptrace pipeline exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  return {
    ready,
    child,
    output: () => stderr,
    async post(files, { batch = 250, pauseMs = 0, url = ready.collector, npsClock = 0 } = {}) {
      // Event XML in bodies of `batch` events; IIS W3C and NPS log files and Winlogbeat NDJSON as bodies of their
      // lines naming their file and first line; all in event-time order (an NPS log's lines when they were written: their local time less the
      // servers' offset).
      type Body = { time: number; text: string; file?: string; firstLine?: number };
      // HTTP.sys' error logs (`HTTPERR/httperr1.log`) are W3C-shaped and posted the same way.
      const w3c = files.filter(([name]) => /(W3SVC\d+|HTTPERR)[\\/][^\\/]+\.log$/i.test(name));
      const nps = files.filter(([name]) => /(^|[\\/])IN\d+\.log$/i.test(name));
      const ndjson = files.filter(([name]) => name.endsWith('.ndjson'));
      const items: Body[] = [
        ...eventItems(files),
        ...w3c.flatMap(([name, bytes]) => w3cBodies(name, bytes)),
        ...nps.flatMap(([name, bytes]) => npsLogBodies(name, bytes, 4, npsClock)),
        ...ndjson.flatMap(([name, bytes]) => ndjsonBodies(name, bytes)),
      ];
      items.sort((a, b) => a.time - b.time);
      let sent = 0;
      const send = async (body: Body | Body[]) => {
        if (pauseMs > 0 && sent++ > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        const one = Array.isArray(body) ? undefined : body;
        const res = await fetch(url, {
          method: 'POST',
          body: Array.isArray(body) ? body.map((b) => b.text).join('\n') : body.text,
          headers: {
            authorization: `Bearer ${ready.token}`,
            ...(one?.file === undefined
              ? {}
              : { 'x-otptrace-file': one.file, 'x-otptrace-first-line': String(one.firstLine) }),
          },
        });
        await res.arrayBuffer();
        expect(res.status).toBe(202);
      };
      let pending: Body[] = [];
      for (const item of items) {
        if (item.file === undefined) {
          pending.push(item);
          if (pending.length < batch) continue;
        }
        if (pending.length > 0) await send(pending);
        pending = [];
        if (item.file !== undefined) await send(item);
      }
      if (pending.length > 0) await send(pending);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Reads the attempts topic (read_committed) from the beginning until `expected` attempts came and then
 * nothing new for `quietMs` (so an extra or a repeated record would be seen), or the time runs out.
 */
export async function readAttempts(
  ready: Pick<PipelineReady, 'brokers'> & { topics: Pick<PipelineReady['topics'], 'attempts'> },
  expected: number,
  { timeoutMs = 180_000, quietMs = 4_000 } = {},
): Promise<AttemptRecord[]> {
  const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers: ready.brokers, clientId: 'test-reader' }));
  const consumer = createGroupConsumer(client, {
    groupId: uniqueName('reader'),
    topics: [ready.topics.attempts],
    fromBeginning: true,
  });
  const records: AttemptRecord[] = [];
  let lastAt = Date.now();
  const take = (batch: ConsumedRecord[]) => {
    for (const r of batch) {
      const a = JSON.parse(String(r.value)) as AttemptRecord;
      records.push(a);
      lastAt = Date.now();
    }
  };
  await consumer.start({ onAssigned: () => {}, onBatch: async (b) => take(b.records) });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(records.length >= expected && Date.now() - lastAt >= quietMs)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await consumer.stop();
  return records;
}

/** Attempts by id, sorted: what the stream and `otptrace analyze` must agree on, field for field. */
export function byId(attempts: readonly AttemptRecord[]): AttemptRecord[] {
  return [...attempts].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/**
 * How a stream's attempts differ from the reference, by id: what a failing comparison reports. The offline analysis
 * itself may give two attempts one id (an NPS 4402 shared by a denial and its retry is the first event of both), so
 * the copies of an id are compared as a list.
 */
export function differences(streamed: readonly AttemptRecord[], expected: readonly AttemptRecord[]) {
  const group = (list: readonly AttemptRecord[]) => {
    const out = new Map<string, string[]>();
    for (const a of list) out.set(a.id, [...(out.get(a.id) ?? []), JSON.stringify(a)]);
    return out;
  };
  const got = group(streamed);
  const want = group(expected);
  const line = (a: AttemptRecord) => `${a.id} ${a.user} ${a.start} ${a.outcome}`;
  return {
    duplicated: [...got].filter(([id, copies]) => copies.length > (want.get(id)?.length ?? 1)).map(([id]) => id),
    missing: expected.filter((a) => !got.has(a.id)).map(line),
    invented: streamed.filter((a) => !want.has(a.id)).map(line),
    differing: [...got]
      .filter(([id, copies]) => want.has(id) && copies.some((c) => !want.get(id)!.includes(c)))
      .map(([id]) => id),
  };
}

/** A one-partition, one-correlator pipeline with extra correlator settings, for tests of the correlator's sinks. */
export async function startSmallPipeline(name: string, correlatorEnv: Record<string, string>) {
  const pipeline = await startPipeline(name, { env: correlatorEnv });
  return {
    post: (files: Array<[string, Buffer]>) => pipeline.post(files),
    async stop() {
      expect(await pipeline.stop()).toBe(0);
    },
  };
}
