/** @otptrace/kafka: the one module that talks to Kafka (kafkajs); swap the client here and nowhere else. */

export type { KafkaAdmin, PartitionOffsets, TopicCheck } from './admin.js';
export { createKafkaAdmin, prepareTopics } from './admin.js';
export type { AtomicProducerOptions } from './atomic-producer.js';
export { createAtomicProducer } from './atomic-producer.js';
export type { AdapterLogger, KafkaClient } from './client.js';
export { adapterLevel, createKafkaClient, createLevelChooser } from './client.js';
export type { KafkaConnection, TopicSpec, TopicSpecInput } from './config.js';
export { kafkaConnectionSchema, topicSpecSchema } from './config.js';
export type {
  Assignment,
  CommitOffset,
  ConsumedBatch,
  ConsumedRecord,
  GroupConsumer,
  GroupConsumerOptions,
  GroupHandlers,
  SkippedRange,
} from './consumer.js';
export { createGroupConsumer } from './consumer.js';
export { KafkaAdapterError, toAdapterError, withDeadline } from './errors.js';
export type { PartitionCounts } from './partitioner.js';
export { configuredPartitions, partitionForKey, pinnedPartitioner } from './partitioner.js';
export type { OutgoingRecord, ProducerOptions, RecordProducer } from './producer.js';
export { createRecordProducer } from './producer.js';
export {
  groupWithin,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  maxValueBytes,
  recordBytes,
  recordFits,
  splitIntoRequests,
  valueRoom,
} from './request-size.js';
export type { PipelineTopic } from './topics.js';
export { PIPELINE_TOPICS, prefixedTopics } from './topics.js';
export type { GroupOffset, OffsetReader, TransactionalWriter } from './transaction.js';
export { createOffsetReader, createTransactionalWriter } from './transaction.js';
