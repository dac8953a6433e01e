import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createKafkaAdmin, createKafkaClient, kafkaConnectionSchema, prefixedTopics } from '@otptrace/kafka';
import type { ServiceListening } from '@otptrace/runtime';
import { type CommandSpec, type Invocation, runCommand, wholeNumber } from '@otptrace/runtime/args';
import { checkedAnalysisConfig, readAnalysisSettings } from '../analysis-settings.js';
import type { Io } from '../io.js';

/** What `otptrace pipeline --help` prints. */
export const PIPELINE_HELP = `otptrace pipeline [--partitions N] [--correlators M] [--idle-flush-ms MS] [--prefix P]
                  [--config FILE] [--live-settle-ms MS]

Runs a local streaming pipeline in the foreground: a Kafka broker if none answers on localhost:$OTPTRACE_KAFKA_PORT
(default 9092; started with deploy/kafka/kafka.sh), the topics <P>.events and <P>.attempts (and <P>.raw,
<P>.dead-letter, <P>.late), one collector and M correlators. When everything is ready it prints one JSON line:
  {"collector": URL of POST /v1/events, "token": bearer token, "brokers": [...], "topics": {"events", "attempts"}}
POST EVTX-XML (or IIS W3C and NPS log lines, naming their file: X-Otptrace-File, X-Otptrace-First-Line) to the
collector; every attempt appears once on the attempts topic (read it read_committed), exactly as \`otptrace analyze\`
finds it in the same events with the same settings. SIGINT or SIGTERM stops everything it started.

Options:
  --partitions N      partitions of the events and attempts topics; default 4
  --correlators M     correlator processes (one consumer group); default 2
  --idle-flush-ms MS  close open attempts once the input is idle this long; default 2000
  --live-settle-ms MS while the newest server event is younger than MS by the wall clock (events posted live), wait
                      MS of idle input instead, so that an attempt still under way is not cut in two; default 0 (off;
                      the correlator service's own default is 120000)
  --prefix P          topic and group prefix; default otptrace-<random>
  --config FILE       analysis settings (JSON, as for otptrace analyze --config): the collector and correlators use them
  -h, --help          this text
  -V, --version       otptrace's version`;

const ROOT = new URL('../../../../', import.meta.url);
const run = promisify(execFile);

interface PipelineOptions {
  partitions: number;
  correlators: number;
  idleFlushMs: number;
  liveSettleMs: number;
  prefix: string;
  /** The --config file's settings as written (checked), for the services' `analysis`; null without --config. */
  analysis: Record<string, unknown> | null;
}

const PIPELINE_OPTIONS = {
  partitions: { type: 'string' },
  correlators: { type: 'string' },
  'idle-flush-ms': { type: 'string' },
  'live-settle-ms': { type: 'string' },
  prefix: { type: 'string' },
  config: { type: 'string' },
} as const;

export const PIPELINE: CommandSpec<typeof PIPELINE_OPTIONS> = {
  name: 'otptrace pipeline',
  help: PIPELINE_HELP,
  options: PIPELINE_OPTIONS,
  positionals: { min: 0, max: 0 },
};

/** The options, checked before anything starts (a wrong one is refused in one line, exit code 2). */
async function options({ values }: Invocation<typeof PIPELINE_OPTIONS>): Promise<PipelineOptions> {
  const int = (name: keyof typeof PIPELINE_OPTIONS, fallback: number, max: number): number => {
    const text = values[name];
    return text === undefined ? fallback : wholeNumber(name, text, 1, max);
  };
  const prefix = values.prefix ?? `otptrace-${randomBytes(4).toString('hex')}`;
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) throw new Error('--prefix may hold letters, digits, ".", "_" and "-" only');
  const analysis = values.config === undefined ? null : readAnalysisSettings(values.config);
  if (analysis !== null) await checkedAnalysisConfig(analysis);
  return {
    partitions: int('partitions', 4, 1_000),
    correlators: int('correlators', 2, 100),
    idleFlushMs: int('idle-flush-ms', 2_000, 86_400_000),
    liveSettleMs:
      values['live-settle-ms'] === undefined
        ? 0
        : wholeNumber('live-settle-ms', values['live-settle-ms'], 0, 86_400_000),
    prefix,
    analysis,
  };
}

/** True when something accepts TCP connections at host:port within a second. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * Starts a service from its build, its logs to our stderr (stdout carries only the ready line). Its ports are
 * configured as 0 and the service reports the ones it got over the IPC channel: ports picked here and handed over
 * could be taken in between by any process (a Kafka client's outgoing connection among them).
 */
function service(name: 'collector' | 'correlator', env: Record<string, string>, io: Io): ChildProcess {
  const main = fileURLToPath(new URL(`services/${name}/dist/main.js`, ROOT));
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b)`);
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
  return child;
}

/**
 * The ports a started service reports (ServiceListening), or a rejection when it exits first. The rejection is
 * marked handled here: the promise is awaited later, by started(), which reports it.
 */
function listening(child: ChildProcess, name: string): Promise<ServiceListening> {
  const reported = new Promise<ServiceListening>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${name} exited during start-up (${code})`));
    child.once('exit', onExit);
    child.on('message', (message: Partial<ServiceListening>) => {
      if (message?.type !== 'otptrace.listening') return;
      child.off('exit', onExit);
      resolve(message as ServiceListening);
    });
  });
  reported.catch(() => {});
  return reported;
}

