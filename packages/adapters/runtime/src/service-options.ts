import { z } from 'zod';

/**
 * The options every service's configuration shares and the shared start-up reads (service-main.ts): the admin
 * endpoint, the log level and the shutdown deadline. Spread into a service's `z.object({...})`; each service has its
 * own default admin port so that two services can run on one host.
 */
export function serviceOptions(defaultAdminPort: number) {
  return {
    admin: z
      .object({
        host: z.string().default('0.0.0.0').describe('Address of /healthz, /readyz and /metrics.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .default(defaultAdminPort)
          .describe('Port of /healthz, /readyz and /metrics.'),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log level.'),
    shutdownTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Longest a graceful shutdown may take before the process exits anyway, ms.'),
  };
}
