import { describe, expect, it } from 'vitest';
import { kafkaClientConfig } from '../src/client.js';
import { kafkaConnectionSchema } from '../src/config.js';

const files: Record<string, string> = {
  '/secrets/ca.pem': 'CA-PEM',
  '/secrets/client.pem': 'CERT-PEM',
  '/secrets/client.key': 'KEY-PEM',
  '/secrets/sasl-password': 'planted-sasl-password-4711\n',
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT ${path}`);
  return Buffer.from(text);
};

describe('kafkajs configuration for TLS and SASL', () => {
  it('reads the CA, client certificate and key files, and the SCRAM password from its file', () => {
    const connection = kafkaConnectionSchema.parse({
      brokers: ['k1:9093'],
      ssl: { caFile: '/secrets/ca.pem', certFile: '/secrets/client.pem', keyFile: '/secrets/client.key' },
      sasl: { mechanism: 'scram-sha-512', username: 'otptrace', passwordFile: '/secrets/sasl-password' },
    });
    const config = kafkaClientConfig(connection, undefined, read);
    expect(config.ssl).toEqual({
      rejectUnauthorized: true,
      ca: [Buffer.from('CA-PEM')],
      cert: Buffer.from('CERT-PEM'),
      key: Buffer.from('KEY-PEM'),
    });
    expect(config.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'otptrace',
      password: 'planted-sasl-password-4711',
    });
  });

  it('keeps ssl true/false as is, takes a password given directly (from the environment), and omits no-SASL', () => {
    const plain = kafkaClientConfig(kafkaConnectionSchema.parse({}), undefined, read);
    expect([plain.ssl, 'sasl' in plain]).toEqual([false, false]);
    const scram = kafkaClientConfig(
      kafkaConnectionSchema.parse({
        ssl: true,
        sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'from-env-password' },
      }),
      undefined,
      read,
    );
    expect([scram.ssl, scram.sasl]).toEqual([
      true,
      { mechanism: 'scram-sha-256', username: 'u', password: 'from-env-password' },
    ]);
  });

  it('refuses ambiguous or unsafe settings', () => {
    const bad = (value: unknown) => kafkaConnectionSchema.safeParse(value).success;
    expect(bad({ sasl: { mechanism: 'scram-sha-256', username: 'u' } })).toBe(false);
    expect(bad({ sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p', passwordFile: '/f' } })).toBe(false);
    expect(bad({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toBe(false);
    expect(bad({ ssl: true, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toBe(true);
    expect(bad({ ssl: { certFile: '/c' } })).toBe(false);
    expect(bad({ sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } })).toBe(false);
  });

  it('fails on an empty password file rather than connecting without a password', () => {
    const connection = kafkaConnectionSchema.parse({
      sasl: { mechanism: 'scram-sha-256', username: 'u', passwordFile: '/secrets/empty' },
    });
    expect(() => kafkaClientConfig(connection, undefined, () => Buffer.from('\n'))).toThrow(/password file is empty/);
  });
});
