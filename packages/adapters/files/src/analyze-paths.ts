import { Worker } from 'node:worker_threads';
import {
  type AnalysisInput,
  type AnalysisResult,
  analyzeInputs,
  type IngestedFile,
  type IngestInputs,
  type IngestProgress,
} from '@otptrace/pipeline';
import type { AnalysisConfig } from '@otptrace/schemas';
import { ingestFile } from './ingest-file.js';
import { listInputs } from './inputs.js';

/** How to read the inputs of `analyzePaths`. */
export interface AnalyzePathsOptions {
  /** Worker threads to ingest files in (default 1: inline). */
  readonly jobs?: number;
  /** Called as files are read. */
  readonly onProgress?: (progress: IngestProgress) => void;
}

/** Read, ingest and analyse every file under `paths`, streaming each one; with `jobs` > 1, in worker threads. */
export async function analyzePaths(
  paths: readonly string[],
  config: AnalysisConfig,
  options: AnalyzePathsOptions = {},
): Promise<AnalysisResult> {
  const files = await listInputs(paths);
  if (files.length === 0) throw new Error(`no event log files found in ${paths.join(', ')}`);
  const referenceTime = Date.now();
  const workers = Math.min(options.jobs ?? 1, files.length);
  const ingest: IngestInputs =
    workers > 1
      ? (inputs, _ctx, onRead) => ingestInWorkers(inputs, workers, config, referenceTime, onRead)
      : (inputs, ctx, onRead) => ingestInline(inputs, ctx, config.maxEventBytes, onRead);
  return analyzeInputs(files, config, {
    referenceTime,
    ingest,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

async function ingestInline(
  files: readonly AnalysisInput[],
  ctx: Parameters<IngestInputs>[1],
  maxEventBytes: number,
  onRead: (bytes: number, events: number) => void,
): Promise<Map<string, IngestedFile>> {
  const results = new Map<string, IngestedFile>();
  for (const file of files) {
    try {
      results.set(file.path, await ingestFile(file.path, ctx, maxEventBytes, onRead));
    } catch (e) {
      throw new Error(`cannot read ${file.path}: ${(e as Error).message}`);
    }
  }
  return results;
}

/** Ingest files in `count` worker threads, the largest first, each worker taking the next file when it is free. */
async function ingestInWorkers(
  files: readonly AnalysisInput[],
  count: number,
  config: AnalysisConfig,
  referenceTime: number,
  onRead: (bytes: number, events: number) => void,
): Promise<Map<string, IngestedFile>> {
  const queue = [...files].sort((a, b) => b.size - a.size);
  const results = new Map<string, IngestedFile>();
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), {
        workerData: { config, referenceTime },
      });
      const next = (): void => {
        const file = queue.shift();
        if (file === undefined) {
          worker.postMessage('exit');
          return;
        }
        worker.postMessage({ path: file.path });
      };
      worker.on('message', (m: { path: string; result?: IngestedFile; error?: string }) => {
        if (m.error !== undefined || m.result === undefined) {
          void worker.terminate();
          reject(new Error(`cannot read ${m.path}: ${m.error ?? 'no result'}`));
          return;
        }
        results.set(m.path, m.result);
        const { events, rejected, ignoredBy } = m.result;
        const count = events.length + rejected.length + Object.values(ignoredBy).reduce((a, b) => a + b, 0);
        onRead(files.find((f) => f.path === m.path)?.size ?? 0, count);
        next();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
      next();
    });
  await Promise.all(Array.from({ length: count }, run));
  return results;
}
