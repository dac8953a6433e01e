import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../deploy/kafka/kafka.sh', import.meta.url));

/** Bootstrap address of the broker that `deploy/kafka/kafka.sh` runs, for every Kafka integration test. */
export const KAFKA_BROKERS = [`localhost:${process.env.OTPTRACE_KAFKA_PORT ?? '9092'}`];

/** Runs one subcommand of the operator's script (start, stop, status, wait) and returns its output. */
export async function kafkaScript(command: 'start' | 'stop' | 'status' | 'wait'): Promise<string> {
  const { stdout, stderr } = await run('bash', [script, command], { timeout: 600_000 });
  return `${stdout}${stderr}`;
}

/** True when the script reports a broker that answers. */
async function brokerRunning(): Promise<boolean> {
  try {
    await run('bash', [script, 'status']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the single-node Kafka broker through the same script an operator uses (idempotent: a broker that already
 * runs is reused, nothing is downloaded twice). A broker this call started is stopped when the test run exits;
 * one that was already running is left alone.
 */
export async function setupKafka(): Promise<void> {
  const wasRunning = await brokerRunning();
  await kafkaScript('start');
  if (!wasRunning) process.once('exit', () => execFileSync('bash', [script, 'stop'], { stdio: 'ignore' }));
}

// ---- Helpers shared by the streaming tests (test/integration/streaming*.test.ts) ----

/** A name no earlier run used, so tests never see each other's topics or groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** A service process started from its build output, as an operator starts it. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything it wrote so far (pino JSON lines and any error). */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<string>;
}

/** Starts `node services/<name>/dist/main.js` with extra environment variables (the service's overrides). */
export function startService(name: 'collector' | 'correlator', env: Record<string, string>): ServiceProcess {
  const main = fileURLToPath(new URL(`../../services/${name}/dist/main.js`, import.meta.url));
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b services/${name})`);
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
  return { child, output: () => text, exited };
}

/**
 * The first of a service's pino log lines whose message starts with `message` (e.g. the collector's "accepting
 * EVTX-XML batches", with its port), waited for up to `timeoutMs`; throws with the service's output when it ends
 * first or never logs it.
 */
export async function loggedLine(
  service: ServiceProcess,
  message: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of service.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (String(entry.msg).startsWith(message)) return entry;
    }
    if (service.child.exitCode !== null || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no "${message}" logged:\n${service.output()}`);
}
