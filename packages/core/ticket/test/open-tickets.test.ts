import type { Ticket } from '@otptrace/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenTickets } from '../src/open-tickets.js';
import { newTicket } from '../src/ticket.js';

const ticketOf = (baseKey: string, previous?: Ticket): Ticket =>
  newTicket(
    {
      baseKey,
      code: 'nps_no_policy',
      kind: 'root_cause',
      pattern: 'scattered',
      title: 't',
      remediation: 'r',
      scope: { kind: 'radius', target: 'nps01', label: 'radius:nps01' },
    },
    previous,
    '2026-03-02T00:00:00.000Z',
  );

describe('OpenTickets', () => {
  it('lists the open tickets in the order Object.values(state.tickets) gives, through openings, reopenings and resolutions', () => {
    // Each step: open (or reopen) the ticket of a key, or resolve one of the open ones.
    const step = fc.oneof(
      fc.record({ open: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ resolve: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 8 }), fc.array(step), (initial, steps) => {
        const tickets: Record<string, Ticket> = {};
        for (const k of initial) tickets[`key-${k}`] = ticketOf(`key-${k}`);
        const open = new OpenTickets(tickets);
        const expected = () => Object.values(tickets).filter((t) => t.status === 'open');
        for (const s of steps) {
          if ('open' in s) {
            const key = `key-${s.open}`;
            if (tickets[key]?.status === 'open') continue; // an open ticket is never replaced
            tickets[key] = ticketOf(key, tickets[key]);
            open.opened(tickets[key]);
          } else {
            const list = expected();
            const ticket = list[s.resolve % Math.max(1, list.length)];
            if (ticket !== undefined) ticket.status = 'resolved';
          }
          expect(open.current()).toEqual(expected());
          expect(open.current().every((t, i) => t === expected()[i])).toBe(true);
        }
      }),
    );
  });

  it('reads lastSeen again once it changed', () => {
    const ticket = ticketOf('k');
    const open = new OpenTickets({ k: ticket });
    expect(open.lastSeenMs(ticket)).toBe(Date.parse('2026-03-02T00:00:00.000Z'));
    ticket.lastSeen = '2026-03-02T01:00:00.000Z';
    expect(open.lastSeenMs(ticket)).toBe(Date.parse('2026-03-02T01:00:00.000Z'));
  });
});