/** Waits until GET /readyz answers 200 (the service is consuming or accepting), or the child exits. */
async function ready(child: ChildProcess, adminPort: number, name: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited during start-up`);
    try {
      const res = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once the service reported its ports and its /readyz answers 200. */
async function started(child: ChildProcess, reported: Promise<ServiceListening>, name: string): Promise<void> {
  const { admin } = await reported;
  await ready(child, admin, name);
}

/** `otptrace pipeline`: returns the exit code once SIGINT/SIGTERM stopped everything it started. */
export function runPipeline(argv: string[], io: Io): Promise<number> {
  return runCommand(PIPELINE, argv, io, options, (parsed) => startPipeline(parsed, io));
}

async function startPipeline(parsed: PipelineOptions, io: Io): Promise<number> {
  const kafkaPort = Number(process.env.OTPTRACE_KAFKA_PORT ?? '9092');
  const brokers = [`localhost:${kafkaPort}`];
  const script = fileURLToPath(new URL('deploy/kafka/kafka.sh', ROOT));
  const children: ChildProcess[] = [];
  let startedBroker = false;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      if (startedBroker) await run('bash', [script, 'stop'], { timeout: 120_000 }).catch(() => {});
    })();
    return stopping;
  };
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  try {
    if (!(await reachable('127.0.0.1', kafkaPort))) {
      io.stderr(`otptrace pipeline: no broker on ${brokers[0]}; starting one (deploy/kafka/kafka.sh start)\n`);
      startedBroker = true;
      await run('bash', [script, 'start'], { timeout: 900_000 });
    }
    const topics = prefixedTopics(parsed.prefix, parsed.partitions);
    const client = createKafkaClient(kafkaConnectionSchema.parse({ brokers, clientId: 'otptrace-pipeline' }));
    const admin = createKafkaAdmin(client);
    await admin.connect();
    await admin.ensureTopics(Object.values(topics));
    await admin.disconnect();
    const token = randomBytes(24).toString('hex');
    const level = process.env.OTPTRACE_PIPELINE_LOG_LEVEL ?? 'warn';
    const collector = service(
      'collector',
      {
        OTPTRACE_COLLECTOR_KAFKA__BROKERS: brokers.join(','),
        OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({
          events: topics.events,
          raw: topics.raw,
          deadLetter: topics.deadLetter,
        }),
        OTPTRACE_COLLECTOR_CREATE_TOPICS: 'false',
        OTPTRACE_COLLECTOR_TRANSACTIONAL_ID_PREFIX: `${parsed.prefix}.collector`,
        OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
        OTPTRACE_COLLECTOR_HTTP__PORT: '0',
        OTPTRACE_COLLECTOR_HTTP__TOKENS: token,
        OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
        OTPTRACE_COLLECTOR_LOG_LEVEL: level,
        ...(parsed.analysis === null ? {} : { OTPTRACE_COLLECTOR_ANALYSIS: JSON.stringify(parsed.analysis) }),
      },
      io,
    );
    children.push(collector);
    const collectorListening = listening(collector, 'collector');
    const correlators: Array<[ChildProcess, Promise<ServiceListening>]> = [];
    for (let i = 0; i < parsed.correlators; i++) {
      const child = service(
        'correlator',
        {
          OTPTRACE_CORRELATOR_KAFKA__BROKERS: brokers.join(','),
          OTPTRACE_CORRELATOR_GROUP_ID: `${parsed.prefix}.correlator`,
          OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
            events: topics.events,
            attempts: topics.attempts,
            late: topics.late,
          }),
          OTPTRACE_CORRELATOR_CREATE_TOPICS: 'false',
          OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: String(parsed.idleFlushMs),
          OTPTRACE_CORRELATOR_IDLE_FLUSH_SETTLE_MS: String(parsed.liveSettleMs),
          OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
          OTPTRACE_CORRELATOR_LOG_LEVEL: level,
          ...(parsed.analysis === null ? {} : { OTPTRACE_CORRELATOR_ANALYSIS: JSON.stringify(parsed.analysis) }),
        },
        io,
      );
      children.push(child);
      correlators.push([child, listening(child, 'correlator')]);
    }
    const exitedEarly = new Promise<never>((_, reject) => {
      for (const child of children) child.once('exit', (code) => reject(new Error(`a service exited (${code})`)));
    });
    exitedEarly.catch(() => {}); // also settles when stop() ends the children
    await Promise.race([
      Promise.all([
        started(collector, collectorListening, 'collector'),
        ...correlators.map(([child, reported]) => started(child, reported, 'correlator')),
      ]),
      signalled.then(() => Promise.reject(new Error('interrupted during start-up'))),
    ]);
    const httpPort = (await collectorListening).ports.http;
    io.stdout(
      `${JSON.stringify({
        collector: `http://127.0.0.1:${httpPort}/v1/events`,
        token,
        brokers,
        topics: { events: topics.events.name, attempts: topics.attempts.name },
      })}\n`,
    );
    await Promise.race([signalled, exitedEarly]);
    await stop();
    return 0;
  } catch (error) {
    io.stderr(`otptrace pipeline: ${(error as Error).message}\n`);
    await stop();
    return 1;
  }
}
