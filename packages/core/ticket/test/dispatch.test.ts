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
function memoryStore(): DispatchStore & { saves: number } {
  let text: string | null = null;
  return {
    saves: 0,
    async load() {
      return text === null ? null : (JSON.parse(text) as DispatchState);
    },
    async save(state) {
      this.saves += 1;
      text = JSON.stringify(state);
    },
  };
}

/** A sink remembering what it got, failing while `down`. */
function recordingSink(name: string) {
  const got: TicketChange[] = [];
  const sink = {
    name,
    down: false,
    async deliver(changes: readonly TicketChange[]) {
      if (sink.down) throw new Error(`${name} is down`);
      got.push(...changes);
      return { delivered: changes.length, deadLettered: 0 };
    },
  } satisfies TicketSink & { down: boolean };
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

  it('refuses two sinks of one name (their ledgers would mix)', () => {
    const a = recordingSink('a');
    expect(() => createTicketDispatcher({ config: {}, store: memoryStore(), sinks: [a.sink, a.sink] })).toThrow(
      /distinct names/,
    );
  });
});
