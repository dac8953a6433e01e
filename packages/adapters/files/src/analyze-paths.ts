import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type AnalysisInput,
  type AnalysisResult,
  analyzeInputs,
  emptyIngested,
  type IngestedFile,
  type IngestInputs,
  type IngestProgress,
} from '@otptrace/pipeline';
import type { AnalysisConfig, NormalizedEvent } from '@otptrace/schemas';
import type { OnRead } from './decode.js';
import { ingestAnyPart } from './ingest-file.js';
import { listInputs } from './inputs.js';
import { type FilePart, planParts } from './parts.js';
import { takeTasks, tasksOf } from './tasks.js';

/** How to read the inputs of `analyzePaths`. */
export interface AnalyzePathsOptions {
  /**
   * Threads to read with, this one included. `auto` (the default): every core when the input is large enough for
   * more threads to pay (AUTO_THREADS_MIN_BYTES), else one.
   */
  readonly jobs?: number | 'auto';
  /** Called as inputs are read. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Told once, before reading, how the input will be read. */
  readonly onPlan?: (plan: ReadPlan) => void;
}

/** How the input is read: its size, in how many parts, with how many threads (and whether that was chosen). */
export interface ReadPlan {
  readonly files: number;
  readonly bytes: number;
  readonly parts: number;
  readonly threads: number;
  readonly automatic: boolean;
  /** Archives in the folders (.zip, .7z, ...), which are not opened: extracted, their logs are read. */
  readonly archives: readonly string[];
}

/**
 * Below this much input one thread is used unless asked otherwise: starting a worker (an isolate with the modules
 * loaded) costs some 50–100 ms and about 40 MB, which a smaller input does not win back.
 */
export const AUTO_THREADS_MIN_BYTES = 64 << 20;

/**
 * Read, ingest and analyse every file under `paths`. With more than one thread, big files are cut into parts at
 * event (or .evtx chunk) boundaries and the parts and small files are read by this thread and worker threads side by
 * side; the results are put back in file order, so the output does not depend on the number of threads.
 */
