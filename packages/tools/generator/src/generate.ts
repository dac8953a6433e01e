import { rootCauseEntry } from '@otptrace/model';
import { AttemptBuilder, type ExpectedAttempt, FLEET_FILES, type FleetFile, type ScheduledEvent } from './attempt.js';
import { buildFleet, type CaServer, type DaServer, type Fleet, type FleetUser, type Host } from './fleet.js';
import { TimeHeap } from './heap.js';
import { drawIncidents, drawNamedIncidents, type Incident, incidentAt } from './incidents.js';
import { type Counters, renderNoise } from './noise.js';
import { DEFAULT_FLEET_OPTIONS, type FleetLogOptions, fleetOptionProblems } from './options.js';
import { createPrng, type Prng, pickWeighted } from './prng.js';
import { DEFAULT_MIX, SCENARIOS, type ScenarioName } from './scenarios.js';
import { TextLogRewriter } from './text-logs.js';

/**
 * One piece of output: text to append to one of the files: the four XML logs, expected.json, and with text logs
 * `<host>/W3SVC1/u_exYYMMDD.log`, `<host>/INyymm.log` and analysis.json (the NPS servers' UTC offset).
 */
export interface FleetChunk {
  readonly file: FleetFile | 'expected.json' | (string & {});
  readonly text: string;
}

/** What was written, returned when the generator finishes. */
export interface FleetSummary {
  readonly attempts: Record<string, number>;
  readonly eventsByFile: Record<FleetFile, number>;
  readonly relevantEvents: number;
  readonly unrelatedEvents: number;
  readonly xmlBytes: number;
  /** The faults of the fleet's days, in the order they were drawn (the first one a host is in decides, `incidentAt`). */
  readonly incidents: readonly FleetIncident[];
}

/** An incident as the summary lists it: the fault, the host at fault, and its span (ISO 8601, `to` excluded). */
export interface FleetIncident {
  readonly scenario: ScenarioName;
  readonly host: string;
  readonly from: string;
  readonly to: string;
}

type Start = { readonly time: number; readonly user: FleetUser } | { readonly time: number; readonly probe: DaServer };

const DAY_MS = 86_400_000;

/** Minutes east of UTC → `+01:00`. */
function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
const XML_HEADER = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<Events>\n';

/** Writes one fleet as a time-ordered stream of chunks; see generateFleetLogs. */
class FleetStream implements Counters {
  readonly fleet: Fleet;
  private readonly planRng: Prng;
  private readonly noiseRng: Prng;
  private readonly renderRng: Prng;
  /** The incidents asked for by name (`FleetLogOptions.incidents`): a stream of their own, the others' unchanged. */
  private readonly incidentRng: Prng;
  private readonly events = new TimeHeap<ScheduledEvent>();
  private readonly starts = new TimeHeap<Start>();
  private readonly records = new Map<string, number>();
  private readonly caRequests = new Map<string, number>();
  private readonly busy = new Map<string, { until: number; gap: number }>();
  private incidents: Incident[] = [];
  private readonly rewriter: TextLogRewriter;
  private lastTime = 0;
  private attemptSeq = 0;
  readonly summary = {
    attempts: {} as Record<string, number>,
    eventsByFile: { 'client.xml': 0, 'iis.xml': 0, 'nps.xml': 0, 'ca.xml': 0 } as Record<FleetFile, number>,
    relevantEvents: 0,
    unrelatedEvents: 0,
    xmlBytes: 0,
    incidents: [] as FleetIncident[],
  };

  constructor(readonly options: FleetLogOptions) {
    const root = createPrng(options.seed);
    this.fleet = buildFleet(root.fork(), options);
    this.planRng = root.fork();
    this.noiseRng = root.fork();
    this.renderRng = root.fork();
    this.incidentRng = root.fork();
    this.rewriter = new TextLogRewriter({
      iis: options.iisFormat,
      nps: options.npsFormat,
      npsUtcOffsetMinutes: options.npsUtcOffsetMinutes,
      npsTimeZone: options.npsTimeZone,
    });
  }

