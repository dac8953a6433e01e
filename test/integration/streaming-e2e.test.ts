import { describe, expect, it } from 'vitest';
import { generatedDay, offlineAttempts } from '../../packages/core/stream/test/corpus.js';
import { byId, differences, type PipelineReady, readAttempts, startPipeline } from './pipeline.js';
import { loggedLine, type ServiceProcess, startService } from './setup-kafka.js';

// Three sites (three generated fleets on different days, so that no two share an event, one collector each) on one 4-partition events topic. While they are posted,
// in event-time order, a second correlator joins the group, one member is killed with SIGKILL and the joined one is
// stopped: each site's attempts must still be exactly what `otptrace analyze` finds in that site's files, once each.
const sites = {
  default: generatedDay(400, 31, '2026-03-02T00:00:00Z'),
  north: generatedDay(400, 32, '2026-03-03T00:00:00Z'),
  south: generatedDay(400, 33, '2026-03-04T00:00:00Z'),
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A collector for another site on the pipeline's topics, with the pipeline's token. */
function siteCollector(ready: PipelineReady, site: string, prefix: string): ServiceProcess {
  return startService('collector', {
    OTPTRACE_COLLECTOR_KAFKA__BROKERS: ready.brokers.join(','),
    OTPTRACE_COLLECTOR_SITE: site,
    OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({
      events: { name: ready.topics.events, partitions: 4, replicationFactor: 1 },
      raw: { name: `${prefix}.raw`, partitions: 4, replicationFactor: 1 },
      deadLetter: { name: `${prefix}.dead-letter`, partitions: 3, replicationFactor: 1 },
    }),
    OTPTRACE_COLLECTOR_CREATE_TOPICS: 'false',
    // One collector process per site on this machine: each needs its own transactional ids.
    OTPTRACE_COLLECTOR_TRANSACTIONAL_ID_PREFIX: `${prefix}.collector.${site}`,
    OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
    OTPTRACE_COLLECTOR_HTTP__PORT: '0',
    OTPTRACE_COLLECTOR_HTTP__TOKENS: ready.token,
    OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
    OTPTRACE_COLLECTOR_LOG_LEVEL: 'info',
  });
}

/** A correlator of the pipeline's group, started beside the pipeline's own. */
function correlatorEnv(ready: PipelineReady, prefix: string): Record<string, string> {
  return {
    OTPTRACE_CORRELATOR_KAFKA__BROKERS: ready.brokers.join(','),
    OTPTRACE_CORRELATOR_GROUP_ID: `${prefix}.correlator`,
    OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
      events: { name: ready.topics.events, partitions: 4, replicationFactor: 1 },
      attempts: { name: ready.topics.attempts, partitions: 4, replicationFactor: 1 },
      late: { name: `${prefix}.late`, partitions: 3, replicationFactor: 1 },
    }),
    OTPTRACE_CORRELATOR_CREATE_TOPICS: 'false',
    OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '3000',
    OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
    OTPTRACE_CORRELATOR_LOG_LEVEL: 'info',
  };
}

/** Resolves once the correlator logged that it consumes (under load, starting a process takes seconds). */
async function started(correlator: ServiceProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (correlator.output().includes('correlator started')) return;
    if (correlator.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`correlator did not start:\n${correlator.output()}`);
}

async function httpUrl(collector: ServiceProcess): Promise<string> {
  const { port } = await loggedLine(collector, 'accepting EVTX-XML batches', 30_000);
  return `http://127.0.0.1:${port}/v1/events`;
}

describe('streaming: rebalances and a kill -9 mid-stream, several sites', () => {
  it('a correlator joins, one is killed, one leaves: every attempt of every site once, identical to offline', async () => {
    const expected = byId(Object.values(sites).flatMap((files) => offlineAttempts(files)));
    const pipeline = await startPipeline('rebalance', { partitions: 4, correlators: 2, idleFlushMs: 3_000 });
    const prefix = pipeline.ready.topics.events.replace(/\.events$/, '');
    const extra = [siteCollector(pipeline.ready, 'north', prefix), siteCollector(pipeline.ready, 'south', prefix)];
    const joined: ServiceProcess[] = [];
    try {
      const urls = [pipeline.ready.collector, ...(await Promise.all(extra.map(httpUrl)))];
      const posting = Object.values(sites).map((files, i) =>
        pipeline.post(files, { batch: 50, pauseMs: 200, url: urls[i] }),
      );
      const faults = (async () => {
        await sleep(2_000);
        joined.push(startService('correlator', correlatorEnv(pipeline.ready, prefix)));
        await started(joined[0]!);
        await sleep(4_000);
        joined[0]?.child.kill('SIGKILL');
        await joined[0]?.exited;
        joined.push(startService('correlator', correlatorEnv(pipeline.ready, prefix)));
        await started(joined[1]!);
        await sleep(4_000);
        joined[1]?.child.kill('SIGTERM');
        expect(await joined[1]?.exited).toBe('0');
      })();
      await Promise.all([...posting, faults]);
      const streamed = await readAttempts(pipeline.ready, expected.length, { quietMs: 6_000 });
      expect(differences(streamed, expected)).toEqual({ duplicated: [], missing: [], invented: [], differing: [] });
      expect(byId(streamed)).toEqual(expected);
    } finally {
      for (const p of [...extra, ...joined]) if (p.child.exitCode === null) p.child.kill('SIGTERM');
      expect(await pipeline.stop()).toBe(0);
    }
  });
});
