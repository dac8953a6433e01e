// Same-process A/B of ingest (splitter, header peek, scanner, normaliser): this checkout's build against another
// checkout's build (e.g. a copy of the worktree made before a change, with its node_modules), runs alternated, best
// CPU of each. Usage: node bench/ingest-ab.mjs BASE_CHECKOUT [ROUNDS]
import { pathToFileURL } from 'node:url';
import { measure, ROOT } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';

const [base, roundsText = '5'] = process.argv.slice(2);
if (base === undefined) throw new Error('usage: node bench/ingest-ab.mjs BASE_CHECKOUT [ROUNDS]');
const load = async (root) => ({
  pipeline: await import(pathToFileURL(`${root}/packages/core/pipeline/dist/index.js`).href),
  normalize: await import(pathToFileURL(`${root}/packages/core/normalize/dist/index.js`).href),
  schemas: await import(pathToFileURL(`${root}/schemas/dist/index.js`).href),
});
const sides = { old: await load(base), new: await load(ROOT) };

function ingest({ pipeline, normalize, schemas }, files) {
  const config = schemas.DEFAULT_ANALYSIS_CONFIG;
  const ctx = normalize.createNormalizeContext(config);
  const counts = { event: 0, ignored: 0, rejected: 0 };
  for (const { bytes } of files) {
    const ingestor = new pipeline.XmlIngestor(ctx, { maxEventBytes: config.maxEventBytes });
    for (const item of [...ingestor.push(bytes), ...ingestor.end()]) counts[item.type]++;
  }
  return counts;
}

for (const [label, params] of [
  ['relevant events alone', CORPORA.full.relevant],
  ['mixed stream', CORPORA.full.mixed],
]) {
  const files = readCorpus(await ensureCorpus(params));
  const best = { old: Number.POSITIVE_INFINITY, new: Number.POSITIVE_INFINITY };
  const results = {};
  for (const side of ['old', 'new']) results[side] = JSON.stringify(ingest(sides[side], files)); // warm-up
  for (let r = 0; r < Number(roundsText); r++) {
    for (const side of r % 2 === 0 ? ['old', 'new'] : ['new', 'old']) {
      const m = measure(() => ingest(sides[side], files));
      best[side] = Math.min(best[side], m.cpu);
    }
  }
  const events = Object.values(JSON.parse(results.new)).reduce((a, b) => a + b, 0);
  console.log(
    `${label}: ${events} events; old ${Math.round(events / best.old)} ev/CPU-s, new ${Math.round(events / best.new)} ev/CPU-s; ` +
      `new/old CPU ${(best.new / best.old).toFixed(3)}; counts ${results.old === results.new ? 'same' : `DIFFER ${results.old} ${results.new}`}`,
  );
}