  /** Whether a fleet file is written as XML at all (an IIS written as W3C has no iis.xml). */
  writesXml(file: FleetFile): boolean {
    return !(file === 'iis.xml' && this.options.iisFormat === 'w3c');
  }

  recordId(host: Host, channel: string): number {
    const key = `${host.fqdn}|${channel}`;
    const next = (this.records.get(key) ?? 100_000 + (this.hash(key) % 4_000_000)) + 1;
    this.records.set(key, next);
    return next;
  }

  caRequestId(ca: CaServer): number {
    const next = (this.caRequests.get(ca.fqdn) ?? 1000 + (this.hash(ca.fqdn) % 50_000)) + 1;
    this.caRequests.set(ca.fqdn, next);
    return next;
  }

  private hash(text: string): number {
    let h = this.options.seed | 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return h >>> 0;
  }

  /** Queue the day's user logons, probes and incidents. */
  scheduleDay(dayStart: number): void {
    const rng = this.planRng;
    const { users } = this.fleet;
    const count = Math.round(users.length * this.options.attemptsPerUserPerDay * (0.9 + 0.2 * rng.next()));
    for (let i = 0; i < count; i++) {
      // Most logons in working hours, the rest spread over the day.
      const second = rng.chance(0.75) ? rng.between(7 * 3600, 18 * 3600) : rng.int(86_400);
      this.starts.push({ time: dayStart + second * 1000 + rng.int(1000), user: rng.pick(users) });
    }
    for (const da of this.fleet.daServers) {
      for (let t = dayStart + rng.int(this.options.probeIntervalMs); t < dayStart + DAY_MS; ) {
        this.starts.push({ time: t, probe: da });
        t += this.options.probeIntervalMs + rng.between(-2000, 2000);
      }
    }
    const drawn = [
      ...drawIncidents(rng, this.fleet, dayStart),
      ...drawNamedIncidents(this.incidentRng, this.fleet, dayStart, this.options.incidents),
    ];
    this.incidents = [...this.incidents.filter((i) => i.to > dayStart), ...drawn];
    for (const { scenario, host, from, to } of drawn)
      this.summary.incidents.push({
        scenario,
        host,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      });
  }

  nextStartBefore(limit: number): Start | undefined {
    const top = this.starts.peek();
    return top !== undefined && top.time < limit ? this.starts.pop() : undefined;
  }

  /**
   * Plan one start; returns its expected verdict, or null when there is none to expect: the user was still busy (the
   * start was deferred), or NPS refused a probe or answered nothing.
   */
  plan(start: Start): ExpectedAttempt | null {
    if ('probe' in start) return this.planProbe(start.probe, start.time);
    const user = start.user;
    const state = this.busy.get(user.sam);
    if (state !== undefined && start.time < state.until + state.gap) {
      this.starts.push({ time: state.until + state.gap + this.planRng.between(0, 60_000), user });
      return null;
    }
    const rng = this.planRng;
    const da = user.da;
    const incident = incidentAt(this.incidents, [da.fqdn, da.radius.fqdn, da.ca.fqdn], start.time);
    const name: ScenarioName =
      incident !== undefined && rng.chance(0.95) ? incident.scenario : pickWeighted(rng, DEFAULT_MIX);
    const b = new AttemptBuilder(rng, this.fleet, da, user, user.client, user.clientAddress, start.time, (ca) =>
      this.caRequestId(ca),
    );
    SCENARIOS[name].plan(b);
    this.queue(b);
    // A client result closes an attempt; without one the correlator waits attemptGapMs (300 s) before a new one.
    const gap = b.usedClient ? 20_000 : 420_000;
    this.busy.set(user.sam, { until: b.last, gap });
    const scenario = SCENARIOS[name];
    if (scenario.outcome !== 'success' && rng.chance(this.options.retryProbability)) {
      this.starts.push({ time: b.last + gap + rng.between(0, 160_000), user });
    }
    return this.expected(b, scenario.name, scenario.outcome, scenario.rootCause);
  }

