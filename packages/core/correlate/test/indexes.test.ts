import type { NormalizedEvent } from '@otptrace/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpenAttempt } from '../src/attempt.js';
import { AttemptIndex, isAttemptList } from '../src/attempt-index.js';
import { Deduplicator } from '../src/dedup.js';
import { PendingJoins } from '../src/pending.js';
import { TimeIndex, type TimePlace } from '../src/time-index.js';

describe('TimeIndex', () => {
  it('finds exactly the items in a window, per scope or across scopes, after moves and removals', () => {
    const index = new TimeIndex<string>(10);
    const places = new Map<string, TimePlace<string>>();
    const move = (item: string, scope: string, time: number | null) => {
      const place = places.get(item) ?? TimeIndex.place(item);
      places.set(item, place);
      index.move(place, scope, time);
    };
    move('a', 'x', 5);
    move('b', 'x', 15);
    move('c', 'y', 16);
    move('d', 'x', 40);
    move('a', 'x', 9); // same bucket, new time
    move('b', 'y', 25); // other scope and bucket
    move('d', 'x', null); // removed
    expect(index.within('x', 0, 100).sort()).toEqual(['a']);
    expect(index.within('y', 16, 25).sort()).toEqual(['b', 'c']);
    expect(index.within(null, 9, 16).sort()).toEqual(['a', 'c']);
    expect(index.within(null, 17, 24)).toEqual([]);
    // A window far wider than the buckets in use (read by bucket, not by window).
    expect(index.within(null, -1e12, 1e12).sort()).toEqual(['a', 'b', 'c']);
    expect(index.within('x', 10, 9)).toEqual([]);
    // A scope emptied and filled again is found again, in every-scope queries too.
    move('c', 'y', null);
    move('b', 'y', null);
    expect(index.within(null, -1e12, 1e12)).toEqual(['a']);
    move('c', 'y', 16);
    expect(index.within(null, -1e12, 1e12).sort()).toEqual(['a', 'c']);
  });
});

/**
 * The index as a plain model: per scope, per bucket, an array of items, taken out by swapping with the last. The order
 * a query finds items in is part of the joins' determinism, so `TimeIndex` must find them in this order too, whatever
 * it stores a bucket of one item as.
 */
class ModelIndex {
  private readonly scopes = new Map<string, Map<number, { item: number; time: number }[]>>();
  private readonly where = new Map<number, { scope: string; bucket: number }>();
  constructor(private readonly bucketMs: number) {}

  move(item: number, scope: string, time: number | null): void {
    const at = this.where.get(item);
    if (at !== undefined) {
      const buckets = this.scopes.get(at.scope)!;
      const bucket = buckets.get(at.bucket)!;
      const i = bucket.findIndex((e) => e.item === item);
      if (time !== null && at.scope === scope && at.bucket === Math.floor(time / this.bucketMs)) {
        bucket[i]!.time = time;
        return;
      }
      const last = bucket.pop()!;
      if (last.item !== item) bucket[i] = last;
      if (bucket.length === 0) buckets.delete(at.bucket);
      if (buckets.size === 0) this.scopes.delete(at.scope);
      this.where.delete(item);
    }
    if (time === null) return;
    const bucketNo = Math.floor(time / this.bucketMs);
    const buckets = this.scopes.get(scope) ?? new Map<number, { item: number; time: number }[]>();
    this.scopes.set(scope, buckets);
    const bucket = buckets.get(bucketNo) ?? [];
    buckets.set(bucketNo, bucket);
    bucket.push({ item, time });
    this.where.set(item, { scope, bucket: bucketNo });
  }

  within(scope: string, lo: number, hi: number): number[] {
    const found: number[] = [];
    const buckets = this.scopes.get(scope);
    if (buckets === undefined) return found;
    const first = Math.floor(lo / this.bucketMs);
    const last = Math.floor(hi / this.bucketMs);
    // A window of more buckets than the scope uses is read in the order the buckets came.
    const order =
      last - first >= buckets.size
        ? [...buckets.keys()]
        : Array.from({ length: last - first + 1 }, (_, k) => first + k);
    for (const b of order)
      if (b >= first && b <= last)
        for (const e of buckets.get(b) ?? []) if (e.time >= lo && e.time <= hi) found.push(e.item);
    return found;
  }
}

