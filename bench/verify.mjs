// Correctness at scale: compare `otptrace analyze --format json` with the generator's expected.json.
// Usage: node bench/verify.mjs ANALYZE.json EXPECTED.json [--list N] [--tolerance-ms MS]
// Each expected attempt is matched to the analysed attempt of the same user (sAMAccountName, case-insensitive)
// whose start is closest within 30 s (or that spans the expected start); then outcome, failed stage and root-cause
// code are compared. The expected starts are true times: for a fleet generated with `--clock-skew-ms S`, whose hosts
// log their own clocks' times, give `--tolerance-ms` S + 30000 (then each user's attempts are paired in order).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TOLERANCE_MS = 30_000;
// An analysed attempt whose user stayed unknown is named `unknown@<client computer>`: match it through the client.
const keyOf = (user) => {
  const text = String(user ?? '').toLowerCase();
  if (text.startsWith('unknown@')) return `host:${text.slice(8)}`;
  if (text.includes('@')) return text.split('@')[0];
  return text.split(/[\\/]/).pop();
};
const verdictOf = (a) =>
  `${a.outcome}${a.rootCause ? `/${typeof a.rootCause === 'string' ? a.rootCause : a.rootCause.code}` : ''}`;

/** Pair expected and actual attempts; returns { pairs, missed, extra }. */
export function matchAttempts(expected, actual, toleranceMs = TOLERANCE_MS) {
  const byUser = new Map();
  for (const a of actual) {
    const list = byUser.get(keyOf(a.user)) ?? [];
    list.push({ a, t: Date.parse(a.start), end: Date.parse(a.end), used: false });
    byUser.set(keyOf(a.user), list);
  }
  const pairs = [];
  const missed = [];
  // With a wider tolerance (skewed clocks), a user's attempts are paired in order: each expected attempt (by start)
  // takes the earliest analysed one within reach, so that two attempts a minute apart are not paired crosswise.
  const inOrder = toleranceMs > TOLERANCE_MS;
  const ordered = inOrder ? [...expected].sort((x, y) => Date.parse(x.start) - Date.parse(y.start)) : expected;
  for (const e of ordered) {
    const t = Date.parse(e.start);
    let bestCandidate = null;
    const candidates = [
      ...(byUser.get(keyOf(e.user)) ?? []),
      ...(byUser.get(`host:${String(e.hosts?.client).toLowerCase()}`) ?? []),
    ];
    for (const c of candidates) {
      const d = Math.abs(c.t - t);
      // An attempt whose start was pulled earlier by a stray event still matches when it spans the expected start.
      const spans = t >= c.t - toleranceMs && t <= c.end + toleranceMs;
      const better = bestCandidate === null || (inOrder ? c.t < bestCandidate.c.t : d < bestCandidate.d);
      if (!c.used && (d <= toleranceMs || spans) && better) bestCandidate = { c, d };
    }
    if (bestCandidate === null) missed.push(e);
    else {
      bestCandidate.c.used = true;
      pairs.push({ expected: e, actual: bestCandidate.c.a });
    }
  }
  const extra = [...byUser.values()]
    .flat()
    .filter((c) => !c.used)
    .map((c) => c.a);
  return { pairs, missed, extra };
}

/** Agreement counts per expected verdict, and the mismatches. */
export function verify(expected, actual, toleranceMs = TOLERANCE_MS) {
  const { pairs, missed, extra } = matchAttempts(expected, actual, toleranceMs);
  const table = new Map();
  const get = (k) => {
    if (!table.has(k))
      table.set(k, { expected: 0, agree: 0, disagree: 0, missed: 0, userUnknown: 0, startOff: 0, as: new Map() });
    return table.get(k);
  };
  const mismatches = [];
  for (const { expected: e, actual: a } of pairs) {
    const t = get(verdictOf(e));
    t.expected++;
    const same =
      e.outcome === a.outcome &&
      (e.rootCause ?? null) === (a.rootCause?.code ?? null) &&
      (e.failedStage ?? null) === (a.failedStage ?? null);
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
  const agree = [...table.values()].reduce((n, t) => n + t.agree, 0);
  return { table, extraBy, mismatches, missed, extra, agree, total: expected.length, actualTotal: actual.length };
}

/** Human-readable report of a verification. */
export function formatVerification(v, list = 15) {
  const lines = [];
  lines.push('(no-user: matched through the client computer because analyze did not name the user;');
  lines.push(' start>30s: matched because the attempt spans the expected start, but its start is more than 30 s off)');
  lines.push(
    `agreement: ${v.agree} of ${v.total} expected attempts (${((100 * v.agree) / Math.max(1, v.total)).toFixed(2)}%); analyze reported ${v.actualTotal}`,
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
