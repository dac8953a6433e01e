import type { Ticket } from '@otptrace/schemas';

/**
 * The open tickets of a state, in the order `Object.values(state.tickets)` gives them (their keys' order), kept up to
 * date as tickets open and resolve during a step. The checks made for every attempt (quiet periods, recovery streaks)
 * read these few instead of every ticket the state remembers: a fleet's state keeps the last incarnation of every
 * code and scope, most of them resolved (1,949 tickets, 31 open, on a 100,000-user day).
 */
export class OpenTickets {
  /** Each key's place in `state.tickets` (a key keeps its place when a new incarnation replaces its ticket). */
  private readonly position = new Map<string, number>();
  private list: Ticket[] = [];
  /** Each open ticket's `lastSeen` as read last time (text and ms): read for every attempt, it changes rarely. */
  private readonly lastSeen = new Map<Ticket, { text: string; ms: number }>();

  constructor(tickets: Readonly<Record<string, Ticket>>) {
    for (const [key, ticket] of Object.entries(tickets)) {
      this.position.set(key, this.position.size);
      if (ticket.status === 'open') this.list.push(ticket);
    }
  }

  /** A ticket just opened or reopened, under its base key in `state.tickets`. */
  opened(ticket: Ticket): void {
    let at = this.position.get(ticket.baseKey);
    if (at === undefined) {
      at = this.position.size;
      this.position.set(ticket.baseKey, at);
    }
    let i = this.list.length;
    while (i > 0 && (this.position.get(this.list[i - 1]!.baseKey) as number) > at) i--;
    this.list.splice(i, 0, ticket);
  }

  /** `Date.parse(ticket.lastSeen)`, parsed again only when the text changed. */
  lastSeenMs(ticket: Ticket): number {
    const known = this.lastSeen.get(ticket);
    if (known !== undefined && known.text === ticket.lastSeen) return known.ms;
    const ms = Date.parse(ticket.lastSeen);
    this.lastSeen.set(ticket, { text: ticket.lastSeen, ms });
    return ms;
  }

  /** The open tickets in key order; those resolved since the last call are left out. Do not open tickets meanwhile. */
  current(): readonly Ticket[] {
    if (this.list.some((t) => t.status !== 'open')) {
      for (const t of this.list) if (t.status !== 'open') this.lastSeen.delete(t);
      this.list = this.list.filter((t) => t.status === 'open');
    }
    return this.list;
  }
}
