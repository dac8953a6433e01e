// The stream's correlation stage alone (`SiteStream.take` + `flush` of packages/core/stream, no Kafka): CPU per event
// on a generated 10,000-user day, in event-time order, best and median of 5 passes. Each argument is the root of a
// built checkout to measure (default: this one), so that two builds can be compared on the same events:
//   node bench/site-stream.mjs [--text] [ROOT ...]
// `--text`: the day's IIS and NPS as W3C and NPS DTS log files with nothing configured (offsets learned).
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const text = args.includes('--text');
const roots = args.filter((a) => !a.startsWith('--'));
if (roots.length === 0) roots.push(fileURLToPath(new URL('..', import.meta.url)));

for (const root of roots) {
  const imp = (p) => import(`${root}/${p}`);
  const { generateFleetLogs } = await imp('packages/tools/generator/dist/index.js');
  const { DetectingIngestor, engineConfigOf } = await imp('packages/core/pipeline/dist/index.js');
  const { createNormalizeContext } = await imp('packages/core/normalize/dist/index.js');
  const { analysisConfigSchema, DEFAULT_ANALYSIS_CONFIG: config } = await imp('schemas/dist/index.js');
  const { SiteStream, reorderWindowMs } = await imp('packages/core/stream/dist/index.js');
  const formats = text ? { iisFormat: 'w3c', npsFormat: 'dts' } : {};
  const byFile = new Map();
  let settingsFile = '{}';
  const options = { users: 10_000, seed: 3, days: 1, unrelatedRatio: 0, ...formats };
  for (const { file, text: part } of generateFleetLogs(options)) {
    if (file === 'analysis.json') settingsFile = part;
    else if (!file.endsWith('.json')) byFile.set(file, (byFile.get(file) ?? '') + part);
  }
  const eventsWith = (context) => {
    const events = [];
    for (const [label, part] of byFile) {
      const ingestor = new DetectingIngestor(context, { maxEventBytes: config.maxEventBytes }, { label });
      for (const item of [...ingestor.push(Buffer.from(part)), ...ingestor.end()])
        if (item.type === 'event') events.push(item.event);
    }
    return events;
  };
  const ctx = createNormalizeContext(config);
  const events = eventsWith(ctx);
  // In the order a live forwarder sends them: an NPS log record when NPS writes it, at its UTC time.
  const configured = analysisConfigSchema.parse(JSON.parse(settingsFile));
  const sentAt = new Map(eventsWith(createNormalizeContext(configured)).map((e) => [e.id, e.time]));
  events.sort((a, b) => sentAt.get(a.id) - sentAt.get(b.id));
  const settings = {
    engine: engineConfigOf(config, ctx, 'sorted'),
    analysis: config,
    reorderMs: reorderWindowMs(config, 60_000),
  };
  const passes = [];
  let attempts = 0;
  for (let pass = 0; pass < 5; pass++) {
    const stream = new SiteStream(settings);
    const start = process.cpuUsage();
    attempts = 0;
    for (const e of events) attempts += stream.take(e).units.length;
    attempts += stream.flush().units.length;
    const used = process.cpuUsage(start);
    passes.push((used.user + used.system) / events.length);
  }
  passes.sort((a, b) => a - b);
  console.log(
    `${root}${text ? ' (text logs)' : ''}: ${events.length} events, ${attempts} units; ` +
      `CPU per event best ${passes[0].toFixed(2)} µs, median ${passes[2].toFixed(2)} µs`,
  );
}
