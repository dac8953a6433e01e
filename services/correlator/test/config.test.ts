import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { correlatorConfigSchema } from '../src/config.js';

describe('correlator configuration', () => {
  it('accepts the production example of deploy/systemd', () => {
    const file = JSON.parse(readFileSync(new URL('../../../deploy/systemd/correlator.json', import.meta.url), 'utf8'));
    const config = correlatorConfigSchema.parse(file);
    expect(config.topics.userless.partitions).toBe(1);
    expect(config.analysis.sources).toEqual(['client', 'gateway', 'radius', 'ca']);
  });

  it('keeps the same topic defaults as the collector for the shared events topic', () => {
    expect(correlatorConfigSchema.parse({}).topics.events).toEqual({
      name: 'otptrace.events',
      partitions: 1,
      replicationFactor: 1,
      configs: {},
    });
  });
});
