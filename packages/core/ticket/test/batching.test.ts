import type { AttemptRecord, Ticket, TicketChange } from '@otptrace/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttemptSpec, buildAttempt } from '../../stats/test/attempts.js';
import { processAttempts } from '../src/engine.js';
import type { TicketState } from '../src/state.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const SEC = 1000;
const MIN = 60 * SEC;

// What happens at one moment of a generated day: failures that open scattered tickets or incidents, successes that
// resolve them, and bursts of wrong OTPs that open a burst ticket.
type Happening = 'pending01' | 'pending02' | 'template01' | 'silence' | 'success01' | 'success02' | 'wrongOtps';
const SPECS: Record<Exclude<Happening, 'wrongOtps'>, Omit<AttemptSpec, 'n' | 'at'>> = {
  pending01: { outcome: 'failure', stage: 'ca', cause: 'ca_pending' },
  pending02: { outcome: 'failure', stage: 'ca', cause: 'ca_pending', ca: 'ca02.corp.example' },
  template01: { outcome: 'failure', stage: 'ca', cause: 'ca_template_not_available' },
  silence: { outcome: 'failure', stage: 'radius', cause: 'radius_no_response', radius: null },
  success01: { outcome: 'success' },
  success02: { outcome: 'success', ca: 'ca02.corp.example' },
};

const happening = fc.record({
  what: fc.constantFrom<Happening>(
    'pending01',
    'pending02',
    'template01',
    'template01',
    'silence',
    'success01',
    'success01',
    'success02',
    'wrongOtps',
  ),
  // Mostly close together (incidents, streaks), sometimes past the quiet period (resolutions, reopenings).
  gapMs: fc.oneof(fc.integer({ min: 0, max: 3 * MIN }), fc.integer({ min: 25 * MIN, max: 50 * MIN })),
});

/** A day of attempts in the engine's own order (end time, then ID), so any split keeps the order of processing. */
function day(happenings: readonly { what: Happening; gapMs: number }[]): AttemptRecord[] {
  const attempts: AttemptRecord[] = [];
  let at = T0;
  let n = 0;
  for (const { what, gapMs } of happenings) {
    at += gapMs;
    if (what === 'wrongOtps') {
      for (let i = 0; i < 22; i += 1) {
        n += 1;
        attempts.push(
          buildAttempt({ n, at: at + i * 10 * SEC, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
        );
      }
    } else {
      n += 1;
      attempts.push(buildAttempt({ n, at, ...SPECS[what] }));
    }
  }
  return attempts.sort((a, b) => Date.parse(a.end) - Date.parse(b.end) || a.id.localeCompare(b.id));
}

/** Feed the attempts in steps cut at the given indexes; all the changes, in the order the steps gave them. */
function inSteps(attempts: readonly AttemptRecord[], cuts: readonly number[]): TicketChange[] {
  const bounds = [...new Set([0, ...cuts.map((c) => c % (attempts.length + 1)), attempts.length])].sort(
    (a, b) => a - b,
  );
  let state: TicketState | null = null;
  const changes: TicketChange[] = [];
  for (let i = 1; i < bounds.length; i += 1) {
    const step = processAttempts(state, attempts.slice(bounds[i - 1], bounds[i]));
    state = step.state;
    changes.push(...step.changes);
  }
  return changes;
}

/** The lifecycle a sink sees: openings and resolutions, in order; counts in between coalesce per step. */
const lifecycle = (changes: readonly TicketChange[]) =>
  changes.filter((c) => c.change !== 'updated').map((c) => `${c.change} ${c.ticket.key}`);

const finals = (changes: readonly TicketChange[]) => {
  const last = new Map<string, Ticket>();
  for (const c of changes) last.set(c.ticket.key, c.ticket);
  return Object.fromEntries(last);
};

describe('processAttempts: what a sink receives does not depend on how attempts were split into steps', () => {
  it('gives the same lifecycle changes, in the same order, and the same last revision of each ticket', () => {
    fc.assert(
      fc.property(
        fc.array(happening, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (happenings, cuts) => {
          const attempts = day(happenings);
          const whole = inSteps(attempts, []);
          const oneByOne = inSteps(
            attempts,
            attempts.map((_, i) => i),
          );
          const split = inSteps(attempts, cuts);
          for (const changes of [oneByOne, split]) {
            expect(lifecycle(changes)).toEqual(lifecycle(whole));
            expect(finals(changes)).toEqual(finals(whole));
          }
          for (const changes of [whole, oneByOne, split]) {
            const revisions = new Map<string, number>();
            for (const { change, ticket } of changes) {
              const previous = revisions.get(ticket.key);
              // Every ticket is announced first, and each change of it is a newer revision.
              if (previous === undefined) expect(['opened', 'reopened']).toContain(change);
              else expect(ticket.revision).toBeGreaterThan(previous);
              revisions.set(ticket.key, ticket.revision);
              if (change === 'resolved') expect(ticket.status).toBe('resolved');
              if (change === 'opened' || change === 'reopened') expect(ticket.status).toBe('open');
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports an opening and a resolution in one step as two changes, the opening as of just before', () => {
    const pending = (n: number, atMs: number) =>
      buildAttempt({ n, at: atMs, outcome: 'failure', stage: 'ca', cause: 'ca_pending' });
    const attempts = [
      pending(1, T0),
      pending(2, T0 + MIN),
      buildAttempt({ n: 3, at: T0 + 40 * MIN, outcome: 'success' }),
    ];
    const { changes } = processAttempts(null, attempts);
    expect(changes.map((c) => [c.change, c.ticket.revision, c.ticket.status, c.ticket.attemptCount])).toEqual([
      ['opened', 2, 'open', 2],
      ['resolved', 3, 'resolved', 2],
    ]);
    expect(changes[0]!.ticket.resolvedAt).toBeNull();
  });
});
