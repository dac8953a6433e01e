import { readFileSync } from 'node:fs';
import { createNormalizeContext, isUnsettledNpsLog, ownOffset, TEXT_LOG_TWINS } from '@otptrace/normalize';
import { DetectingIngestor, type IngestItem, OfflineAnalysis } from '@otptrace/pipeline';
import {
  type AttemptRecord,
  analysisConfigSchema,
  DEFAULT_ANALYSIS_CONFIG,
  type NormalizedEvent,
} from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  type Commit,
  decodeCheckpoint,
  encodeCheckpoint,
  SiteStream,
  type SiteUnit,
  StreamPartition,
  type StreamRecord,
  type StreamUnit,
} from '../src/index.js';
import {
  arrivalOrder,
  corpusWithTextLogs,
  eventsOf,
  generatedDay,
  offlineAnalysis,
  scenarioFiles,
  streamSettings,
} from './corpus.js';

const config = DEFAULT_ANALYSIS_CONFIG;
const settings = streamSettings(config);

const corpus = corpusWithTextLogs();
const day = generatedDay(150, 11);

const byId = (list: readonly AttemptRecord[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
const attemptsOf = (units: readonly StreamUnit[]) =>
  units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt.record] : []));
/** Events as the ingest items of one file, numbered in their order. */
const asItems = (events: readonly NormalizedEvent[]): IngestItem[] =>
  events.map((event, position) => ({ type: 'event', event, position, raw: null }));
const recordsOf = (events: readonly NormalizedEvent[], site = 'default'): StreamRecord[] =>
  events.map((event, offset) => ({ offset, site, events: [event] }));

/** Each NPS log record in the published attempts' evidence (server, file and record number) with its time. */
const npsTimes = (units: readonly SiteUnit[]) =>
  attemptsOf(units).flatMap((a) =>
    a.evidence
      .filter((e) => e.provider.startsWith('NPS log'))
      .map((e) => [`${e.computer}|${e.channel}#${e.recordId}`, e.time] as const),
  );

/** Each NPS log record of the files (as `npsTimes` names it) at its UTC time under the configured offsets. */
const npsLogTruth = (files: Array<[string, Buffer]>, configured: typeof config) =>
  new Map(
    eventsOf(files, configured)
      .filter((e) => e.kind === 'radius.decision' && e.clock !== undefined)
      .map((e) => [`${e.ref.computer}|${e.ref.channel}#${e.ref.recordId}`, new Date(e.time).toISOString()]),
  );

/** Feeds `records` in batches of `batch`, then flushes; returns every unit published. */
function runAll(partition: StreamPartition, records: readonly StreamRecord[], batch: number): SiteUnit[] {
  const units: SiteUnit[] = [];
  for (let i = 0; i < records.length; i += batch) units.push(...partition.take(records.slice(i, i + batch)).units);
  units.push(...partition.flush().units);
  return units;
}

describe('SiteStream: the offline engine calls, whatever the arrival order within the reorder window', () => {
  for (const [name, files] of [
    ['scenario corpus', corpus],
    ['generated day', day],
  ] as const) {
    it(`${name}: every attempt identical to otptrace analyze, none extra`, () => {
      const offline = offlineAnalysis(files);
      const arrived = arrivalOrder(eventsOf(files), config.clockSkewToleranceMs, 3);
      const stream = new SiteStream(settings);
      const units = arrived.flatMap((e) => stream.take(e).units);
      units.push(...stream.flush().units);
      expect(units.filter((u) => u.kind === 'late')).toEqual([]);
      const streamed = units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt.record] : []));
      expect(streamed.length).toBeGreaterThan(10);
      expect(byId(streamed)).toEqual(byId(offline.attempts.map((a) => a.record)));
    });
  }

  it('counts a duplicate as offline does, and hands out an event older than what was placed as late', () => {
    const events = eventsOf(day).sort((a, b) => a.time - b.time);
    const stream = new SiteStream(settings);
    const copy = events[5]!;
    // A sender's retry: the copy arrives right after the original, within the reorder window.
    const drops = [...events.slice(0, 6), copy, ...events.slice(6)].flatMap((e) => stream.take(e).drops);
    const late = stream.take({ ...copy, id: `${copy.id}-other` });
    drops.push(...stream.flush().drops);
    expect(drops.filter((d) => d.reason === 'duplicate_event').map((d) => d.event.id)).toEqual([copy.id]);
    expect(late.units).toEqual([{ kind: 'late', event: { ...copy, id: `${copy.id}-other` } }]);
  });

  it("closes an attempt once the site's watermark has passed it, before the next event is handed over", () => {
    // A CA left the request pending at 08:18; the site's next logons come at 10:50 and 10:53, within the reorder
    // window of each other, so none of them is handed over before the end of input. The watermark (newest − reorderMs)
    // is 2.5 hours past the failure: it goes out then, as its own unit, not with the successes at the idle flush
    // (whose ticket step would open and resolve its ticket at once: test/integration/ticket-sinks.test.ts).
    const files = [...scenarioFiles('ca-pending'), ...scenarioFiles('issued-but-unusable')];
    const later = eventsOf(scenarioFiles('issued-but-unusable'));
    expect(Math.max(...later.map((e) => e.time)) - Math.min(...later.map((e) => e.time))).toBeLessThan(
      settings.reorderMs,
    );
    const stream = new SiteStream(settings);
    const taken = eventsOf(files)
      .sort((a, b) => a.time - b.time)
      .flatMap((e) => stream.take(e).units);
    expect(attemptsOf(taken).map((a) => [a.outcome, a.rootCause?.code])).toEqual([['failure', 'ca_pending']]);
    const flushed = attemptsOf(stream.flush().units);
    expect(flushed.map((a) => a.outcome)).toEqual(['success', 'success']);
    expect(byId([...attemptsOf(taken), ...flushed])).toEqual(
      byId(offlineAnalysis(files).attempts.map((a) => a.record)),
    );
    // What came before the watermark can no longer be placed: a late unit, never lost.
    const early = { ...later[0]!, id: 'early', time: later[0]!.time - settings.reorderMs - 1 };
    const again = new SiteStream(settings);
    for (const e of later) again.take(e);
    expect(again.take(early).units).toEqual([{ kind: 'late', event: early }]);
  });
});

/**
 * A partition's owner takes `records` in batches of `batch` (each batch's units and commit are one transaction) and
 * dies after `crashAfter` batches, losing the batch in hand; a new owner rebuilds from the last commit and reads the
 * rest in batches of `rest`. Everything published, and the last commit of the first owner.
 */
