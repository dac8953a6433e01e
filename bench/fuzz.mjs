// Fuzz campaign outside vitest: N seeded mutation cases (default 20,000) through XmlIngestor + OfflineAnalysis and
// readEvtx, each checked against the invariants of test/fuzz/harness.mjs. Prints cases run, cases per second, the
// slowest case, the largest heap, and every invariant violation with the seed that replays it.
//   npx tsc -b packages/core/pipeline packages/core/evtx && node bench/fuzz.mjs [cases] [seed]
import { isSharedEvent } from '../packages/core/correlate/dist/index.js';
import { readEvtx } from '../packages/core/evtx/dist/index.js';
import { DROP_REASONS } from '../packages/core/model/dist/index.js';
import { normalizeParsed, OfflineAnalysis, XmlIngestor } from '../packages/core/pipeline/dist/index.js';
import { analysisConfigSchema } from '../schemas/dist/index.js';
import { evtxSeeds, xmlSeeds } from '../test/fuzz/corpus.mjs';
import { runCase } from '../test/fuzz/harness.mjs';
import { HEAVY_MUTATORS, mutateLight, rngFrom } from '../test/fuzz/mutators.mjs';

const cases = Number(process.argv[2] ?? 20_000);
const baseSeed = Number(process.argv[3] ?? 1);
const deps = {
  OfflineAnalysis,
  XmlIngestor,
  analysisConfigSchema,
  DROP_REASONS,
  readEvtx,
  normalizeParsed,
  isSharedEvent,
};
const xml = xmlSeeds();
const evtx = evtxSeeds();
const heavyNames = Object.keys(HEAVY_MUTATORS);

/** Case `i`: mostly stacked light mutations of 1–3 XML files; every 200th heavy, every 50th a damaged .evtx. */
function makeCase(i, rng) {
  if (i % 200 === 199) {
    const name = heavyNames[((i / 200) % heavyNames.length) | 0];
    const f = rng.pick(xml);
    return {
      label: `${name}(${f.name})`,
      inputs: [{ name: f.name, bytes: HEAVY_MUTATORS[name](f.bytes, rng), kind: 'xml' }],
    };
  }
  if (i % 50 === 49 && evtx.length > 0) {
    const f = rng.pick(evtx);
    const bytes = Buffer.from(f.bytes);
    for (let k = 0; k < 1 + rng.int(64); k++) bytes[rng.int(bytes.length)] ^= 1 + rng.int(255);
    return { label: `evtx(${f.name})`, inputs: [{ name: f.name, bytes, kind: 'evtx' }] };
  }
  const inputs = [];
  const applied = [];
  for (let k = 0; k < 1 + rng.int(3); k++) {
    const f = rng.pick(xml);
    const m = mutateLight(f.bytes, rng);
    applied.push(m.applied.join('+'));
    inputs.push({ name: `${k}-${f.name}`, bytes: m.bytes, kind: 'xml' });
  }
  return { label: applied.join(', '), inputs };
}

const violations = [];
let maxMs = 0;
let slowest = '';
let maxHeap = 0;
let bytes = 0;
const start = performance.now();
for (let i = 0; i < cases; i++) {
  const seed = baseSeed * 1_000_003 + i;
  const rng = rngFrom(seed);
  const c = makeCase(i, rng);
  const r = runCase(deps, c.inputs, rng);
  bytes += r.inputBytes;
  if (r.ms > maxMs) {
    maxMs = r.ms;
    slowest = c.label;
  }
  maxHeap = Math.max(maxHeap, r.heapPeak);
  if (r.violations.length > 0) violations.push({ case: i, seed, label: c.label, violations: r.violations });
}
const seconds = (performance.now() - start) / 1000;
console.log(`fuzz: ${cases} cases (seed ${baseSeed}), ${xml.length} XML and ${evtx.length} .evtx seed files`);
console.log(
  `  ${(cases / seconds).toFixed(0)} cases/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s, ${seconds.toFixed(1)} s`,
);
console.log(`  max case time ${maxMs.toFixed(1)} ms (${slowest.slice(0, 80)})`);
console.log(`  max heap used ${(maxHeap / 1e6).toFixed(0)} MB`);
console.log(`  invariant violations: ${violations.length}`);
for (const v of violations.slice(0, 20))
  console.log(`    case ${v.case} seed ${v.seed} [${v.label}]: ${v.violations.join('; ').slice(0, 300)}`);
process.exitCode = violations.length > 0 ? 1 : 0;
