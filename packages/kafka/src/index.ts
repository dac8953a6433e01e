/** @otptrace/kafka: adapter: the one module that talks to Kafka (kafkajs). */
export const PACKAGE_NAME = '@otptrace/kafka';