function crashAndResume(records: readonly StreamRecord[], crashAfter: number, batch: number, rest: number) {
  const first = new StreamPartition(settings, null);
  const published: SiteUnit[] = [];
  let committed: Commit | null = null;
  for (let i = 0; i < crashAfter * batch && i < records.length; i += batch) {
    const step = first.take(records.slice(i, i + batch));
    published.push(...step.units);
    if (step.commit !== null) committed = step.commit;
  }
  const resume = committed === null ? null : decodeCheckpoint(committed.offset, committed.metadata);
  published.push(...runAll(new StreamPartition(settings, resume), records.slice(resume?.from ?? 0), rest));
  return { published, committed };
}

describe('StreamPartition: exactly-once over restarts, any number of sites', () => {
  const events = arrivalOrder(eventsOf(corpus), 60_000, 5);
  const offline = byId(offlineAnalysis(corpus).attempts.map((a) => a.record));

  it('one run publishes every offline attempt once', () => {
    const units = runAll(new StreamPartition(settings, null), recordsOf(events), 37);
    expect(byId(attemptsOf(units))).toEqual(offline);
  });

  it('a new owner rebuilding from any committed checkpoint publishes exactly what the first did not', () => {
    const records = recordsOf(events);
    for (const crashAfter of [1, 7, 40, 111, Math.floor(records.length / 2), records.length - 3]) {
      // Batches of 5, the new owner's of 13.
      const { published } = crashAndResume(records, crashAfter, 5, 13);
      const ids = attemptsOf(published).map((a) => a.id);
      expect(new Set(ids).size, `crash after batch ${crashAfter}`).toBe(ids.length);
      expect(byId(attemptsOf(published)), `crash after batch ${crashAfter}`).toEqual(offline);
    }
  });

  it('a DA server NPS refuses for half an hour (its shared secret changed): the refusals go where offline puts them, a new owner included', () => {
    // Every try of every logon through that server gets a System 14 and no decision, its probes too; the other server
    // goes on as usual. Posted as collectors post them (up to a minute late), with a crash in the middle of the incident.
    const files = generatedDay(400, 12, undefined, 0, { incidents: ['radius_client_misconfigured'] });
    const whole = offlineAnalysis(files).attempts.map((a) => a.record);
    const refused = whole.filter((a) => a.rootCause?.code === 'radius_client_misconfigured');
    expect(refused.length).toBe(17);
    const refusals = eventsOf(files).filter((e) => e.kind === 'radius.client_error');
    // The probes' refusals too: more refusals than the refused logons have.
    expect(refusals.length).toBeGreaterThan(refused.length);
    const records = recordsOf(arrivalOrder(eventsOf(files), 60_000, 7));
    expect(byId(attemptsOf(runAll(new StreamPartition(settings, null), records, 50)))).toEqual(byId(whole));
    const firstRefusal = records.findIndex((r) => r.events[0]!.kind === 'radius.client_error');
    for (const crashAfter of [Math.floor(firstRefusal / 20) + 1, Math.floor(firstRefusal / 20) + 3]) {
      const { published } = crashAndResume(records, crashAfter, 20, 31);
      const ids = attemptsOf(published).map((a) => a.id);
      expect(new Set(ids).size, `crash after batch ${crashAfter}`).toBe(ids.length);
      expect(byId(attemptsOf(published)), `crash after batch ${crashAfter}`).toEqual(byId(whole));
    }
  });

  it('records of several events each, as the collector writes them: every offline attempt once, a new owner included', () => {
    // Records of 1, 7, 40 and 3 events in turn: a crash falls between records, never inside one.
    const sizes = [1, 7, 40, 3];
    const records: StreamRecord[] = [];
    for (let at = 0; at < events.length; ) {
      const size = sizes[records.length % sizes.length]!;
      records.push({ offset: records.length, site: 'default', events: events.slice(at, at + size) });
      at += size;
    }
    expect(records.length).toBeLessThan(events.length / 10);
    expect(byId(attemptsOf(runAll(new StreamPartition(settings, null), records, 3)))).toEqual(offline);
    for (const crashAfter of [1, 4, Math.floor(records.length / 3), records.length - 2]) {
      const { published } = crashAndResume(records, crashAfter, 2, 5);
      const ids = attemptsOf(published).map((a) => a.id);
      expect(new Set(ids).size, `crash after batch ${crashAfter}`).toBe(ids.length);
      expect(byId(attemptsOf(published)), `crash after batch ${crashAfter}`).toEqual(offline);
    }
  });

  it('the checkpoint stays a few bytes with 400 sites in one partition (the broker takes 4,096 bytes of metadata)', () => {
    const records = eventsOf(day).map((event, offset) => ({
      offset,
      site: `tenant-${offset % 400}.example`,
      events: [event],
    }));
    const p = new StreamPartition(settings, null);
    let last: Commit | null = null;
    const sites = new Set<string>();
    for (let i = 0; i < records.length; i += 50) {
      const step = p.take(records.slice(i, i + 50));
      for (const u of step.units) sites.add(u.site);
      if (step.commit !== null) last = step.commit;
    }
    expect(sites.size).toBeGreaterThan(300);
    expect(last?.metadata.length).toBeLessThan(30);
  });

  it('two sites in one partition: a new owner rebuilding from any checkpoint publishes exactly the rest, per site as offline', () => {
    const merged = [
      ...eventsOf(day).map((event) => ({ site: 'a', event })),
      ...events.map((event) => ({ site: 'b', event })),
    ]
      .sort((x, y) => x.event.time - y.event.time)
      .map((r, offset) => ({ offset, site: r.site, events: [r.event] }));
    const expected = {
      a: byId(offlineAnalysis(day).attempts.map((x) => x.record)),
      b: offline,
    };
    for (const crashAfter of [3, 50, Math.floor(merged.length / 14), merged.length / 7 - 2]) {
      const { published, committed } = crashAndResume(merged, crashAfter, 7, 11);
      expect(committed?.metadata.length ?? 0, 'the checkpoint does not grow with the sites').toBeLessThan(30);
      for (const site of ['a', 'b'] as const) {
        const attempts = attemptsOf(published.filter((u) => u.site === site));
        expect(new Set(attempts.map((a) => a.id)).size, `site ${site}, crash ${crashAfter}`).toBe(attempts.length);
        expect(byId(attempts), `site ${site}, crash ${crashAfter}`).toEqual(expected[site]);
      }
    }
  });

  it('two sites in one partition are analysed apart, each as offline analyses its own files', () => {
    const a = eventsOf(day);
    const b = eventsOf(corpus);
    const merged = [...a.map((event) => ({ site: 'a', event })), ...b.map((event) => ({ site: 'b', event }))]
      .sort((x, y) => x.event.time - y.event.time)
      .map((r, offset) => ({ offset, site: r.site, events: [r.event] }));
    const units = runAll(new StreamPartition(settings, null), merged, 50);
    const ofSite = (site: string) => attemptsOf(units.filter((u) => u.site === site));
    expect(byId(ofSite('a'))).toEqual(byId(offlineAnalysis(day).attempts.map((x) => x.record)));
    expect(byId(ofSite('b'))).toEqual(offline);
  });

  it('counts records that carry no event and starts a fresh run after a flush', () => {
    const p = new StreamPartition(settings, null);
    const step = p.take([
      { offset: 10, site: 'default', events: [null] },
      { offset: 11, site: 'default', events: [events[0]!, null] },
    ]);
    expect(step.invalid).toBe(2);
    expect(p.holding).toBe(2);
    const flushed = p.flush();
    expect(flushed.commit).toEqual({ offset: 12, metadata: '{"v":9,"n":0}' });
    expect(p.holding).toBe(0);
  });

  it("restarts the count of a checkpoint another version wrote (its units' order may differ), never skipping by it", () => {
    expect(decodeCheckpoint(40, '{"v":1,"p":{"default":7}}')).toEqual({ from: 40, published: 0 });
    expect(decodeCheckpoint(40, '{"v":2,"p":{"default":7}}')).toEqual({ from: 40, published: 0 });
    expect(decodeCheckpoint(40, '{"v":3,"n":7}')).toEqual({ from: 40, published: 0 });
    expect(decodeCheckpoint(40, '{"v":4,"n":7}')).toEqual({ from: 40, published: 0 });
    // Version 5 carried no NPS offsets, which is what its runs began with: its count holds.
    expect(decodeCheckpoint(40, '{"v":5,"n":7}')).toEqual({ from: 40, published: 7 });
    expect(decodeCheckpoint(40, '{"v":5,"n":-1}')).toEqual({ from: 40, published: 0 });
    expect(decodeCheckpoint(40, '{"v":6,"n":7}')).toEqual({ from: 40, published: 7 });
    expect(decodeCheckpoint(40, 'not json')).toEqual({ from: 40, published: 0 });
  });

  it('a quiet stream, flushed every 150 records: the NPS log offsets learned before a flush hold after it, a new owner included', () => {
    // A text-only day with nothing configured (NPS writes UTC+1): each flush starts a new run, whose sites would
    // otherwise know nothing of their NPS servers' clocks again, and the DA servers' probes of a quiet night would
    // be flushed at their time as read before any user taught the offset again.
    const files = generatedDay(300, 41, undefined, 0, { iisFormat: 'w3c', npsFormat: 'dts' });
    const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: '+01:00', nps2: '+01:00' } });
    const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
    const sent = arrivalOrder(eventsOf(files), config.clockSkewToleranceMs, 1, (e) => utc.get(e.id)!);
    const records = recordsOf(sent);
    const truth = npsLogTruth(files, configured);
    /** Takes records[from..] in batches of 10, flushing after every 150th record; stops after `stopAfter` batches. */
    const run = (partition: StreamPartition, from: number, stopAfter = Number.POSITIVE_INFINITY) => {
      const units: SiteUnit[] = [];
      let commit: Commit | null = null;
      let batches = 0;
      for (let i = from; i < records.length && batches < stopAfter; batches++) {
        const end = Math.min(records.length, i + 10, (Math.floor(i / 150) + 1) * 150);
        const step = partition.take(records.slice(i, end));
        units.push(...step.units);
        commit = step.commit ?? commit;
        i = end;
        if (i % 150 === 0 || i === records.length) {
          const flushed = partition.flush();
          units.push(...flushed.units);
          commit = flushed.commit ?? commit;
        }
      }
      return { units, commit };
    };
    const whole = run(new StreamPartition(settings, null), 0);
    expect(whole.units.filter((u) => u.kind === 'late')).toEqual([]);
    // Each NPS log decision once, at its UTC time (the log's Access-Requests go with them).
    const placed = npsTimes(whole.units).filter(([record]) => truth.has(record!));
    expect(placed.length).toBe(truth.size);
    for (const [record, time] of placed) expect(time, record).toBe(truth.get(record));
    // A new owner after the first died mid-day: it starts from the last checkpoint, with the offsets it carries.
    const first = run(new StreamPartition(settings, null), 0, 61);
    const resume = decodeCheckpoint(first.commit!.offset, first.commit!.metadata);
    // Each server's offset, with the time as read of its log's last record and the step before it.
    const carried = Object.entries(resume.npsOffsets!.default!).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(
      carried.map(([server, entry]) => [server, Array.isArray(entry) ? entry.length : 0, [entry].flat()[0]]),
    ).toEqual([
      ['nps1', 3, 60],
      ['nps2', 3, 60],
    ]);
    const rest = run(new StreamPartition(settings, resume), resume.from);
    expect(byId(attemptsOf([...first.units, ...rest.units]))).toEqual(byId(attemptsOf(whole.units)));
  });

  it('a live small site, flushed whenever it goes quiet: a daylight-saving change in the quiet moves its NPS offsets', () => {
    // Sent as NPS writes them, with an idle flush at every minute of quiet (a night of five-minute probes is a run
    // per probe). The servers were taught the day before (the resumed checkpoint's offsets). The change comes between
    // two runs: the last record's time and step carried over show it. Before, every probe after the change kept the
    // old offset until a user taught the new one: 28 to 171 probes an hour off on these days.
    for (const [zone, start, users, seed, before] of [
      ['Europe/Berlin', '2026-10-25T00:00:00.000Z', 24, 203, 120],
      ['America/New_York', '2026-11-01T00:00:00.000Z', 48, 205, -240],
      ['Europe/Berlin', '2026-03-29T00:00:00.000Z', 12, 110, 60],
    ] as const) {
      const label = `${zone} ${start.slice(0, 10)}`;
      const files = generatedDay(users, seed, start, 0, { iisFormat: 'w3c', npsFormat: 'dts', npsTimeZone: zone });
      const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: zone, nps2: zone } });
      const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
      const records = recordsOf(arrivalOrder(eventsOf(files), 0, 1, (e) => utc.get(e.id)!));
      const truth = npsLogTruth(files, configured);
      const run = (partition: StreamPartition, from: number, upTo = records.length) => {
        const units: SiteUnit[] = [];
        let commit: Commit | null = null;
        for (let i = from; i < upTo; i++) {
          const quiet =
            i > from && utc.get(records[i]!.events[0]!.id)! - utc.get(records[i - 1]!.events[0]!.id)! > 60_000;
          for (const step of [...(quiet ? [partition.flush()] : []), partition.take([records[i]!])]) {
            units.push(...step.units);
            commit = step.commit ?? commit;
          }
        }
        const last = partition.flush();
        return { units: [...units, ...last.units], commit: last.commit ?? commit };
      };
      const resume = { from: 0, published: 0, npsOffsets: { default: { nps1: before, nps2: before } } };
      const whole = run(new StreamPartition(settings, resume), 0);
      const placed = npsTimes(whole.units);
      expect(placed.length, label).toBe(truth.size);
      expect(placed.filter(([record, time]) => truth.get(record) !== time).length, label).toBe(0);
      // A new owner after the first died in the night, past the change: from the last checkpoint, the same attempts.
      const cut = records.findIndex((r) => utc.get(r.events[0]!.id)! > Date.parse(start) + 8 * 3_600_000);
      const first = run(new StreamPartition(settings, resume), 0, cut);
      const checkpoint = decodeCheckpoint(first.commit!.offset, first.commit!.metadata);
      const rest = run(new StreamPartition(settings, checkpoint), checkpoint.from);
      expect(byId(attemptsOf([...first.units, ...rest.units])), label).toEqual(byId(attemptsOf(whole.units)));
    }
  });

  it('a live small site, flushed whenever it goes quiet: what its runs learned of the DA servers carries over', () => {
    // Every host's clock off by up to 3 s (the DA servers' against NPS's: up to 6 s, learned by the IIS join), sent in
    // time order with an idle flush at every two minutes of quiet: 180 runs. Each run's engine used to start as if the
    // clocks agreed and joined its first requests so; carried over (and through the checkpoint to a new owner), the
    // learned offsets keep the runs' verdicts nearer offline's, which learns once for the day.
    const events = eventsOf(generatedDay(1_000, 9, undefined, 0, { maxClockSkewMs: 3_000 })).sort(
      (a, b) => a.time - b.time,
    );
    const verdicts = (list: readonly AttemptRecord[]) =>
      list.map((r) => `${r.id} ${r.outcome} ${r.failedStage} ${r.rootCause?.code ?? null}`);
    const analysis = new OfflineAnalysis(config);
    analysis.add('day', asItems(events));
    const offline = new Set(verdicts(analysis.finish().attempts.map((a) => a.record)));
    const records = recordsOf(events);
    const quietBefore = (i: number) => i > 0 && events[i]!.time - events[i - 1]!.time > 120_000;
    const run = (partition: StreamPartition, from: number, upTo = records.length, forget = false) => {
      const units: SiteUnit[] = [];
      let commit: Commit | null = null;
      let flushes = 0;
      for (let i = from; i < upTo; i++) {
        const steps = [];
        if (quietBefore(i) && i > from) {
          steps.push(partition.flush());
          flushes++;
          // As every run began before: with nothing carried over.
          if (forget) partition = new StreamPartition(settings, { from: i, published: 0 });
        }
        steps.push(partition.take([records[i]!]));
        for (const step of steps) {
          units.push(...step.units);
          commit = step.commit ?? commit;
        }
      }
      const last = partition.flush();
      return { units: [...units, ...last.units], commit: last.commit ?? commit, flushes };
    };
    const differing = (units: readonly SiteUnit[]) => verdicts(attemptsOf(units)).filter((v) => !offline.has(v)).length;
    const whole = run(new StreamPartition(settings, null), 0);
    const forgetting = run(new StreamPartition(settings, null), 0, records.length, true);
    expect(whole.flushes).toBe(180);
    // 7 of 1,983 attempts differ from offline with the learned servers carried, 33 without (measured, 2026-12-03).
    expect(differing(whole.units)).toBeLessThanOrEqual(7);
    expect(differing(forgetting.units)).toBeGreaterThan(2 * differing(whole.units));
    // A new owner after the first died in a quiet minute after midday rebuilds from the last checkpoint, which holds
    // what was learned.
    const cut = records.findIndex((r, i) => r.events[0]!.time > events[0]!.time + 12 * 3_600_000 && quietBefore(i));
    const first = run(new StreamPartition(settings, null), 0, cut);
    const resume = decodeCheckpoint(first.commit!.offset, first.commit!.metadata);
    expect(Object.keys(resume.daServers?.default ?? {}).sort()).toEqual(['da1', 'da2']);
    const rest = run(new StreamPartition(settings, resume), resume.from);
    expect(byId(attemptsOf([...first.units, ...rest.units]))).toEqual(byId(attemptsOf(whole.units)));
  });

  it('keeps what it carries within the offset metadata the broker takes: the DA servers go first', () => {
    const event = eventsOf(generatedDay(20, 3))[0]!;
    const flushed = (resume: Checkpoint) => {
      const partition = new StreamPartition(settings, resume);
      partition.take([{ offset: resume.from, site: 'default', events: [event] }]);
      return partition.flush().commit!.metadata;
    };
    const npsOffsets = { default: { nps1: 60 } };
    const few = { default: { da1: [2_465, ['10.0.1.11'], ['10.0.1.11']] as const } };
    expect(flushed({ from: 0, published: 0, npsOffsets, daServers: few })).toBe(
      '{"v":9,"n":0,"o":{"default":{"nps1":60}},"d":{"default":{"da1":[2465,["10.0.1.11"],["10.0.1.11"]]}}}',
    );
    // 200 sites' servers, each known at 10 addresses: far beyond 3,000 characters. The offsets stay.
    const many = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [
        `site${i}`,
        { da1: [1_000, Array.from({ length: 10 }, (_, k) => `10.${i}.0.${k}`), []] as const },
      ]),
    );
    const metadata = flushed({ from: 0, published: 0, npsOffsets, daServers: { ...few, ...many } });
    expect(metadata).toBe('{"v":9,"n":0,"o":{"default":{"nps1":60}}}');
    // 200 sites of DA servers known as such alone: those go, and what else was learned stays.
    const bare = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`site${i}`, { da1: [0, [], []] as const, da2: [0, [], []] as const }]),
    );
    expect(flushed({ from: 0, published: 0, npsOffsets, daServers: { ...bare, ...few } })).toBe(
      '{"v":9,"n":0,"o":{"default":{"nps1":60}},"d":{"default":{"da1":[2465,["10.0.1.11"],["10.0.1.11"]]}}}',
    );
  });

  it('carries the NPS log offsets its sites learned over a flush, in the checkpoint', () => {
    const npsOffsets = { default: { nps1: 60, nps2: -300 } };
    const metadata = encodeCheckpoint({ from: 40, published: 3, npsOffsets });
    expect(metadata).toBe('{"v":9,"n":3,"o":{"default":{"nps1":60,"nps2":-300}}}');
    expect(decodeCheckpoint(40, metadata)).toEqual({ from: 40, published: 3, npsOffsets });
    // With a server's last record time and step; a version 6 commit's offsets are read as they were.
    const withReads = {
      default: { nps1: [60, 1_792_800_000_000, 300_000] as const, nps2: [-300, 1_792_800_000_000] as const },
    };
    const encoded = encodeCheckpoint({ from: 40, published: 3, npsOffsets: withReads });
    expect(decodeCheckpoint(40, encoded)).toEqual({ from: 40, published: 3, npsOffsets: withReads });
    expect(decodeCheckpoint(40, '{"v":6,"n":3,"o":{"default":{"nps1":60}}}')).toEqual({
      from: 40,
      published: 3,
      npsOffsets: { default: { nps1: 60 } },
    });
    expect(decodeCheckpoint(40, '{"v":7,"n":3,"o":{"default":{"nps1":[60,"x"]}}}')).toEqual({ from: 40, published: 3 });
    // Malformed offsets are not used (the run learns them again); its count holds.
    expect(decodeCheckpoint(40, '{"v":7,"n":3,"o":{"default":{"nps1":"x"}}}')).toEqual({ from: 40, published: 3 });
    expect(decodeCheckpoint(40, '{"v":7,"n":3,"o":{"default":{"nps1":6000}}}')).toEqual({ from: 40, published: 3 });
  });

  it('carries what its sites learned of their DA servers over a flush, in the checkpoint', () => {
    const daServers = {
      default: {
        da1: [2_465, ['10.0.1.11'], ['10.0.1.11', '192.0.2.11']] as const,
        da2: [0, ['10.0.1.12', '10.0.1.13'], []] as const,
        da3: [0, [], []] as const,
      },
    };
    const metadata = encodeCheckpoint({ from: 40, published: 3, daServers });
    expect(metadata).toBe(
      '{"v":9,"n":3,"d":{"default":{"da1":[2465,["10.0.1.11"],["10.0.1.11","192.0.2.11"]],"da2":[0,["10.0.1.12","10.0.1.13"],[]],"da3":[0,[],[]]}}}',
    );
    expect(decodeCheckpoint(40, metadata)).toEqual({ from: 40, published: 3, daServers });
    // A version 8 commit carried the lined-up addresses alone: read with none named by NPS.
    expect(decodeCheckpoint(40, '{"v":8,"n":3,"d":{"default":{"da1":[2465,"10.0.1.11"],"da2":[0]}}}')).toEqual({
      from: 40,
      published: 3,
      daServers: { default: { da1: [2_465, ['10.0.1.11'], []], da2: [0, [], []] } },
    });
    // A version 7 commit carried none; malformed entries are not used (the run learns them again), its count holds.
    expect(decodeCheckpoint(40, '{"v":7,"n":3,"d":{"default":{"da1":[2465]}}}')).toEqual({ from: 40, published: 3 });
    for (const bad of ['["x"]', '[2.5]', '[90000000]', '[1,""]', '[1,2]', '{}', '7'])
      expect(decodeCheckpoint(40, `{"v":8,"n":3,"d":{"default":{"da1":${bad}}}}`)).toEqual({ from: 40, published: 3 });
    for (const bad of ['[1,"10.0.1.11"]', '[1,[],[""]]', '[1,[2],[]]', '[1,[]]', '[1,[],[],[]]', '[1.5,[],[]]'])
      expect(decodeCheckpoint(40, `{"v":9,"n":3,"d":{"default":{"da1":${bad}}}}`)).toEqual({ from: 40, published: 3 });
  });
});

