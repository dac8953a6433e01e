// The normalised events of a generated day, as the engine benchmarks feed them to CorrelationEngine.

import { built } from './common.mjs';

const { XmlIngestor } = await built('packages/core/pipeline');

/**
 * The events of a corpus's files (`readCorpus`) read by the product's ingestor with `config` and the normalise
 * context `context`, in the order OfflineAnalysis sorts them: by time, then event id.
 */
export function normalisedEvents(files, config, context) {
  const events = [];
  for (const { bytes } of files) {
    const ingestor = new XmlIngestor(context, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) if (item.type === 'event') events.push(item.event);
  }
  return events.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
