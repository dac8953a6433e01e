import type { ClosedAttempt, Drop } from '@otptrace/correlate';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import type { AttemptRecord, NormalizedEvent } from '@otptrace/schemas';
import { OffsetLedger } from './offset-ledger.js';

/**
 * What one partition's engine decided about one user-less client result (a client event that names no user):
 * it joined a user's attempt (`claimed`), it stands alone as an attempt of its own (`own`), or it was dropped.
 * Every partition sees every user-less event, so every partition reports once for each.
 */
export interface UserlessReport {
  eventId: string;
  /** Partition of the events topic whose engine decided. */
  partition: number;
  fate: 'claimed' | 'own' | 'dropped';
  /** Event time of the client result, ms (for expiry). */
  time: number;
  /** The stand-alone attempt, on `own` reports of the attempt's client result. */
  attempt: { record: AttemptRecord; events: NormalizedEvent[] } | null;
}

/** True for the events whose fate needs every partition's word: client results that name no user. */
export function isUserlessClient(e: NormalizedEvent): boolean {
  return e.kind === 'client.result' && e.user === null;
}

/** The reports of one step of a partition: one per user-less client result decided in it. */
export function userlessReports(
  partition: number,
  attempts: readonly ClosedAttempt[],
  drops: readonly Drop[],
  finish: (a: ClosedAttempt) => AnalyzedAttempt,
): UserlessReport[] {
  const reports: UserlessReport[] = [];
  for (const a of attempts) {
    for (const e of a.events.filter(isUserlessClient)) {
      const lead = a.userKey === null && a.client?.id === e.id;
      const finished = lead ? finish(a) : null;
      reports.push({
        eventId: e.id,
        partition,
        fate: a.userKey === null ? 'own' : 'claimed',
        time: e.time,
        attempt: finished ? { record: finished.record, events: [...finished.events] } : null,
      });
    }
  }
  for (const d of drops) {
    if (isUserlessClient(d.event)) {
      reports.push({ eventId: d.event.id, partition, fate: 'dropped', time: d.event.time, attempt: null });
    }
  }
  return reports;
}

interface Pending {
  partitions: Set<number>;
  claimed: boolean;
  attempt: UserlessReport['attempt'];
  time: number;
}

/**
 * Decides, for one partition of the user-less topic, the user-less client results once every partition has reported: a stand-alone attempt is emitted only
 * if no partition's engine joined the event to a user's attempt, which is what one engine seeing every event (the
 * offline analysis) does. Reports are keyed by event id, so all reports of one event meet in one partition of the
 * user-less topic: this is the repartition step of services/correlator/README.md.
 */
export class UserlessResolver {
  private readonly pending = new Map<string, Pending>();
  private readonly decided = new Set<string>();
  private readonly ledger = new OffsetLedger();
  /** Per partition of the events topic: the newest event time it has reported on. */
  private readonly frontier = new Map<number, number>();

  constructor(
    /** Partitions of the events topic: how many reports each event gets. */
    private readonly expected: number,
    /** An event is decided as it stands once every partition missing from it has reported on events this much newer. */
    private readonly expiryMs: number,
    private readonly rememberDecided = 200_000,
  ) {}

  /** Events still waiting for reports. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Take a report read at `offset` of this resolver's partition; returns the stand-alone attempts now decided. */
  take(offset: number, report: UserlessReport): AnalyzedAttempt[] {
    const ledger = this.ledger;
    ledger.consumed(offset);
    if (report.time > (this.frontier.get(report.partition) ?? Number.NEGATIVE_INFINITY)) {
      this.frontier.set(report.partition, report.time);
    }
    if (this.decided.has(report.eventId)) return [];
    ledger.hold(report.eventId, offset);
    const entry = this.pending.get(report.eventId) ?? {
      partitions: new Set<number>(),
      claimed: false,
      attempt: null,
      time: report.time,
    };
    this.pending.set(report.eventId, entry);
    entry.partitions.add(report.partition);
    if (report.fate === 'claimed') entry.claimed = true;
    entry.attempt ??= report.attempt;
    const out: AnalyzedAttempt[] = [];
    if (entry.partitions.size >= this.expected) this.decide(report.eventId, entry, out);
    this.expire();
    return out;
  }

  private decide(eventId: string, entry: Pending, out: AnalyzedAttempt[]): void {
    this.pending.delete(eventId);
    this.ledger.emitted([eventId]);
    this.decided.add(eventId);
    if (this.decided.size > this.rememberDecided) {
      const oldest = this.decided.values().next().value;
      if (oldest !== undefined) this.decided.delete(oldest);
    }
    if (!entry.claimed && entry.attempt !== null) out.push(entry.attempt);
  }

  // A report can be missing for good only when partitions re-reported an event already decided before a rebalance or
  // a restart (the earlier reports lie before this partition's commit). Once every missing partition has moved well
  // past the event it will not report on it again: the entry is closed without emitting, since the event's fate
  // was decided, and emitted if need be, the first time.
  private expire(): void {
    for (const [eventId, entry] of this.pending) {
      let gone = true;
      for (let p = 0; p < this.expected && gone; p++) {
        if (
          !entry.partitions.has(p) &&
          !((this.frontier.get(p) ?? Number.NEGATIVE_INFINITY) > entry.time + this.expiryMs)
        ) {
          gone = false;
        }
      }
      if (gone) this.decide(eventId, { ...entry, attempt: null }, []);
    }
  }

  /** The offset to commit for this resolver's partition of the user-less topic. */
  commitOffset(): number | null {
    return this.ledger.commitOffset();
  }
}
