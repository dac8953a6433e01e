import { parentPort, workerData } from 'node:worker_threads';
import { createNormalizeContext } from '@otptrace/normalize';
import type { AnalysisConfig } from '@otptrace/schemas';
import type { WorkerResult } from './analyze-paths.js';
import { ingestAnyPart } from './ingest-file.js';
import { type Task, takeTasks } from './tasks.js';

// A worker thread of analyzePaths: takes tasks (file parts) from the counter it shares with the other threads and
// posts back each part's result (kept events are a few percent of the input; the unrelated bulk stays here as counts)
// as JSON text.
const { config, referenceTime, tasks, counter } = workerData as {
  config: AnalysisConfig;
  referenceTime: number;
  tasks: Task[];
  counter: Int32Array;
};
const ctx = createNormalizeContext(config, referenceTime);

for (const { task } of takeTasks(tasks, counter)) {
  for (const [k, part] of task.parts.entries()) {
    let bytes = 0;
    let events = 0;
    try {
      const result = await ingestAnyPart(part, ctx, config.maxEventBytes, (moreBytes, moreEvents) => {
        bytes += moreBytes;
        events += moreEvents;
      });
      // As JSON text, not the object (structured clone): see WorkerResult.
      const message: WorkerResult = { index: task.first + k, json: JSON.stringify(result), bytes, events };
      parentPort!.postMessage(message);
    } catch (error) {
      parentPort!.postMessage({ error: `cannot read ${part.path}: ${(error as Error).message}` });
      // Stop taking work: the run fails as a whole.
      Atomics.store(counter, 0, tasks.length);
    }
  }
}
