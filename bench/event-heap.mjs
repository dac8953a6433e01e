// Where a normalised event's heap goes (issue 16: heap per open attempt): the correlation corpus's events (10,000 users,
// one day) normalised and held, then each part let go of in turn, with full collections between; the bytes freed by
// each step, per event. Shared values (interned strings, one user object per spelling) count once, at the step that
// drops their last reference. Not run by `npm run bench`.
// Usage: node --expose-gc bench/event-heap.mjs [--quick]
import { built, QUICK } from './lib/common.mjs';
import { CORPORA, ensureCorpus, readCorpus } from './lib/corpus.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const { XmlIngestor } = await built('packages/core/pipeline');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');

const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const files = readCorpus(await ensureCorpus((QUICK ? CORPORA.quick : CORPORA.full).relevant));
let events = [];
for (const { bytes } of files) {
  const ingestor = new XmlIngestor(ctx, { maxEventBytes: DEFAULT_ANALYSIS_CONFIG.maxEventBytes });
  for (const item of [...ingestor.push(bytes), ...ingestor.end()]) if (item.type === 'event') events.push(item.event);
}
const count = events.length;
const kinds = {};
for (const e of events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
console.log(`${count} events: ${JSON.stringify(kinds)}`);

function settled() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}
let heap = settled();
function step(what, drop) {
  for (const e of events) drop(e);
  const now = settled();
  console.log(`${what.padEnd(52)} ${((heap - now) / count).toFixed(1).padStart(7)} B/event`);
  heap = now;
}
step('id (the record identity string)', (e) => {
  e.id = '';
});
step('ref (provider, event ID, computer, channel, record)', (e) => {
  e.ref = null;
});
step('user', (e) => {
  e.user = null;
});
step('other strings (kind and source excepted)', (e) => {
  for (const key in e) if (typeof e[key] === 'string' && key !== 'kind' && key !== 'source') e[key] = '';
});
step('the event objects (with their numbers)', () => {
  events = [];
});
