import type { ClosedAttempt } from '@otptrace/correlate';
import type { Verdict } from '@otptrace/diagnose';
import { hresultSymbol, npsReasonText } from '@otptrace/model';
import { detach, displayUser, formatTime } from '@otptrace/normalize';
import type { AttemptRecord, Evidence, NormalizedEvent } from '@otptrace/schemas';
import { sha256Hex, traceIdFor } from '@otptrace/trace';

/** ⑤ A closed attempt and its verdict as the JSON contract prints it. */
export function toAttemptRecord(a: ClosedAttempt, v: Verdict): AttemptRecord {
  // The attempt's identity: its user and first own evidence event, so re-analysing or replaying gives the same IDs.
  // Context shared by several attempts (an NPS 4402, NPS refusing the DA server, the DA server's signing request) is
  // not the attempt's own: two attempts of one user near the same 4402 would otherwise share an ID.
  const first = a.events.find((e) => !isSharedContext(e)) ?? a.events[0]!;
  const id = sha256Hex(`${a.userKey ?? ''}|${first.id}`).slice(0, 24);
  const denial = a.caResults.find((r) => r.hresult !== null);
  const firstMs = a.npsClockAheadMs === 0 ? a.first : onServerClock(a, Math.min);
  const lastMs = a.npsClockAheadMs === 0 ? a.last : onServerClock(a, Math.max);
  return {
    id,
    traceId: traceIdFor(id),
    user: userOf(a),
    // The attempt began when the client's POST reached IIS, which is logged only when it completed.
    start: formatTime(Math.min(firstMs, a.gateway?.startTime ?? firstMs)),
    end: formatTime(lastMs),
    outcome: v.outcome,
    failedStage: v.failedStage,
    rootCause: v.rootCause,
    detail: {
      npsReasonCode: a.radius?.decision === 'granted' ? null : (a.radius?.reasonCode ?? null),
      npsReason:
        a.radius === null || a.radius.decision === 'granted'
          ? null
          : (a.radius.reason ?? npsReasonText(a.radius.reasonCode ?? -1)),
      caHresult: denial?.hresult ?? null,
      caHresultSymbol: denial?.hresult == null ? null : hresultSymbol(denial.hresult),
      clientEventId: a.client?.ref.eventId ?? null,
      clientErrorCode: a.client?.errorCode ?? null,
      httpStatus: a.gateway?.status ?? null,
    },
    evidence: evidenceOfAll(a.events),
    hosts: {
      client: a.client?.ref.computer ?? a.clientMachine,
      gateway: a.gateway?.ref.computer ?? a.client?.serverAddress ?? null,
      radius: a.radius?.ref.computer ?? a.directory[0]?.ref.computer ?? null,
      // Without CA events, the client's 10018/10019 CAName (`host\CA name`) still names the CA it tried.
      ca: a.caRequest?.ref.computer ?? a.caResults[0]?.ref.computer ?? (a.client?.caName?.split('\\')[0] || null),
    },
    clientAddress: a.gateway?.clientIp ?? null,
    gatewayAmbiguous: a.gatewayAmbiguous,
    // Always the key (undefined, which JSON leaves out, when the clocks agree): one hidden class for every record.
    npsClockAheadMs: a.npsClockAheadMs === 0 ? undefined : Math.round(a.npsClockAheadMs),
    findings: [],
    closedBy: a.closedBy,
  };
}

/**
 * A record with other findings. Written out key by key, in `toAttemptRecord`'s order, rather than spread: a spread
 * copy gets another hidden class, and the span export was deoptimised by the few records that have findings.
 */
export function withFindings(r: AttemptRecord, findings: string[]): AttemptRecord {
  return copyWith(r, r.evidence, findings);
}

/** The record with `evidence` and `findings` replaced, key by key in `toAttemptRecord`'s order (see withFindings). */
function copyWith(r: AttemptRecord, evidence: Evidence[], findings: string[]): AttemptRecord {
  return {
    id: r.id,
    traceId: r.traceId,
    user: r.user,
    start: r.start,
    end: r.end,
    outcome: r.outcome,
    failedStage: r.failedStage,
    rootCause: r.rootCause,
    detail: r.detail,
    evidence,
    hosts: r.hosts,
    clientAddress: r.clientAddress,
    gatewayAmbiguous: r.gatewayAmbiguous,
    npsClockAheadMs: r.npsClockAheadMs,
    findings,
    closedBy: r.closedBy,
  };
}

/**
 * The attempt's first (`pick` Math.min) or last (Math.max) time with NPS's events read on the DA server's clock (less
 * the learned `npsClockAheadMs`): a RADIUS decision logged 30 s behind must not start the attempt 30 s before its
 * request. Over the events `first` and `last` cover: the attempt's own, not the context it shares.
 */
function onServerClock(a: ClosedAttempt, pick: (x: number, y: number) => number): number {
  let time = Number.NaN;
  for (const e of a.events) {
    if (isSharedContext(e)) continue;
    const t = e.source === 'radius' ? e.time - a.npsClockAheadMs : e.time;
    time = Number.isNaN(time) ? t : pick(time, t);
  }
  return time;
}

function isSharedContext(e: NormalizedEvent): boolean {
  return (
    e.kind === 'radius.directory_unavailable' ||
    e.kind === 'radius.client_error' ||
    ((e.kind === 'ca.request' || e.kind === 'ca.result') && e.machineRequester != null)
  );
}

