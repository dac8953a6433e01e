// Which IIS request is whose on a busy day: of the requests that hold their own user's RADIUS decision (the user whose
// client address the request carries, per the generator's expected.json, decided inside the request), how many the
// engine joins to that decision, joins to another, or leaves unjoined (by drop reason); beside two reference rules
// that know each decision's DA server and assume the clocks agree (true of these days): each request, in the order
// they end, takes the unclaimed decision inside it nearest its end ("least fit"), or the earliest one ("in order").
// The two rules only say how much a day's density leaves to be told apart; neither is a join the engine could use as
// it is (a request without its own decision, a RADIUS timeout, a skewed clock all break them).
// Usage: node --max-old-space-size=8000 bench/iis-join.mjs [--users N] [--seed S]   (default 10,000 users, seed 1)
import { readFileSync } from 'node:fs';
import { built, option } from './lib/common.mjs';
import { ensureCorpus, readCorpus } from './lib/corpus.mjs';
import { normalisedEvents } from './lib/events.mjs';

const { engineConfigOf } = await built('packages/core/pipeline');
const { CorrelationEngine } = await built('packages/core/correlate');
const { createNormalizeContext } = await built('packages/core/normalize');
const { DEFAULT_ANALYSIS_CONFIG } = await built('schemas');

const users = Number(option('--users') ?? 10_000);
const seed = Number(option('--seed') ?? 1);
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const dir = await ensureCorpus({ users, seed, days: 1, unrelatedRatio: 0 });

const events = normalisedEvents(readCorpus(dir), DEFAULT_ANALYSIS_CONFIG, ctx);

/** The generator's truth: whose client address each request carries (user names without the domain, lower case). */
const userOfAddress = new Map();
for (const e of JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')))
  if (e.clientAddress != null) userOfAddress.set(e.clientAddress, e.user.toLowerCase().split('\\').pop());
const userKeyOf = (user) => String(user.key ?? user.sam ?? '').toLowerCase();
const requests = events.filter((e) => e.kind === 'gateway.request' && e.status < 400);
const decisions = events.filter((e) => e.kind === 'radius.decision' && e.user !== null);
/** The items of `list` in lists by `keyOf`, each in the order of `list`. */
function groupBy(list, keyOf) {
  const groups = new Map();
  for (const item of list) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
const decisionsOfUser = groupBy(decisions, (d) => userKeyOf(d.user));
/** Request → its own decision, for the requests whose user decided exactly once inside them. */
const own = new Map();
for (const r of requests) {
  const user = userOfAddress.get(r.clientIp);
  if (user === undefined) continue;
  const inside = (decisionsOfUser.get(user) ?? []).filter((d) => d.time >= r.startTime && d.time <= r.time);
  if (inside.length === 1) own.set(r, inside[0]);
}

// The engine, as `otptrace analyze` runs it on sorted input.
const engine = new CorrelationEngine(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'sorted'));
const decisionOf = new Map();
const dropReason = new Map();
const take = ({ attempts, drops }) => {
  for (const a of attempts) if (a.gateway !== null) decisionOf.set(a.gateway, a.radius);
  for (const d of drops) dropReason.set(d.event, d.reason);
};
for (const e of events) {
  engine.add(e);
  take(engine.advance(e.time));
}
take(engine.flush());

const engineCounts = { own: 0, another: 0, noDecision: 0, unjoined: {} };
for (const [r, d] of own) {
  if (!decisionOf.has(r)) {
    const reason = dropReason.get(r) ?? 'none';
    engineCounts.unjoined[reason] = (engineCounts.unjoined[reason] ?? 0) + 1;
  } else if (decisionOf.get(r) === null) engineCounts.noDecision++;
  else if (decisionOf.get(r) === d) engineCounts.own++;
  else engineCounts.another++;
}

const serverOf = (name) =>
  String(name ?? '')
    .toLowerCase()
    .split('.')[0];
/** Own decisions joined when each request, in the order they end, takes what `pick` chooses of the decisions inside. */
function reference(pick) {
  const byServer = groupBy(decisions, (d) => serverOf(d.clientName));
  const taken = new Set();
  let joined = 0;
  for (const r of [...requests].sort((a, b) => a.time - b.time)) {
    const list = byServer.get(serverOf(r.ref.computer)) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].time < r.startTime) lo = mid + 1;
      else hi = mid;
    }
    const inside = [];
    for (let i = lo; i < list.length && list[i].time <= r.time; i++) if (!taken.has(list[i])) inside.push(list[i]);
    const chosen = pick(r, inside);
    if (chosen === undefined) continue;
    taken.add(chosen);
    if (own.get(r) === chosen) joined++;
  }
  return joined;
}
const decisionFit = (r, d) => r.time - d.time + 0.1 * (d.time - r.startTime);
const leastFit = reference((r, inside) =>
  inside.reduce((b, d) => (b === undefined || decisionFit(r, d) < decisionFit(r, b) ? d : b), undefined),
);
const inOrder = reference((_, inside) => inside[0]);

const pct = (n) => `${((100 * n) / own.size).toFixed(1)} %`;
console.log(
  `${users} users, seed ${seed}: ${requests.length} IIS requests answered below 400, ${own.size} holding their own decision`,
);
console.log(
  `engine: own ${engineCounts.own} (${pct(engineCounts.own)}), another's decision ${engineCounts.another}, ` +
    `an attempt without one ${engineCounts.noDecision}, unjoined ${JSON.stringify(engineCounts.unjoined)}`,
);
console.log(`reference rules: least fit ${leastFit} (${pct(leastFit)}), in order ${inOrder} (${pct(inOrder)})`);
