import type { AttemptRecord, TicketChange, TicketConfigInput } from '@otptrace/schemas';
import { advanceTicketState, type SeenChanges } from './engine.js';
import type { SinkResult, TicketSink } from './sinks/types.js';
import { emptyTicketState, type TicketAccounting, type TicketState } from './state.js';

// Ticket changes leave through an outbox kept with the engine state: a step first saves the new state together with
// what each sink still has to receive, then delivers, then records what landed. A crash or a sink that is down loses
// nothing (the outbox is delivered on the next step) and sends nothing twice that has landed (the ledger), so a
// replay of the same attempts delivers nothing new. A change that landed but whose ledger entry was not yet saved is
// sent again with the same `<key>:<revision>`, which receivers drop.

/** The engine state plus, per sink name, the changes it still has to receive and the last revision it received. */
export interface DispatchState {
  engine: TicketState | null;
  outbox: Record<string, TicketChange[]>;
  delivered: Record<string, Record<string, number>>;
}

/** Where the dispatch state lives between steps (a PostgreSQL row, a JSON file, memory). */
export interface DispatchStore {
  /** The state as last saved, the engine's remembered attempt IDs included. */
  load(): Promise<DispatchState | null>;
  /**
   * Keeps a copy (serialised or cloned): the dispatcher goes on changing the state it saved in the next step. `seen`
   * says what changed in `state.engine.seen` since the last save: a store that keeps those IDs apart (a table) may
   * write only that change; the others save the whole state. `what`: `step` after the engine took a batch,
   * `delivery` when only the outbox and the ledger changed since the last save (the engine is as saved then).
   */
  save(state: DispatchState, seen: SeenChanges, what: 'step' | 'delivery'): Promise<void>;
}

/** A save that changed no remembered attempt ID (the ledger after a delivery). */
const SEEN_UNCHANGED: SeenChanges = Object.freeze({ added: [], forgetBefore: null });

/** What one dispatch step did. */
export interface DispatchReport {
  changes: TicketChange[];
  accounting: TicketAccounting;
  /** Per sink: what it received in this step. */
  sinks: Record<string, SinkResult>;
}

/** Runs attempts through the ticket engine and delivers the changes to every sink, once per ticket revision. */
export interface TicketDispatcher {
  process(attempts: readonly AttemptRecord[], nowMs?: number): Promise<DispatchReport>;
}

/** A dispatcher over sinks with distinct names. Steps must not overlap (the correlator runs them one at a time). */
export function createTicketDispatcher(options: {
  config: TicketConfigInput;
  store: DispatchStore;
  sinks: readonly TicketSink[];
}): TicketDispatcher {
  const { config, store, sinks } = options;
  const names = sinks.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new Error(`ticket sinks need distinct names: ${names.join(', ')}`);
  // The state as last saved, kept between steps: this dispatcher is its store's only writer (one state per writer), so
  // a step need not read back what the last one saved (a fleet's day of remembered attempt IDs, megabytes, read and
  // copied at every step). Null until the first step, after a step that saved nothing, and after one that failed while
  // advancing or saving: the next step then reads the store. A sink that fails leaves it as saved just before.
  let held: DispatchState | null = null;
  return {
    async process(attempts, nowMs) {
      const saved = held ?? (await store.load()) ?? { engine: null, outbox: {}, delivered: {} };
      held = null;
      // The engine's state is this step's own (read from the store, or kept from the last save): advanced in place.
      const step = advanceTicketState(saved.engine ?? emptyTicketState(), attempts, config, nowMs);
      const state: DispatchState = { engine: step.state, outbox: {}, delivered: current(saved.delivered, step.state) };
      for (const sink of sinks) {
        const ledger = state.delivered[sink.name] ?? {};
        const pending = [...(saved.outbox[sink.name] ?? []), ...step.changes];
        state.outbox[sink.name] = pending.filter((c) => c.ticket.revision > (ledger[c.ticket.key] ?? 0));
      }
      // A step that took nothing and changed nothing is not saved (nor kept: the next step starts from what was saved).
      if (step.changes.length > 0 || attempts.length > 0) {
        await store.save(state, step.seen, 'step');
        held = state;
      }
      const report: DispatchReport = { changes: step.changes, accounting: step.accounting, sinks: {} };
      for (const sink of sinks) {
        const pending = uniqueRevisions(state.outbox[sink.name] ?? []);
        if (pending.length === 0) continue;
        // A sink that throws keeps its outbox (saved above) and fails the step: the caller retries later.
        report.sinks[sink.name] = await sink.deliver(pending);
        held = null;
        const ledger = { ...state.delivered[sink.name] };
        for (const c of pending) ledger[c.ticket.key] = Math.max(ledger[c.ticket.key] ?? 0, c.ticket.revision);
        state.delivered = { ...state.delivered, [sink.name]: ledger };
        state.outbox = { ...state.outbox, [sink.name]: [] };
        await store.save(state, SEEN_UNCHANGED, 'delivery');
        held = state;
      }
      return report;
    },
  };
}

/** The ledger of the keys the engine still holds: a superseded incarnation never changes again. */
function current(delivered: DispatchState['delivered'], engine: TicketState): DispatchState['delivered'] {
  const keys = new Set(Object.values(engine.tickets).map((t) => t.key));
  const kept: DispatchState['delivered'] = {};
  for (const [sink, ledger] of Object.entries(delivered)) {
    kept[sink] = Object.fromEntries(Object.entries(ledger).filter(([key]) => keys.has(key)));
  }
  return kept;
}

/** Pending changes without repeats of one key and revision, in their order. */
function uniqueRevisions(changes: readonly TicketChange[]): TicketChange[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const id = `${c.ticket.key}:${c.ticket.revision}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
