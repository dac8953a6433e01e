// Correctness at scale: compare `otptrace analyze --format json` with the generator's expected.json.
// Usage: node bench/verify.mjs ANALYZE.json EXPECTED.json [--list N] [--tolerance-ms MS]
// The pairing is `verifyAgainstExpected` of @otptrace/generator (npx tsc -b first): each expected attempt with the
// analysed attempt holding one of its client events (expected.json lists them at the laptop's clock since 2026-12-05),
// else with the analysed attempt of the same user nearest in start. For a fleet generated with `--clock-skew-ms S`, whose hosts log
// their own clocks' times, give `--tolerance-ms` S + 30000 (then each user's attempts are paired in order).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { built } from './lib/common.mjs';

const { START_TOLERANCE_MS: TOLERANCE_MS, verdictOf, verifyAgainstExpected } = await built('packages/tools/generator');

/** Agreement counts per expected verdict, and the mismatches. */
export function verify(expected, actual, toleranceMs = TOLERANCE_MS) {
  const {
    pairs,
    missed,
    extra,
    agree,
    mismatches: differing,
    gatewayJoins,
    gatewayJoinsByScenario,
  } = verifyAgainstExpected(expected, actual, toleranceMs);
  const wrong = new Set(differing);
  const table = new Map();
  const get = (k) => {
    if (!table.has(k))
      table.set(k, { expected: 0, agree: 0, disagree: 0, missed: 0, userUnknown: 0, startOff: 0, as: new Map() });
    return table.get(k);
  };
  const mismatches = [];
  for (const pair of pairs) {
    const { expected: e, actual: a } = pair;
    const t = get(verdictOf(e));
    t.expected++;
    const same = !wrong.has(pair);
    if (String(a.user).startsWith('unknown@')) t.userUnknown++;
    if (Math.abs(Date.parse(a.start) - Date.parse(e.start)) > TOLERANCE_MS) t.startOff++;
    if (same) t.agree++;
    else {
      t.disagree++;
      t.as.set(verdictOf(a), (t.as.get(verdictOf(a)) ?? 0) + 1);
      mismatches.push({ expected: e, actual: a });
    }
  }
  for (const e of missed) {
    const t = get(verdictOf(e));
    t.expected++;
    t.missed++;
  }
  const extraBy = new Map();
  for (const a of extra) extraBy.set(verdictOf(a), (extraBy.get(verdictOf(a)) ?? 0) + 1);
  return {
    table,
    extraBy,
    mismatches,
    missed,
    extra,
    agree,
    total: expected.length,
    actualTotal: actual.length,
    gatewayJoins,
    gatewayJoinsByScenario,
  };
}

/** Human-readable report of a verification. */
export function formatVerification(v, list = 15) {
  const lines = [];
  lines.push('(no-user: matched through the client computer because analyze did not name the user;');
  lines.push(' start>30s: matched because the attempt spans the expected start, but its start is more than 30 s off)');
  lines.push(
    `agreement: ${v.agree} of ${v.total} expected attempts (${((100 * v.agree) / Math.max(1, v.total)).toFixed(2)}%); analyze reported ${v.actualTotal}`,
  );
  const joins = v.gatewayJoins;
  if (joins.expected > 0)
    lines.push(
      `IIS requests: of ${joins.expected} paired attempts that made one, ${joins.own} have their own (${((100 * joins.own) / joins.expected).toFixed(2)}%), ${joins.another} another user's, ${joins.none} none`,
    );
  lines.push(
    `${'expected verdict'.padEnd(48)} ${'n'.padStart(6)} ${'agree'.padStart(6)} ${'differ'.padStart(6)} ${'missed'.padStart(6)} ${'no-user'.padStart(7)} ${'start>30s'.padStart(9)}  reported instead`,
  );
  for (const [k, t] of [...v.table].sort()) {
    const instead = [...t.as]
      .sort((x, y) => y[1] - x[1])
      .map(([a, n]) => `${a}×${n}`)
      .join(', ');
    lines.push(
      `${k.padEnd(48)} ${String(t.expected).padStart(6)} ${String(t.agree).padStart(6)} ${String(t.disagree).padStart(6)} ${String(t.missed).padStart(6)} ${String(t.userUnknown).padStart(7)} ${String(t.startOff).padStart(9)}  ${instead}`,
    );
  }
  if (v.extraBy.size > 0)
    lines.push(
      `attempts reported with no expected counterpart: ${[...v.extraBy].map(([k, n]) => `${k}×${n}`).join(', ')}`,
    );
  for (const m of v.mismatches.slice(0, list)) {
    const ev = (m.actual.evidence ?? []).map((e) => `${e.eventId}@${e.computer.split('.')[0]}`).join(' ');
    lines.push(
      `  differ ${m.expected.id} ${m.expected.user} ${m.expected.start} expected ${verdictOf(m.expected)} [${m.expected.scenario}] got ${verdictOf(m.actual)} (${m.actual.closedBy}; ${ev})`,
    );
  }
  for (const e of v.missed.slice(0, list))
    lines.push(`  missed ${e.id} ${e.user} ${e.start} ${verdictOf(e)} [${e.scenario}]`);
  for (const a of v.extra.slice(0, list))
    lines.push(`  extra  ${a.user} ${a.start} ${verdictOf(a)} (${(a.evidence ?? []).map((e) => e.eventId).join(' ')})`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [analyzePath, expectedPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (analyzePath === undefined || expectedPath === undefined) {
    console.error('usage: node bench/verify.mjs ANALYZE.json EXPECTED.json [--list N] [--tolerance-ms MS]');
    process.exit(2);
  }
  const listAt = process.argv.indexOf('--list');
  const list = listAt > 0 ? Number(process.argv[listAt + 1]) : 15;
  const toleranceAt = process.argv.indexOf('--tolerance-ms');
  const tolerance = toleranceAt > 0 ? Number(process.argv[toleranceAt + 1]) : TOLERANCE_MS;
  const analysis = JSON.parse(readFileSync(analyzePath, 'utf8'));
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
  console.log(formatVerification(verify(expected, analysis.attempts, tolerance), list));
}
