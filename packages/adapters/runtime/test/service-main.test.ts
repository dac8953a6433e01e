import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ServiceInstance, type ServiceListening, serviceMain } from '../src/service-main.js';
import { serviceOptions } from '../src/service-options.js';

const schema = z.object({ secret: z.string().default('planted-secret-0991'), ...serviceOptions(0) }).strict();

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

function spec(
  calls: string[],
  finished?: Promise<void>,
  ports?: Record<string, number>,
  start: () => Promise<void> = async () => void calls.push('start'),
) {
  return {
    name: 'otptrace-test',
    summary: 'a test service',
    schema,
    envPrefix: 'OTPTRACE_TEST_',
    build(): ServiceInstance {
      calls.push('build');
      return {
        readiness: () => ({ ready: true, reasons: [] }),
        start,
        stop: async () => void calls.push('stop'),
        ...(finished ? { finished: () => finished } : {}),
        ...(ports ? { listening: () => ports } : {}),
      };
    },
  };
}

describe('serviceMain, the start-up every service shares', () => {
  it('prints --help with every option and its environment variable, without building the service', async () => {
    const calls: string[] = [];
    const { io: streams, out } = io();
    expect(await serviceMain(spec(calls), ['--help'], streams)).toBe(0);
    expect(out.join('')).toMatch(/usage: otptrace-test[\s\S]*OTPTRACE_TEST_SHUTDOWN_TIMEOUT_MS/);
    expect(calls).toEqual([]);
  });

  it('answers -V, and refuses an unknown option in one line with exit code 2, without a stack trace', async () => {
    const version = io();
    expect(await serviceMain(spec([]), ['-V'], version.io)).toBe(0);
    expect(version.out.join('')).toMatch(/^otptrace-test \d+\.\d+\.\d+\n$/);
    const bogus = io();
    expect(await serviceMain(spec([]), ['--bogus'], bogus.io)).toBe(2);
    expect(bogus.err.join('')).toBe('otptrace-test: unknown option --bogus (see --help)\n');
  });

  it('exits 2 listing the problems of an invalid configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-svc-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ logLevel: 'loud' }));
    const { io: streams, err } = io();
    expect(await serviceMain(spec([]), ['--config', join(dir, 'c.json')], streams)).toBe(2);
    expect(err.join('')).toMatch(/logLevel/);
  });

  it('--print-config shows the effective configuration with secrets redacted', async () => {
    const { io: streams, out } = io({ OTPTRACE_TEST_ADMIN__PORT: '9999' });
    expect(await serviceMain(spec([]), ['--print-config'], streams)).toBe(0);
    const printed = JSON.parse(out.join(''));
    expect(printed).toMatchObject({ secret: '[redacted]', admin: { port: 9999 } });
  });

  it('builds, starts, and stops the service when its work ends by itself', async () => {
    const calls: string[] = [];
    const { io: streams } = io({ OTPTRACE_TEST_LOG_LEVEL: 'fatal' });
    expect(await serviceMain(spec(calls, Promise.resolve()), [], streams)).toBe(0);
    expect(calls).toEqual(['build', 'start', 'stop']);
  });

  it("tells a parent the admin port the system chose and the service's own ports, once started", async () => {
    const calls: string[] = [];
    const { io: streams } = io({ OTPTRACE_TEST_LOG_LEVEL: 'fatal' });
    const announced: Array<[ServiceListening, number]> = [];
    const announce = (listening: ServiceListening) => announced.push([listening, calls.length]);
    const code = await serviceMain(spec(calls, Promise.resolve(), { http: 40_001 }), [], { ...streams, announce });
    expect(code).toBe(0);
    expect(announced).toHaveLength(1);
    const [message, callsBefore] = announced[0] as [ServiceListening, number];
    expect(message).toMatchObject({ type: 'otptrace.listening', ports: { http: 40_001 } });
    expect(message.admin).toBeGreaterThan(0);
    expect(callsBefore).toBe(2); // after build and start, before stop
  });

  it('ends a start that fails with one fatal log line and one plain line on stderr, stops the service, exits 1', async () => {
    const calls: string[] = [];
    const logs = new PassThrough();
    const lines: string[] = [];
    logs.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const { io: streams, err } = io({ OTPTRACE_TEST_LOG_LEVEL: 'info' });
    const refused = async () => {
      calls.push('start');
      throw new Error('admin connect: Connection error: connect ECONNREFUSED 127.0.0.1:1');
    };
    const code = await serviceMain(spec(calls, undefined, undefined, refused), [], { ...streams, logs });
    expect(code).toBe(1);
    expect(calls).toEqual(['build', 'start', 'stop']);
    expect(err.join('')).toBe(
      'otptrace-test: start-up failed: admin connect: Connection error: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    const fatal = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      msg: 'start-up failed',
      service: 'otptrace-test',
      err: { message: 'admin connect: Connection error: connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(fatal[0].err.stack).toMatch(/at /);
    expect(lines.join('\n')).not.toContain('planted-secret-0991');
  });
});
