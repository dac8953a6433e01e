import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactConfig } from '../src/cli.js';
import { createLogger } from '../src/logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes JSON lines with secrets, tokens and OTPs redacted', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 'test', level: 'info', destination: stream });
    logger.info({ otp: '123456', req: { headers: { authorization: 'Bearer abc' } }, kafka: { password: 'pw' } }, 'hi');
    const line = lines()[0] ?? '';
    expect(line).not.toMatch(/123456|Bearer abc|"pw"/);
    expect(JSON.parse(line)).toMatchObject({ msg: 'hi', otp: '[redacted]', service: 'test' });
  });
});

describe('redactConfig', () => {
  it('hides secrets at any depth and keeps the rest', () => {
    expect(
      redactConfig({ http: { tokens: ['t1'], port: 1 }, kafka: { sasl: { password: 'x' }, brokers: ['b'] } }),
    ).toEqual({
      http: { tokens: '[redacted]', port: 1 },
      kafka: { sasl: '[redacted]', brokers: ['b'] },
    });
  });
});

describe('planted secrets never reach a log line', () => {
  // Values no log line may contain, planted where services hold them: configuration, kafkajs settings, requests.
  const planted = {
    sasl: 'planted-sasl-password-0451',
    token: 'planted-bearer-token-0452',
    otp: '745112',
    key: '-----BEGIN PRIVATE KEY----- planted-key-0453',
    secret: 'planted-radius-secret-0454',
    cookie: 'planted-cookie-0455',
  };
  it('redacts them in every shape the services log', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 'test', level: 'debug', destination: stream });
    const config = {
      kafka: { brokers: ['b:9093'], sasl: { mechanism: 'scram-sha-512', username: 'u', password: planted.sasl } },
      http: { tokens: [planted.token], port: 8080 },
    };
    logger.info({ config }, 'configuration loaded');
    logger.info(config, 'flat configuration');
    logger.info({ client: { ssl: { key: planted.key }, sasl: { password: planted.sasl } } }, 'kafkajs settings');
    logger.info({ kafka: { ssl: { key: planted.key, passphrase: planted.secret } } }, 'tls');
    logger.warn({ req: { headers: { authorization: `Bearer ${planted.token}`, cookie: planted.cookie } } }, 'request');
    logger.debug({ event: { otp: planted.otp, secret: planted.secret } }, 'nested');
    logger.info({ sender: { token: planted.token } }, 'sender');
    const text = lines().join('\n');
    expect(lines()).toHaveLength(7);
    for (const value of Object.values(planted)) expect(text).not.toContain(value);
    expect(text).toContain('b:9093'); // what is not secret stays readable
  });

  it('and --print-config shows none of them', () => {
    const text = JSON.stringify(
      redactConfig({ kafka: { sasl: { password: planted.sasl } }, http: { clients: [{ tokenFile: '/x' }] } }),
    );
    expect(text).not.toContain(planted.sasl);
  });
});
