import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvtx } from '@otptrace/evtx';
import { describe, expect, it } from 'vitest';
import { createCollector } from '../src/collector.js';
import { collectorConfigSchema } from '../src/config.js';
import { memoryPorts } from './ports.js';

// A real binary event log (../../../test/fixtures/evtx-samples, the public corpus of the Rust evtx crate): a Security log.
const sample = new URL('../../../test/fixtures/evtx-samples/security.evtx', import.meta.url).pathname;

/** Sum of a Prometheus counter over all its label sets. */
function counter(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('collector following a folder of .evtx files', () => {
  it('reads every record, chunk by chunk, keeps its position, and reads nothing twice after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-evtx-'));
    copyFileSync(sample, join(dir, 'Security.evtx'));
    const config = collectorConfigSchema.parse({
      http: { enabled: false },
      files: { paths: [dir], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000 },
    });
    const expected = readEvtx(readFileSync(sample)).events.length;
    const ports = memoryPorts();
    const collector = createCollector(config, ports);
    await collector.start();
    for (let i = 0; i < 200; i++) await collector.pollFiles();
    await collector.stop();
    const metrics = await ports.metrics.render();
    expect(counter(metrics, 'otptrace_collector_events_in_total')).toBe(expected);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<
      string,
      { position: number; encoding: string }
    >;
    expect(Object.values(state)).toEqual([
      expect.objectContaining({ position: statSync(sample).size, encoding: 'evtx' }),
    ]);

    const again = memoryPorts();
    const restarted = createCollector(config, again);
    await restarted.start();
    await restarted.pollFiles();
    await restarted.stop();
    expect(counter(await again.metrics.render(), 'otptrace_collector_events_in_total')).toBe(0);
  });
});