describe("SiteStream: a machine whose clock is wrong does not make the site's other events late", () => {
  it('a 2,500-user day in event-time order: as offline, however the engine would group its sweeps', () => {
    // bench/kafka-e2e.mjs's first site. Advancing the engine to every watermark swept one IIS request's join after an
    // attempt's close where offline's sweep did the join first: 1 of 4,250 attempts differed.
    const files = generatedDay(2_500, 100, '2026-03-02T00:00:00.000Z');
    const offline = offlineAnalysis(files);
    const stream = new SiteStream(settings);
    const units = eventsOf(files)
      .sort((a, b) => a.time - b.time)
      .flatMap((e) => stream.take(e).units);
    units.push(...stream.flush().units);
    expect(units.filter((u) => u.kind === 'late')).toEqual([]);
    expect(byId(attemptsOf(units))).toEqual(byId(offline.attempts.map((a) => a.record)));
  });

  it.each([
    ['the clock-skew tolerance', 'server', config.clockSkewToleranceMs],
    ['the clock-skew tolerance', 'shared', config.clockSkewToleranceMs],
    // Near enough for the DA servers' offsets and addresses to be learned (`ServerClocks`).
    ['3 s', 'shared', 3_000],
  ] as const)(
    'every host off by up to %s either way, each sending as it logs, NPS naming the DA servers by %s names: as offline',
    (_, names, bound) => {
      const events = eventsOf(generatedDay(400, 33, undefined, 0, { radiusClientNames: names }));
      const skews = new Map<string, number>();
      let r = 7;
      const skewOf = (host: string) => {
        let skew = skews.get(host);
        if (skew === undefined) {
          r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
          skew = Math.round(((r / 2 ** 32) * 2 - 1) * bound);
          skews.set(host, skew);
        }
        return skew;
      };
      const skewed = events.map((e) => ({ ...e, time: e.time + skewOf(e.ref.computer.toLowerCase()) }));
      const truth = new Map(skewed.map((e, i) => [e, events[i]!.time]));
      const offline = new OfflineAnalysis(config);
      offline.add('skewed', asItems(skewed));
      const expected = byId(offline.finish().attempts.map((a) => a.record));
      const stream = new SiteStream(settings);
      const units = arrivalOrder(skewed, 30_000, 2, (e) => truth.get(e)!).flatMap((e) => stream.take(e).units);
      units.push(...stream.flush().units);
      expect(units.filter((u) => u.kind === 'late')).toEqual([]);
      expect(byId(attemptsOf(units))).toEqual(expected);
    },
  );

  for (const count of [1, 3]) {
    it(`${count} laptop(s) two hours ahead: their events wait in the reorder buffer, placed as offline places them`, () => {
      const events = eventsOf(day);
      // Laptops log on now and then, so a fleet's wrong clocks add up: the servers' clocks tell the site's time.
      const laptops = new Set(
        [...new Set(events.filter((e) => e.source === 'client').map((e) => e.ref.computer))].slice(0, count),
      );
      expect(laptops.size).toBe(count);
      const ahead = (e: NormalizedEvent) => (laptops.has(e.ref.computer) ? { ...e, time: e.time + 2 * 3_600_000 } : e);
      const skewed = events.map(ahead);
      const offline = new OfflineAnalysis(config);
      offline.add('skewed', asItems(skewed));
      const expected = byId(offline.finish().attempts.map((a) => a.record));
      // The laptop sends its events as it logs them, stamped two hours ahead.
      const truth = new Map(skewed.map((e, i) => [e, events[i]!.time]));
      const stream = new SiteStream(settings);
      const units = arrivalOrder(skewed, config.clockSkewToleranceMs, 7, (e) => truth.get(e)!).flatMap(
        (e) => stream.take(e).units,
      );
      units.push(...stream.flush().units);
      expect(units.filter((u) => u.kind === 'late')).toEqual([]);
      expect(byId(attemptsOf(units))).toEqual(expected);
    });
  }
});

