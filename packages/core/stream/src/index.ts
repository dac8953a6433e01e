/** @otptrace/stream: the streaming analysis, exactly equal to `otptrace analyze` (pure: records in, units out). */

export type { Checkpoint, DaServerEntry, NpsOffsetEntry } from './checkpoint.js';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
export type { SiteOutput, StreamSettings, StreamUnit } from './site-stream.js';
export { reorderWindowMs, SiteStream } from './site-stream.js';
export type { Commit, PartitionStep, SiteUnit, StreamRecord } from './stream-partition.js';
export { StreamPartition } from './stream-partition.js';
export type { NpsServerClock } from './text-logs.js';
