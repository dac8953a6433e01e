// Whether two builds of the correlation engine give the same output on one generated day: every closed attempt (its
// JSON) and every drop (reason and event id), in the order the engine hands them out, hashed with SHA-256. For a
// change meant to make the engine faster and nothing else: run it against a copy of the old build's dist/.
// Usage: node --max-old-space-size=8000 bench/engine-same.mjs --engine OLD_DIST [--against NEW_DIST] [--users N]
//          [--servers N] [--seed S]
//   --engine DIST    the build to compare (e.g. `cp -r packages/core/correlate/dist bench/out/eng-old` before the change)
//   --against DIST   the other build (default: this checkout's packages/core/correlate/dist)
//   --users N        one day of N users (default 10,000), on --servers N DA servers, NPS servers and CAs (default 2)
// Exit code 0 when both digests are equal, 1 when they differ.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { built, option, ROOT } from './lib/common.mjs';
import { ensureCorpus, readCorpus } from './lib/corpus.mjs';
import { normalisedEvents } from './lib/events.mjs';

const engineDist = option('--engine');
if (engineDist === undefined) {
  console.error('engine-same: --engine DIST is required (a copy of the build to compare)');
  process.exit(2);
}
const againstDist = option('--against') ?? `${ROOT}packages/core/correlate/dist`;
const { engineConfigOf } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');

const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const servers = option('--servers');
const dir = await ensureCorpus({
  users: Number(option('--users') ?? 10_000),
  seed: Number(option('--seed') ?? 1),
  days: 1,
  unrelatedRatio: 0,
  ...(servers === undefined ? {} : { servers: Number(servers) }),
});
const events = normalisedEvents(readCorpus(dir), DEFAULT_ANALYSIS_CONFIG, ctx);

/** The digest of what the engine of build `dist` hands out for the day's events, and how many attempts. */
async function digestOf(dist) {
  const { CorrelationEngine } = await import(pathToFileURL(`${resolve(dist)}/index.js`).href);
  const engine = new CorrelationEngine(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'sorted'));
  const hash = createHash('sha256');
  let attempts = 0;
  const take = ({ attempts: closed, drops }) => {
    for (const a of closed) hash.update(`${JSON.stringify(a)}\n`);
    for (const d of drops) hash.update(`${d.reason} ${d.event.id}\n`);
    attempts += closed.length;
  };
  for (const e of events) {
    engine.add(e);
    take(engine.advance(e.time));
  }
  take(engine.flush());
  return { digest: hash.digest('hex'), attempts };
}

const a = await digestOf(engineDist);
const b = await digestOf(againstDist);
console.log(`${dir}: ${events.length} events`);
console.log(`${engineDist}: ${a.attempts} attempts, sha-256 ${a.digest}`);
console.log(`${againstDist}: ${b.attempts} attempts, sha-256 ${b.digest}`);
console.log(a.digest === b.digest ? 'same output' : 'outputs DIFFER');
process.exit(a.digest === b.digest ? 0 : 1);
