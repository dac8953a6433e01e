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
      key: `${baseTicketKey('ca_template_not_available', { kind: 'ca', target: 'ca01.corp.example', label: 'ca:ca01.corp.example' })}-1`,
      incarnation: 1,
      code: 'ca_template_not_available',
      kind: 'root_cause',
      title: 'The CA denied the request: the OTP template is not published on this CA',
      scope: { kind: 'ca', target: 'ca01.corp.example', label: 'ca:ca01.corp.example' },
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

  it('resolves it after three successes in a row through the same CA, and not before', () => {
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
    const back = processAttempts(broken.state, [
      success(107, AFTER + 60 * SEC),
      success(108, AFTER + 61 * SEC),
      success(109, AFTER + 62 * SEC),
    ]);
    expect(back.changes.map((c) => [c.change, c.ticket.status, c.ticket.resolvedAt])).toEqual([
      ['resolved', 'resolved', success(109, AFTER + 62 * SEC).end],
    ]);
  });

  it('opens a new incarnation with a new key when the cause comes back after a resolution', () => {
    const resolved = processAttempts(null, [
      ...outage,
      success(104, AFTER),
      success(105, AFTER + SEC),
      success(106, AFTER + 2 * SEC),
    ]);
    expect(resolved.changes.map((c) => c.change)).toEqual(['resolved']);
    const again = processAttempts(resolved.state, [
      buildAttempt({
        n: 200,
        at: AFTER + 3600 * SEC,
        outcome: 'failure',
        stage: 'ca',
        cause: 'ca_template_not_available',
      }),
    ]);
    const first = resolved.changes[0]!.ticket;
    expect(again.changes.map((c) => [c.change, c.ticket.incarnation, c.ticket.key])).toEqual([
      ['opened', 2, `${first.baseKey}-2`],
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
      'ca:ca01.corp.example',
      'ca:ca02.corp.example',
      'fleet',
      'radius:nps02.corp.example',
    ]);
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
