import { execFile, execFileSync } from 'node:child_process';
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
