import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectorConfigSchema } from '../src/config.js';

describe('collector configuration', () => {
  it('accepts the production example of deploy/systemd (with a token from the environment)', () => {
    const file = JSON.parse(readFileSync(new URL('../../../deploy/systemd/collector.json', import.meta.url), 'utf8'));
    const config = collectorConfigSchema.parse({ ...file, http: { ...file.http, tokens: ['x'.repeat(32)] } });
    expect(config.topics.events).toMatchObject({ name: 'otptrace.events', partitions: 1, replicationFactor: 3 });
  });

  it('refuses an enabled HTTP input without a bearer token, naming the field', () => {
    const parsed = collectorConfigSchema.safeParse({});
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['http.tokens']);
  });
});
