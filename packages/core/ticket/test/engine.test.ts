import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { processAttempts } from '../src/engine.js';
import { baseTicketKey } from '../src/keys.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const SEC = 1000;

/** 50 users denied by ca01 because the OTP template is not published, one every 6 s. */
const outage = Array.from({ length: 50 }, (_, i) =>
  buildAttempt({ n: i + 1, at: T0 + i * 6 * SEC, outcome: 'failure', stage: 'ca', cause: 'ca_template_not_available' }),
);
const success = (n: number, atMs: number, ca = 'ca01.corp.example') =>
  buildAttempt({ n, at: atMs, outcome: 'success', ca });
const AFTER = T0 + 10 * 60 * SEC;

describe('processAttempts: one ticket per root cause and scope', () => {
  it('opens one ticket for a CA outage of 50 users', () => {
    const { changes, accounting } = processAttempts(null, outage);
    expect(changes).toHaveLength(1);
    const { change, ticket } = changes[0]!;
    expect(change).toBe('opened');
    expect(ticket).toMatchObject({
      key: `${baseTicketKey('ca_template_not_available', { kind: 'ca', target: 'ca01', label: 'ca:ca01' })}-1`,
      incarnation: 1,
      code: 'ca_template_not_available',
      kind: 'root_cause',
      title: 'The CA denied the request: the OTP template is not published on this CA',
      scope: { kind: 'ca', target: 'ca01', label: 'ca:ca01' },
      status: 'open',
      firstSeen: '2025-03-04T09:00:00.000Z',
      lastSeen: outage[49]!.end,
      resolvedAt: null,
      attemptCount: 50,
      affectedUsers: { count: 50, capped: false },
      successStreak: 0,
    });
    expect(ticket.affectedUsers.sample).toHaveLength(20);
    expect(ticket.sampleTraceIds).toEqual(outage.slice(0, 10).map((a) => a.traceId));
    expect(accounting).toMatchObject({ received: 50, ticketed: 50, duplicate: 0 });
  });

  it('resolves it after three successes in a row through the same CA, once no failure came for the quiet period', () => {
    const open = processAttempts(null, outage).state;
    const elsewhere = processAttempts(open, [
      success(101, AFTER, 'ca02.corp.example'),
      success(102, AFTER + SEC, 'ca02.corp.example'),
      success(103, AFTER + 2 * SEC, 'ca02.corp.example'),
    ]);
    expect(elsewhere.changes).toEqual([]);
    const two = processAttempts(elsewhere.state, [success(104, AFTER), success(105, AFTER + SEC)]);
    expect(two.changes.map((c) => [c.change, c.ticket.successStreak, c.ticket.status])).toEqual([
      ['updated', 2, 'open'],
    ]);
    // A new failure breaks the streak.
    const broken = processAttempts(two.state, [
      buildAttempt({
        n: 106,
        at: AFTER + 2 * SEC,
        outcome: 'failure',
        stage: 'ca',
        cause: 'ca_template_not_available',
      }),
    ]);
    expect(broken.changes[0]?.ticket).toMatchObject({ successStreak: 0, attemptCount: 51 });
    const lastFailure = Date.parse(broken.changes[0]!.ticket.lastSeen);
    // Three successes right after the outage: recovering, but an outage often stutters, so it stays open...
    const soon = processAttempts(broken.state, [
      success(107, AFTER + 60 * SEC),
      success(108, AFTER + 61 * SEC),
      success(109, AFTER + 62 * SEC),
    ]);
    expect(soon.changes.map((c) => [c.change, c.ticket.status, c.ticket.successStreak])).toEqual([
      ['updated', 'open', 3],
    ]);
    // ...and more successes change nothing (no revision per success) until the quiet period has passed.
    expect(processAttempts(soon.state, [success(110, AFTER + 120 * SEC)]).changes).toEqual([]);
    const back = processAttempts(soon.state, [success(111, lastFailure + 31 * 60 * SEC)]);
    expect(back.changes.map((c) => [c.change, c.ticket.status, c.ticket.resolvedAt])).toEqual([
      ['resolved', 'resolved', new Date(lastFailure + 30 * 60 * SEC).toISOString()],
    ]);
  });

  it('keeps an incident open without traffic through its scope, however quiet', () => {
    const open = processAttempts(null, outage).state;
    const night = processAttempts(open, [success(101, AFTER + 3600 * SEC, 'ca02.corp.example')]);
    expect(night.changes).toEqual([]);
    expect(Object.values(night.state.tickets)[0]?.status).toBe('open');
  });

  it('opens a new incarnation with a new key when the cause comes back after a resolution', () => {
    const later = AFTER + 1800 * SEC;
    const resolved = processAttempts(null, [
      ...outage,
      success(104, later),
      success(105, later + SEC),
      success(106, later + 2 * SEC),
    ]);
    // Opened and resolved in one step: both reach the sinks, as they would had the attempts come one by one.
    expect(resolved.changes.map((c) => c.change)).toEqual(['opened', 'resolved']);
    const again = processAttempts(resolved.state, [
      buildAttempt({
        n: 200,
        at: AFTER + 3600 * SEC,
        outcome: 'failure',
        stage: 'ca',
        cause: 'ca_template_not_available',
      }),
    ]);
    const first = resolved.changes[1]!.ticket;
    expect(again.changes.map((c) => [c.change, c.ticket.incarnation, c.ticket.key])).toEqual([
      ['reopened', 2, `${first.baseKey}-2`],
    ]);
  });

  it('keeps separate tickets for separate scopes and causes', () => {
    const { changes } = processAttempts(null, [
      buildAttempt({ n: 1, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_denied_key_length' }),
      buildAttempt({
        n: 2,
        at: T0,
        outcome: 'failure',
        stage: 'ca',
        cause: 'ca_denied_key_length',
        ca: 'CA02.corp.example',
      }),
      buildAttempt({
        n: 3,
        at: T0,
        outcome: 'failure',
        stage: 'radius',
        cause: 'radius_no_response',
        radius: 'nps02.corp.example',
      }),
      buildAttempt({ n: 4, at: T0, outcome: 'failure', stage: 'client', cause: 'client_certificate_missing' }),
    ]);
    expect(changes.map((c) => c.ticket.scope.label).sort()).toEqual([
      'ca:ca01',
      'ca:ca02',
      // No answer came, so no NPS server is named: the DA server that asked is where the operator starts.
      'gateway:da01',
      'subnet:203.0.113.0/24',
    ]);
  });

  it('names the causes some of its attempts could not be told from, with how many, in code order', () => {
    // Three unanswered requests of one DA server; for two of them no IIS log said whether the server waited for RADIUS.
    const unanswered = (n: number, alsoPossible?: string[]) => {
      const a = buildAttempt({ n, at: T0 + n * SEC, outcome: 'failure', stage: 'radius', cause: 'radius_no_response' });
      return alsoPossible === undefined ? a : { ...a, rootCause: { ...a.rootCause!, alsoPossible } };
    };
    const first = processAttempts(null, [unanswered(1), unanswered(2, ['gateway_rejected_request'])]);
    expect(first.changes.map((c) => c.ticket.alsoPossible)).toEqual([
      [{ code: 'gateway_rejected_request', attempts: 1 }],
    ]);
    const more = processAttempts(first.state, [
      unanswered(3, ['gateway_rejected_request', 'client_certificate_missing']),
      unanswered(3, ['gateway_rejected_request', 'client_certificate_missing']),
    ]);
    // The repeated attempt is counted once.
    expect(more.changes.map((c) => [c.ticket.attemptCount, c.ticket.alsoPossible])).toEqual([
      [
        3,
        [
          { code: 'client_certificate_missing', attempts: 1 },
          { code: 'gateway_rejected_request', attempts: 2 },
        ],
      ],
    ]);
    // Told apart every time: no list.
    expect(processAttempts(null, [unanswered(1)]).changes[0]!.ticket).not.toHaveProperty('alsoPossible');
  });

  it('scopes client-side causes per subnet when configured', () => {
    const { changes } = processAttempts(
      null,
      [
        buildAttempt({
          n: 1,
          at: T0,
          outcome: 'failure',
          stage: 'client',
          cause: 'client_certificate_missing',
          clientAddress: '198.51.100.4',
        }),
      ],
      { clientScope: 'subnet' },
    );
    expect(changes[0]?.ticket.scope).toEqual({
      kind: 'subnet',
      target: '198.51.100.0/24',
      label: 'subnet:198.51.100.0/24',
    });
  });
});

describe('processAttempts: scoped where the fix is', () => {
  const scopeOf = (spec: Parameters<typeof buildAttempt>[0], config = {}) =>
    processAttempts(null, [buildAttempt(spec)], config).changes[0]?.ticket.scope.label;

  it('sends each kind of cause to the machine an operator fixes', () => {
    const at = T0;
    const failure = { at, outcome: 'failure' as const };
    expect(scopeOf({ n: 1, ...failure, stage: 'radius', cause: 'radius_no_response', radius: null })).toBe(
      'gateway:da01',
    );
    expect(scopeOf({ n: 2, ...failure, stage: 'gateway', cause: 'gateway_error', gateway: 'DA02.corp.example' })).toBe(
      'gateway:da02',
    );
    expect(scopeOf({ n: 3, ...failure, stage: 'radius', cause: 'radius_policy', radius: 'nps02.corp.example' })).toBe(
      'radius:nps02',
    );
    expect(scopeOf({ n: 4, ...failure, stage: 'ca', cause: 'ca_pending', ca: 'ca02.corp.example' })).toBe('ca:ca02');
    expect(
      scopeOf({
        n: 5,
        ...failure,
        stage: 'client',
        cause: 'client_certificate_missing',
        clientAddress: '198.51.100.9',
      }),
    ).toBe('subnet:198.51.100.0/24');
    // Without the client's address, the one computer that failed.
    expect(
      scopeOf({ n: 6, ...failure, stage: 'client', cause: 'client_certificate_missing', clientAddress: null }),
    ).toBe('computer:pc6');
    expect(
      scopeOf(
        { n: 7, ...failure, stage: 'client', cause: 'client_certificate_missing', clientAddress: '198.51.100.9' },
        { clientScope: 'fleet' },
      ),
    ).toBe('fleet');
  });

  it('gives one DA server one ticket whether its W3C log or its clients name it', () => {
    // The W3C log names the server `DA1` (s-computername); an attempt with no IIS request has only the name its
    // client gave, `da1.corp.example`. Both are the one outage of the one server.
    const unanswered = { at: T0, outcome: 'failure' as const, stage: 'radius' as const, radius: null };
    const { changes } = processAttempts(null, [
      buildAttempt({ n: 1, ...unanswered, cause: 'radius_no_response', gateway: 'DA1' }),
      buildAttempt({ n: 2, ...unanswered, at: T0 + SEC, cause: 'radius_no_response', gateway: 'da1.corp.example' }),
    ]);
    expect(changes.map((c) => [c.change, c.ticket.scope.label, c.ticket.attemptCount])).toEqual([
      ['opened', 'gateway:da1', 2],
    ]);
  });

  it('counts successes toward a ticket saved with a whole DNS name as its target', () => {
    const open = processAttempts(null, outage).state;
    // As a ticket engine saved it before servers were named by their computer names.
    for (const ticket of Object.values(open.tickets))
      Object.assign(ticket, { scope: { kind: 'ca', target: 'ca01.corp.example', label: 'ca:ca01.corp.example' } });
    const two = processAttempts(open, [success(104, AFTER, 'CA01'), success(105, AFTER + SEC)]);
    expect(two.changes.map((c) => [c.change, c.ticket.successStreak])).toEqual([['updated', 2]]);
  });
});

describe('processAttempts: scattered failures fold into one ticket', () => {
  const MIN = 60 * SEC;
  const pending = (n: number, atMs: number) =>
    buildAttempt({ n, at: atMs, outcome: 'failure', stage: 'ca', cause: 'ca_pending' });
  /** Five ca_pending failures 20 minutes apart, each followed by successes through the same CA. */
  const day = Array.from({ length: 5 }, (_, i) => [
    pending(i + 1, T0 + i * 20 * MIN),
    success(100 + 3 * i, T0 + i * 20 * MIN + MIN),
    success(101 + 3 * i, T0 + i * 20 * MIN + 2 * MIN),
    success(102 + 3 * i, T0 + i * 20 * MIN + 3 * MIN),
  ]).flat();

  it('keeps one ticket open through the successes between them', () => {
    const { changes, state } = processAttempts(null, day);
    expect(changes.map((c) => [c.change, c.ticket.status, c.ticket.pattern, c.ticket.attemptCount])).toEqual([
      ['opened', 'open', 'scattered', 5],
    ]);
    expect(Object.keys(state.tickets)).toHaveLength(1);
  });

  it('resolves it when no failure came for the quiet period (default 30 min), at the end of that period', () => {
    const open = processAttempts(null, day);
    const lastFailure = Date.parse(day.at(-4)!.end);
    const early = processAttempts(open.state, [success(200, lastFailure + 29 * MIN)]);
    expect(early.changes).toEqual([]);
    const quiet = processAttempts(early.state, [success(201, lastFailure + 31 * MIN)]);
    expect(quiet.changes.map((c) => [c.change, c.ticket.status, c.ticket.resolvedAt])).toEqual([
      ['resolved', 'resolved', new Date(lastFailure + 30 * MIN).toISOString()],
    ]);
    // The caller's watermark resolves it too, with no attempt at all (a quiet night).
    const byClock = processAttempts(open.state, [], {}, lastFailure + 30 * MIN);
    expect(byClock.changes.map((c) => c.change)).toEqual(['resolved']);
  });

  it('takes the quiet period from the configuration', () => {
    const { changes } = processAttempts(null, day, { quietPeriodMs: 10 * MIN });
    // 20 minutes between failures is longer than the quiet period: each failure is its own incarnation, opened and
    // resolved in the order it happened.
    expect(changes.map((c) => [c.change, c.ticket.incarnation])).toEqual([
      ['opened', 1],
      ['resolved', 1],
      ['reopened', 2],
      ['resolved', 2],
      ['reopened', 3],
      ['resolved', 3],
      ['reopened', 4],
      ['resolved', 4],
      ['reopened', 5],
    ]);
  });

  it('becomes an incident, resolved by successes after the quiet period, when failures come in a burst', () => {
    const burst = Array.from({ length: 5 }, (_, i) => pending(i + 1, T0 + i * MIN));
    const open = processAttempts(null, burst);
    expect(open.changes.map((c) => [c.change, c.ticket.pattern])).toEqual([['opened', 'incident']]);
    const after = Date.parse(burst.at(-1)!.end) + 30 * MIN;
    const back = processAttempts(open.state, [
      success(300, after + SEC),
      success(301, after + 2 * SEC),
      success(302, after + 3 * SEC),
    ]);
    expect(back.changes.map((c) => c.change)).toEqual(['resolved']);
  });

  it('goes through open → updated → resolved → reopened', () => {
    const opened = processAttempts(null, [pending(1, T0)]);
    const updated = processAttempts(opened.state, [pending(2, T0 + 5 * MIN)]);
    const resolved = processAttempts(updated.state, [success(3, T0 + 60 * MIN)]);
    const reopened = processAttempts(resolved.state, [pending(4, T0 + 90 * MIN)]);
    const steps = [opened, updated, resolved, reopened].map((s) => s.changes.map((c) => c.change));
    expect(steps).toEqual([['opened'], ['updated'], ['resolved'], ['reopened']]);
    const keys = [opened, updated, resolved, reopened].map((s) => s.changes[0]!.ticket.key);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).toBe(`${keys[0]!.slice(0, -2)}-2`);
  });
});

describe('processAttempts: idempotent', () => {
  it('changes nothing when the same attempts are processed again', () => {
    const first = processAttempts(null, [...outage, success(104, AFTER)]);
    const replay = processAttempts(first.state, [...outage, success(104, AFTER)]);
    expect(replay.changes).toEqual([]);
    expect(replay.state).toEqual(first.state);
    expect(replay.accounting).toMatchObject({ received: 51, duplicate: 51 });
  });

  it('gives the same tickets from a restart, whatever the batching and order', () => {
    const all = [...outage, success(104, AFTER), success(105, AFTER + SEC)];
    const once = processAttempts(null, all).state;
    let batched = processAttempts(null, all.slice(30).reverse()).state;
    batched = processAttempts(batched, all.slice(0, 30)).state;
    // Out-of-order batches may differ in the streak; the identity and the counts do not.
    expect(Object.values(batched.tickets).map((t) => [t.key, t.attemptCount, t.affectedUsers.count])).toEqual(
      Object.values(once.tickets).map((t) => [t.key, t.attemptCount, t.affectedUsers.count]),
    );
  });

  it('does not modify the state it is given', () => {
    const first = processAttempts(null, outage.slice(0, 10));
    const snapshot = structuredClone(first.state);
    processAttempts(first.state, outage.slice(10));
    expect(first.state).toEqual(snapshot);
  });

  it('ignores attempts older than the dedupe horizon behind the newest one', () => {
    const recent = processAttempts(null, [success(999, T0 + 2 * 86_400_000)]);
    const late = processAttempts(recent.state, outage.slice(0, 1));
    expect(late.changes).toEqual([]);
    expect(late.accounting).toMatchObject({ received: 1, late: 1 });
  });
});