/**
 * The files' events through one site's stream, each sent at `sentAt` (then up to the clock-skew tolerance late, in an
 * order `seed` shuffles): none late, and exactly the attempts `expected`.
 */
function expectStreamed(
  files: Array<[string, Buffer]>,
  sentAt: (e: NormalizedEvent) => number,
  seed: number,
  expected: readonly AttemptRecord[],
  label: string,
): void {
  const stream = new SiteStream(settings);
  const units = arrivalOrder(eventsOf(files), config.clockSkewToleranceMs, seed, sentAt).flatMap(
    (e) => stream.take(e).units,
  );
  units.push(...stream.flush().units);
  expect(
    units.filter((u) => u.kind === 'late'),
    label,
  ).toEqual([]);
  expect(byId(attemptsOf(units)), label).toEqual(byId(expected));
}

/**
 * A day of random-days.test.ts (its users, seed and drawn options, NPS log files in `npsTimeZone`, nothing
 * configured): offline gives the attempts of the configured zone, and the stream offline's, none late, in the arrival
 * order that test draws from the seed.
 */
function expectRandomDayStreamed(users: number, seed: number, options: Parameters<typeof generatedDay>[4]): void {
  const zone = options!.npsTimeZone!;
  const files = generatedDay(users, seed, undefined, 0.1, options);
  const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: zone, nps2: zone, nps3: zone } });
  const offline = offlineAnalysis(files).attempts.map((a) => a.record);
  const label = `seed ${seed}`;
  expect(offline, label).toEqual(offlineAnalysis(files, configured).attempts.map((a) => a.record));
  const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
  expectStreamed(files, (e) => utc.get(e.id)!, seed, offline, label);
}

