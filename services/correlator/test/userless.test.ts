import type { AttemptRecord } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { type UserlessReport, UserlessResolver } from '../src/userless.js';

const attempt = { record: { id: 'own-1' } as AttemptRecord, events: [] };
const report = (partition: number, fate: UserlessReport['fate'], time = 0, eventId = 'E'): UserlessReport => ({
  eventId,
  partition,
  fate,
  time,
  attempt: fate === 'own' ? attempt : null,
});

describe('UserlessResolver', () => {
  it('emits the stand-alone attempt once every partition reported and none joined the event to a user', () => {
    const resolver = new UserlessResolver(3, 3_600_000);
    expect(resolver.take(0, report(0, 'own'))).toEqual([]);
    expect(resolver.take(1, report(2, 'own'))).toEqual([]);
    expect(resolver.take(2, report(1, 'own'))).toEqual([attempt]);
    expect(resolver.commitOffset()).toBe(3);
  });

  it('emits nothing when one partition joined the event to its user', () => {
    const resolver = new UserlessResolver(3, 3_600_000);
    resolver.take(0, report(0, 'own'));
    resolver.take(1, report(1, 'claimed'));
    expect(resolver.take(2, report(2, 'own'))).toEqual([]);
    expect(resolver.waiting).toBe(0);
  });

  it('counts a partition once however often it reports, and holds the commit until the event is decided', () => {
    const resolver = new UserlessResolver(2, 3_600_000);
    resolver.take(0, report(0, 'own'));
    resolver.take(1, report(0, 'own'));
    expect(resolver.waiting).toBe(1);
    expect(resolver.commitOffset()).toBe(0);
  });

  it('closes, without emitting, a re-report that the other partitions have long moved past', () => {
    const resolver = new UserlessResolver(2, 1_000);
    // Partition 0 re-reports E (after a replay); partition 1 already reported on E before the commit.
    resolver.take(0, report(0, 'own', 0));
    expect(resolver.take(1, report(1, 'claimed', 5_000, 'F'))).toEqual([]);
    expect(resolver.waiting).toBe(1);
    expect(resolver.take(2, report(0, 'dropped', 6_000, 'F'))).toEqual([]);
    expect(resolver.waiting).toBe(0);
    expect(resolver.commitOffset()).toBe(3);
  });
});
