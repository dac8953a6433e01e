/**
 * Starts the real servers the integration tests need (Kafka, Zipkin, PostgreSQL) once per run, through the same
 * scripts under deploy/ that an operator uses. Each server's setup lives in its own module below.
 */
export default async function setup(): Promise<void> {
  await (await import('./setup-kafka.js')).setupKafka();
  await (await import('./setup-zipkin.js')).setupZipkin();
  // Filled in by the streaming, tracing and statistics work (see deploy/).
}
