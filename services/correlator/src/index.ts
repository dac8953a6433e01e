/** @otptrace/correlator: Kafka events in, attempts out. Run with `node services/correlator/dist/main.js`. */

export type { CorrelatorConfig, CorrelatorConfigInput } from './config.js';
export { CORRELATOR_ENV_PREFIX, correlatorConfigSchema } from './config.js';
export type { Correlator, CorrelatorPorts } from './correlator.js';
export { createCorrelator } from './correlator.js';
export type { PartitionOutput } from './partition-state.js';
export { PartitionState } from './partition-state.js';
export type { AttemptSink } from './sinks.js';
export { createTraceSink } from './sinks.js';
