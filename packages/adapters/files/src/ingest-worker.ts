import { parentPort, workerData } from 'node:worker_threads';
import { createNormalizeContext } from '@otptrace/normalize';
import type { AnalysisConfig } from '@otptrace/schemas';
import type { WorkerEvents, WorkerResult } from './analyze-paths.js';
import type { OnRead } from './decode.js';
import { ingestAnyPart } from './ingest-file.js';
import { type Task, takeTasks } from './tasks.js';

// A worker thread of analyzePaths: takes tasks (file parts) from the counter it shares with the other threads and
// posts back each part's result (kept events are a few percent of the input; the unrelated bulk stays here as counts)
// as JSON text: the kept events as they are read, a hundred at a time, then the rest.
const { config, referenceTime, tasks, counter } = workerData as {
  config: AnalysisConfig;
  referenceTime: number;
  tasks: Task[];
  counter: Int32Array;
};
const ctx = createNormalizeContext(config, referenceTime);

/**
 * Kept events per message: their JSON text (0.4–0.7 KB an event) stays well under V8's large-object size (128 KiB),
 * whose strings each get pages of their own, mapped and faulted in and unmapped again (200 a message came near it: 10%
 * more page faults than 100 on a 1.2 GB file). Held until the part ended, a range's events were promoted to this
 * thread's old generation and collected there.
 */
const EVENTS_PER_MESSAGE = 100;

for (const { task } of takeTasks(tasks, counter)) {
  for (const [k, part] of task.parts.entries()) {
    const index = task.first + k;
    let bytes = 0;
    let events = 0;
    const onRead: OnRead = (moreBytes, moreEvents, into) => {
      bytes += moreBytes;
      events += moreEvents;
      if (into === undefined || into.events.length < EVENTS_PER_MESSAGE) return;
      const kept = into.events;
      into.events = [];
      for (let at = 0; at < kept.length; at += EVENTS_PER_MESSAGE) {
        const eventsJson = JSON.stringify(kept.slice(at, at + EVENTS_PER_MESSAGE));
        const message: WorkerEvents = { index, eventsJson, bytes, events };
        parentPort!.postMessage(message);
        bytes = 0;
        events = 0;
      }
    };
    try {
      const result = await ingestAnyPart(part, ctx, config.maxEventBytes, onRead);
      // As JSON text, not the object (structured clone): see WorkerResult.
      const message: WorkerResult = { index, json: JSON.stringify(result), bytes, events };
      parentPort!.postMessage(message);
    } catch (error) {
      parentPort!.postMessage({ error: `cannot read ${part.path}: ${(error as Error).message}` });
      // Stop taking work: the run fails as a whole.
      Atomics.store(counter, 0, tasks.length);
    }
  }
}
