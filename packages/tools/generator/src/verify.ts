import type { ExpectedAttempt } from './attempt.js';

/** What the comparison reads of an analysed attempt (the analysis document's attempt record). */
export interface AnalysedAttempt {
  readonly user: string | null;
  readonly start: string;
  readonly end: string;
  readonly outcome: string;
  readonly failedStage?: string | null;
  readonly rootCause?: { readonly code: string } | string | null;
  /** The c-ip of the IIS request joined to the attempt (the record's `clientAddress`), when any. */
  readonly clientAddress?: string | null;
  /** The events the attempt holds (the record's `evidence`): its client events pair it exactly. */
  readonly evidence?: readonly AnalysedEvidence[];
}

/** What the comparison reads of one piece of an analysed attempt's evidence. */
export interface AnalysedEvidence {
  readonly source: string;
  readonly eventId: number;
  readonly computer: string | null;
  readonly time: string;
}

/**
 * How the IIS requests of the paired attempts that made one were joined: to the attempt itself (the analysed
 * attempt's request has the expected client address), to another user's attempt, or to none.
 */
export interface GatewayJoins {
  readonly expected: number;
  readonly own: number;
  readonly another: number;
  readonly none: number;
}

/** An expected attempt and the analysed one it was paired with. */
export interface AttemptPair<A extends AnalysedAttempt> {
  readonly expected: ExpectedAttempt;
  readonly actual: A;
}

/** How the analysis compares with the generator's truth. */
export interface Verification<A extends AnalysedAttempt> {
  readonly pairs: readonly AttemptPair<A>[];
  /** Paired, with another outcome, failed stage or root cause. */
  readonly mismatches: readonly AttemptPair<A>[];
  /** Expected attempts no analysed attempt was paired with. */
  readonly missed: readonly ExpectedAttempt[];
  /** Analysed attempts paired with no expected one. */
  readonly extra: readonly A[];
  /** Expected attempts whose verdict the analysis gave. */
  readonly agree: number;
  readonly total: number;
  /** Over the pairs whose expected attempt made an IIS request. */
  readonly gatewayJoins: GatewayJoins;
  /** The same by the expected attempt's scenario (which failures' requests go astray). */
  readonly gatewayJoinsByScenario: ReadonlyMap<string, GatewayJoins>;
}

/** How far apart (ms) an expected and an analysed start may be, with synchronised clocks. */
export const START_TOLERANCE_MS = 30_000;

/** `outcome/rootCause`, as both sides spell a verdict. */
export function verdictOf(a: { outcome: string; rootCause?: { readonly code: string } | string | null }): string {
  const cause = a.rootCause == null ? null : typeof a.rootCause === 'string' ? a.rootCause : a.rootCause.code;
  return cause === null ? a.outcome : `${a.outcome}/${cause}`;
}

/**
 * Compare an analysis with the generator's expected.json. An expected attempt that names its client events is first
 * paired with the analysed attempt holding one of them (same computer, event ID and logged time), which no clock
 * skew blurs. The others are paired with the analysed attempt of the same user (sAMAccountName, case-insensitive; an
 * `unknown@<computer>` attempt through its client computer) whose start is nearest within `toleranceMs` (or that
 * spans the expected start). Then outcome, failed stage and root cause are compared. Expected starts are true times:
 * for a fleet whose hosts' clocks are off by up to S ms, give S + 30,000, and each user's attempts are then paired in
 * order (the earliest within reach), so that two attempts a minute apart are not paired crosswise.
 */
