// Two builds of the correlation engine on one generated day, in one process, their passes alternated: CPU ms per pass
// and the ratio of the medians. On a VM whose speed drifts by ±15 % between runs (bench/README.md, sessions 59–64),
// separate processes cannot show a change of a few per cent; alternated passes in one process share the drift. Run an
// A/A first (a build against a copy of itself) to see what ratio the machine gives for no change. Not a figure of
// `npm run bench`: for deciding whether an engine change is worth keeping (bench/engine-same.mjs says whether its
// output is the same).
// Usage: node --expose-gc bench/engine-ab.mjs --a DIST [--b DIST] [--users N] [--servers N] [--rounds N]
//   --a DIST       the build to compare (a copy of an older dist/ inside the repository, e.g. bench/out/eng-old:
//                  `cp -r packages/core/correlate/dist bench/out/eng-old` before the change)
//   --b DIST       the other (default: this checkout's packages/core/correlate/dist)
//   --users N      one day of N users (default 100,000), on --servers N DA servers, NPS servers and CAs (default 2)
//   --rounds N     pairs of passes (default 6); the order within a pair alternates

import { resolve } from 'node:path';
import { cpuUsage } from 'node:process';
import { pathToFileURL } from 'node:url';
import { built, option, ROOT } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';
import { normalisedEvents } from './lib/events.mjs';

const aDist = option('--a');
if (aDist === undefined) {
  console.error('engine-ab: --a DIST is required (a copy of the build to compare)');
  process.exit(2);
}
const bDist = option('--b') ?? `${ROOT}packages/core/correlate/dist`;
const engineOf = async (dist) => (await import(pathToFileURL(`${resolve(dist)}/index.js`).href)).CorrelationEngine;
const builds = { A: await engineOf(aDist), B: await engineOf(bDist) };
const { engineConfigOf } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');

const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const servers = option('--servers');
const files = readCorpus(
  await ensureCorpus({
    ...CORPORA.full.relevant,
    users: Number(option('--users') ?? 100_000),
    ...(servers === undefined ? {} : { servers: Number(servers) }),
  }),
);
const events = normalisedEvents(files, DEFAULT_ANALYSIS_CONFIG, ctx);

/** One pass as OfflineAnalysis makes it (add, advance to each event's time, flush): CPU ms and attempts closed. */
function pass(Engine) {
  const engine = new Engine(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'sorted'));
  let attempts = 0;
  const start = cpuUsage();
  for (const e of events) {
    engine.add(e);
    attempts += engine.advance(e.time).attempts.length;
  }
  attempts += engine.flush().attempts.length;
  const used = cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, attempts };
}

const rounds = Number(option('--rounds') ?? 6);
const ms = { A: [], B: [] };
const attempts = new Set();
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
    globalThis.gc?.();
    const result = pass(builds[name]);
    ms[name].push(result.ms);
    attempts.add(result.attempts);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`${events.length} events; attempts closed per pass: ${[...attempts].join(', ')}`);
for (const name of ['A', 'B'])
  console.log(
    `${name} ${name === 'A' ? aDist : bDist}: ${ms[name].map((x) => x.toFixed(0)).join(' ')} ms, median ${median(ms[name]).toFixed(0)}`,
  );
console.log(
  `B ÷ A, medians: ${(median(ms.B) / median(ms.A)).toFixed(3)}; per pair: ${ms.B.map((x, i) => (x / ms.A[i]).toFixed(2)).join(' ')}`,
);