export async function analyzePaths(
  paths: readonly string[],
  config: AnalysisConfig,
  options: AnalyzePathsOptions = {},
): Promise<AnalysisResult> {
  const { files, archives, notLogs } = await listInputs(paths);
  if (files.length === 0) {
    const unopened = archives.length === 0 ? '' : ` (archives are not opened; extract ${archives.join(', ')} first)`;
    const others = notLogs.length === 0 ? '' : `; not logs: ${namedFew(notLogs)}`;
    throw new Error(`no event log files found in ${paths.join(', ')}${unopened}${others}`);
  }
  const referenceTime = Date.now();
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const automatic = options.jobs === undefined || options.jobs === 'auto';
  const asked = automatic ? (bytes >= AUTO_THREADS_MIN_BYTES ? availableParallelism() : 1) : (options.jobs as number);
  // Worker threads need the built worker script (absent when this module runs from its TypeScript source).
  const wanted = workerScript() === null ? 1 : asked;
  const planned = planParts(files, wanted);
  const parts = planned.flatMap((p) => p.parts);
  const sizes = planned.flatMap((p) => p.parts.map(() => p.input.size));
  const threads = Math.max(1, Math.min(wanted, parts.length));
  options.onPlan?.({ files: files.length, bytes, parts: parts.length, threads, automatic, archives });
  const ingest: IngestInputs = async (_inputs, ctx, onRead) => {
    const results =
      threads > 1
        ? await readInThreads(parts, sizes, threads, config, referenceTime, ctx, onRead)
        : await readEach(parts, ctx, config.maxEventBytes, onRead);
    return joinParts(planned, parts, results);
  };
  return analyzeInputs(files, config, {
    referenceTime,
    ingest,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

async function readPart(
  part: FilePart,
  ctx: Parameters<IngestInputs>[1],
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  try {
    return await ingestAnyPart(part, ctx, maxEventBytes, onRead);
  } catch (e) {
    throw new Error(`cannot read ${part.path}: ${(e as Error).message}`);
  }
}

/** Every part in this thread, one after another. */
async function readEach(
  parts: readonly FilePart[],
  ctx: Parameters<IngestInputs>[1],
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile[]> {
  const results: IngestedFile[] = [];
  for (const part of parts) results.push(await readPart(part, ctx, maxEventBytes, onRead));
  return results;
}

/**
 * A part's result as a worker posts it: the IngestedFile as JSON text. A structured clone gives objects of other
 * hidden classes (V8 maps) than the same objects built here by the normalizer, so with half the events from a worker
 * every property access of the correlation, diagnosis and report that follow saw two shapes per event kind (slower
 * inline caches); JSON.parse builds them as the normalizer does, at about the cost of a clone. Normalized events are
 * JSON data (null for absent values, never undefined), as the streaming path, which sends them through Kafka as JSON,
 * already relies on. The kept events come first, a hundred at a time as they are read (`WorkerEvents`); the
 * result then holds those not posted yet.
 */
export interface WorkerResult {
  readonly index: number;
  readonly json: string;
  readonly bytes: number;
  readonly events: number;
}

/** Kept events of part `index`, in order, as JSON text of an array; progress (bytes, items) since the last message. */
export interface WorkerEvents {
  readonly index: number;
  readonly eventsJson: string;
  readonly bytes: number;
  readonly events: number;
}

/** What a worker posts. */
export type WorkerMessage = WorkerResult | WorkerEvents | { readonly error: string };

/** The parts' results put together from the workers' messages (each worker's arrive in the order it posted them). */
export class WorkerResults {
  /** Each part's events posted before its result. */
  private readonly early = new Map<number, NormalizedEvent[]>();

  constructor(readonly results: IngestedFile[]) {}

  take(m: WorkerResult | WorkerEvents): void {
    if ('eventsJson' in m) {
      const list = this.early.get(m.index) ?? [];
      this.early.set(m.index, list);
      for (const e of JSON.parse(m.eventsJson) as NormalizedEvent[]) list.push(e);
      return;
    }
    const result = JSON.parse(m.json) as IngestedFile;
    const before = this.early.get(m.index);
    if (before !== undefined) {
      for (const e of result.events) before.push(e);
      result.events = before;
      this.early.delete(m.index);
    }
    this.results[m.index] = result;
  }
}

/** Each file's result: its parts' results concatenated in file order. */
function joinParts(
  planned: readonly { input: AnalysisInput; parts: readonly FilePart[] }[],
  parts: readonly FilePart[],
  results: readonly IngestedFile[],
): Map<string, IngestedFile> {
  const byPath = new Map<string, IngestedFile>();
  let index = 0;
  for (const { input, parts: fileParts } of planned) {
    if (fileParts.length === 1) {
      byPath.set(input.path, results[index++] as IngestedFile);
      continue;
    }
    const whole = emptyIngested();
    for (let k = 0; k < fileParts.length; k++) {
      const part = results[index++] as IngestedFile;
      for (const e of part.events) whole.events.push(e);
      for (const r of part.rejected) whole.rejected.push(r);
      for (const [reason, n] of Object.entries(part.ignoredBy))
        whole.ignoredBy[reason] = (whole.ignoredBy[reason] ?? 0) + n;
      whole.bytes += part.bytes;
    }
    byPath.set(input.path, whole);
  }
  if (index !== parts.length) throw new Error('internal: parts and results do not match');
  return byPath;
}

/**
 * Read `parts` with this thread and `threads - 1` workers. Every thread takes the next task from a shared counter
 * (no thread waits for another to hand it work); the largest tasks first (`tasksOf`).
 */
async function readInThreads(
  parts: readonly FilePart[],
  sizes: readonly number[],
  threads: number,
  config: AnalysisConfig,
  referenceTime: number,
  ctx: Parameters<IngestInputs>[1],
  onRead: OnRead,
): Promise<IngestedFile[]> {
  const tasks = tasksOf(parts, sizes);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results: IngestedFile[] = new Array(parts.length);
  const fromWorkers = new WorkerResults(results);
  let failure: Error | undefined;
  const workers = Array.from(
    { length: threads - 1 },
    () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(workerScript() as URL, {
          workerData: { config, referenceTime, tasks, counter },
        });
        worker.on('message', (m: WorkerMessage) => {
          if ('error' in m) {
            failure ??= new Error(m.error);
            return;
          }
          onRead(m.bytes, m.events);
          fromWorkers.take(m);
        });
        worker.on('error', reject);
        worker.on('exit', () => resolve());
      }),
  );
  // This thread reads too, yielding between tasks so that the workers' results are taken in as they come.
  try {
    for (const { task } of takeTasks(tasks, counter)) {
      if (failure !== undefined) break;
      for (const [k, part] of task.parts.entries())
        results[task.first + k] = await readPart(part, ctx, config.maxEventBytes, onRead);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    Atomics.store(counter, 0, tasks.length); // the workers stop taking work
    await Promise.allSettled(workers);
    throw error;
  }
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
  return results;
}

/** The worker script: beside this module when built; from the TypeScript source (tests), the built one. */
function workerScript(): URL | null {
  for (const candidate of ['./ingest-worker.js', '../dist/ingest-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

/** The first few of `paths`, and how many more: a folder may hold thousands of files that are not logs. */
export function namedFew(paths: readonly string[], few = 5): string {
  return paths.slice(0, few).join(', ') + (paths.length > few ? `, and ${paths.length - few} more` : '');
}
