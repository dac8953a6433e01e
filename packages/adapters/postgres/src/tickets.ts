import type { Ticket, TicketChange } from '@otptrace/schemas';
import { ticketSchema } from '@otptrace/schemas';
import {
  latestRevisions,
  type SeenChanges,
  type SinkResult,
  type TicketSink,
  type TicketState,
} from '@otptrace/ticket';
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

/** Where a saved state keeps its ticket-engine state: the state itself, or (a dispatcher's) its `engine`. */
export type EngineStateOf<T> = (state: T) => TicketState | null;

const itself = <T>(state: T): TicketState | null => state as unknown as TicketState;

/**
 * The saved ticket-engine state of a writer, or null; `forUpdate` locks it until the transaction ends. A ticket
 * dispatcher keeps its own state shape (engine state, outbox, ledger) in the same table (`engineOf` finds its engine).
 * The remembered attempt IDs come from ticket_seen; a state saved before that table holds its own, which are moved
 * there now (idempotent: a crash half-way moves them again at the next load).
 */
export async function loadTicketState<T = TicketState>(
  db: Db,
  name: string,
  forUpdate = false,
  engineOf: EngineStateOf<T> = itself,
): Promise<T | null> {
  const result = await db.query<{ state: T }>(
    `SELECT state FROM ticket_engine_state WHERE name = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [name],
  );
  const state = result.rows[0]?.state ?? null;
  const engine = state === null ? null : engineOf(state);
  if (state === null || engine === null) return state;
  const inRow = Object.entries(engine.seen ?? {});
  if (inRow.length > 0) {
    await insertSeen(db, name, inRow);
    await db.query('UPDATE ticket_engine_state SET state = $2::jsonb WHERE name = $1', [
      name,
      withoutSeen(state, engine),
    ]);
  }
  const rows = await db.query<{ attempt_id: string; end_ms: string }>(
    'SELECT attempt_id, end_ms FROM ticket_seen WHERE name = $1',
    [name],
  );
  const seen: Record<string, number> = {};
  for (const row of rows.rows) seen[row.attempt_id] = Number(row.end_ms);
  engine.seen = seen;
  return state;
}

/**
 * Save a writer's ticket-engine state: the row without its remembered attempt IDs, and in ticket_seen the changes
 * `seen` names (the IDs the step took, those behind its horizon deleted), or, when null, all of them (the table's rows
 * of this writer replaced). Several statements: run it inside a transaction (`inTransaction`).
 */
export async function saveTicketState<T = TicketState>(
  db: Db,
  name: string,
  state: T,
  seen: SeenChanges | null = null,
  engineOf: EngineStateOf<T> = itself,
): Promise<void> {
  const engine = engineOf(state);
  await db.query(
    `INSERT INTO ticket_engine_state (name, state) VALUES ($1, $2::jsonb)
     ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = now()`,
    [name, engine === null ? JSON.stringify(state) : withoutSeen(state, engine)],
  );
  if (engine === null) return;
  if (seen === null) await db.query('DELETE FROM ticket_seen WHERE name = $1', [name]);
  await insertSeen(db, name, seen === null ? Object.entries(engine.seen) : seen.added);
  if (seen?.forgetBefore != null)
    await db.query('DELETE FROM ticket_seen WHERE name = $1 AND end_ms < $2', [name, Math.ceil(seen.forgetBefore)]);
}

/** `fn` with a client in one transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<R>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Rows of remembered attempt IDs, a batch per statement (a restart's first save may carry a day of them). */
async function insertSeen(db: Db, name: string, entries: readonly (readonly [string, number])[]): Promise<void> {
  for (let at = 0; at < entries.length; at += SEEN_BATCH) {
    const batch = entries.slice(at, at + SEEN_BATCH);
    await db.query(
      `INSERT INTO ticket_seen (name, attempt_id, end_ms)
       SELECT $1, id, end_ms FROM unnest($2::text[], $3::bigint[]) AS t(id, end_ms)
       ON CONFLICT (name, attempt_id) DO UPDATE SET end_ms = excluded.end_ms`,
      [name, batch.map(([id]) => id), batch.map(([, endMs]) => Math.round(endMs))],
    );
  }
}

const SEEN_BATCH = 10_000;

/** The state as JSON with its engine's `seen` empty (the IDs are in ticket_seen): not copied, swapped out and back. */
function withoutSeen<T>(state: T, engine: TicketState): string {
  const seen = engine.seen;
  engine.seen = {};
  try {
    return JSON.stringify(state);
  } finally {
    engine.seen = seen;
  }
}