  private planProbe(da: DaServer, time: number): ExpectedAttempt | null {
    const probe = this.fleet.probeUser;
    const subject = { sam: probe, sid: null, upn: '', dn: '' };
    const b = new AttemptBuilder(this.planRng, this.fleet, da, subject, null, '-', time, (ca) => this.caRequestId(ca));
    // A probe meets the fault a user's request through the same DA server and NPS meets (the first incident of the
    // two). NPS refusing the DA server refuses its probes too: a System 14, no decision, so no probe attempt to expect.
    // NPS not answering the DA server logs nothing of its probes either: a refusal logged then would be a fault that
    // the users' attempts of the same moments do not show.
    const fault = incidentAt(this.incidents, [da.fqdn, da.radius.fqdn], time)?.scenario;
    if (fault === 'radius_client_misconfigured') {
      b.npsRefusedClient(time, 14);
      this.queue(b);
      return null;
    }
    if (fault === 'radius_no_response') return null;
    // Odd-numbered DA servers probe an OTP server that knows DAProbeUser; the others get "bad credentials" (§1.4).
    const index = this.fleet.daServers.indexOf(da);
    b.nps(time, index % 2 === 0 ? null : 16, false);
    this.queue(b);
    return this.expected(b, 'probe', 'probe', null);
  }

  private queue(b: AttemptBuilder): void {
    for (const event of b.events) this.events.push(event);
  }

  private expected(
    b: AttemptBuilder,
    scenario: string,
    outcome: ExpectedAttempt['outcome'],
    code: ExpectedAttempt['rootCause'],
  ) {
    this.attemptSeq++;
    this.summary.attempts[outcome] = (this.summary.attempts[outcome] ?? 0) + 1;
    const stage = code === null ? null : (rootCauseEntry(code)?.stage ?? null);
    return {
      id: `a${String(this.attemptSeq).padStart(7, '0')}`,
      user: `${this.fleet.domain.netbios}\\${b.subject.sam}`.toLowerCase(),
      start: new Date(Math.floor(b.first)).toISOString(),
      outcome,
      failedStage: stage,
      rootCause: code,
      scenario,
      detail: {
        npsReasonCode: b.npsReasonCode,
        caHresult: b.caHresult,
        clientEventId: b.clientEventId,
        httpStatus: b.httpStatus,
      },
      clientAddress: b.requestAddress,
      hosts: {
        client: b.client?.fqdn ?? null,
        gateway: b.da.fqdn,
        radius: b.usedRadius ? b.da.radius.fqdn : null,
        ca: b.usedCa ? b.da.ca.fqdn : null,
      },
      clientEvents: b.clientLog,
    } satisfies ExpectedAttempt;
  }

  /** Write every queued event earlier than `limit`, with the unrelated events that fall between them. */
  *flushUntil(limit: number): Generator<FleetChunk> {
    for (let top = this.events.peek(); top !== undefined && top.time < limit; top = this.events.peek()) {
      const event = this.events.pop() as ScheduledEvent;
      yield* this.noiseBefore(event.time);
      const text = event.render({
        host: event.host,
        time: event.time,
        recordId: this.recordId(event.host, event.channel),
        rng: this.renderRng,
      });
      this.summary.relevantEvents++;
      yield* this.emit(event.file, text);
    }
  }

  /** An event as XML, or as the text-log lines it becomes. */
  private *emit(file: FleetFile, text: string): Generator<FleetChunk> {
    const lines = this.rewriter.rewrites(file) ? this.rewriter.rewrite(file, text) : null;
    if (lines === null) {
      yield this.count(file, text);
      return;
    }
    this.summary.eventsByFile[file]++;
    for (const line of lines) {
      this.summary.xmlBytes += line.text.length;
      yield line;
    }
  }

