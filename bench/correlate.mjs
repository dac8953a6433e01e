// Benchmark ②: the correlation engine alone, normalised events → closed attempts, in events per CPU-second (one
// thread), and the heap bytes one open attempt costs. Needs --expose-gc for the memory figure.
// Usage: node --expose-gc bench/correlate.mjs [--quick]
import { best, built, QUICK, report, row } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';

const { XmlIngestor, engineConfigOf } = await built('packages/core/pipeline');
const { CorrelationEngine } = await built('packages/core/correlate');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG, analysisConfigSchema } = await built('schemas');

const dir = await ensureCorpus((QUICK ? CORPORA.quick : CORPORA.full).relevant);
const files = readCorpus(dir);
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);

function normalise(config, context) {
  const events = [];
  for (const { bytes } of files) {
    const ingestor = new XmlIngestor(context, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) if (item.type === 'event') events.push(item.event);
  }
  return events.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What OfflineAnalysis does between sorting and diagnosis: add, advance to each event's time, flush. */
function correlate(events) {
  const engine = new CorrelationEngine(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'sorted'));
  let attempts = 0;
  for (const e of events) {
    engine.add(e);
    attempts += engine.advance(e.time).attempts.length;
  }
  return attempts + engine.flush().attempts.length;
}

const events = normalise(DEFAULT_ANALYSIS_CONFIG, ctx);
// Repeat passes until about two seconds of CPU, so a small corpus still gives a stable figure.
const passes = Math.max(1, Math.ceil(2 / Math.max(0.01, best(1, () => correlate(events)).cpu)));
const timed = best(QUICK ? 1 : 3, () => {
  let attempts = 0;
  for (let i = 0; i < passes; i++) attempts = correlate(events);
  return attempts;
});
const rate = (events.length * passes) / timed.cpu;
console.log(
  `${events.length} normalised events → ${timed.result} attempts; ${passes} passes; ${Math.round(rate)} events/CPU-s`,
);

/**
 * Memory per open attempt: with windows long enough that nothing closes, normalise and add the events one by one
 * (so the event objects are counted: an open attempt owns them), then compare the heap with an empty engine.
 */
function bytesPerOpenAttempt() {
  if (typeof globalThis.gc !== 'function') return null;
  const day = 86_400_000;
  const config = analysisConfigSchema.parse({ attemptGapMs: 30 * day, stageTimeoutMs: 30 * day });
  const context = createNormalizeContext(config);
  const texts = files.map((f) => f.bytes);
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const engine = new CorrelationEngine(engineConfigOf(config, context, 'sorted'));
  for (const bytes of texts) {
    const ingestor = new XmlIngestor(context, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) {
      if (item.type !== 'event') continue;
      engine.add(item.event);
      engine.advance(item.event.time - config.clockSkewToleranceMs * 4);
    }
  }
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  const open = engine.openAttempts;
  console.log(`memory: ${open} open attempts hold ${((after - before) / 1e6).toFixed(1)} MB of heap`);
  return open === 0 ? null : (after - before) / open;
}

/** The engine's own structures per open attempt: the events already exist (kept by the caller) before the baseline. */
function engineBytesPerOpenAttempt() {
  if (typeof globalThis.gc !== 'function') return null;
  const day = 86_400_000;
  const config = analysisConfigSchema.parse({ attemptGapMs: 30 * day, stageTimeoutMs: 30 * day });
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const engine = new CorrelationEngine(engineConfigOf(config, createNormalizeContext(config), 'sorted'));
  for (const e of events) {
    engine.add(e);
    engine.advance(e.time - config.clockSkewToleranceMs * 4);
  }
  globalThis.gc();
  const open = engine.openAttempts;
  return open === 0 ? null : (process.memoryUsage().heapUsed - before) / open;
}

const perAttempt = bytesPerOpenAttempt();
const enginePerAttempt = engineBytesPerOpenAttempt();
report([
  row(
    'correlate',
    'correlation engine alone',
    rate,
    'events/CPU-s',
    { op: '>=', value: 500_000 },
    `${events.length} events × ${passes} passes`,
  ),
  row(
    'correlate',
    'heap per open attempt (with its events)',
    perAttempt,
    'bytes',
    { op: '<=', value: 1024 },
    perAttempt === null ? 'run with --expose-gc' : 'normalised events included',
  ),
  row(
    'correlate',
    'heap per open attempt, engine structures only',
    enginePerAttempt,
    'bytes',
    null,
    'events owned by the caller',
  ),
]);
