// Verdicts on generated fleets whose options are drawn per seed: for each seed, `otptrace generate` with options
// drawn from the seed (users, days, first day, IIS and NPS formats, NPS time zone, RADIUS client names, servers,
// hosts' and laptops' clock skew, incidents), then `otptrace analyze --jobs 1 --format json` (with the generator's
// analysis.json as --config when it writes one), then the generator's expected verdicts against the analysis
// (`bench/verify.mjs`, tolerance: the skew + 30 s). Prints one line per fleet (its options, the agreement, the IIS
// requests joined to their own attempt) and the mismatches of the fleets below 100 %, then the totals. Not a speed
// figure: the held-out checks' stand-in for fleets the scenario tests were not written for.
// The fleets are written under bench/out/sweep/PID/ and removed once verified (--keep keeps them).
// Usage: node bench/sweep.mjs [--from SEED] [--to SEED] [--root DIR] [--keep] [--list N] [--by-scenario] [--laptop-skew MS]
//   --from, --to   the seeds, both included (default 2001 to 2060)
//   --laptop-skew MS  every fleet's laptops off by up to MS (the other draws unchanged): clocks further off than the
//                  draws' 10 s or 30 s, within the default clock-skew tolerance (3 min)
//   --by-scenario  also print the IIS requests' joins summed by the generator's scenario of their attempt
//   --root DIR     analyse with another built checkout (e.g. `git worktree add /tmp/old <commit>`, npm ci, npx tsc -b):
//                  the fleets and the verification stay this checkout's, so two runs compare the analyses alone
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { built, OUT, option, ROOT } from './lib/common.mjs';
import { formatVerification, verify } from './verify.mjs';

const from = Number(option('--from') ?? 2001);
const to = Number(option('--to') ?? 2060);
const list = Number(option('--list') ?? 10);
const keep = process.argv.includes('--keep');
const analyzeRoot = (option('--root') ?? ROOT).replace(/\/?$/, '/');
const laptopSkew = option('--laptop-skew');
const cli = (root) => `${root}services/cli/bin/otptrace.js`;

// The generator's incidents, in its order (the draws depend on it).
const { INCIDENT_NAMES: INCIDENTS } = await built('packages/tools/generator');
/** First days: ordinary ones, the turn of the year, and the days daylight saving changes in Europe, the US and Australia. */
const DAYS = [
  '2025-12-31',
  '2026-01-01',
  '2026-03-02',
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-06-15',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];

/** A small deterministic generator of the seed's choices (the same seed draws the same fleet on every machine). */
function randomOf(seed) {
  let s = (seed * 2654435761) >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return { pick: (list) => list[Math.floor(next() * list.length)], next };
}

/** The `generate` options of a seed, and the clock-skew tolerance its verification needs. */
export function optionsOf(seed) {
  const r = randomOf(seed);
  const nps = r.pick(['xml', 'dts', 'odbc', 'ias']);
  const skew = r.pick([0, 0, 2000, 5000]);
  const laptops = r.pick([null, null, 10_000, 30_000]);
  const argv = ['--users', String(r.pick([300, 800, 1500, 3000])), '--seed', String(seed)];
  argv.push('--days', String(r.pick([1, 1, 2])), '--start', `${r.pick(DAYS)}T00:00:00Z`, '--unrelated-ratio', '0.5');
  argv.push('--iis', r.pick(['xml', 'w3c']), '--nps', nps);
  argv.push('--radius-client-names', r.pick(['server', 'friendly', 'shared']));
  argv.push('--da-servers', String(r.pick([1, 2, 3])), '--nps-servers', String(r.pick([1, 2])));
  argv.push('--cas', String(r.pick([1, 2])), '--clock-skew-ms', String(skew));
  if (laptops !== null) argv.push('--laptop-clock-skew-ms', String(laptops));
  if (nps !== 'xml') argv.push('--nps-time-zone', r.pick(ZONES));
  const incidents = [...INCIDENTS].sort(() => r.next() - 0.5).slice(0, r.pick([0, 1, 2, 3]));
  if (incidents.length > 0) argv.push('--incident', incidents.join(','));
  return { argv, toleranceMs: Math.max(skew, laptops ?? 0) + 30_000 };
}

/** `options` with every laptop off by up to `ms` instead of the drawn skew, and the tolerance to match. */
function withLaptopSkew({ argv, toleranceMs }, ms) {
  const at = argv.indexOf('--laptop-clock-skew-ms');
  const rest = at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)];
  const skew = Number(ms);
  return { argv: [...rest, '--laptop-clock-skew-ms', String(skew)], toleranceMs: Math.max(toleranceMs, skew + 30_000) };
}

