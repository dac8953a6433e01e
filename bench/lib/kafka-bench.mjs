// What the Kafka benchmarks share (kafka-e2e.mjs, kafka-floor.mjs): the sites' events with the offline reference, the
// backlog written to the events topic, and the CPU of a child process read from /proc.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { EVENT_RECORD_MAX_BYTES } from '@otptrace/collector';
import { generateFleetLogs } from '@otptrace/generator';
import { groupWithin, partitionForKey } from '@otptrace/kafka';
import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG, eventJson, eventRecordValue } from '@otptrace/schemas';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Generated fleets, one per site, each on its own day, normalised, and each site analysed on its own as `otptrace
 * analyze` would: `offlineCpuUs` is the CPU of OfflineAnalysis.finish (sort, engine, diagnosis) over every site.
 */
export function buildSites({ users, sites: count }) {
  const config = DEFAULT_ANALYSIS_CONFIG;
  const sites = [];
  let offlineCpuUs = 0;
  for (let s = 0; s < count; s++) {
    const files = new Map();
    const startTime = new Date(Date.UTC(2026, 2, 2 + s)).toISOString();
    const perSite = Math.ceil(users / count);
    for (const { file, text } of generateFleetLogs({
      users: perSite,
      seed: 100 + s,
      days: 1,
      unrelatedRatio: 0,
      startTime,
    })) {
      if (file !== 'expected.json') files.set(file, (files.get(file) ?? '') + text);
    }
    const offline = new OfflineAnalysis(config);
    const events = [];
    for (const [file, text] of files) {
      const ingestor = new XmlIngestor(offline.context, { maxEventBytes: config.maxEventBytes });
      const items = [...ingestor.push(Buffer.from(text)), ...ingestor.end()];
      offline.add(file, items);
      for (const item of items) if (item.type === 'event') events.push(item.event);
    }
    const before = process.cpuUsage();
    const result = offline.finish();
    const used = process.cpuUsage(before);
    offlineCpuUs += used.user + used.system;
    events.sort((a, b) => a.time - b.time);
    sites.push({ name: `site-${s}`, events, attempts: result.attempts.map((a) => a.record) });
  }
  const totalEvents = sites.reduce((n, s) => n + s.events.length, 0);
  const expectedCount = sites.reduce((n, s) => n + s.attempts.length, 0);
  return { sites, totalEvents, expectedCount, offlineCpuUs };
}

/**
 * The backlog: every site's events keyed by site, as collectors write them: in event-time order, in batches of
 * BATCH_EVENTS, each batch packed into records as the collector packs it; split by partition, a partition's records in
 * the order of their batches' first events (each partition written by its own sequential sender, so its order is kept).
 */
export function backlogByPartition(sites, topic, partitions) {
  const byPartition = Array.from({ length: partitions }, () => []);
  const batches = [];
  for (const site of sites) {
    const events = [...site.events].sort((x, y) => x.time - y.time);
    for (let i = 0; i < events.length; i += BATCH_EVENTS) {
      const batch = events.slice(i, i + BATCH_EVENTS);
      batches.push({ site: site.name, first: batch[0].time, jsons: batch.map(eventJson) });
    }
  }
  for (const b of batches.sort((x, y) => x.first - y.first))
    for (const group of groupWithin(b.jsons, EVENT_RECORD_MAX_BYTES, 2))
      byPartition[partitionForKey(b.site, partitions)].push({ topic, key: b.site, value: eventRecordValue(group) });
  return byPartition;
}

/** Events a collector batch holds here: the Windows forwarder's default batch (deploy/windows, -BatchSize). */
const BATCH_EVENTS = 200;

/** Writes the backlog: the partitions in parallel, each in order, 1,000 events a request. */
export async function writeBacklog(producer, byPartition) {
  await Promise.all(
    byPartition.map(async (records) => {
      for (let i = 0; i < records.length; i += 1_000) await producer.send(records.slice(i, i + 1_000));
    }),
  );
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User + system CPU seconds of a process so far (/proc/PID/stat, clock ticks of 100 Hz). */
export function processCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Extra node flags for the benchmarked processes (e.g. --cpu-prof --cpu-prof-dir=DIR): OTPTRACE_BENCH_NODE_ARGS. */
export const benchNodeArgs = () => process.env.OTPTRACE_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