describe('TimeIndex against a plain model', () => {
  it('finds the same items in the same order after any moves, whatever a bucket of one item is kept as', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            item: fc.integer({ min: 0, max: 11 }),
            scope: fc.constantFrom('a', 'b'),
            time: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null, freq: 4 }),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 60 }),
        (moves, lo, width) => {
          const index = new TimeIndex<number>(10);
          const model = new ModelIndex(10);
          const places = new Map<number, TimePlace<number>>();
          for (const { item, scope, time } of moves) {
            const place = places.get(item) ?? TimeIndex.place(item);
            places.set(item, place);
            index.move(place, scope, time);
            model.move(item, scope, time);
            for (const s of ['a', 'b'])
              expect(index.within(s, lo, lo + width)).toEqual(model.within(s, lo, lo + width));
          }
        },
      ),
    );
  });
});

describe('TimeIndex.nearestFirst', () => {
  it('loads each item in [lo, hi] once, ring by ring, and no item left is nearer than the bound it returns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -500, max: 500 }), { maxLength: 60 }),
        fc.integer({ min: -600, max: 600 }),
        fc.integer({ min: -600, max: 600 }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 1, max: 50 }),
        (times, t, lo, width, bucketMs) => {
          const index = new TimeIndex<number>(bucketMs);
          // Items are their positions in `times`; every other one in another scope, which is never read.
          for (const [i, time] of times.entries()) index.move(TimeIndex.place(i), i % 3 === 2 ? 'other' : '', time);
          const hi = lo + width;
          const wanted = times.map((_, i) => i).filter((i) => i % 3 !== 2 && times[i]! >= lo && times[i]! <= hi);
          const reading = index.nearestFirst('', t, lo, hi);
          const loaded: number[] = [];
          for (let rings = 0; ; rings++) {
            expect(rings).toBeLessThan(2_000);
            const from = loaded.length;
            const bound = reading.load(loaded);
            for (const i of loaded.slice(from)) expect(wanted).toContain(i);
            for (const i of wanted)
              if (!loaded.includes(i)) expect(Math.abs(times[i]! - t)).toBeGreaterThanOrEqual(bound);
            if (bound === Number.POSITIVE_INFINITY) break;
          }
          expect([...loaded].sort((a, b) => a - b)).toEqual(wanted);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads a sparse index at once rather than ring by ring', () => {
    const index = new TimeIndex<string>(1);
    // Items taken out count no more.
    const gone = Array.from({ length: 200_000 }, (_, i) => TimeIndex.place(`gone${i}`));
    for (const [i, place] of gone.entries()) index.move(place, '', i);
    for (const place of gone) index.move(place, '', null);
    index.move(TimeIndex.place('near'), '', 3);
    index.move(TimeIndex.place('far'), '', 90_000);
    const reading = index.nearestFirst('', 0, -100_000, 100_000);
    const found: string[] = [];
    // Two buckets in use, 100,000 rings to read: one read of the map.
    expect(reading.load(found)).toBe(Number.POSITIVE_INFINITY);
    expect(found.sort()).toEqual(['far', 'near']);
  });

  it('reads ring by ring when few buckets hold more items than rings are left', () => {
    const index = new TimeIndex<number>(10);
    // Two full buckets near the query and one item further: 3 buckets in use, 20 rings left, 41 items.
    for (let i = 0; i < 40; i++) index.move(TimeIndex.place(i), '', i % 2 === 0 ? 5 : 15);
    index.move(TimeIndex.place(40), '', 150);
    const reading = index.nearestFirst('', 4, -200, 200);
    const found: number[] = [];
    // The first ring, bucket [0, 10), alone: anything else is more than 4 away (before 0) or at least 6 (from 10).
    expect(reading.load(found)).toBe(4);
    expect(found).toHaveLength(20);
    expect(reading.load(found)).toBe(14);
    expect(found).toHaveLength(40);
  });
});

