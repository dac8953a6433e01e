import type { TicketChange } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { processAttempts } from '../src/engine.js';
import type { TicketState } from '../src/state.js';
import { latestRevisions } from '../src/ticket.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;
const pending = (n: number, atMs: number) =>
  buildAttempt({ n, at: atMs, outcome: 'failure', stage: 'ca', cause: 'ca_pending' });

describe('latestRevisions: one ticket per key, for stores that keep one row per ticket', () => {
  it('keeps the newest revision of each key, whatever order the revisions came in', () => {
    // Opened, updated, resolved, then a new incarnation: what an outbox may hold for one sink.
    let state: TicketState | null = null;
    const changes: TicketChange[] = [];
    for (const attempt of [
      pending(1, T0),
      pending(2, T0 + MIN),
      buildAttempt({ n: 3, at: T0 + 40 * MIN, outcome: 'success' }),
      pending(4, T0 + 50 * MIN),
    ]) {
      const step = processAttempts(state, [attempt]);
      state = step.state;
      changes.push(...step.changes);
    }
    expect(changes.map((c) => [c.change, c.ticket.incarnation, c.ticket.revision])).toEqual([
      ['opened', 1, 1],
      ['updated', 1, 2],
      ['resolved', 1, 3],
      ['reopened', 2, 1],
    ]);
    const tickets = changes.map((c) => c.ticket);
    expect(latestRevisions(tickets)).toEqual([tickets[2], tickets[3]]);
    expect(latestRevisions([...tickets].reverse())).toEqual([tickets[3], tickets[2]]);
    expect(latestRevisions([tickets[2]!, tickets[0]!, tickets[1]!])).toEqual([tickets[2]]);
  });
});
