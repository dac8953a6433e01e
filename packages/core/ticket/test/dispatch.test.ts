import type { TicketChange } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { createTicketDispatcher, type DispatchState, type DispatchStore } from '../src/dispatch.js';
import type { TicketSink } from '../src/sinks/types.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;
const failure = (n: number, at: number) =>
  buildAttempt({ n, at, outcome: 'failure', stage: 'ca', cause: 'ca_pending' });

/** A store that round-trips through JSON, like the file and PostgreSQL stores. */
function memoryStore(): DispatchStore & { saves: number; loads: number; text(): string | null } {
  let text: string | null = null;
  return {
    saves: 0,
    loads: 0,
    text: () => text,
    async load() {
      this.loads += 1;
      return text === null ? null : (JSON.parse(text) as DispatchState);
    },
    async save(state) {
      this.saves += 1;
      text = JSON.stringify(state);
    },
  };
}

/**
 * A store that keeps the engine's remembered attempt IDs apart, as the PostgreSQL store does (a table beside the
 * state row): the state is saved without them, and each save applies only the changes it is given to its table.
 */
function seenApartStore(): DispatchStore & { loads: number; rows: number } {
  let text: string | null = null;
  const table = new Map<string, number>();
  return {
    loads: 0,
    get rows() {
      return table.size;
    },
    async load() {
      this.loads += 1;
      if (text === null) return null;
      const state = JSON.parse(text) as DispatchState;
      if (state.engine !== null) state.engine.seen = Object.fromEntries(table);
      return state;
    },
    async save(state, seen, what) {
      const next = JSON.stringify({ ...state, engine: state.engine && { ...state.engine, seen: {} } });
      // A store may leave the engine's part alone when told only the delivery changed: it must be as last saved.
      const engineOf = (json: string | null) => JSON.stringify(json === null ? null : JSON.parse(json).engine);
      if (what === 'delivery' && engineOf(next) !== engineOf(text)) throw new Error('the engine changed in a delivery');
      if (what === 'delivery' && (seen.added.length > 0 || seen.forgetBefore !== null))
        throw new Error('remembered IDs changed in a delivery');
      text = next;
      for (const [id, endMs] of seen.added) table.set(id, endMs);
      if (seen.forgetBefore !== null) for (const [id, endMs] of table) if (endMs < seen.forgetBefore) table.delete(id);
    },
  };
}

/** A sink remembering what it got, failing while `down`. */
function recordingSink(name: string) {
  const got: TicketChange[] = [];
  const sink: TicketSink & { down: boolean } = {
    name,
    down: false,
    async deliver(changes: readonly TicketChange[]) {
      if (sink.down) throw new Error(`${name} is down`);
      got.push(...changes);
      return { delivered: changes.length, deadLettered: 0 };
    },
  };
  return { sink, got, ids: () => got.map((c) => `${c.change}:${c.ticket.revision}`) };
}

