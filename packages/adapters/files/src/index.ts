/** @otptrace/files: exported event log files on disk → the offline analysis (@otptrace/pipeline does the rest). */

export { type AnalyzePathsOptions, analyzePaths } from './analyze-paths.js';
export { isEvtxFile, readEvtxFile } from './evtx-input.js';
export { ingestFile } from './ingest-file.js';
export { listInputs, readChunks } from './inputs.js';
