import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../deploy/zipkin/zipkin.sh', import.meta.url));

/** Zipkin's own API (UI and query), where the tests read traces back. */
export const ZIPKIN_API = `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? '9411'}/api/v2`;

/** Zipkin's span intake (POST /api/v2/spans), where OpenTelemetry's Zipkin exporter sends. */
export function zipkinSpansEndpoint(): string {
  return execFileSync('bash', [script, 'endpoint'], { encoding: 'utf8' }).trim();
}

async function zipkinRunning(): Promise<boolean> {
  try {
    await run('bash', [script, 'status']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts Zipkin through the operator's script (idempotent: a running server is reused and
 * nothing is downloaded twice). A server this call started is stopped when the test run exits.
 */
export async function setupZipkin(): Promise<void> {
  const wasRunning = await zipkinRunning();
  await run('bash', [script, 'start'], { timeout: 600_000 });
  if (!wasRunning) process.once('exit', () => execFileSync('bash', [script, 'stop'], { stdio: 'ignore' }));
}
