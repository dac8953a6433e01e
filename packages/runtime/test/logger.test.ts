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