describe('AttemptIndex', () => {
  it("starts a user's list afresh in one an emptied user's list left", () => {
    const user = (key: string) => ({ key, domain: 'corp', domainExplicit: true, raw: `CORP\\${key}` });
    const decision = (key: string, time: number) =>
      ({
        id: `nps|Security|${time}`,
        ref: { provider: 'NPS', eventId: 6273, computer: 'nps01', channel: 'Security', recordId: time },
        time,
        user: user(key),
        kind: 'radius.decision',
        source: 'radius',
        decision: 'denied',
        reasonCode: 16,
        reason: null,
        clientName: 'da01',
        clientIp: null,
        nasIdentifier: null,
        authenticationType: 'PAP',
        networkPolicy: null,
      }) as NormalizedEvent;
    const index = new AttemptIndex(1_000);
    const ann = index.openWith(decision('ann', 0), user('ann'), false);
    index.remove(ann);
    expect(index.firstWithFreeSlot('ann', 'client')).toBeNull();
    const bob1 = index.openWith(decision('bob', 10), user('bob'), false);
    const bob2 = index.openWith(decision('bob', 20), user('bob'), false);
    expect(index.firstWithFreeSlot('bob', 'client')).toBe(bob1);
    expect(bob1.nextOfUser).toBe(bob2);
    expect(bob2.prevOfUser).toBe(bob1);
    expect(index.firstWithFreeSlot('bob', 'radius')).toBeNull();
    index.remove(bob1);
    expect(index.firstWithFreeSlot('bob', 'client')).toBe(bob2);
    index.remove(bob2);
    expect(index.firstWithFreeSlot('bob', 'client')).toBeNull();
    expect(index.size).toBe(0);
  });

  it("gives a user's first attempt only while one of the user's attempts has the slot free", () => {
    const user = { key: 'cy', domain: 'corp', domainExplicit: true, raw: 'CORP\\cy' };
    const at = (time: number, more: object) =>
      ({
        id: `e|${time}`,
        ref: { provider: 'p', eventId: 1, computer: 'pc1', channel: 'c', recordId: time },
        time,
        user,
        ...more,
      }) as unknown as NormalizedEvent;
    const decision = (time: number) =>
      at(time, { kind: 'radius.decision', decision: 'granted', clientName: null, nasIdentifier: null, clientIp: null });
    const result = (time: number) => at(time, { kind: 'client.result', source: 'client' });
    const index = new AttemptIndex(1_000);
    expect(index.firstWithFreeSlot('cy', 'client')).toBeNull();
    const first = index.openWith(decision(0), user, false);
    expect(index.firstWithFreeSlot('cy', 'radius')).toBeNull();
    expect(index.firstWithFreeSlot('cy', 'client')).toBe(first);
    index.add(first, result(5));
    expect(index.firstWithFreeSlot('cy', 'client')).toBeNull();
    const second = index.openWith(decision(10), user, false);
    // Any attempt of the user with the slot free: the list from its first one.
    expect(index.firstWithFreeSlot('cy', 'client')).toBe(first);
    expect(index.firstWithFreeSlot('cy', 'caRequest')).toBe(first);
    index.remove(first);
    expect(index.firstWithFreeSlot('cy', 'client')).toBe(second);
    index.add(second, result(15));
    expect(index.firstWithFreeSlot('cy', 'client')).toBeNull();
    expect(index.firstWithFreeSlot('cy', 'caResult')).toBe(second);
    index.remove(second);
    expect(index.firstWithFreeSlot('cy', 'caResult')).toBeNull();
  });
});

describe('AttemptIndex CA decision slot', () => {
  it("takes the CA decision slot with a result of the CA's Security log only (any case), not its application log", () => {
    const user = { key: 'di', domain: 'corp', domainExplicit: true, raw: 'CORP\\di' };
    const ca = (kind: string, time: number, channel: string) =>
      ({
        id: `ca|${channel}|${time}`,
        ref: { provider: 'p', eventId: 4886, computer: 'ca01', channel, recordId: time },
        time,
        user,
        kind,
        requestId: 7,
        requestingMachine: null,
        status: 'issued',
      }) as unknown as NormalizedEvent;
    const index = new AttemptIndex(1_000);
    const a = index.openWith(ca('ca.request', 0, 'Security'), user, false);
    expect(index.firstWithFreeSlot('di', 'caResult')).toBe(a);
    index.add(a, ca('ca.result', 1, 'Application'));
    expect(index.firstWithFreeSlot('di', 'caResult')).toBe(a);
    index.add(a, ca('ca.result', 2, 'SECURITY'));
    expect(index.firstWithFreeSlot('di', 'caResult')).toBeNull();
    index.remove(a);
    // The next attempt in the same object (recycled) starts with the slot free.
    index.recycle(a);
    const b = index.openWith(ca('ca.request', 10, 'Security'), user, false);
    expect(b).toBe(a);
    expect(index.firstWithFreeSlot('di', 'caResult')).toBe(b);
  });
});

