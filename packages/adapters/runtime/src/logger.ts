import { type Logger, pino } from 'pino';

/** Log fields that may carry an OTP, a password, a token or a secret: pino replaces them with "[redacted]". */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  'tokens',
  '*.token',
  '*.tokens',
  '*.*.tokens',
  'secret',
  '*.secret',
  'otp',
  '*.otp',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'sasl',
  '*.sasl',
  // A whole configuration logged under one key (config.kafka.sasl, config.http.tokens) or a kafkajs client config.
  '*.*.sasl',
  '*.*.*.password',
  'passphrase',
  '*.passphrase',
  '*.*.passphrase',
  'ssl.key',
  '*.ssl.key',
  '*.*.ssl.key',
  'cookie',
  '*.cookie',
  'headers.cookie',
  'req.headers.cookie',
  '*.*.secret',
];

/** Options of a service logger. */
export interface LoggerOptions {
  name: string;
  level: string;
  /** Where JSON lines go; stdout when absent (tests pass a stream). */
  destination?: NodeJS.WritableStream;
}

/** A pino JSON logger that never writes the fields listed in REDACTED_PATHS. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: { service: options.name },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export type { Logger };
