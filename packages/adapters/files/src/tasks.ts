import type { FilePart } from './parts.js';

/** Consecutive parts read together by one thread; their results go to `first`, `first + 1`, … */
export interface Task {
  readonly first: number;
  readonly parts: readonly FilePart[];
}

/** Whole files per task: a few hundred small files make one message each way instead of one per file. */
export const SMALL_FILES_PER_TASK = 200;

/**
 * A whole file counts as this many times its size when ordering tasks. Next to the ranges of big Security logs (most of
 * their events unrelated, dropped after a cheap look), the whole files of a big input are client logs (every event
 * kept and normalized) and text logs: a 14 MB client log took twice as long as a 16 MB range of a Security log.
 */
const WHOLE_FILE_WEIGHT = 2;

/**
 * The tasks of `parts` (`sizes[i]`: the size of the file part i belongs to): big-file parts one by one, whole files in
 * batches of consecutive parts (one message per batch, not per file), largest first (whole files weighed by
 * WHOLE_FILE_WEIGHT). The threads take them in this order, so the last tasks taken are the smallest and the threads
 * finish at about the same time: a dense 14 MB file read last kept one thread busy for a third of a second while the
 * other had nothing left to do.
 */
export function tasksOf(parts: readonly FilePart[], sizes: readonly number[]): Task[] {
  const tasks: { task: Task; bytes: number }[] = [];
  let batch: FilePart[] = [];
  let batchFirst = 0;
  let batchBytes = 0;
  const flush = (): void => {
    if (batch.length > 0) tasks.push({ task: { first: batchFirst, parts: batch }, bytes: batchBytes });
    batch = [];
    batchBytes = 0;
  };
  for (const [index, part] of parts.entries()) {
    const size = sizes[index] ?? 0;
    if (part.format !== 'detect') {
      flush();
      tasks.push({ task: { first: index, parts: [part] }, bytes: Math.min(part.end, size) - part.start });
      continue;
    }
    if (batch.length === 0) batchFirst = index;
    batch.push(part);
    batchBytes += WHOLE_FILE_WEIGHT * size;
    if (batch.length >= SMALL_FILES_PER_TASK) flush();
  }
  flush();
  // Stable: equal sizes keep file order.
  return tasks.sort((a, b) => b.bytes - a.bytes).map((t) => t.task);
}

/**
 * The tasks this thread takes, one at a time, from a counter every thread shares: whichever thread is free takes the
 * next task, so none waits for another to hand it work.
 */
export function* takeTasks(tasks: readonly Task[], counter: Int32Array): Generator<{ task: Task; index: number }> {
  for (;;) {
    const index = Atomics.add(counter, 0, 1);
    const task = tasks[index];
    if (task === undefined) return;
    yield { task, index };
  }
}
