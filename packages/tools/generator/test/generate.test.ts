import { createHash } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  buildFleet,
  createPrng,
  DEFAULT_FLEET_OPTIONS,
  type ExpectedAttempt,
  FLEET_FILES,
  fleetOptionProblems,
  generateFleetLogs,
} from '../src/index.js';
import { generateToMemory, readEvents } from './helpers.js';

const digest = (files: Record<string, string>): string => {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(name).update(files[name] ?? '');
  return h.digest('hex');
};

describe('generateFleetLogs', { timeout: 60_000 }, () => {
  it('writes the same bytes for the same seed and different bytes for another seed', () => {
    const a = generateToMemory({ users: 40, seed: 7 });
    const b = generateToMemory({ users: 40, seed: 7 });
    const c = generateToMemory({ users: 40, seed: 8 });
    expect(digest(a.files)).toBe(digest(b.files));
    expect(digest(a.files)).not.toBe(digest(c.files));
    expect(Object.keys(a.files).sort()).toEqual([...FLEET_FILES, 'expected.json'].sort());
  });

  it('writes files that are well-formed XML and that fast-xml-parser reads back event for event', () => {
    const { files, summary } = generateToMemory({ users: 40, seed: 3, maxClockSkewMs: 5000 });
    for (const name of FLEET_FILES) {
      const xml = files[name] ?? '';
      expect(XMLValidator.validate(xml), name).toBe(true);
      expect(readEvents(name, xml)).toHaveLength(summary.eventsByFile[name]);
    }
  });

  it('keeps the share of unrelated events at the configured ratio', () => {
    for (const ratio of [0.9, 0.5]) {
      const { files, summary } = generateToMemory({ users: 100, seed: 11, unrelatedRatio: ratio });
      const total = summary.relevantEvents + summary.unrelatedEvents;
      expect(Math.abs(summary.unrelatedEvents / total - ratio)).toBeLessThan(0.01);
      const written = FLEET_FILES.reduce((n, f) => n + (files[f]?.match(/<Event xmlns/g)?.length ?? 0), 0);
      expect(written).toBe(total);
    }
    const { summary } = generateToMemory({ users: 30, seed: 11, unrelatedRatio: 0 });
    expect(summary.unrelatedEvents).toBe(0);
  });

  it('stops adding attempts once the size budget is written', () => {
    const { summary } = generateToMemory({ users: 200, seed: 5, sizeBytes: 3_000_000 });
    expect(summary.xmlBytes).toBeGreaterThanOrEqual(3_000_000);
    expect(summary.xmlBytes).toBeLessThan(3_300_000);
  });

  it("names the DA servers as NPS's RADIUS clients by their short names, friendly names of their own, or one name", () => {
    const clientNames = (radiusClientNames: 'server' | 'friendly' | 'shared') => {
      const nps = generateToMemory({ users: 40, seed: 3, radiusClientNames }).files['nps.xml'] ?? '';
      const names = [...nps.matchAll(/<Data Name=["']ClientName["']>([^<]*)</g)].map((m) => m[1]);
      const addresses = [...nps.matchAll(/<Data Name=["']ClientIPAddress["']>([^<]*)</g)].map((m) => m[1]);
      return { names: [...new Set(names)].sort(), addresses: [...new Set(addresses)].sort() };
    };
    const server = clientNames('server');
    expect(server.names).toEqual(['DA1', 'DA2']);
    expect(clientNames('friendly')).toEqual({ ...server, names: ['DirectAccess gateway 1', 'DirectAccess gateway 2'] });
    expect(clientNames('shared')).toEqual({ ...server, names: ['DirectAccess'] });
    expect(server.addresses).toHaveLength(2);
  });

  it('adds an incident asked for by name to each day, and leaves a day asked for without one as it was', () => {
    const plain = generateToMemory({ users: 300, seed: 12, unrelatedRatio: 0, days: 2 });
    const again = generateToMemory({ users: 300, seed: 12, unrelatedRatio: 0, days: 2, incidents: [] });
    expect(digest(again.files)).toBe(digest(plain.files));
    const { files } = generateToMemory({
      users: 300,
      seed: 12,
      unrelatedRatio: 0,
      days: 2,
      incidents: ['radius_client_misconfigured'],
    });
    const expected = JSON.parse(files['expected.json'] ?? '') as ExpectedAttempt[];
    const refused = expected.filter((e) => e.rootCause === 'radius_client_misconfigured');
    // One incident a day, each on one DA server, in working hours.
    const days = new Set(refused.map((e) => e.start.slice(0, 10)));
    expect(days.size).toBe(2);
    for (const day of days) {
      const ofDay = refused.filter((e) => e.start.startsWith(day));
      expect(new Set(ofDay.map((e) => e.hosts.gateway)).size).toBe(1);
      const hours = ofDay.map((e) => Number(e.start.slice(11, 13)));
      expect(Math.min(...hours)).toBeGreaterThanOrEqual(7);
      expect(Math.max(...hours)).toBeLessThan(19);
    }
    // Each refused logon: an unanswered request of 5 s a try, its client's 10005, and NPS's System 14 naming the DA
    // server's own address, never a decision.
    for (const e of refused) {
      expect(e.detail).toEqual({ npsReasonCode: null, caHresult: null, clientEventId: 10005, httpStatus: 200 });
      expect(e.failedStage).toBe('radius');
    }
    const nps = readEvents('nps.xml', files['nps.xml'] ?? '');
    const system14 = nps.filter((e) => e.eventId === 14);
    expect(system14.length).toBeGreaterThanOrEqual(refused.length);
    const addresses = new Set(
      readEvents('nps.xml', plain.files['nps.xml'] ?? '').flatMap((e) => [e.data.ClientIPAddress ?? []].flat()),
    );
    for (const e of system14) {
      expect(e.channel).toBe('System');
      expect(e.unnamed).toHaveLength(1);
      expect(addresses.has(e.unnamed[0]!), e.unnamed[0]).toBe(true);
    }
  });

  it('logs nothing on NPS of a probe while NPS is not answering, even from a DA server it refuses', () => {
    // One DA server and one NPS: a probe meets the first incident of either, as a user's request does (`incidentAt`).
    const { files, summary } = generateToMemory({
      users: 400,
      seed: 56,
      days: 3,
      daServers: 1,
      npsServers: 1,
      cas: 1,
      unrelatedRatio: 0,
      incidents: ['radius_no_response', 'radius_client_misconfigured'],
    });
    const spans = summary.incidents
      .filter((i) => !i.scenario.startsWith('ca_'))
      .map((i) => ({ scenario: i.scenario, from: Date.parse(i.from), to: Date.parse(i.to) }));
    const faultAt = (t: number) => spans.find((i) => t >= i.from && t < i.to)?.scenario;
    // The seed's days hold NPS not answering while it refuses the DA server (else this test says nothing).
    const overlap = (a: { from: number; to: number }, b: { from: number; to: number }) =>
      Math.min(a.to, b.to) - Math.max(a.from, b.from);
    const silent = spans.filter((i) => i.scenario === 'radius_no_response');
    const refusing = spans.filter((i) => i.scenario === 'radius_client_misconfigured');
    expect(Math.max(...silent.flatMap((n) => refusing.map((m) => overlap(n, m))))).toBeGreaterThan(20 * 60_000);
    const expected = JSON.parse(files['expected.json'] ?? '') as ExpectedAttempt[];
    const refusedStarts = expected
      .filter((e) => e.rootCause === 'radius_client_misconfigured')
      .map((e) => Date.parse(e.start));
    const nps = readEvents('nps.xml', files['nps.xml'] ?? '');
    const probes = nps.filter((e) => Object.values(e.data).some((v) => /daprobeuser/i.test(v)));
    // A refused user's own tries (up to three of 5 s) may run on into the next incident.
    const refusals = nps.filter(
      (e) => e.eventId === 14 && !refusedStarts.some((s) => s <= e.time && e.time - s < 20_000),
    );
    expect(probes.length).toBeGreaterThan(100);
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of [...probes, ...refusals])
      expect(faultAt(e.time), `${e.eventId} at ${new Date(e.time).toISOString()}`).not.toBe('radius_no_response');
  });

  it('refuses unusable options with every problem listed', () => {
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, users: 0, unrelatedRatio: 1 })).toEqual([
      'users must be a positive integer (got 0)',
      'unrelatedRatio must be in [0, 1)',
    ]);
    const names = 'cluster' as 'shared';
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, radiusClientNames: names })).toEqual([
      'radiusClientNames must be server, friendly, shared (got cluster)',
    ]);
    const unknown = 'dns_outage' as 'signing_failed';
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, incidents: [unknown] })).toEqual([
      'incidents: dns_outage is none (use radius_no_response, radius_directory_unavailable, ca_template_not_available, ca_unreachable, signing_failed, radius_client_misconfigured, radius_extension_failed, radius_remote_unavailable, gateway_untrusted_client_certificate)',
    ]);
    expect(() => generateFleetLogs({ users: -1 }).next()).toThrow(RangeError);
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, maxLaptopClockSkewMs: -1 })).toEqual([
      'maxLaptopClockSkewMs must be ≥ 0',
    ]);
  });

  it("skews the laptops' clocks by their own bound when given one, and the servers' by theirs", () => {
    const options = { ...DEFAULT_FLEET_OPTIONS, users: 200, maxClockSkewMs: 1_000, maxLaptopClockSkewMs: 60_000 };
    const fleet = buildFleet(createPrng(3).fork(), options);
    const servers = [...fleet.daServers, ...fleet.npsServers, ...fleet.cas].map((h) => Math.abs(h.clockOffsetMs));
    const laptops = fleet.users.map((u) => Math.abs(u.client.clockOffsetMs));
    expect(Math.max(...servers)).toBeLessThanOrEqual(1_000);
    expect(Math.max(...laptops)).toBeLessThanOrEqual(60_000);
    expect(laptops.filter((ms) => ms > 30_000).length).toBeGreaterThan(50);
    // Without a bound of their own, laptops take the hosts' one.
    const same = buildFleet(createPrng(3).fork(), { ...options, maxLaptopClockSkewMs: null });
    expect(Math.max(...same.users.map((u) => Math.abs(u.client.clockOffsetMs)))).toBeLessThanOrEqual(1_000);
  });
});
