import { createHash } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_OPTIONS, FLEET_FILES, fleetOptionProblems, generateFleetLogs } from '../src/index.js';
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

  it('refuses unusable options with every problem listed', () => {
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, users: 0, unrelatedRatio: 1 })).toEqual([
      'users must be a positive integer (got 0)',
      'unrelatedRatio must be in [0, 1)',
    ]);
    const names = 'cluster' as 'shared';
    expect(fleetOptionProblems({ ...DEFAULT_FLEET_OPTIONS, radiusClientNames: names })).toEqual([
      'radiusClientNames must be server, friendly, shared (got cluster)',
    ]);
    expect(() => generateFleetLogs({ users: -1 }).next()).toThrow(RangeError);
  });
});
