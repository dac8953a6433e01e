import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's prometheus package: the server and promtool. */
export const PROMETHEUS_PATH = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const PROMTOOL_PATH = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

/** The rule files shipped in deploy/prometheus. */
export const RULES_DIR = new URL('../../deploy/prometheus/', import.meta.url).pathname;

/**
 * Install Debian's prometheus package when promtool is missing (CI machines start without it). Its service is not
 * started here (no init system in CI); were it started by the package, nothing of these tests talks to it.
 */
export function ensurePrometheus(): void {
  if (existsSync(PROMTOOL_PATH) && existsSync(PROMETHEUS_PATH)) return;
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync(PROMTOOL_PATH)) throw new Error(`apt-get install prometheus did not provide ${PROMTOOL_PATH}`);
}

/** Run promtool; returns its output, throws with it on a non-zero exit. */
export function promtool(args: readonly string[]): string {
  try {
    return execFileSync(PROMTOOL_PATH, args, { cwd: RULES_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
