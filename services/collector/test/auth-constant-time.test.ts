import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Collector, createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { memoryPorts } from './ports.js';

vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

const TOKENS = ['first-token-0123456789abcdef', 'other-token-0123456789abcdef', 'third-token-0123456789abcdef'];
const body = readFileSync(new URL('../../../test/scenarios/success/nps.xml', import.meta.url), 'utf8');

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

describe('bearer tokens', () => {
  it('are compared in constant time against every sender, with no early exit on a match', async () => {
    const config = collectorConfigSchema.parse({ http: { port: 0, host: '127.0.0.1', tokens: TOKENS } });
    collector = createCollector(config, memoryPorts(1));
    await collector.start();
    const post = (token: string) =>
      fetch(`http://127.0.0.1:${collector?.httpPort()}/v1/events`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${token}` },
      });
    const compare = vi.mocked(timingSafeEqual);
    compare.mockClear();
    expect((await post(TOKENS[0] as string)).status).toBe(202);
    expect(compare).toHaveBeenCalledTimes(3);
    compare.mockClear();
    expect((await post('wrong-token-0123456789abcdef')).status).toBe(401);
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
