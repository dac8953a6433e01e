/** @otptrace/runtime: what every service shares: configuration, logging, health and metrics, graceful shutdown. */

export type { AdminProbes, AdminServer, Readiness } from './admin-server.js';
export { startAdminServer } from './admin-server.js';
export { ANALYSIS_OPTION_DOCS } from './analysis-docs.js';
export type { ServiceArgs } from './cli.js';
export { helpText, parseServiceArgs, redactConfig } from './cli.js';
export type { ConfigSource } from './config.js';
export { applyEnvOverrides, ConfigError, describeOptions, envNameFor, loadConfig } from './config.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export type { CounterFn, GaugeFn, Metrics } from './metrics.js';
export { createMetrics } from './metrics.js';
export type { OptionInfo } from './schema-walk.js';
export { listOptions } from './schema-walk.js';
export type {
  ServiceBaseConfig,
  ServiceContext,
  ServiceInstance,
  ServiceIo,
  ServiceSpec,
} from './service-main.js';
export { runService, serviceMain } from './service-main.js';
export { serviceOptions } from './service-options.js';
export type { ShutdownOptions } from './shutdown.js';
export { onShutdown } from './shutdown.js';
