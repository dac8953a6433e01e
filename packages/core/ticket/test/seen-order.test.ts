import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { advanceTicketState, processAttempts } from '../src/engine.js';
import { emptyTicketState } from '../src/state.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;

/** A small deterministic generator (mulberry32), so that a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('remembered attempt IDs, pruned in end-time order', () => {
  // The in-place engine keeps the IDs in end-time order as it takes them (seen-order.ts); a state copied at every
  // step (processAttempts) has that order built anew from its entries each time. Both must forget exactly the IDs
  // that ended before the horizon, whatever order the attempts came in.
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`forgets what a state rebuilt at every step forgets (seed ${seed})`, () => {
      const next = random(seed);
      // Ends spread over three days, each batch out of order and some attempts far behind the others (late ones).
      const attempts = Array.from({ length: 600 }, (_, i) => {
        const at = T0 + i * 7 * MIN + Math.floor(next() * 90) * MIN - (next() < 0.05 ? 20 * 60 * MIN : 0);
        return next() < 0.5
          ? buildAttempt({ n: i, at, outcome: 'success' })
          : buildAttempt({ n: i, at, outcome: 'failure', stage: 'ca', cause: 'ca_pending' });
      });
      const config = { dedupeHorizonMs: 6 * 60 * MIN };
      let copied = emptyTicketState();
      const inPlace = emptyTicketState();
      let forgotten = 0;
      for (let from = 0; from < attempts.length; ) {
        const size = 1 + Math.floor(next() * 40);
        // Replays of earlier attempts, and now and then a clock that moves the horizon on its own.
        const replay = next() < 0.2 ? attempts.slice(Math.max(0, from - 50), from - 10) : [];
        const batch = [...attempts.slice(from, from + size), ...replay];
        const nowMs = next() < 0.1 ? T0 + (from + size) * 7 * MIN + Math.floor(next() * 600) * MIN : undefined;
        const a = processAttempts(copied, batch, config, nowMs);
        const before = Object.keys(inPlace.seen).length;
        const b = advanceTicketState(inPlace, batch, config, nowMs);
        forgotten += before + b.seen.added.length - Object.keys(inPlace.seen).length;
        expect(b.accounting).toEqual(a.accounting);
        expect(b.changes).toEqual(a.changes);
        expect(b.seen).toEqual(a.seen);
        expect(JSON.stringify(inPlace)).toBe(JSON.stringify(a.state));
        copied = a.state;
        from += size;
      }
      // The horizon did move past most of them: the test exercised forgetting.
      expect(forgotten).toBeGreaterThan(300);
      expect(Object.keys(inPlace.seen).length).toBeGreaterThan(0);
      // Exactly the IDs within the horizon behind the newest end are remembered.
      const horizon = inPlace.watermarkMs! - config.dedupeHorizonMs;
      expect(Object.values(inPlace.seen).every((end) => end >= horizon)).toBe(true);
    });
  }
});
