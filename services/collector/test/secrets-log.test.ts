import { Writable } from 'node:stream';
import { createKafkaClient, createRecordProducer } from '@otptrace/kafka';
import { createLogger, loadConfig, redactConfig } from '@otptrace/runtime';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_ENV_PREFIX, collectorConfigSchema } from '../src/config.js';

const PASSWORD = 'planted-sasl-password-7781';
const TOKEN = 'planted-bearer-token-7782';

describe('Kafka credentials from the environment never reach the logs', () => {
  it('takes the SASL password and tokens from the environment, and a failing connection logs neither', async () => {
    // The password variable is listed first: the deeper path must still land inside the object set after it.
    const config = loadConfig(collectorConfigSchema, {
      env: {
        OTPTRACE_COLLECTOR_KAFKA__SASL__PASSWORD: PASSWORD,
        OTPTRACE_COLLECTOR_KAFKA__SASL: '{"mechanism":"scram-sha-512","username":"otptrace"}',
        // Port 1 on loopback: nothing listens, so the client fails and logs its errors.
        OTPTRACE_COLLECTOR_KAFKA__BROKERS: '127.0.0.1:1',
        OTPTRACE_COLLECTOR_KAFKA__CONNECTION_TIMEOUT_MS: '200',
        OTPTRACE_COLLECTOR_KAFKA__SEND_TIMEOUT_MS: '1000',
        OTPTRACE_COLLECTOR_HTTP__TOKENS: TOKEN,
      },
      envPrefix: COLLECTOR_ENV_PREFIX,
    });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'otptrace',
      password: PASSWORD,
      passwordFile: null,
    });
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: 'collector', level: 'debug', destination });
    logger.info({ config: redactConfig(config) }, 'configuration loaded');
    logger.info({ config }, 'an unredacted configuration by mistake');
    const producer = createRecordProducer(createKafkaClient(config.kafka, logger));
    await expect(producer.connect()).rejects.toThrow();
    const text = chunks.join('');
    expect(text).toMatch(/ECONNREFUSED|Connection error|connect/i);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
  }, 30_000);
});