function run(args) {
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (child.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} failed (${child.status}): ${child.stderr}`);
  return child;
}

// A folder per run: two runs (this checkout and --root's) may go side by side.
const dir = `${OUT}sweep/${process.pid}/`;
mkdirSync(dir, { recursive: true });
let agree = 0;
let total = 0;
let whole = 0;
const below = [];
/** The IIS requests of the paired attempts that made one: joined to their own attempt, to another user's. */
const requests = { own: 0, expected: 0, another: 0 };
/** The same by the generator's scenario of the attempt (`--by-scenario`): which failures' requests go astray. */
const byScenario = new Map();
for (let seed = from; seed <= to; seed++) {
  const { argv, toleranceMs } =
    laptopSkew === undefined ? optionsOf(seed) : withLaptopSkew(optionsOf(seed), laptopSkew);
  const fleet = `${dir}fleet-${seed}`;
  const out = `${dir}analysis-${seed}.json`;
  rmSync(fleet, { recursive: true, force: true });
  run([cli(ROOT), 'generate', '--out', fleet, ...argv]);
  const config = existsSync(`${fleet}/analysis.json`) ? ['--config', `${fleet}/analysis.json`] : [];
  run([cli(analyzeRoot), 'analyze', '--jobs', '1', ...config, '--format', 'json', '--out', out, fleet]);
  const expected = JSON.parse(readFileSync(`${fleet}/expected.json`, 'utf8'));
  const v = verify(expected, JSON.parse(readFileSync(out, 'utf8')).attempts, toleranceMs);
  agree += v.agree;
  total += v.total;
  if (v.agree === v.total) whole++;
  else below.push(`seed ${seed}\n${formatVerification(v, list)}`);
  const joins = v.gatewayJoins;
  requests.own += joins.own;
  requests.expected += joins.expected;
  requests.another += joins.another;
  for (const [scenario, j] of v.gatewayJoinsByScenario) {
    const sum = byScenario.get(scenario) ?? { expected: 0, own: 0, another: 0, none: 0 };
    for (const key of Object.keys(sum)) sum[key] += j[key];
    byScenario.set(scenario, sum);
  }
  console.log(
    `${seed} ${v.agree} of ${v.total}; IIS own ${joins.own} of ${joins.expected}, another user's ${joins.another}; ${argv.join(' ')}`,
  );
  if (!keep) rmSync(fleet, { recursive: true, force: true });
  rmSync(out, { force: true });
}
if (!keep) rmSync(dir, { recursive: true, force: true });
for (const text of below)
  console.log(
    `\n${text
      .split('\n')
      .filter((l) => !l.startsWith('(') && !l.startsWith(' start'))
      .join('\n')}`,
  );
if (process.argv.includes('--by-scenario')) {
  console.log("\nIIS requests by the scenario of their attempt, most astray first (own / another user's / none of n):");
  const astray = (j) => j.another + j.none;
  for (const [scenario, j] of [...byScenario].sort((x, y) => astray(y[1]) - astray(x[1])))
    if (j.expected > 0) console.log(`  ${scenario.padEnd(38)} ${j.own} / ${j.another} / ${j.none} of ${j.expected}`);
}
console.log(
  `\n${whole} of ${to - from + 1} fleets at 100 %; ${agree} of ${total} verdicts (${((100 * agree) / total).toFixed(3)} %); ` +
    `IIS requests: ${requests.own} of ${requests.expected} to their own attempt, ${requests.another} to another user's`,
);
