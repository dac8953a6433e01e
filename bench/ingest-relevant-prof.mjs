// Profile helper: the relevant-events corpus through XmlIngestor, a few times. Usage:
// node --cpu-prof --cpu-prof-dir=DIR bench/ingest-relevant-prof.mjs [RUNS]
import { built } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';

const { XmlIngestor } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const files = readCorpus(await ensureCorpus(CORPORA.full.relevant));
const runs = Number(process.argv[2] ?? 3);
for (let r = 0; r < runs; r++) {
  const counts = { event: 0, ignored: 0, rejected: 0 };
  const t0 = process.cpuUsage();
  let n = 0;
  for (const { bytes } of files) {
    const ingestor = new XmlIngestor(ctx, { maxEventBytes: DEFAULT_ANALYSIS_CONFIG.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) {
      counts[item.type]++;
      n++;
    }
  }
  const t = process.cpuUsage(t0);
  console.log(JSON.stringify(counts), `${Math.round(n / ((t.user + t.system) / 1e6))} ev/CPU-s`);
}
