import { INCIDENT_NAMES } from '@otptrace/generator';
import {
  type AttemptRecord,
  analysisConfigSchema,
  DEFAULT_ANALYSIS_CONFIG,
  type NormalizedEvent,
} from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  decodeCheckpoint,
  SiteStream,
  type SiteUnit,
  StreamPartition,
  type StreamRecord,
  type StreamUnit,
} from '../src/index.js';
import { arrivalOrder, eventsOf, generatedDay, offlineAnalysis, streamSettings } from './corpus.js';

// The stream against `otptrace analyze` on generated days whose every choice comes from a seed: which incidents, how
// far the hosts' clocks are off (at times the laptops' by more), how NPS names the DA servers, event logs or IIS W3C
// and NPS log files (in a time zone nothing configures), events arriving up to the clock-skew tolerance late, two
// sites in one partition, records of 1 to 40 events, batches of any size, and owners that crash at random records.
// Every attempt offline finds must be published once, identical; nothing late. The fixed days of stream.test.ts each
// test one of these choices; here they meet. OTPTRACE_RANDOM_DAYS=N runs N seeds (default 6), OTPTRACE_RANDOM_SEED
// the first (default 1); a failure names its seed and options.

const config = DEFAULT_ANALYSIS_CONFIG;
const settings = streamSettings(config);
const DAYS = Number(process.env.OTPTRACE_RANDOM_DAYS ?? 6);
const FIRST_SEED = Number(process.env.OTPTRACE_RANDOM_SEED ?? 1);

/** A small deterministic generator of integers below `n` (the test's own choices: record sizes, batches, crashes). */
function randomOf(seed: number): (n: number) => number {
  let s = (seed * 2654435761) >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

type DayOptions = NonNullable<Parameters<typeof generatedDay>[4]>;

/**
 * The generator's options of a site, drawn. The laptops' own clock skew and the number of each kind of server come
 * from draws of their own (`more`), so that every other choice of a seed stays what it was before they were added
 * (2026-12-05).
 */
function optionsOf(random: (n: number) => number, more: (n: number) => number): DayOptions {
  const text = random(2) === 1;
  const laptopSkewMs = [null, null, 30_000, 90_000][more(4)]!;
  const servers = [2, 2, 1, 3][more(4)]!;
  return {
    incidents: INCIDENT_NAMES.filter(() => random(3) === 0),
    ...(laptopSkewMs === null ? {} : { maxLaptopClockSkewMs: laptopSkewMs }),
    ...(servers === 2 ? {} : { daServers: servers, npsServers: 1 + more(3), cas: 1 + more(2) }),
    maxClockSkewMs: [0, 2_000, 20_000][random(3)]!,
    radiusClientNames: (['server', 'friendly', 'shared'] as const)[random(3)]!,
    ...(text
      ? {
          iisFormat: (['xml', 'w3c'] as const)[random(2)]!,
          npsFormat: (['dts', 'odbc', 'ias'] as const)[random(3)]!,
          npsTimeZone: (['Europe/Berlin', 'America/New_York', 'Asia/Kolkata'] as const)[random(3)]!,
        }
      : {}),
  };
}

/** One site's day: its files, its offline attempts, and its events in the order a collector would publish them. */
function site(seed: number, day: string, random: (n: number) => number) {
  const options = optionsOf(random, randomOf(seed * 7 + 3));
  const files = generatedDay(60 + random(200), seed, `${day}T00:00:00.000Z`, 0.1, options);
  const offline = offlineAnalysis(files).attempts.map((a) => a.record);
  // Sent when written: an NPS log file's records at their UTC time (what its server's zone makes of the local time
  // the file reads), then up to the clock-skew tolerance late.
  const zone = options.npsTimeZone;
  const utc = new Map(
    eventsOf(
      files,
      analysisConfigSchema.parse(
        zone === undefined ? {} : { npsLogUtcOffsets: { nps1: zone, nps2: zone, nps3: zone } },
      ),
    ).map((e) => [e.id, e.time]),
  );
  const events = arrivalOrder(eventsOf(files), config.clockSkewToleranceMs, seed, (e) => utc.get(e.id)!);
  return { options, offline, events, sentAt: (id: string) => utc.get(id)! };
}

const byId = (list: readonly AttemptRecord[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
const attemptsOf = (units: readonly StreamUnit[]) =>
  units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt.record] : []));

