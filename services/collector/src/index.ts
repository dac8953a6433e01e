/** @otptrace/collector: EVTX-XML in (HTTP, files, stdin), Kafka out. Run with `node services/collector/dist/main.js`. */

export type { Collector, CollectorPorts } from './collector.js';
export { createCollector } from './collector.js';
export type { CollectorConfig, CollectorConfigInput, CollectorTopics } from './config.js';
export { COLLECTOR_ENV_PREFIX, collectorConfigSchema, collectorTopicsSchema } from './config.js';
export { EVENTS_PATH } from './http-input.js';
export type { BatchSummary, Publisher } from './publisher.js';
export { BatchRefused } from './publisher.js';
export type { DeadLetter } from './records.js';
export { batchRecords, EVENT_RECORD_MAX_BYTES } from './records.js';