describe('ticket dispatcher', () => {
  it('delivers each change to every sink once per revision, and nothing on a replay', async () => {
    const store = memoryStore();
    const a = recordingSink('a');
    const b = recordingSink('b');
    const dispatcher = createTicketDispatcher({ config: {}, store, sinks: [a.sink, b.sink] });
    const stream = [failure(1, T0), failure(2, T0 + 5 * MIN), failure(3, T0 + 10 * MIN)];
    for (const attempt of stream) await dispatcher.process([attempt]);
    expect(a.ids()).toEqual(['opened:1', 'updated:2', 'updated:3']);
    expect(b.ids()).toEqual(a.ids());
    const replay = await dispatcher.process(stream);
    expect(replay.changes).toEqual([]);
    expect(a.got).toHaveLength(3);
  });

  it('keeps what a failing sink missed and delivers it on the next step, without resending to the others', async () => {
    const store = memoryStore();
    const a = recordingSink('a');
    const b = recordingSink('b');
    const dispatcher = createTicketDispatcher({ config: {}, store, sinks: [a.sink, b.sink] });
    b.sink.down = true;
    await expect(dispatcher.process([failure(1, T0)])).rejects.toThrow('b is down');
    // The caller re-reads and retries the same attempt: the engine has it already; the outbox still holds b's change.
    await expect(dispatcher.process([failure(1, T0)])).rejects.toThrow('b is down');
    b.sink.down = false;
    const retried = await dispatcher.process([failure(1, T0)]);
    expect(retried.changes).toEqual([]);
    expect(a.ids()).toEqual(['opened:1']);
    expect(b.ids()).toEqual(['opened:1']);
    await dispatcher.process([failure(2, T0 + MIN)]);
    expect(b.ids()).toEqual(['opened:1', 'updated:2']);
  });

  it('reads its store only when it holds no saved state, with the changes and state of reading it at every step', async () => {
    // Failures, successes and quiet gaps, so that tickets open, grow, resolve and the remembered IDs are pruned.
    const stream = Array.from({ length: 60 }, (_, i) =>
      i % 7 === 3
        ? buildAttempt({ n: 100 + i, at: T0 + i * 20 * MIN, outcome: 'success' })
        : failure(i % 11, T0 + i * 20 * MIN + (i % 3) * MIN),
    );
    const batches = [
      stream.slice(0, 5),
      stream.slice(5, 6),
      [],
      stream.slice(6, 30),
      stream.slice(3, 8),
      stream.slice(30),
    ];
    const config = { dedupeHorizonMs: 6 * 60 * MIN };
    const kept = memoryStore();
    const keeping = recordingSink('a');
    const dispatcher = createTicketDispatcher({ config, store: kept, sinks: [keeping.sink] });
    const fresh = memoryStore();
    const freshSink = recordingSink('a');
    for (const [i, batch] of batches.entries()) {
      // A dispatcher made anew for each step reads the store every time (what the dispatcher did before it kept it).
      const once = createTicketDispatcher({ config, store: fresh, sinks: [freshSink.sink] });
      keeping.sink.down = freshSink.sink.down = i === 3;
      const got = await dispatcher.process(batch).catch((e: Error) => e.message);
      const expected = await once.process(batch).catch((e: Error) => e.message);
      expect(got).toEqual(expected);
      expect(kept.text()).toEqual(fresh.text());
    }
    expect(keeping.ids()).toEqual(freshSink.ids());
    expect(keeping.ids().length).toBeGreaterThan(5);
    // Read by the first step and by the one after the empty step (which saved nothing, so kept nothing); not after
    // the failed delivery, whose state had been saved before the sink was tried.
    expect(kept.loads).toBe(2);
  });

  it('gives a store that keeps the remembered IDs apart the changes that rebuild them at every step', async () => {
    const stream = Array.from({ length: 60 }, (_, i) =>
      i % 7 === 3
        ? buildAttempt({ n: 100 + i, at: T0 + i * 20 * MIN, outcome: 'success' })
        : failure(i % 11, T0 + i * 20 * MIN + (i % 3) * MIN),
    );
    // A replay, an empty step, a failed delivery (the next step reads the store), a step whose clock forgets IDs taken
    // in that very step, and a replay of forgotten attempts (late: ignored either way).
    const steps: [typeof stream, number | undefined][] = [
      [stream.slice(0, 5), undefined],
      [stream.slice(5, 12), undefined],
      [[], undefined],
      [stream.slice(3, 8), undefined],
      [stream.slice(12, 30), undefined],
      [stream.slice(30, 40), T0 + 40 * 20 * MIN + 6 * 60 * MIN - 30 * MIN],
      [stream.slice(0, 10), undefined],
      [stream.slice(40), undefined],
    ];
    const config = { dedupeHorizonMs: 6 * 60 * MIN };
    const whole = memoryStore();
    const wholeSink = recordingSink('a');
    const byWhole = createTicketDispatcher({ config, store: whole, sinks: [wholeSink.sink] });
    const apart = seenApartStore();
    const apartSink = recordingSink('a');
    const byApart = createTicketDispatcher({ config, store: apart, sinks: [apartSink.sink] });
    for (const [i, [batch, nowMs]] of steps.entries()) {
      wholeSink.sink.down = apartSink.sink.down = i === 4;
      const expected = await byWhole.process(batch, nowMs).catch((e: Error) => e.message);
      const got = await byApart.process(batch, nowMs).catch((e: Error) => e.message);
      expect(got).toEqual(expected);
      // What each store gives back (the state a restarted correlator resumes from) is the same.
      expect(JSON.stringify(await apart.load())).toEqual(JSON.stringify(await whole.load()));
    }
    expect(apartSink.ids()).toEqual(wholeSink.ids());
    const saved = JSON.parse(whole.text()!) as DispatchState;
    expect(apart.rows).toBe(Object.keys(saved.engine!.seen).length);
    expect(apart.rows).toBeGreaterThan(5);
    expect(apart.rows).toBeLessThan(40);
  });

  it('refuses two sinks of one name (their ledgers would mix)', () => {
    const a = recordingSink('a');
    expect(() => createTicketDispatcher({ config: {}, store: memoryStore(), sinks: [a.sink, a.sink] })).toThrow(
      /distinct names/,
    );
  });
});