export function verifyAgainstExpected<A extends AnalysedAttempt>(
  expected: readonly ExpectedAttempt[],
  actual: readonly A[],
  toleranceMs = START_TOLERANCE_MS,
): Verification<A> {
  interface Candidate extends Pairable<A> {
    readonly start: number;
    readonly end: number;
  }
  const byUser = new Map<string, Candidate[]>();
  for (const a of actual) {
    const key = userKeyOf(a.user);
    const list = byUser.get(key) ?? [];
    list.push({ a, start: Date.parse(a.start), end: Date.parse(a.end), used: false });
    byUser.set(key, list);
  }
  const inOrder = toleranceMs > START_TOLERANCE_MS;
  const ordered = inOrder ? [...expected].sort((x, y) => Date.parse(x.start) - Date.parse(y.start)) : expected;
  const pairs: AttemptPair<A>[] = [];
  const missed: ExpectedAttempt[] = [];
  const byClientEvent = indexClientEvents(byUser);
  const paired = new Set<ExpectedAttempt>();
  for (const e of ordered) {
    const c = holderOfClientEvent(e, byClientEvent);
    if (c === undefined) continue;
    c.used = true;
    paired.add(e);
    pairs.push({ expected: e, actual: c.a });
  }
  for (const e of ordered) {
    if (paired.has(e)) continue;
    const t = Date.parse(e.start);
    const candidates = [
      ...(byUser.get(userKeyOf(e.user)) ?? []),
      ...(byUser.get(`host:${String(e.hosts.client).toLowerCase()}`) ?? []),
    ];
    let best: { c: Candidate; d: number } | null = null;
    for (const c of candidates) {
      const d = Math.abs(c.start - t);
      // An attempt whose start a stray event pulled earlier still matches when it spans the expected start.
      const spans = t >= c.start - toleranceMs && t <= c.end + toleranceMs;
      const better = best === null || (inOrder ? c.start < best.c.start : d < best.d);
      if (!c.used && (d <= toleranceMs || spans) && better) best = { c, d };
    }
    if (best === null) missed.push(e);
    else {
      best.c.used = true;
      pairs.push({ expected: e, actual: best.c.a });
    }
  }
  const extra = [...byUser.values()].flat().flatMap((c) => (c.used ? [] : [c.a]));
  const mismatches = pairs.filter(({ expected: e, actual: a }) => !sameVerdict(e, a));
  return {
    pairs,
    mismatches,
    missed,
    extra,
    agree: pairs.length - mismatches.length,
    total: expected.length,
    gatewayJoins: gatewayJoinsOf(pairs),
    gatewayJoinsByScenario: gatewayJoinsByScenarioOf(pairs),
  };
}

/** An analysed attempt as `verifyAgainstExpected` keeps it: whether it is paired yet. */
interface Pairable<A> {
  readonly a: A;
  used: boolean;
}

/** Analysed attempts by the client events they hold: `computer|eventId` to the events' logged times and holders. */
function indexClientEvents<A extends AnalysedAttempt, C extends Pairable<A>>(
  byUser: ReadonlyMap<string, readonly C[]>,
): Map<string, { time: number; c: C }[]> {
  const index = new Map<string, { time: number; c: C }[]>();
  for (const list of byUser.values())
    for (const c of list)
      for (const ev of c.a.evidence ?? []) {
        if (ev.source !== 'client' || ev.computer === null) continue;
        const key = `${ev.computer.toLowerCase()}|${ev.eventId}`;
        const held = index.get(key) ?? [];
        held.push({ time: Date.parse(ev.time), c });
        index.set(key, held);
      }
  return index;
}

/** The unpaired analysed attempt holding one of `e`'s client events (logged times within a millisecond), if any. */
function holderOfClientEvent<A extends AnalysedAttempt, C extends Pairable<A>>(
  e: ExpectedAttempt,
  index: ReadonlyMap<string, readonly { time: number; c: C }[]>,
): C | undefined {
  if (e.hosts.client === null) return undefined;
  for (const entry of e.clientEvents ?? []) {
    const logged = Date.parse(entry.logged);
    const held = index.get(`${e.hosts.client.toLowerCase()}|${entry.eventId}`) ?? [];
    // The logged time carries a fraction of a millisecond that either side may cut.
    const holder = held.find(({ time, c }) => !c.used && Math.abs(time - logged) <= 1);
    if (holder !== undefined) return holder.c;
  }
  return undefined;
}

function gatewayJoinsByScenarioOf(pairs: readonly AttemptPair<AnalysedAttempt>[]): Map<string, GatewayJoins> {
  const byScenario = new Map<string, AttemptPair<AnalysedAttempt>[]>();
  for (const pair of pairs) {
    const list = byScenario.get(pair.expected.scenario);
    if (list === undefined) byScenario.set(pair.expected.scenario, [pair]);
    else list.push(pair);
  }
  return new Map([...byScenario].map(([scenario, list]) => [scenario, gatewayJoinsOf(list)]));
}

function gatewayJoinsOf(pairs: readonly AttemptPair<AnalysedAttempt>[]): GatewayJoins {
  let expected = 0;
  let own = 0;
  let none = 0;
  for (const { expected: e, actual: a } of pairs) {
    // Files generated before expected.json carried the address have none to compare.
    if (e.clientAddress == null) continue;
    expected++;
    if (a.clientAddress == null) none++;
    else if (a.clientAddress === e.clientAddress) own++;
  }
  return { expected, own, another: expected - own - none, none };
}

function sameVerdict(e: ExpectedAttempt, a: AnalysedAttempt): boolean {
  return verdictOf(e) === verdictOf(a) && (e.failedStage ?? null) === (a.failedStage ?? null);
}

/** An analysed attempt whose user stayed unknown is named `unknown@<client computer>`: match it through the client. */
function userKeyOf(user: string | null): string {
  const text = String(user ?? '').toLowerCase();
  if (text.startsWith('unknown@')) return `host:${text.slice(8)}`;
  if (text.includes('@')) return text.split('@')[0]!;
  return text.split(/[\\/]/).pop()!;
}
