/** @otptrace/correlator: Kafka events in, attempts out. Run with `node services/correlator/dist/main.js`. */

export type { CorrelatorConfig, CorrelatorConfigInput } from './config.js';
export { CORRELATOR_ENV_PREFIX, correlatorConfigSchema } from './config.js';
export type { Correlator, CorrelatorPorts } from './correlator.js';
export { createCorrelator } from './correlator.js';
export type { PartitionHandler, PartitionLoop } from './partition-loop.js';
export { createPartitionLoop } from './partition-loop.js';
export type { AttemptSink } from './sinks.js';
export { configuredSinks, createTraceSink } from './sinks.js';
