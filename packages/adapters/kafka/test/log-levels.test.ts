import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { adapterLevel, createLevelChooser } from '../src/client.js';

describe('kafkajs log levels', () => {
  it('logs the routine retries of normal operation below warning, and keeps real errors', () => {
    const routine = [
      'Response GroupCoordinator(key: 10, version: 2): The coordinator is loading and hence can not process requests',
      '[Runner] The group is rebalancing, re-joining',
      'Response AddPartitionsToTxn(key: 24, version: 1) The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      'Response Heartbeat(key: 12, version: 3): The coordinator is not aware of this member',
      'This is not the correct coordinator for this group',
    ];
    for (const text of routine) expect(adapterLevel(logLevel.ERROR, text), text).toBe('debug');
    expect(adapterLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092')).toBe('error');
    expect(
      adapterLevel(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'),
    ).toBe('warn');
    expect(adapterLevel(logLevel.INFO, 'Starting')).toBe('debug');
    expect(adapterLevel(logLevel.DEBUG, 'Request Fetch')).toBeNull();
  });

  it("gives a consumer's restart notice the level of the crash before it", () => {
    const levelOf = createLevelChooser();
    const crash = (cause: string) => levelOf(logLevel.ERROR, `Crash: KafkaJSProtocolError: ${cause} `);
    const restart = () => levelOf(logLevel.ERROR, 'Restarting the consumer in 200ms ');
    expect(crash('The coordinator is loading and hence can not process requests')).toBe('debug');
    expect(restart()).toBe('debug');
    expect(crash('Not authorized to access group: Group authorization failed')).toBe('error');
    expect(restart()).toBe('warn');
  });
});
