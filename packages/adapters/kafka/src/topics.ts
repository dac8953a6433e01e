import type { TopicSpec } from './config.js';

const DAY_MS = 86_400_000;
const MiB = 1024 * 1024;

/**
 * The pipeline's topics, declared once for every service (the collector writes events, raw and dead letters; the
 * correlator reads events and writes attempts and late events). Configuration files override them per field.
 */
export const PIPELINE_TOPICS = {
  // Record batches up to Kafka's usual 1 MiB for events and raw XML; 16 MiB for dead letters, so that one can hold
  // the text of any event up to analysis.maxEventBytes (4 MiB), JSON-escaped.
  events: {
    name: 'otptrace.events',
    partitions: 12,
    replicationFactor: 1,
    configs: { 'max.message.bytes': String(MiB) },
  },
  raw: {
    name: 'otptrace.raw',
    partitions: 12,
    replicationFactor: 1,
    configs: { 'retention.ms': String(7 * DAY_MS), 'max.message.bytes': String(MiB) },
  },
  deadLetter: {
    name: 'otptrace.dead-letter',
    partitions: 3,
    replicationFactor: 1,
    configs: { 'retention.ms': String(30 * DAY_MS), 'max.message.bytes': String(16 * MiB) },
  },
  attempts: {
    name: 'otptrace.attempts',
    partitions: 12,
    replicationFactor: 1,
    configs: { 'retention.ms': String(30 * DAY_MS) },
  },
  late: {
    name: 'otptrace.late',
    partitions: 3,
    replicationFactor: 1,
    configs: { 'retention.ms': String(30 * DAY_MS) },
  },
} as const satisfies Record<string, TopicSpec>;

export type PipelineTopic = keyof typeof PIPELINE_TOPICS;

/** The pipeline's topics under another prefix (`<prefix>.events`, …), events and attempts with `partitions`. */
export function prefixedTopics(prefix: string, partitions: number): Record<PipelineTopic, TopicSpec> {
  const out = {} as Record<PipelineTopic, TopicSpec>;
  for (const [key, spec] of Object.entries(PIPELINE_TOPICS) as Array<[PipelineTopic, TopicSpec]>) {
    const scaled = key === 'events' || key === 'attempts' || key === 'raw';
    out[key] = {
      ...spec,
      name: `${prefix}.${spec.name.slice('otptrace.'.length)}`,
      partitions: scaled ? partitions : spec.partitions,
      configs: { ...spec.configs },
    };
  }
  return out;
}
