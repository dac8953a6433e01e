/** @otptrace/files: exported event log files on disk → the offline analysis (@otptrace/pipeline does the rest). */

export {
  type AnalyzePathsOptions,
  AUTO_THREADS_MIN_BYTES,
  analyzePaths,
  namedFew,
  type ReadPlan,
} from './analyze-paths.js';
export { ingestAnyPart, ingestFile } from './ingest-file.js';
export { type InputList, listInputs, readChunks, STDIN } from './inputs.js';
export { type FilePart, PART_BYTES, planParts, xmlBoundary } from './parts.js';
export { type Task, takeTasks, tasksOf } from './tasks.js';
