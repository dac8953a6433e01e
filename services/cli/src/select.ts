import type { AttemptRecord, AttemptSelection, Outcome, Stage } from '@otptrace/schemas';

/** Which attempts `otptrace analyze` shows (`--user`, `--outcome`, `--stage`, `--cause`, `--since`, `--until`). */
export interface AttemptFilter {
  readonly users: readonly string[];
  readonly outcomes: readonly Outcome[];
  readonly stages: readonly Stage[];
  readonly causes: readonly string[];
  /** Epoch ms: attempts that started at or after / before it. */
  readonly since: number | null;
  readonly until: number | null;
}

/** Whether a filter selects anything less than everything. */
export function filters(f: AttemptFilter): boolean {
  return (
    f.users.length + f.outcomes.length + f.stages.length + f.causes.length > 0 || f.since !== null || f.until !== null
  );
}

/** Whether the attempt passes every filter given (each filter: any of its values). */
export function selects(f: AttemptFilter, r: AttemptRecord): boolean {
  if (f.users.length > 0 && !f.users.some((u) => sameUser(u, r.user))) return false;
  if (f.outcomes.length > 0 && !f.outcomes.includes(r.outcome)) return false;
  if (f.stages.length > 0 && (r.failedStage === null || !f.stages.includes(r.failedStage))) return false;
  if (f.causes.length > 0 && (r.rootCause === null || !f.causes.includes(r.rootCause.code))) return false;
  const start = Date.parse(r.start);
  if (f.since !== null && start < f.since) return false;
  if (f.until !== null && start >= f.until) return false;
  return true;
}

/** `alice` matches `alice@corp.example.com` and `corp\alice`; a full name must match whole; case does not matter. */
function sameUser(asked: string, user: string): boolean {
  const a = asked.toLowerCase();
  const u = user.toLowerCase();
  return a === u || (!/[@\\]/.test(a) && accountOf(u) === a);
}

function accountOf(user: string): string {
  return (user.split('\\').at(-1) ?? user).split('@')[0] ?? user;
}

/** The selection as the JSON document records it. */
export function selectionOf(f: AttemptFilter, shown: number, of: number): AttemptSelection {
  return {
    users: [...f.users],
    outcomes: [...f.outcomes],
    stages: [...f.stages],
    causes: [...f.causes],
    since: f.since === null ? null : new Date(f.since).toISOString(),
    until: f.until === null ? null : new Date(f.until).toISOString(),
    shown,
    of,
  };
}