describe('SiteStream: text logs beside the event logs they repeat', () => {
  // test/scenarios/text-logs-learned-offset: IIS logs to both W3C and ETW (6200), NPS to both its log file and the
  // Security log. With the NPS log's offset configured, and without it (learned from the records' audit twins, as
  // offline learns it), every W3C line and NPS log record that repeats an event-log record is dropped as a duplicate,
  // as offline drops it.
  const textConfig = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps01: '+01:00' } });
  const name = 'text-logs-learned-offset';
  const dir = new URL(`../../../../test/scenarios/${name}/`, import.meta.url);
  const files = ['client.xml', 'iis.xml', 'nps.xml', 'ca.xml', 'da01/W3SVC2/u_ex261102.log', 'nps01/IN2611.log'].map(
    (f): [string, Buffer] => [`${name}/${f}`, readFileSync(new URL(f, dir))],
  );
  const ingest = (ctx: ReturnType<typeof createNormalizeContext>, [label, bytes]: [string, Buffer]) => {
    const ingestor = new DetectingIngestor(ctx, { maxEventBytes: textConfig.maxEventBytes }, { label });
    return [...ingestor.push(bytes), ...ingestor.end()];
  };

  it('gives the attempts and counts the duplicates of otptrace analyze', () => {
    const offline = new OfflineAnalysis(textConfig);
    for (const file of files) offline.add(file[0], ingest(offline.context, file));
    const expected = offline.finish();
    const ctx = createNormalizeContext(textConfig);
    const events = files.flatMap((f) => ingest(ctx, f).flatMap((i) => (i.type === 'event' ? [i.event] : [])));
    const stream = new SiteStream(streamSettings(textConfig, ctx));
    const out = arrivalOrder(events, textConfig.clockSkewToleranceMs, 5).map((e) => stream.take(e));
    out.push(stream.flush());
    const units = out.flatMap((o) => o.units);
    expect(units.filter((u) => u.kind === 'late')).toEqual([]);
    expect(byId(attemptsOf(units))).toEqual(byId(expected.attempts.map((a) => a.record)));
    const duplicates = out.flatMap((o) => o.drops).filter((d) => d.reason === 'duplicate_event');
    expect(expected.summary.ignoredBy.duplicate_event).toBeGreaterThan(0);
    expect(duplicates).toHaveLength(expected.summary.ignoredBy.duplicate_event!);
  });

  /** Offline and the stream on `events` (no offset configured); the NPS log's records sent at their UTC time. */
  function learnedOffset(events: NormalizedEvent[], seed: number) {
    const offline = new OfflineAnalysis(config);
    offline.add('events', asItems(events));
    const expected = offline.finish();
    const stream = new SiteStream(settings);
    const written = (e: NormalizedEvent) => (e.kind === 'radius.decision' && e.clock ? e.time - 3_600_000 : e.time);
    const out = arrivalOrder(events, config.clockSkewToleranceMs, seed, written).map((e) => stream.take(e));
    out.push(stream.flush());
    return { expected, units: out.flatMap((o) => o.units), drops: out.flatMap((o) => o.drops) };
  }
  const unconfigured = () => {
    const ctx = createNormalizeContext(config);
    return files.flatMap((f) => ingest(ctx, f).flatMap((i) => (i.type === 'event' ? [i.event] : [])));
  };

  it("learns an NPS log's offset from its audit twins as offline does, whatever the arrival order", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { expected, units, drops } = learnedOffset(unconfigured(), seed);
      expect(expected.summary.npsLogClocks).toEqual({ nps01: { offset: '+01:00', basis: 'learned' } });
      expect(units.filter((u) => u.kind === 'late')).toEqual([]);
      expect(byId(attemptsOf(units))).toEqual(byId(expected.attempts.map((a) => a.record)));
      const duplicates = drops.filter((d) => d.reason === 'duplicate_event');
      expect(duplicates).toHaveLength(expected.summary.ignoredBy.duplicate_event!);
    }
  });

  it('places a log record whose audit twin is missing at the UTC time its server taught', () => {
    // The Security log lost vera's 6273: offline takes the denial from the NPS log file, an hour earlier than read.
    const events = unconfigured().filter((e) => !(e.kind === 'radius.decision' && !e.clock && e.decision === 'denied'));
    expect(events).toHaveLength(unconfigured().length - 1);
    const { expected, units } = learnedOffset(events, 9);
    const denial = expected.attempts.find((a) => a.record.outcome === 'failure' && a.record.failedStage === 'radius');
    expect(denial?.record.start).toBe('2026-11-02T09:00:00.000Z');
    expect(units.filter((u) => u.kind === 'late')).toEqual([]);
    expect(byId(attemptsOf(units))).toEqual(byId(expected.attempts.map((a) => a.record)));
  });

  it("follows a daylight-saving change: each record at its own twins' offset, as offline, whatever the order", () => {
    // test/scenarios/text-logs-daylight-saving-learned: Europe/Berlin's NPS log beside its Security log, nothing
    // configured; the offset is +2 h before the night of 25 October 2026 and +1 h after, the repeated hour included.
    const files = scenarioFiles('text-logs-daylight-saving-learned', { textLogs: true });
    const events = eventsOf(files);
    const offline = offlineAnalysis(files);
    expect(offline.summary.ignoredBy.duplicate_event).toBe(5); // each of the five log decisions repeats a 6272/6273
    const audit = (e: NormalizedEvent) => {
      const key = TEXT_LOG_TWINS.copy(e)?.key;
      return events.filter((a) => TEXT_LOG_TWINS.original(a) === key).map((a) => a.time);
    };
    // A forwarder sends each log record when NPS writes it: at the time of the audit event it repeats.
    const written = (e: NormalizedEvent) =>
      isUnsettledNpsLog(e) ? e.time - (ownOffset(e.time, audit(e)) ?? 0) : e.time;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const stream = new SiteStream(settings);
      const out = arrivalOrder(events, config.clockSkewToleranceMs, seed, written).map((e) => stream.take(e));
      out.push(stream.flush());
      const units = out.flatMap((o) => o.units);
      expect(
        units.filter((u) => u.kind === 'late'),
        `seed ${seed}`,
      ).toEqual([]);
      expect(byId(attemptsOf(units)), `seed ${seed}`).toEqual(byId(offline.attempts.map((a) => a.record)));
      const duplicates = out.flatMap((o) => o.drops).filter((d) => d.reason === 'duplicate_event');
      expect(duplicates, `seed ${seed}`).toHaveLength(5);
    }
  });

  it('gives the attempts of otptrace analyze on each text-log scenario on its own, nothing configured', () => {
    for (const name of [
      'gateway-rejected-request-text-logs', // a probe alone: nothing teaches nps01, its time stays as read
      'nps-log-unanswered',
      'otp-rejected-text-logs',
      'radius-account-text-logs', // IAS format
      'radius-no-response-text-logs',
      'success-text-logs',
    ]) {
      const files = scenarioFiles(name, { textLogs: true });
      const dir = new URL(`../../../../test/scenarios/${name}/`, import.meta.url);
      const own = analysisConfigSchema.parse(JSON.parse(readFileSync(new URL('config.json', dir), 'utf8')));
      const utc = new Map(eventsOf(files, own).map((e) => [e.id, e.time]));
      const offline = offlineAnalysis(files).attempts.map((a) => a.record);
      for (const seed of [1, 2, 3])
        expectStreamed(files, (e) => utc.get(e.id)!, seed, offline, `${name}, seed ${seed}`);
    }
  });

  describe("an NPS log with no offset configured and no audit events: the offset learned from its users' events", () => {
    // Fleets with IIS W3C and NPS log files only, their settings file left out: the NPS servers write local time, a
    // fixed +01:00 or a time zone over its daylight-saving change. The users' CA requests and client results (UTC)
    // are all there is to learn the offsets from.
    const text = (npsFormat: 'dts' | 'odbc' | 'ias', npsTimeZone?: string) => ({
      iisFormat: 'w3c' as const,
      npsFormat,
      ...(npsTimeZone === undefined ? {} : { npsTimeZone }),
    });
    const fleets: Array<[string, string, Array<[string, Buffer]>]> = [
      ['+01:00', '+01:00', generatedDay(300, 41, undefined, 0, text('dts'))],
      [
        'Europe/Berlin, autumn',
        'Europe/Berlin',
        generatedDay(300, 42, '2026-10-25T00:00:00.000Z', 0, text('dts', 'Europe/Berlin')),
      ],
      [
        'Europe/Berlin, spring',
        'Europe/Berlin',
        generatedDay(300, 43, '2026-03-29T00:00:00.000Z', 0, text('dts', 'Europe/Berlin')),
      ],
      [
        'America/New_York, autumn, ODBC',
        'America/New_York',
        generatedDay(300, 44, '2026-11-01T00:00:00.000Z', 0.3, text('odbc', 'America/New_York')),
      ],
      ['+01:00, IAS', '+01:00', generatedDay(300, 45, undefined, 0, text('ias'))],
    ];
    it('small sites, whose NPS servers see only the probes for hours at night: as offline, nothing late', () => {
      // Offline gives the night's records the offset the morning's first user teaches. The stream holds the site
      // back for them up to a night (LONG_HOLD_MS), and a record's user's attempt of the night before cannot move its
      // server's offset by hours. Before, these days had 63 to 96 attempts differing and up to 11 events late.
      for (const [users, seed] of [
        [12, 110],
        [24, 203],
        [48, 205],
        [150, 208],
      ] as const) {
        const files = generatedDay(users, seed, undefined, 0, text('dts'));
        const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: '+01:00', nps2: '+01:00' } });
        const offline = offlineAnalysis(files).attempts.map((a) => a.record);
        expect(offline, `${users} users`).toEqual(offlineAnalysis(files, configured).attempts.map((a) => a.record));
        const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
        for (const order of [1, 2]) expectStreamed(files, (e) => utc.get(e.id)!, order, offline, `${users} users`);
      }
    });

    it('small sites over a daylight-saving change: offline gives the zone’s attempts, the stream offline’s', () => {
      // A night of probes only, the change inside it, the users in the morning. The records before the first one
      // that speaks, and before the log's time goes back or jumps an hour, get the offset before the change; the stream
      // moves a taught server's offset at such a sign. Before, offline put those probes an hour off (12 to 84 attempts
      // per day), and the stream differed from it by up to 49 attempts, with up to 21 events late.
      for (const [zone, start, users, seed] of [
        ['America/New_York', '2026-11-01T00:00:00.000Z', 12, 110],
        ['America/New_York', '2026-03-08T00:00:00.000Z', 24, 203],
        ['Europe/Berlin', '2026-03-29T00:00:00.000Z', 150, 208],
        ['Australia/Sydney', '2026-04-04T00:00:00.000Z', 48, 205],
      ] as const) {
        const label = `${zone} ${start.slice(0, 10)}, ${users} users`;
        const files = generatedDay(users, seed, start, 0, text('dts', zone));
        const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: zone, nps2: zone } });
        const offline = offlineAnalysis(files).attempts.map((a) => a.record);
        expect(offline, label).toEqual(offlineAnalysis(files, configured).attempts.map((a) => a.record));
        const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
        for (const order of [1, 2]) expectStreamed(files, (e) => utc.get(e.id)!, order, offline, label);
      }
    });

    it("a half-hour zone (Asia/Kolkata): a user's other attempt 45 minutes away does not move a taught offset", () => {
      // The seeded random day that found it (random-days seed 4818's second site): IAS log files written at +05:30,
      // nothing configured, hosts' clocks up to 20 s off. nps2 was taught +05:30; then a record whose user had logged
      // on 45 minutes earlier took +06:15 from that attempt, and two probes it released came 45 minutes early: late,
      // and one attempt fewer than offline. A daylight-saving change moves an offset by an hour or half an hour
      // only. Events arriving up to the clock-skew tolerance late, as in random-days.
      expectRandomDayStreamed(175, 12737, {
        incidents: ['signing_failed', 'gateway_untrusted_client_certificate'],
        maxClockSkewMs: 20_000,
        radiusClientNames: 'shared',
        iisFormat: 'xml',
        npsFormat: 'ias',
        npsTimeZone: 'Asia/Kolkata',
      });
    });

    it("a lull heard through one NPS server: a user's attempt 30 minutes before it does not move the server's offset", () => {
      // The seeded random day that found it (random-days seed 50095's second site): DTS log files at +05:30 on three
      // NPS servers, nothing configured, one DA server, laptops up to 30 s off. For half an hour only nps1's probes
      // came, so the site's time lagged; then a record whose user had logged on 30 minutes earlier moved nps1 from
      // +05:30 to +06:00 (a daylight-saving step, allowed where the standing offset put the record near the lagging
      // site): one attempt split in two. A taught offset now moves only after its log showed a sign of a change.
      expectRandomDayStreamed(66, 58014, {
        incidents: [
          'radius_no_response',
          'radius_directory_unavailable',
          'ca_template_not_available',
          'ca_unreachable',
          'radius_remote_unavailable',
        ],
        maxLaptopClockSkewMs: 30_000,
        daServers: 1,
        npsServers: 3,
        cas: 1,
        maxClockSkewMs: 20_000,
        radiusClientNames: 'shared',
        iisFormat: 'xml',
        npsFormat: 'dts',
        npsTimeZone: 'Asia/Kolkata',
      });
    });

    it("records of one NPS log arriving out of its order: no sign of a clock change, so a user's attempt moves nothing", () => {
      // The seeded random day that found it (random-days seed 90269's first site): DTS files at +01:00 (Berlin), one
      // NPS server, laptops up to 90 s off. Events arrive up to the clock-skew tolerance late, so a record came after
      // one written below it: read in arrival order, the log's time went back by over a minute, a sign of a change,
      // and a user's attempt 30 minutes earlier then moved the server to +01:30; one success split in two. Signs are
      // now read in the log's order (file and line).
      expectRandomDayStreamed(78, 90269, {
        incidents: ['radius_directory_unavailable', 'ca_unreachable', 'radius_client_misconfigured'],
        maxLaptopClockSkewMs: 90_000,
        daServers: 1,
        npsServers: 1,
        cas: 2,
        maxClockSkewMs: 20_000,
        radiusClientNames: 'shared',
        iisFormat: 'w3c',
        npsFormat: 'dts',
        npsTimeZone: 'Europe/Berlin',
      });
    });

    it('a night of probes after one early event: the first logons after the lull still teach the offset', () => {
      // The seeded random day that found it (random-days seed 9319's first site): ODBC log files at +01:00, nothing
      // configured. One event at 00:04 gave the site a time; then only probes for an hour. The next event (an IIS
      // request at 01:06) moved the site past the night's records' hold before the user events right behind it came:
      // the records kept their times as read, one of the two servers' was taught only at 02:25, and eleven probes then
      // came an hour early: late, and eleven attempts fewer than offline. A hold that ends in a lull now gets a
      // reorder window after it.
      expectRandomDayStreamed(165, 9319, {
        incidents: [
          'radius_no_response',
          'radius_directory_unavailable',
          'ca_template_not_available',
          'ca_unreachable',
          'signing_failed',
          'radius_client_misconfigured',
        ],
        maxClockSkewMs: 2_000,
        radiusClientNames: 'shared',
        iisFormat: 'xml',
        npsFormat: 'odbc',
        npsTimeZone: 'Europe/Berlin',
      });
    });

    for (const [name, zone, files] of fleets) {
      it(`${name}: offline gives the attempts of the configured offsets, the stream those of offline`, () => {
        const configured = analysisConfigSchema.parse({ npsLogUtcOffsets: { nps1: zone, nps2: zone } });
        const offline = offlineAnalysis(files);
        expect(Object.values(offline.summary.npsLogClocks ?? {}).map((c) => c.basis)).toEqual(['learned', 'learned']);
        const records = offline.attempts.map((a) => a.record);
        expect(records).toEqual(offlineAnalysis(files, configured).attempts.map((a) => a.record));
        // A forwarder sends each NPS log record when NPS writes it: at its UTC time.
        const utc = new Map(eventsOf(files, configured).map((e) => [e.id, e.time]));
        for (const seed of [1, 2, 3]) expectStreamed(files, (e) => utc.get(e.id)!, seed, records, `seed ${seed}`);
      });
    }
  });
});
