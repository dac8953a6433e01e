import type { FilePart } from './parts.js';

/** Consecutive parts read together by one thread; their results go to `first`, `first + 1`, … */
export interface Task {
  readonly first: number;
  readonly parts: readonly FilePart[];
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
