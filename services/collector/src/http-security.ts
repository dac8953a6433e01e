import { readFileSync } from 'node:fs';
import type { NormalizedEvent, Source } from '@otptrace/schemas';
import type { HttpClientConfig, HttpConfig } from './config.js';

/** One sender the HTTP input knows: its token and what it may speak for. */
export interface SenderIdentity {
  /** Name from the configuration, used in logs and dead letters (never the token). */
  readonly name: string;
  readonly token: Buffer;
  /** True when the sender may send this event (its `<Computer>` and source are in the sender's lists). */
  allows(event: NormalizedEvent): boolean;
}

/** Certificate material of the HTTPS server, read from the configured files. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** CA bundle client certificates must chain to; present = client certificates required (mTLS). */
  clientCa: Buffer | null;
}

/** Where secrets are read from; tests pass their own. */
export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => Buffer;
}

const defaultSources = (): SecretSources => ({ env: process.env, readFile: (path) => readFileSync(path) });

/** Names are compared case-insensitively: `*` matches any computer, `*.corp.example` any name under that domain. */
export function computerMatcher(patterns: readonly string[]): (computer: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  let any = false;
  for (const pattern of patterns.map((p) => p.toLowerCase())) {
    if (pattern === '*') any = true;
    else if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else exact.add(pattern);
  }
  return (computer) => {
    if (any) return true;
    const name = computer.toLowerCase();
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  };
}

// A token file may end with a newline (echo, editors); the token is the file's text without surrounding space.
function tokenOf(client: HttpClientConfig, sources: SecretSources): string {
  let text: string | undefined;
  if (client.tokenEnv !== null) {
    text = sources.env[client.tokenEnv];
    if (text === undefined)
      throw new Error(`http.clients "${client.name}": environment variable ${client.tokenEnv} unset`);
  } else if (client.tokenFile !== null) {
    text = sources.readFile(client.tokenFile).toString('utf8');
  }
  const token = text?.trim() ?? '';
  if (token.length < 16) throw new Error(`http.clients "${client.name}": token shorter than 16 characters`);
  return token;
}

function identity(name: string, token: string, computers: readonly string[], allowed: readonly Source[]) {
  const computerAllowed = computerMatcher(computers);
  const sourceSet = new Set<string>(allowed);
  return {
    name,
    token: Buffer.from(token),
    allows: (event: NormalizedEvent) => sourceSet.has(event.source) && computerAllowed(event.ref.computer),
  };
}

/**
 * The senders of the HTTP input: each `http.clients` entry with its token read from the environment variable or file
 * it names, plus the plain `http.tokens`, which may speak for any computer and source. Throws on a missing or short
 * token, or on two senders sharing a token (which binding would then apply is ambiguous).
 */
export function resolveSenders(http: HttpConfig, sources: SecretSources = defaultSources()): SenderIdentity[] {
  const senders: SenderIdentity[] = http.tokens.map((token, i) =>
    identity(`token-${i + 1}`, token, ['*'], ['client', 'gateway', 'radius', 'ca']),
  );
  for (const client of http.clients) {
    senders.push(identity(client.name, tokenOf(client, sources), client.computers, client.sources));
  }
  const seen = new Set<string>();
  for (const sender of senders) {
    const key = sender.token.toString('base64');
    if (seen.has(key)) throw new Error(`http: sender "${sender.name}" shares its token with another sender`);
    seen.add(key);
  }
  return senders;
}

/** Reads the HTTPS certificate, key and (for mTLS) client CA named in `http.tls`; null when TLS is off. */
export function loadTlsMaterial(http: HttpConfig, sources: SecretSources = defaultSources()): TlsMaterial | null {
  if (http.tls === null) return null;
  return {
    cert: sources.readFile(http.tls.certFile),
    key: sources.readFile(http.tls.keyFile),
    clientCa: http.tls.clientCaFile === null ? null : sources.readFile(http.tls.clientCaFile),
  };
}

/** Answer of a rate limiter: allowed, or refused with the seconds until the next request would be. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Per-key token buckets: `burst` requests at once, refilled at `perSecond`; `clock` is monotonic ms. */
export function createRateLimiter(
  limits: { perSecond: number; burst: number },
  clock: () => number = () => performance.now(),
): (key: string) => RateDecision {
  const buckets = new Map<string, { level: number; at: number }>();
  return (key) => {
    const now = clock();
    const bucket = buckets.get(key) ?? { level: limits.burst, at: now };
    bucket.level = Math.min(limits.burst, bucket.level + ((now - bucket.at) / 1000) * limits.perSecond);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.level >= 1) {
      bucket.level -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.level) / limits.perSecond)) };
  };
}
