/** @otptrace/correlate: ③ normalised events -> attempts, by event time (time arrives as a watermark argument). */

export type { ClosedAttempt, Slot } from './attempt.js';
export { caStatusOf } from './attempt.js';
export { clientPhase } from './client-phase.js';
export type { EngineConfig, EngineWindows } from './config.js';
export { isSharedDrop, isSharedEvent, reorderDelayOf, windowsOf } from './config.js';
export type { Drop, EngineOutput } from './engine.js';
export { CorrelationEngine } from './engine.js';
export { eventBefore, MinHeap } from './heap.js';
export type { LearnedServer } from './server-clocks.js';
