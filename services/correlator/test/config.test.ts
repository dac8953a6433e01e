import { readFileSync } from 'node:fs';
import { collectorConfigSchema } from '@otptrace/collector';
import { PIPELINE_TOPICS } from '@otptrace/kafka';
import { describe, expect, it } from 'vitest';
import { correlatorConfigSchema } from '../src/config.js';

describe('correlator configuration', () => {
  it('accepts the production example of deploy/systemd', () => {
    const file = JSON.parse(readFileSync(new URL('../../../deploy/systemd/correlator.json', import.meta.url), 'utf8'));
    const config = correlatorConfigSchema.parse(file);
    expect(config.topics.events.partitions).toBe(1);
    expect(config.analysis.sources).toEqual(['client', 'gateway', 'radius', 'ca']);
  });

  it('takes the events topic from the one declaration the collector uses too', () => {
    expect(correlatorConfigSchema.parse({}).topics.events).toEqual(PIPELINE_TOPICS.events);
    expect(collectorConfigSchema.parse({ http: { enabled: false } }).topics.events).toEqual(PIPELINE_TOPICS.events);
  });
});