function userOf(a: ClosedAttempt): string {
  if (a.user !== null) return displayUser(a.user);
  return `unknown@${(a.clientMachine ?? a.events[0]!.ref.computer).toLowerCase()}`;
}

/**
 * The evidence entries of events, in order. Filled by push, not `map`: `map` gives a packed array from its builtin and
 * a holey one once its caller is optimised, and the second kind deoptimised every reader of the records (the span
 * export, issue 16 item 6).
 */
function evidenceOfAll(events: readonly NormalizedEvent[]): Evidence[] {
  const evidence: Evidence[] = [];
  for (const e of events) evidence.push(evidenceOf(e));
  return evidence;
}

/** One evidence entry: where the event is, and what it says in a few words. */
export function evidenceOf(e: NormalizedEvent): Evidence {
  return {
    source: e.source,
    eventId: e.ref.eventId,
    computer: e.ref.computer,
    recordId: e.ref.recordId,
    time: formatTime(e.time),
    provider: e.ref.provider,
    channel: e.ref.channel,
    // Flattened now: the template's tree of concatenations (~8 for an IIS request) would otherwise be kept, and copied
    // by every scavenge, until the report is written (as formatTime's times were).
    summary: detach(summaryOf(e)),
  };
}

function summaryOf(e: NormalizedEvent): string {
  switch (e.kind) {
    case 'client.result':
      return `client ${e.ref.eventId}${e.errorCode === null ? '' : ` error ${e.errorCode}`}${e.caName === null ? '' : ` CA ${e.caName}`}${e.serverAddress === null ? '' : ` server ${e.serverAddress}`}`;
    case 'gateway.request':
      return e.httpSysReason === undefined
        ? `IIS ${e.method} ${e.uriStem} → ${e.status}${e.timeTakenMs === null ? '' : ` in ${e.timeTakenMs} ms`}${e.clientIp === null ? '' : ` from ${e.clientIp}`}`
        : `HTTP.sys ${e.method} ${e.uriStem} → ${e.status} ${e.httpSysReason}${e.clientIp === null ? '' : ` from ${e.clientIp}`}, not passed to IIS`;
    case 'radius.decision':
      return e.decision === 'granted'
        ? `NPS ${e.ref.eventId} granted access`
        : `NPS ${e.ref.eventId} ${e.decision}, reason ${e.reasonCode ?? '?'}${e.reason === null ? '' : ` (${e.reason})`}`;
    case 'radius.directory_unavailable':
      return `NPS ${e.ref.eventId}: no domain controller available for ${e.domain}`;
    case 'radius.client_error':
      return `NPS ${e.ref.eventId}: RADIUS client ${e.client} refused (${e.problem.replaceAll('_', ' ')})`;
    case 'ca.request':
      return `CA ${e.ref.eventId} received request ${e.requestId}${e.machineRequester == null ? '' : ` from computer ${e.machineRequester}`}${e.template === null ? '' : ` for template ${e.template}`}${e.cspProvider == null ? '' : ` (provider ${e.cspProvider})`}`;
    case 'ca.result': {
      const symbol = e.hresult === null ? null : hresultSymbol(e.hresult);
      const code = e.hresult === null ? '' : ` ${e.hresult}${symbol === null ? '' : ` ${symbol}`}`;
      return `CA ${e.ref.eventId} ${e.status} request ${e.requestId}${e.machineRequester == null ? '' : ` of computer ${e.machineRequester}`}${code}`;
    }
  }
}

/**
 * The record as it fits in `maxBytes` of UTF-8 JSON: itself when it fits, else a copy whose `evidence` keeps its first
 * and last entries (alternately, as many as fit; the first stays, as the ID and trace ID derive from it) and says in
 * `evidenceOmitted` how many were left out of the middle. Null when even the first entry alone does not fit.
 * An attempt is bounded in time, not in events: a host logging in a tight loop gives one thousands of entries.
 */
export function fitEvidence(r: AttemptRecord, maxBytes: number): AttemptRecord | null {
  if (utf8Length(JSON.stringify(r)) <= maxBytes) return r;
  const all = r.evidence;
  // Everything but the kept entries, with the largest count the field can hold (the final count has no more digits).
  let room = maxBytes - utf8Length(JSON.stringify(withEvidence(r, [], all.length)));
  let head = 0;
  let tail = 0;
  while (head + tail < all.length) {
    const fromFront = head <= tail;
    const entry = all[fromFront ? head : all.length - 1 - tail] as Evidence;
    const cost = utf8Length(JSON.stringify(entry)) + (head + tail > 0 ? 1 : 0);
    if (cost > room) break;
    room -= cost;
    if (fromFront) head++;
    else tail++;
  }
  if (head === 0) return null;
  return withEvidence(r, [...all.slice(0, head), ...all.slice(all.length - tail)], all.length - head - tail);
}

/** A record with other evidence and its omitted count (a rare copy: the count comes last). */
function withEvidence(r: AttemptRecord, evidence: Evidence[], evidenceOmitted: number): AttemptRecord {
  const record = copyWith(r, evidence, r.findings);
  record.evidenceOmitted = evidenceOmitted;
  return record;
}

/** Bytes of a string in UTF-8 (JSON.stringify leaves lone surrogates escaped, so every pair is one code point). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    // A surrogate pair: two UTF-16 units, four bytes.
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