  private *noiseBefore(time: number): Generator<FleetChunk> {
    const ratio = this.options.unrelatedRatio;
    if (ratio === 0) return;
    const rng = this.noiseRng;
    // Uniform on 0..2m keeps the mean at m = ratio/(1-ratio) unrelated events per OTP event, with some burstiness.
    const count = Math.floor(rng.next() * ((2 * ratio) / (1 - ratio) + 1));
    const from = Math.min(this.lastTime === 0 ? time - 1000 : this.lastTime, time);
    const times = Array.from({ length: count }, () => from + rng.next() * (time - from)).sort((a, b) => a - b);
    for (const t of times) {
      for (const noise of renderNoise(rng, this.fleet, this, Math.floor(t))) {
        this.summary.unrelatedEvents++;
        yield* this.emit(noise.file, noise.text);
      }
    }
    this.lastTime = time;
  }

  private count(file: FleetFile, text: string): FleetChunk {
    this.summary.eventsByFile[file]++;
    this.summary.xmlBytes += text.length + 1;
    return { file, text: `${text}\n` };
  }
}

/**
 * Generate a fleet's four log files and expected.json as one time-ordered stream of chunks, so a gigabyte can be
 * written without holding it: route each chunk's text to its file. Throws RangeError on unusable options.
 */
export function* generateFleetLogs(input: Partial<FleetLogOptions> = {}): Generator<FleetChunk, FleetSummary, void> {
  const options: FleetLogOptions = { ...DEFAULT_FLEET_OPTIONS, ...input };
  const problems = fleetOptionProblems(options);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const stream = new FleetStream(options);
  for (const file of FLEET_FILES) if (stream.writesXml(file)) yield { file, text: XML_HEADER };
  if (options.npsFormat !== 'xml') {
    // NPS log files carry local time with no offset: analyze reads it from here (otptrace analyze --config).
    const offset = options.npsTimeZone ?? formatOffset(options.npsUtcOffsetMinutes);
    const offsets = Object.fromEntries(
      stream.fleet.npsServers.map((n) => [n.fqdn.split('.')[0]!.toLowerCase(), offset]),
    );
    yield { file: 'analysis.json', text: `${JSON.stringify({ npsLogUtcOffsets: offsets }, null, 2)}\n` };
  }
  yield { file: 'expected.json', text: '[\n' };
  // Attempts are planned in the order users begin them; expected.json lists them by first event, so hold each
  // verdict until no later plan can start earlier (every event of a plan is at or after its start).
  const verdicts = new TimeHeap<{ time: number; text: string }>();
  let written = 0;
  const releaseBefore = function* (limit: number): Generator<FleetChunk> {
    for (let top = verdicts.peek(); top !== undefined && top.time < limit; top = verdicts.peek()) {
      const text = (verdicts.pop() as { text: string }).text;
      yield { file: 'expected.json', text: `${written++ === 0 ? '' : ',\n'}${text}` };
    }
  };
  const first = Date.parse(options.startTime);
  const budgetLeft = (): boolean => options.sizeBytes === null || stream.summary.xmlBytes < options.sizeBytes;
  for (let day = 0; options.sizeBytes === null ? day < options.days : budgetLeft(); day++) {
    const dayStart = first + day * DAY_MS;
    stream.scheduleDay(dayStart);
    for (
      let start = stream.nextStartBefore(dayStart + DAY_MS);
      start !== undefined && budgetLeft();
      start = stream.nextStartBefore(dayStart + DAY_MS)
    ) {
      yield* stream.flushUntil(start.time);
      yield* releaseBefore(start.time);
      const expected = stream.plan(start);
      if (expected !== null) verdicts.push({ time: Date.parse(expected.start), text: JSON.stringify(expected) });
    }
  }
  yield* stream.flushUntil(Number.POSITIVE_INFINITY);
  yield* releaseBefore(Number.POSITIVE_INFINITY);
  for (const file of FLEET_FILES) if (stream.writesXml(file)) yield { file, text: '</Events>\n' };
  yield { file: 'expected.json', text: '\n]\n' };
  return stream.summary;
}