describe('AttemptIndex by client computer', () => {
  const result = (key: string, time: number, computer: string) =>
    ({
      id: `c|${time}`,
      ref: { provider: 'p', eventId: 10005, computer, channel: 'c', recordId: time },
      time,
      user: { key, domain: 'corp', domainExplicit: true, raw: `CORP\\${key}` },
      kind: 'client.result',
      source: 'client',
    }) as unknown as NormalizedEvent;
  const open = (index: AttemptIndex, key: string, time: number, computer: string) =>
    index.openWith(result(key, time, computer), { key, domain: 'corp', domainExplicit: true, raw: key }, false);
  const listOf = (entry: ReturnType<AttemptIndex['onMachine']>) =>
    entry === undefined ? [] : isAttemptList(entry) ? [...entry] : [entry];

  it("keeps a computer's attempts in the order they came, its only one without a list", () => {
    const index = new AttemptIndex(1_000);
    const ann = open(index, 'ann', 0, 'PC1.corp.example');
    // One attempt: itself, by the short name in any case.
    expect(index.onMachine('pc1')).toBe(ann);
    const bob = open(index, 'bob', 10, 'pc1');
    const cy = open(index, 'cy', 20, 'PC1');
    expect(listOf(index.onMachine('pc1.corp.example'))).toEqual([ann, bob, cy]);
    index.remove(bob);
    expect(listOf(index.onMachine('pc1'))).toEqual([ann, cy]);
    index.remove(ann);
    expect(listOf(index.onMachine('pc1'))).toEqual([cy]);
    index.remove(cy);
    expect(index.onMachine('pc1')).toBeUndefined();
    const dee = open(index, 'dee', 30, 'pc1');
    expect(index.onMachine('pc1')).toBe(dee);
    index.remove(dee);
    expect(index.onMachine('pc1')).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it("swaps two attempts' client results: each takes the start, end and time-index place of the one it got", () => {
    const index = new AttemptIndex(1_000);
    const first = open(index, 'ann', 0, 'pc1');
    const second = open(index, 'ann', 100, 'pc1');
    const denial = {
      id: 'r|80',
      ref: { provider: 'p', eventId: 6273, computer: 'nps1', channel: 'Security', recordId: 80 },
      time: 80,
      user: { key: 'ann', domain: 'corp', domainExplicit: true, raw: 'CORP\\ann' },
      kind: 'radius.decision',
      source: 'radius',
      decision: 'denied',
      reasonCode: 16,
      clientName: null,
      nasIdentifier: null,
      clientIp: null,
    } as unknown as NormalizedEvent;
    index.add(second, denial);
    const nearest = (t: number) => {
      const found: OpenAttempt[] = [];
      index.clientOnlyNearest(t, t - 10, t + 10).load(found);
      return found;
    };
    // Only the attempt without a decision waits for an IIS request by its result.
    expect(nearest(0)).toEqual([first]);
    index.swapClients(first, second);
    expect([first.client?.time, first.first, first.last]).toEqual([100, 100, 100]);
    expect([second.client?.time, second.first, second.last]).toEqual([0, 0, 80]);
    expect(nearest(0)).toEqual([]);
    expect(nearest(100)).toEqual([first]);
    // The user's list and the computer's still hold both, each once.
    expect(listOf(index.onMachine('pc1'))).toEqual([first, second]);
    expect(index.firstWithFreeSlot('ann', 'radius')).toBe(first);
    expect(index.firstWithFreeSlot('ann', 'client')).toBeNull();
  });
});

describe('PendingJoins', () => {
  it('hands events out by due time then event order, across its two lanes, up to the clock', () => {
    const event = (id: string, time: number) => ({ id, time }) as unknown as NormalizedEvent;
    // IIS requests are due 150 after their time, the other events 100.
    const pending = new PendingJoins(150, 100);
    const client = (id: string, time: number) => pending.push(event(id, time) as Parameters<PendingJoins['push']>[0]);
    client('c2', 20); // due 120
    pending.pushGateway(event('g1', 0) as Parameters<PendingJoins['pushGateway']>[0], 'da1'); // due 150
    client('c1', 20); // ties c2 on time: placed before it by id
    client('c3', 50); // ties g1 on due time: after it by event time
    const out: string[] = [];
    const hosts: string[] = [];
    const take = (clock: number) => {
      for (let e = pending.next(clock); e !== undefined; e = pending.next(clock)) {
        out.push(e.id);
        if (e.id === 'g1') hosts.push(pending.lastGatewayHost);
      }
    };
    take(149);
    expect(out).toEqual(['c1', 'c2']);
    take(Number.POSITIVE_INFINITY);
    expect(out).toEqual(['c1', 'c2', 'g1', 'c3']);
    expect(hosts).toEqual(['da1']);
    expect(pending.size).toBe(0);
  });

  it("reads one DA server's waiting IIS requests in time order, as they are handed out", () => {
    type Gateway = Parameters<PendingJoins['pushGateway']>[0];
    const pending = new PendingJoins(100, 100);
    const request = (id: string, time: number, host: string) =>
      pending.pushGateway({ id, time } as unknown as Gateway, host);
    request('a1', 0, 'da1');
    request('b1', 10, 'da2');
    request('a3', 30, 'da1');
    request('a2', 20, 'da1'); // out of order: placed before a3
    request('b2', 40, 'da2');
    const ids = (w: ReturnType<PendingJoins['gatewaysWithin']>) => {
      const out: string[] = [];
      for (let i = w.start; i < w.end; i++) out.push(`${w.requests[i]!.id}@${w.hosts[i]}`);
      return out;
    };
    expect(ids(pending.gatewaysOfHostWithin('da1', 0, 30))).toEqual(['a1@da1', 'a2@da1', 'a3@da1']);
    expect(ids(pending.gatewaysOfHostWithin('da1', 5, 25))).toEqual(['a2@da1']);
    expect(ids(pending.gatewaysOfHostWithin('da2', 0, 100))).toEqual(['b1@da2', 'b2@da2']);
    expect(ids(pending.gatewaysOfHostWithin('da3', 0, 100))).toEqual([]);
    expect(ids(pending.gatewaysWithin(10, 30))).toEqual(['b1@da2', 'a2@da1', 'a3@da1']);
    // Handed out up to b1 (due 110): gone from every lane.
    const out: string[] = [];
    for (let e = pending.next(110); e !== undefined; e = pending.next(110)) out.push(e.id);
    expect(out).toEqual(['a1', 'b1']);
    expect(ids(pending.gatewaysOfHostWithin('da1', 0, 100))).toEqual(['a2@da1', 'a3@da1']);
    expect(ids(pending.gatewaysOfHostWithin('da2', 0, 100))).toEqual(['b2@da2']);
    for (let e = pending.next(140); e !== undefined; e = pending.next(140)) out.push(e.id);
    expect(ids(pending.gatewaysOfHostWithin('da1', 0, 100))).toEqual([]);
    expect(ids(pending.gatewaysOfHostWithin('da2', 0, 100))).toEqual([]);
    expect(pending.size).toBe(0);
  });
});

describe('Deduplicator', () => {
  const event = (id: string, time: number, eventId = 6272) =>
    ({
      id,
      time,
      ref: { eventId, provider: 'p' },
      user: null,
      kind: 'radius.directory_unavailable',
      domain: 'd',
    }) as unknown as NormalizedEvent;

  it('tells copies from conflicts within its window, and forgets what is older than the window', () => {
    const dedup = new Deduplicator(100);
    expect(dedup.check(event('a', 0))).toBeNull();
    expect(dedup.check(event('a', 0))).toBe('duplicate_event');
    expect(dedup.check(event('a', 0, 6273))).toBe('conflicting_duplicate');
    // The same identity far apart in time is another event (a cleared log), remembered in its place.
    expect(dedup.check(event('a', 1_000))).toBeNull();
    expect(dedup.check(event('b', 1_050))).toBeNull();
    dedup.forget(1_050); // horizon 950: 'a' is remembered at 1,000 now, not at 0, so nothing goes
    expect(dedup.check(event('a', 1_000))).toBe('duplicate_event');
    dedup.forget(1_120); // horizon 1,020: 'a' goes, 'b' stays
    expect(dedup.check(event('a', 1_000))).toBeNull();
    expect(dedup.check(event('b', 1_050))).toBe('duplicate_event');
  });

  it('keeps identities apart that share a record number (other computers or channels), and forgets each in turn', () => {
    const on = (id: string, recordId: number, time: number) => {
      const e = event(id, time);
      return { ...e, ref: { ...e.ref, recordId } } as NormalizedEvent;
    };
    const dedup = new Deduplicator(100);
    expect(dedup.check(on('a|security|7', 7, 0))).toBeNull();
    expect(dedup.check(on('b|security|7', 7, 10))).toBeNull();
    expect(dedup.check(on('a|system|7', 7, 20))).toBeNull();
    expect(dedup.check(on('b|security|8', 8, 30))).toBeNull();
    expect(dedup.check(on('a|security|7', 7, 0))).toBe('duplicate_event');
    expect(dedup.check(on('b|security|7', 7, 10))).toBe('duplicate_event');
    expect(dedup.check(on('a|system|7', 7, 20))).toBe('duplicate_event');
    expect(dedup.check(on('b|security|7', 7, 11))).toBe('conflicting_duplicate');
    dedup.forget(105); // horizon 5: the first 'a|security|7' goes, the later ones of record 7 stay
    expect(dedup.check(on('b|security|7', 7, 10))).toBe('duplicate_event');
    expect(dedup.check(on('a|system|7', 7, 20))).toBe('duplicate_event');
    expect(dedup.check(on('a|security|7', 7, 0))).toBeNull();
    dedup.forget(1_000); // everything goes
    expect(dedup.check(on('a|system|7', 7, 20))).toBeNull();
    expect(dedup.check(on('b|security|8', 8, 30))).toBeNull();
  });

  it('remembers more identities than it first has room for, while forgetting the oldest, and loses none', () => {
    const on = (n: number, time: number) => {
      const e = event(`h${n % 7}|security|${n}`, time);
      // Record numbers repeat across the seven computers: the rare path by identity is taken too.
      return { ...e, ref: { ...e.ref, recordId: Math.floor(n / 7) } } as NormalizedEvent;
    };
    const dedup = new Deduplicator(1_000);
    for (let n = 0; n < 5_000; n++) {
      expect(dedup.check(on(n, n))).toBeNull();
      if (n % 100 === 99) dedup.forget(n); // keeps about the last 1,000
    }
    for (let n = 4_000; n < 5_000; n++) expect(dedup.check(on(n, n))).toBe('duplicate_event');
    expect(dedup.check(on(3_000, 3_000))).toBeNull(); // forgotten (horizon 3,999 - 1,000)
    // Growing while nothing is forgotten keeps every identity too.
    const all = new Deduplicator(1e9);
    for (let n = 0; n < 3_000; n++) all.check(on(n, n));
    for (let n = 0; n < 3_000; n++) expect(all.check(on(n, n))).toBe('duplicate_event');
  });

  it('answers as a plain list of remembered identities would, over many computers sharing record numbers', () => {
    const dedup = new Deduplicator(50);
    // The reference: identities in the order first remembered, each with its event's time; forgotten from the front.
    const remembered: { id: string; time: number }[] = [];
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const time = step + random(20);
      const record = random(300);
      const id = `h${random(5)}|security|${record}`;
      const e = event(id, time);
      const got = dedup.check({ ...e, ref: { ...e.ref, recordId: record } } as NormalizedEvent);
      const earlier = remembered.find((r) => r.id === id);
      // A copy within the window: the same when its time (the only field that varies here) is the same.
      if (earlier !== undefined && Math.abs(earlier.time - time) <= 50)
        expect(got).toBe(earlier.time === time ? 'duplicate_event' : 'conflicting_duplicate');
      else {
        expect(got).toBeNull();
        if (earlier === undefined) remembered.push({ id, time });
        else earlier.time = time;
      }
      if (step % 37 === 0) {
        dedup.forget(step);
        while (remembered.length > 0 && remembered[0]!.time < step - 50) remembered.shift();
      }
    }
  });
});
