import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { ANALYSIS_OPTION_DOCS } from './analysis-docs.js';
import { describeOptions } from './config.js';

/** What a service's command line asked for. */
export interface ServiceArgs {
  help: boolean;
  configFile: string | undefined;
  /** Print the effective configuration (secrets redacted) and exit. */
  printConfig: boolean;
}

/** Parses the command line every service shares: --config FILE, --print-config, --help. */
export function parseServiceArgs(argv: readonly string[]): ServiceArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string', short: 'c' },
      'print-config': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  return { help: values.help === true, configFile: values.config, printConfig: values['print-config'] === true };
}

/** Full `--help` text: usage, a summary, and every option with its default and environment variable. */
export function helpText(command: string, summary: string, schema: z.ZodType, envPrefix: string): string {
  return [
    `usage: ${command} [--config FILE] [--print-config] [--help]`,
    '',
    summary,
    '',
    'The configuration file is JSON. Every option can also be set from the environment: the variable named below',
    'overrides the file (arrays as JSON or a comma list, objects as JSON). Options:',
    '',
    describeOptions(
      schema,
      envPrefix,
      Object.fromEntries(Object.entries(ANALYSIS_OPTION_DOCS).map(([path, text]) => [`analysis.${path}`, text])),
    ),
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
