import type {
  AttemptRecord,
  FailureRateSeries,
  ServerHealthView,
  StatsQueryInput,
  StatsReport,
  Ticket,
  TicketConfigInput,
} from '@otptrace/schemas';
import { statsQuerySchema } from '@otptrace/schemas';
import {
  type AttemptFact,
  attemptFact,
  type FailureFilter,
  failureRateFromFacts,
  type MetricsSnapshot,
  matchesFailure,
  metricsFromFacts,
  serverHealthFromFacts,
  statsReportFromFacts,
  type TimeRange,
} from '@otptrace/stats';
import { processAttempts, type TicketState } from '@otptrace/ticket';

/** What the API reads: PostgreSQL in production, memory in tests and for a file. */
export interface StatsStore {
  queryStats(query: StatsQueryInput): Promise<StatsReport>;
  listTickets(filter: { status?: Ticket['status'] }): Promise<Ticket[]>;
  metrics(): Promise<MetricsSnapshot>;
  /** The latest attempts, newest first (by start), at most `limit`: the dashboard's list. */
  recentAttempts(limit: number): Promise<AttemptRecord[]>;
  /** Resolves when the store can answer; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Dashboard: failure rate over time per stage. */
  failureRate(range: TimeRange): Promise<FailureRateSeries>;
  /** Dashboard: health of each DA server, NPS and CA. */
  serverHealth(range: TimeRange): Promise<ServerHealthView>;
  /** Dashboard: the latest failures (newest first, at most `limit`) and how many match. */
  failures(
    range: TimeRange,
    filter: FailureFilter,
    limit: number,
  ): Promise<{ total: number; attempts: AttemptRecord[] }>;
}

/** An in-memory store that takes attempts as they come (live counters), idempotent by attempt ID. */
export interface MemoryStatsStore extends StatsStore {
  add(attempts: readonly AttemptRecord[]): void;
}

/** A store over attempts held in memory, running the ticket engine on every `add`. */
export function createMemoryStatsStore(ticketConfig: TicketConfigInput = {}): MemoryStatsStore {
  const facts = new Map<string, AttemptFact>();
  const records = new Map<string, AttemptRecord>();
  let tickets: TicketState | null = null;
  const ticketList = (): Ticket[] => Object.values(tickets?.tickets ?? {});
  return {
    add(attempts) {
      for (const attempt of attempts) {
        if (facts.has(attempt.id)) continue;
        facts.set(attempt.id, attemptFact(attempt));
        records.set(attempt.id, attempt);
      }
      tickets = processAttempts(tickets, attempts, ticketConfig).state;
    },
    queryStats: async (query) => statsReportFromFacts([...facts.values()], statsQuerySchema.parse(query)),
    listTickets: async (filter) =>
      ticketList().filter((t) => filter.status === undefined || t.status === filter.status),
    metrics: async () => {
      const open = new Map<string, { labels: Record<string, string>; value: number }>();
      for (const t of ticketList().filter((t) => t.status === 'open')) {
        const id = `${t.code}\u0000${t.scope.label}`;
        const sample = open.get(id) ?? { labels: { code: t.code, scope: t.scope.label }, value: 0 };
        sample.value += 1;
        open.set(id, sample);
      }
      return { ...metricsFromFacts([...facts.values()]), openTickets: [...open.values()] };
    },
    recentAttempts: async (limit) => newestFirst([...records.values()]).slice(0, limit),
    ping: async () => {},
    failureRate: async (range) => failureRateFromFacts([...facts.values()], range),
    serverHealth: async (range) => serverHealthFromFacts([...facts.values()], range),
    failures: async (range, filter, limit) => {
      const matching = [...facts.values()].filter((f) => matchesFailure(f, range, filter));
      const newest = newestFirst(matching.map((f) => records.get(f.attemptId) as AttemptRecord));
      return { total: matching.length, attempts: newest.slice(0, limit) };
    },
  };
}

/** Newest start first; ties by attempt ID so the order is stable. */
function newestFirst(records: AttemptRecord[]): AttemptRecord[] {
  return records.sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : a.id < b.id ? -1 : 1));
}
