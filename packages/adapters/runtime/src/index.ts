/** @otptrace/runtime: what every service shares: configuration, logging, health and metrics, graceful shutdown. */

export type { AdminProbes, AdminServer, Readiness } from './admin-server.js';
export { startAdminServer } from './admin-server.js';
export type { CommandIo, CommandSpec, Invocation, OptionSpec, OptionValues } from './args.js';
export { isoTime, messageOf, oneOf, parseCommand, refuse, runCommand, wholeNumber } from './args.js';
export type { ServiceCommand } from './cli.js';
export { helpText, redactConfig, serviceCommandLine } from './cli.js';
export type { ConfigSource } from './config.js';
export { applyEnvOverrides, ConfigError, describeOptions, envNameFor, loadConfig } from './config.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export type { CounterFn, GaugeFn, Metrics } from './metrics.js';
export { createMetrics } from './metrics.js';
export { renderPrometheus } from './prometheus.js';
export type { OptionInfo } from './schema-walk.js';
export { listOptions } from './schema-walk.js';
export type {
  ServiceBaseConfig,
  ServiceContext,
  ServiceInstance,
  ServiceIo,
  ServiceListening,
  ServiceSpec,
} from './service-main.js';
export { runService, serviceMain } from './service-main.js';
export { serviceOptions } from './service-options.js';
export type { ShutdownOptions } from './shutdown.js';
export { onShutdown } from './shutdown.js';
export { OTPTRACE_VERSION } from './version.js';
