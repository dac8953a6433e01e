import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { helpText } from '../src/cli.js';
import { ConfigError, envNameFor, loadConfig } from '../src/config.js';

const schema = z
  .object({
    kafka: z
      .object({
        brokers: z.array(z.string()).min(1).default(['localhost:9092']).describe('Bootstrap brokers, host:port.'),
        sendTimeoutMs: z.number().int().positive().default(10_000).describe('Produce deadline, ms.'),
        sasl: z.object({ username: z.string(), password: z.string() }).nullable().default(null).describe('SASL login.'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({ enabled: z.boolean().default(true).describe('Serve HTTP.'), port: z.number().int().default(8080) })
      .strict()
      .prefault({}),
  })
  .strict();

const PREFIX = 'OTPTRACE_TEST_';

describe('loadConfig', () => {
  it('applies defaults, then the file, then the environment, and freezes the result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ kafka: { brokers: ['k1:9092'] }, http: { port: 9000 } }));
    const config = loadConfig(schema, {
      file,
      envPrefix: PREFIX,
      env: {
        OTPTRACE_TEST_KAFKA__BROKERS: 'k2:9092, k3:9092',
        OTPTRACE_TEST_KAFKA__SEND_TIMEOUT_MS: '2500',
        OTPTRACE_TEST_HTTP__ENABLED: 'false',
        OTPTRACE_TEST_KAFKA__SASL__USERNAME: 'svc',
        OTPTRACE_TEST_KAFKA__SASL__PASSWORD: 'pw',
        OTHER_PREFIX_UNKNOWN: 'not ours',
      },
    });
    expect(config).toEqual({
      kafka: { brokers: ['k2:9092', 'k3:9092'], sendTimeoutMs: 2500, sasl: { username: 'svc', password: 'pw' } },
      http: { enabled: false, port: 9000 },
    });
    expect(Object.isFrozen(config.kafka)).toBe(true);
  });

  it('lists every problem in one error', () => {
    const error = (() => {
      try {
        loadConfig(schema, {
          envPrefix: PREFIX,
          env: { OTPTRACE_TEST_KAFKA__SEND_TIMEOUT_MS: '-1', OTPTRACE_TEST_HTTP__PORT: 'abc' },
        });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['OTPTRACE_TEST_HTTP__PORT', 'kafka.sendTimeoutMs']);
  });

  it('refuses, naming the variable, an override that names no option or holds a value of the wrong type', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(schema, { envPrefix: PREFIX, env });
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ OTPTRACE_TEST_KAFKA__BROKER: 'typo:9092' })).toEqual([
      'OTPTRACE_TEST_KAFKA__BROKER: names no option; did you mean OTPTRACE_TEST_KAFKA__BROKERS? (--help lists them)',
    ]);
    expect(problems({ OTPTRACE_TEST_HTTP__ENABLED: 'flase' })).toEqual([
      'OTPTRACE_TEST_HTTP__ENABLED: "flase" is not a boolean (use true or false)',
    ]);
    expect(problems({ OTPTRACE_TEST_HTTP__PORT: '80 80' })).toEqual([
      'OTPTRACE_TEST_HTTP__PORT: "80 80" is not a number',
    ]);
    expect(problems({ OTPTRACE_TEST_KAFKA__SASL: '{user' })).toEqual(['OTPTRACE_TEST_KAFKA__SASL: not a JSON object']);
    expect(problems({ OTPTRACE_TEST_NOTHING_LIKE_IT: 'x' })).toEqual([
      'OTPTRACE_TEST_NOTHING_LIKE_IT: names no option (--help lists them)',
    ]);
    expect(problems({ OTPTRACE_TEST_HTTP__ENABLED: 'OFF', OTPTRACE_TEST_HTTP__PORT: '81' })).toEqual([]);
  });

  it('names environment variables after the dotted path', () => {
    expect(envNameFor(PREFIX, ['kafka', 'sendTimeoutMs'])).toBe('OTPTRACE_TEST_KAFKA__SEND_TIMEOUT_MS');
  });
});

describe('helpText', () => {
  it('documents every leaf option with its default and environment variable', () => {
    const text = helpText('svc', 'A test service.', schema, PREFIX);
    for (const path of ['kafka.brokers', 'kafka.sendTimeoutMs', 'kafka.sasl.password', 'http.enabled', 'http.port']) {
      expect(text).toContain(`  ${path} (`);
    }
    expect(text).toContain('default: ["localhost:9092"]');
    expect(text).toContain('env OTPTRACE_TEST_KAFKA__SEND_TIMEOUT_MS');
    expect(text).toContain('Produce deadline, ms.');
  });
});
