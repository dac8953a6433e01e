import { parentPort, workerData } from 'node:worker_threads';
import { createNormalizeContext } from '@otptrace/normalize';
import type { AnalysisConfig } from '@otptrace/schemas';
import { ingestFile } from './ingest-file.js';

// A worker thread of analyzePaths with `jobs` > 1 (`otptrace analyze --jobs N`): ingests the files it is sent, one at
// a time, and posts back what ingestFile gives (kept events are a few percent of the input; the unrelated bulk stays here as counts).
const { config, referenceTime } = workerData as { config: AnalysisConfig; referenceTime: number };
const ctx = createNormalizeContext(config, referenceTime);

parentPort!.on('message', (message: { path: string } | 'exit') => {
  if (message === 'exit') return void parentPort!.close();
  ingestFile(message.path, ctx, config.maxEventBytes).then(
    (result) => parentPort!.postMessage({ path: message.path, result }),
    (error: Error) => parentPort!.postMessage({ path: message.path, error: error.message }),
  );
});
