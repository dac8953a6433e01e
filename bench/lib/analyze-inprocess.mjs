// The steps of OfflineAnalysis (packages/core/pipeline) done here one by one, without its final accounting check, so a
// run can still be verified when `otptrace analyze` stops on a broken invariant; also names the events counted twice.
import { built } from './common.mjs';
import { readCorpus } from './corpus.mjs';

/** Attempt records of a corpus folder, and the ids of events that were both correlated and dropped. */
export async function analyzeInProcess(dir) {
  const { XmlIngestor, engineConfigOf, finishAttempt, coverageOf } = await built('packages/core/pipeline');
  const { CorrelationEngine } = await built('packages/core/correlate');
  const { createNormalizeContext } = await built('packages/core/normalize');
  const { DEFAULT_ANALYSIS_CONFIG: config } = await built('schemas');
  const ctx = createNormalizeContext(config);
  const events = [];
  for (const { bytes } of readCorpus(dir)) {
    const ingestor = new XmlIngestor(ctx, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) if (item.type === 'event') events.push(item.event);
  }
  events.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const engine = new CorrelationEngine(engineConfigOf(config, ctx, 'sorted'));
  const closed = [];
  const dropped = [];
  const take = (out) => {
    closed.push(...out.attempts);
    dropped.push(...out.drops);
  };
  for (const e of events) {
    engine.add(e);
    take(engine.advance(e.time));
  }
  take(engine.flush());
  const coverage = coverageOf(config, new Set(events.map((e) => e.source)));
  const inAttempts = new Map();
  for (const a of closed) for (const e of a.events) inAttempts.set(e.id, (inAttempts.get(e.id) ?? 0) + 1);
  const twice = [
    ...dropped
      .filter((d) => inAttempts.has(d.event.id))
      .map((d) => `${d.event.id} (dropped as ${d.reason}, also in an attempt)`),
    ...[...inAttempts].filter(([, n]) => n > 1).map(([id, n]) => `${id} (in ${n} attempts)`),
  ];
  const attempts = closed.map((a) => finishAttempt(a, coverage).record);
  return {
    attempts,
    twice,
    normalised: events.length,
    closedEvents: [...inAttempts.values()].reduce((s, n) => s + n, 0),
    drops: dropped.length,
  };
}
