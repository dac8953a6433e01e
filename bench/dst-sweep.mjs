// Small sites over a daylight-saving change, NPS as DTS log files with nothing configured (offsets learned from the
// users' events): for each generated day, whether `otptrace analyze` gives the attempts of the configured time zone,
// and whether the stream (SiteStream, events in the order NPS wrote them, each machine's up to the clock-skew
// tolerance late, 3 arrival orders) gives offline's, with no event late. Then the same days posted live through a
// StreamPartition flushed at every quiet minute (a night of probes is a run per probe), its NPS servers taught the day
// before: how many probes are placed where offline places them. No Kafka. Needs a build (npx tsc -b).
// Usage: node bench/dst-sweep.mjs [--quick] [--root DIR]   (DIR: another built checkout to measure, e.g. an older one)
import { pathToFileURL } from 'node:url';
import { option, QUICK } from './lib/common.mjs';

const root = option('--root');
const base = root === undefined ? new URL('../', import.meta.url) : pathToFileURL(`${root.replace(/\/$/, '')}/`);
const imp = (p) => import(new URL(p, base).href);
const { generateFleetLogs } = await imp('packages/tools/generator/dist/index.js');
// The arrival order is the harness, not the code measured: always this checkout's.
const { arrivalOrder } = await import(new URL('../packages/tools/generator/dist/index.js', import.meta.url).href);
const { DetectingIngestor, OfflineAnalysis, engineConfigOf } = await imp('packages/core/pipeline/dist/index.js');
const { createNormalizeContext } = await imp('packages/core/normalize/dist/index.js');
const { analysisConfigSchema, DEFAULT_ANALYSIS_CONFIG: config } = await imp('schemas/dist/index.js');
const { SiteStream, StreamPartition, reorderWindowMs } = await imp('packages/core/stream/dist/index.js');

/** Each zone's days of a change (UTC day holding its night) and the offset (minutes) before that change. */
const ZONES = [
  ['Europe/Berlin', '2026-10-25', 120],
  ['Europe/Berlin', '2026-03-29', 60],
  ['America/New_York', '2026-11-01', -240],
  ['America/New_York', '2026-03-08', -300],
  ['Australia/Sydney', '2026-04-04', 660],
  ['Australia/Sydney', '2026-10-03', 600],
];
const DAYS = QUICK
  ? [
      [12, 110],
      [150, 208],
    ]
  : [
      [12, 110],
      [24, 203],
      [48, 205],
      [150, 208],
      [12, 111],
      [24, 204],
      [48, 206],
      [150, 209],
    ];
const settings = {
  engine: engineConfigOf(config, createNormalizeContext(config), 'sorted'),
  analysis: config,
  reorderMs: reorderWindowMs(config, 60_000),
};

function day(users, seed, date, zone) {
  const byFile = new Map();
  const options = { users, seed, days: 1, unrelatedRatio: 0, startTime: `${date}T00:00:00.000Z` };
  for (const { file, text } of generateFleetLogs({ ...options, iisFormat: 'w3c', npsFormat: 'dts', npsTimeZone: zone }))
    if (file !== 'expected.json' && file !== 'analysis.json') byFile.set(file, (byFile.get(file) ?? '') + text);
  return [...byFile].map(([file, text]) => [file, Buffer.from(text)]);
}

function eventsOf(files, analysis = config) {
  const ctx = createNormalizeContext(analysis);
  return files.flatMap(([label, bytes]) => {
    const ingestor = new DetectingIngestor(ctx, { maxEventBytes: analysis.maxEventBytes }, { label });
    return [...ingestor.push(bytes), ...ingestor.end()].flatMap((i) => (i.type === 'event' ? [i.event] : []));
  });
}

function offline(files, analysis = config) {
  const analysisRun = new OfflineAnalysis(analysis);
  for (const [label, bytes] of files) {
    const ingestor = new DetectingIngestor(analysisRun.context, { maxEventBytes: analysis.maxEventBytes }, { label });
    analysisRun.add(label, [...ingestor.push(bytes), ...ingestor.end()]);
  }
  return analysisRun.finish().attempts.map((a) => a.record);
}

/** How many records of `x` are not in `y` (JSON equality, `closedBy` left out when asked). */
function missingFrom(x, y, ignoreClosedBy = false) {
  const key = (a) => JSON.stringify(ignoreClosedBy ? { ...a, closedBy: null } : a);
  const keys = new Set(y.map(key));
  return x.filter((a) => !keys.has(key(a))).length;
}

const rows = [];
for (const [zone, date, before] of ZONES)
  for (const [users, seed] of DAYS) {
    const files = day(users, seed, date, zone);
    const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: zone, nps2: zone } });
    const learned = offline(files);
    const reference = offline(files, configured);
    const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
    const streamDiffs = [];
    for (const order of [1, 2, 3]) {
      const stream = new SiteStream(settings);
      const units = arrivalOrder(eventsOf(files), config.clockSkewToleranceMs, order, (e) => utc.get(e.id)).flatMap(
        (e) => stream.take(e).units,
      );
      units.push(...stream.flush().units);
      const got = units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt.record] : []));
      const late = units.filter((u) => u.kind === 'late').length;
      streamDiffs.push(missingFrom(got, learned) + missingFrom(learned, got) + late);
    }
    // Live: taught the day before (the offset before the change), flushed at every minute of quiet.
    const partition = new StreamPartition(settings, {
      from: 0,
      published: 0,
      npsOffsets: { s: { nps1: before, nps2: before } },
    });
    const live = [];
    let previous = Number.NEGATIVE_INFINITY;
    let offset = 0;
    for (const e of arrivalOrder(eventsOf(files), 0, 1, (x) => utc.get(x.id))) {
      const at = utc.get(e.id);
      const steps = at - previous > 60_000 && offset > 0 ? [partition.flush()] : [];
      steps.push(partition.take([{ offset: offset++, site: 's', events: [e] }]));
      previous = at;
      for (const step of steps) for (const u of step.units) if (u.kind === 'attempt') live.push(u.attempt.record);
    }
    for (const u of partition.flush().units) if (u.kind === 'attempt') live.push(u.attempt.record);
    const probes = (list) => list.filter((a) => a.outcome === 'probe');
    rows.push({
      zone,
      date,
      users,
      seed,
      offlineVsZone: missingFrom(learned, reference) + missingFrom(reference, learned),
      stream: streamDiffs,
      liveProbesOff: missingFrom(probes(live), probes(learned), true),
      probes: probes(learned).length,
    });
  }

console.log(
  'zone | day | users (seed) | offline ≠ configured zone | stream ≠ offline (+ late), 3 orders | live: probes off',
);
for (const r of rows)
  console.log(
    `${r.zone} | ${r.date} | ${r.users} (${r.seed}) | ${r.offlineVsZone} | ${r.stream.join(' / ')} | ` +
      `${r.liveProbesOff} of ${r.probes}`,
  );
const days = rows.length;
const offlineOk = rows.filter((r) => r.offlineVsZone === 0).length;
const streamOk = rows.filter((r) => r.stream.every((d) => d === 0)).length;
const liveOk = rows.filter((r) => r.liveProbesOff === 0).length;
console.log(
  `days: ${days}; offline gives the zone's attempts on ${offlineOk}; the stream offline's (all orders, none late) on ` +
    `${streamOk}; live, every probe placed as offline on ${liveOk}`,
);
