import type { Summary } from '@otptrace/schemas';

// The analysis summary's learned facts in words, for the report page and analyze's text summary. A module of its own
// so that the text summary does not load the page and its scripts.

/**
 * One NPS server's log clock as the text summary says it: `nps01: Europe/Berlin (configured)`, or with the changes of
 * a learned offset, `nps01: UTC+02:00 (learned), UTC+01:00 from 2026-10-25T01:00:47Z`.
 */
export function describeNpsClock(server: string, clock: NonNullable<Summary['npsLogClocks']>[string]): string {
  const changes = (clock.changes ?? []).map((c) => `, UTC${c.offset} from ${c.from.slice(0, 19)}Z`).join('');
  return `${server}: ${clock.zone ?? `UTC${clock.offset}`} (${clock.basis.replace('_', ' ')})${changes}`;
}

/**
 * What the IIS join learned of one DA server, as the text summary says it: `da2: NPS's clock 7.0 s behind its own;
 * NPS knows it at 10.0.1.12 (learned)`.
 */
export function describeDaServer(server: string, learned: NonNullable<Summary['daServers']>[string]): string {
  const parts: string[] = [];
  const ahead = learned.npsClockAheadMs;
  if (ahead !== undefined) parts.push(npsClockOffset(ahead, 'its own'));
  if (learned.radiusClients !== undefined && learned.radiusClients.length > 0)
    parts.push(`NPS knows it at ${learned.radiusClients.join(', ')}`);
  return `${server}: ${parts.join('; ')} (learned)`;
}

/** `NPS's clock 30.0 s behind <whose>` (or `ahead of`), for an offset in ms (positive: NPS ahead). */
export function npsClockOffset(aheadMs: number, whose: string): string {
  return `NPS's clock ${(Math.abs(aheadMs) / 1000).toFixed(1)} s ${aheadMs > 0 ? 'ahead of' : 'behind'} ${whose}`;
}

/** What an attempt's record says of its clocks (`npsClockAheadMs`), for its text and its report page; null if nothing. */
export function attemptClockNote(aheadMs: number | undefined): string | null {
  if (aheadMs === undefined || aheadMs === 0) return null;
  return `${npsClockOffset(aheadMs, "the DA server's")}; the NPS times listed are as NPS logged them, the waterfall and the trace put them on the DA server's clock`;
}
