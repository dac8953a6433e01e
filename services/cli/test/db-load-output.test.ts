import type { TicketChange } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { ticketChanges } from '../src/commands/db.js';

const change = (kind: TicketChange['change'], code: string): TicketChange =>
  ({ change: kind, ticket: { code, scope: { label: 'gateway:da01.corp.example' } } }) as unknown as TicketChange;

describe('db load: the ticket changes of a load in one line', () => {
  it('lists a few changes one by one', () => {
    expect(ticketChanges([])).toBe('no change');
    expect(ticketChanges([change('opened', 'radius_no_response'), change('resolved', 'radius_no_response')])).toBe(
      'opened radius_no_response@gateway:da01.corp.example, resolved radius_no_response@gateway:da01.corp.example',
    );
  });

  it("counts a fleet's thousands of changes by kind instead of printing each", () => {
    const many = [
      ...Array.from({ length: 1200 }, () => change('opened', 'ca_pending')),
      ...Array.from({ length: 300 }, () => change('reopened', 'ca_pending')),
      ...Array.from({ length: 1100 }, () => change('resolved', 'ca_pending')),
    ];
    expect(ticketChanges(many)).toBe(
      '2,600 changes (1,200 opened, 300 reopened, 1,100 resolved); otptrace stats --tickets lists them',
    );
  });
});
