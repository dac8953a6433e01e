import type { Ticket, TicketChange } from '@otptrace/schemas';
import { ticketSchema } from '@otptrace/schemas';
import { latestRevisions, type SinkResult, type TicketSink, type TicketState } from '@otptrace/ticket';
import type pg from 'pg';

type Db = pg.Pool | pg.PoolClient;

/**
 * Upsert tickets by key. A row is replaced only by the same or a newer revision whose body differs, so replays and
 * stale deliveries leave it untouched. Several revisions of one key (a ticket opened and resolved in one step, an
 * outbox re-read after a failed delivery) are narrowed to the newest first: one statement may not update a row twice.
 * Returns how many rows were inserted or changed.
 */
export async function upsertTickets(db: Db, tickets: readonly Ticket[]): Promise<number> {
  if (tickets.length === 0) return 0;
  const rows = latestRevisions(tickets).map((t) => ({
    ticket_key: t.key,
    base_key: t.baseKey,
    incarnation: t.incarnation,
    revision: t.revision,
    code: t.code,
    kind: t.kind,
    scope_label: t.scope.label,
    status: t.status,
    first_seen: t.firstSeen,
    last_seen: t.lastSeen,
    resolved_at: t.resolvedAt,
    attempt_count: t.attemptCount,
    affected_users: t.affectedUsers.count,
    body: t,
  }));
  const result = await db.query(
    `INSERT INTO tickets AS t (ticket_key, base_key, incarnation, revision, code, kind, scope_label, status, first_seen,
       last_seen, resolved_at, attempt_count, affected_users, body)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ticket_key text, base_key text, incarnation integer,
       revision integer, code text, kind text, scope_label text, status text, first_seen timestamptz,
       last_seen timestamptz, resolved_at timestamptz, attempt_count integer, affected_users integer, body jsonb)
     ON CONFLICT (ticket_key) DO UPDATE SET revision = excluded.revision, status = excluded.status,
       first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = excluded.resolved_at,
       attempt_count = excluded.attempt_count, affected_users = excluded.affected_users, body = excluded.body,
       updated_at = now()
     WHERE t.revision <= excluded.revision AND t.body IS DISTINCT FROM excluded.body`,
    [JSON.stringify(rows)],
  );
  return result.rowCount ?? 0;
}

/** Filter of `listTickets`. */
export interface TicketFilter {
  status?: Ticket['status'];
  code?: string;
}

/** Tickets, the most recently seen first. */
export async function listTickets(db: Db, filter: TicketFilter = {}): Promise<Ticket[]> {
  const result = await db.query<{ body: unknown }>(
    `SELECT body FROM tickets WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR code = $2)
     ORDER BY last_seen DESC, ticket_key`,
    [filter.status ?? null, filter.code ?? null],
  );
  return result.rows.map((r) => ticketSchema.parse(r.body));
}

/** A ticket sink writing to the tickets table. */
export function createPostgresTicketSink(pool: pg.Pool): TicketSink {
  return {
    name: 'postgres',
    async deliver(changes: readonly TicketChange[]): Promise<SinkResult> {
      await upsertTickets(
        pool,
        changes.map((c) => c.ticket),
      );
      return { delivered: changes.length, deadLettered: 0 };
    },
  };
}

/**
 * The saved ticket-engine state of a writer, or null; `forUpdate` locks it until the transaction ends. A ticket
 * dispatcher keeps its own state shape (engine state, outbox, ledger) in the same table.
 */
export async function loadTicketState<T = TicketState>(db: Db, name: string, forUpdate = false): Promise<T | null> {
  const result = await db.query<{ state: T }>(
    `SELECT state FROM ticket_engine_state WHERE name = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [name],
  );
  return result.rows[0]?.state ?? null;
}

/** Save a writer's ticket-engine state. */
export async function saveTicketState<T = TicketState>(db: Db, name: string, state: T): Promise<void> {
  await db.query(
    `INSERT INTO ticket_engine_state (name, state) VALUES ($1, $2::jsonb)
     ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = now()`,
    [name, JSON.stringify(state)],
  );
}
