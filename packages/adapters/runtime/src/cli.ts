import type { z } from 'zod';
import { type CommandIo, type CommandSpec, parseCommand } from './args.js';
import { ConfigError, describeOptions, loadConfig } from './config.js';

const SERVICE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'print-config': { type: 'boolean' },
} as const;

/** What a service is, for its command line: its process name, `--help` summary, configuration and env prefix. */
export interface ServiceCommand<S extends z.ZodType> {
  /** Process name, e.g. otptrace-collector: the `--help` usage line and the prefix of its error messages. */
  readonly name: string;
  readonly summary: string;
  readonly schema: S;
  /** Environment prefix of the configuration overrides, e.g. OTPTRACE_COLLECTOR_. */
  readonly envPrefix: string;
}

/**
 * The command line every service shares (`--config FILE`, `--print-config`, `-h/--help`, `-V/--version`), parsed by
 * the one parser of otptrace, then the configuration from file and environment. Returns the configuration, or the
 * exit code when the command line was answered already: help, version or --print-config (0), or a wrong option or
 * configuration, reported without a stack trace (2).
 */
export function serviceCommandLine<S extends z.ZodType>(
  service: ServiceCommand<S>,
  argv: readonly string[],
  io: CommandIo & { env: Readonly<Record<string, string | undefined>> },
): z.infer<S> | number {
  const spec: CommandSpec<typeof SERVICE_OPTIONS> = {
    name: service.name,
    help: helpText(service.name, service.summary, service.schema, service.envPrefix),
    options: SERVICE_OPTIONS,
    positionals: { min: 0, max: 0 },
  };
  const invocation = parseCommand(spec, argv, io);
  if (typeof invocation === 'number') return invocation;
  let config: z.infer<S>;
  try {
    config = loadConfig(service.schema, { file: invocation.values.config, env: io.env, envPrefix: service.envPrefix });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`${service.name}: ${error.message}\n`);
    return 2;
  }
  if (invocation.values['print-config'] === true) {
    io.stdout(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return 0;
  }
  return config;
}

/** Full `--help` text: usage, a summary, and every option with its default and environment variable. */
export function helpText(command: string, summary: string, schema: z.ZodType, envPrefix: string): string {
  return [
    `usage: ${command} [-c|--config FILE] [--print-config] [-h|--help] [-V|--version]`,
    '',
    summary,
    '',
    'The configuration file is JSON. Every option can also be set from the environment: the variable named below',
    'overrides the file (arrays as JSON or a comma list, objects as JSON; booleans true/false). A variable with the',
    `prefix ${envPrefix} that names no option, or holds a value of the wrong type, stops the start. Options:`,
    '',
    describeOptions(schema, envPrefix),
    '',
    'Exit code: 2 when an option or the configuration is wrong (nothing is started then), 1 when the service fails.',
    '',
  ].join('\n');
}

/** A copy of a configuration with secrets replaced, for --print-config and start-up logs. */
export function redactConfig(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactConfig);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = /password|token|secret|sasl/i.test(key) && child !== null ? '[redacted]' : redactConfig(child);
  }
  return out;
}