/**
 * The records through owners of the partition that crash after the records `crashes` name (in order): each new owner
 * starts from the last checkpoint committed, as Kafka hands the partition over. Returns every unit published.
 */
function runWithCrashes(records: readonly StreamRecord[], crashes: readonly number[], random: (n: number) => number) {
  const published: SiteUnit[] = [];
  let resume: Checkpoint | null = null;
  for (const crashAt of [...crashes, Number.POSITIVE_INFINITY]) {
    const owner = new StreamPartition(settings, resume);
    let at = resume?.from ?? 0;
    while (at < records.length && at < crashAt) {
      const batch = records.slice(at, Math.min(at + 1 + random(60), crashAt + 1));
      const step = owner.take(batch);
      published.push(...step.units);
      if (step.commit !== null) resume = decodeCheckpoint(step.commit.offset, step.commit.metadata);
      at += batch.length;
    }
    if (crashAt === Number.POSITIVE_INFINITY) published.push(...owner.flush().units);
  }
  return published;
}

describe('the stream on seeded random days: every attempt of otptrace analyze once, whatever the choices', () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + DAYS; seed++) {
    const random = randomOf(seed);
    const north = site(seed, '2026-03-02', random);
    // The same day: each site is its own engine, whatever names its hosts share with the other's.
    const south = site(seed + 7919, '2026-03-02', random);
    const label = `seed ${seed}: north ${JSON.stringify(north.options)}, south ${JSON.stringify(south.options)}`;

    it(`seed ${seed}: one site's stream gives its offline attempts, nothing late`, () => {
      const stream = new SiteStream(settings);
      const units = north.events.flatMap((e) => stream.take(e).units);
      units.push(...stream.flush().units);
      expect(units.filter((u) => u.kind === 'late').length, label).toBe(0);
      expect(byId(attemptsOf(units)), label).toEqual(byId(north.offline));
    });

    it(`seed ${seed}: two sites in one partition, records of 1 to 40 events, owners crashing: each attempt once`, () => {
      // Its own draws, so that the test run alone (-t) draws as in the whole file.
      const random = randomOf(-seed);
      // The two sites' events interleaved as they were sent, each site's in its own arrival order.
      const sent: Array<{ event: NormalizedEvent; site: string }> = [];
      for (let n = 0, m = 0; n < north.events.length || m < south.events.length; ) {
        const fromNorth =
          m === south.events.length ||
          (n < north.events.length && north.sentAt(north.events[n]!.id) <= south.sentAt(south.events[m]!.id));
        sent.push(
          fromNorth ? { event: north.events[n++]!, site: 'north' } : { event: south.events[m++]!, site: 'south' },
        );
      }
      expect(new Set(sent.slice(0, sent.length >> 1).map((s) => s.site)).size, 'the sites interleave').toBe(2);
      const records: StreamRecord[] = [];
      for (let at = 0; at < sent.length; ) {
        let end = at + 1;
        const size = 1 + random(40);
        while (end < sent.length && end - at < size && sent[end]!.site === sent[at]!.site) end++;
        records.push({ offset: records.length, site: sent[at]!.site, events: sent.slice(at, end).map((s) => s.event) });
        at = end;
      }
      const crashes = [random(records.length), random(records.length)].sort((x, y) => x - y);
      const published = runWithCrashes(records, crashes, random);
      expect(published.filter((u) => u.kind === 'late').length, label).toBe(0);
      // By site: the two days' hosts share names and record numbers, so their attempts may share IDs too.
      for (const [name, { offline }] of [
        ['north', north],
        ['south', south],
      ] as const) {
        const own = attemptsOf(published.filter((u) => u.site === name));
        const ids = own.map((a) => a.id);
        expect(ids.length - new Set(ids).size, `${label}: ${name}'s attempts published twice`).toBe(0);
        expect(byId(own), `${label}: ${name}`).toEqual(byId(offline));
      }
    });
  }
});
