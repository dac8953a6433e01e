import { open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { carryFromJson, carryToJson, type StreamCarryJson } from '@otptrace/pipeline';
import type { Logger } from '@otptrace/runtime';
import { asUtf8, completeLength, encodingOf, formatOf } from './complete-events.js';
import { CHUNK_SIZE, firstChunkOffset, isEvtx, readEvtxChunk } from './evtx-chunks.js';
import { BatchRefused, type Publisher } from './publisher.js';

/** Where reading of one file stands: the byte after the last event Kafka acknowledged. */
interface FilePosition {
  position: number;
  /** Inode, to notice a file replaced under the same name (rotation). */
  ino: number;
  /** A text encoding of EVTX-XML, or `evtx` for a binary event log read a chunk at a time. */
  encoding: 'utf8' | 'utf16le' | 'evtx';
  /** What the next batch reads on from: a text log's line count, W3C #Fields, NPS requests awaiting an answer. */
  carry?: StreamCarryJson;
}

/** Settings of the file follower. */
export interface FileInputOptions {
  paths: readonly string[];
  stateFile: string;
  pollIntervalMs: number;
  maxReadBytes: number;
  /** A followed NPS log that has not grown for this long: its requests still awaiting an answer are unanswered, ms. */
  npsAnswerWaitMs: number;
  /** Monotonic clock, ms (tests pass their own). */
  clock?: () => number;
}

/** A running follower. */
export interface FileInput {
  /** One pass over every followed file (the timer calls it; tests call it directly). */
  poll(): Promise<void>;
  close(): Promise<void>;
}

async function filesOf(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (info === null) return [];
  if (!info.isDirectory()) return [resolve(path)];
  const names = await readdir(path);
  return (
    names
      // .log: IIS W3C (u_ex*.log) and NPS (IN*.log) text logs; .ndjson, .jsonl: Winlogbeat's file output
      // (winlogbeat-20261102.ndjson); read by content like the rest.
      .filter((n) => /\.(xml|evtx|log|ndjson|jsonl)$/i.test(n))
      .sort()
      .map((n) => resolve(join(path, n)))
  );
}

async function loadState(file: string): Promise<Map<string, FilePosition>> {
  try {
    return new Map(Object.entries(JSON.parse(await readFile(file, 'utf8')) as Record<string, FilePosition>));
  } catch {
    return new Map();
  }
}

// Written to a temporary file and renamed, so a crash never leaves half a state file.
async function saveState(file: string, state: Map<string, FilePosition>): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(Object.fromEntries(state), null, 1));
  await rename(`${file}.tmp`, file);
}

async function readRange(path: string, from: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Follows files and folders as they grow. Only complete events are sent, and a file's position (with what a text log's
 * next lines need: their numbers, the W3C #Fields) is saved only after Kafka acknowledged them: a restart resumes after
 * the last acknowledged event (a crash between the acknowledgement
 * and the save re-sends one batch, which the correlator drops as duplicates by event id).
 */
export async function startFileInput(
  options: FileInputOptions,
  publisher: Publisher,
  logger: Logger,
): Promise<FileInput> {
  const state = await loadState(options.stateFile);
  const clock = options.clock ?? (() => performance.now());
  /** When each followed file last grew (since this process started). */
  const grewAt = new Map<string, number>();
  let busy: Promise<void> | null = null;
  let closed = false;

  const follow = async (path: string): Promise<boolean> => {
    const info = await stat(path);
    let pos = state.get(path);
    if (pos === undefined || pos.ino !== info.ino || info.size < pos.position) {
      if (pos !== undefined) logger.info({ path }, 'file replaced or truncated: reading it from the start');
      const head = await readRange(path, 0, 4096);
      const evtxStart = isEvtx(head) ? firstChunkOffset(head) : null;
      pos =
        evtxStart === null
          ? { position: 0, ino: info.ino, encoding: encodingOf(head) }
          : { position: evtxStart, ino: info.ino, encoding: 'evtx' };
    }
    if (info.size <= pos.position) return settleQuiet(path, pos);
    grewAt.set(path, clock());
    if (pos.encoding === 'evtx') return followEvtx(path, pos);
    const chunk = await readRange(path, pos.position, Math.min(options.maxReadBytes, info.size - pos.position));
    let length = completeLength(chunk, pos.encoding, formatOf(pos.carry, chunk, pos.position === 0, pos.encoding));
    // One event larger than a whole read can never complete here: send it so it is dead-lettered, not stuck.
    if (length === 0 && chunk.length === options.maxReadBytes) length = chunk.length;
    if (length === 0) return true;
    const carry = carryFromJson(pos.carry ?? {});
    try {
      await publisher.publish(asUtf8(chunk.subarray(0, length), pos.encoding), `file:${path}`, { carry });
    } catch (error) {
      if (error instanceof BatchRefused) return false;
      throw error;
    }
    state.set(path, { ...pos, position: pos.position + length, carry: carryToJson(carry) });
    await saveState(options.stateFile, state);
    return true;
  };

  // NPS writes a request's answer right after it: requests of a file that stopped growing still without an answer
  // were not answered (the last request before the file rotates, a quiet night). Published as unanswered, as offline
  // decides at the end of the file, instead of waiting for the file's next line.
  const settleQuiet = async (path: string, pos: FilePosition): Promise<boolean> => {
    if ((pos.carry?.npsPending?.length ?? 0) === 0) return true;
    const since = grewAt.get(path);
    if (since === undefined) grewAt.set(path, clock()); // after a restart the wait starts again
    if (since === undefined || clock() - since < options.npsAnswerWaitMs) return true;
    const carry = carryFromJson(pos.carry ?? {});
    try {
      await publisher.publish(Buffer.alloc(0), `file:${path}`, { carry, quiet: true });
    } catch (error) {
      if (error instanceof BatchRefused) return false;
      throw error;
    }
    state.set(path, { ...pos, carry: carryToJson(carry) });
    await saveState(options.stateFile, state);
    return true;
  };

  // A binary .evtx file: one whole 64 KiB chunk per read, its records rendered as Event XML and published like XML.
  const followEvtx = async (path: string, pos: FilePosition): Promise<boolean> => {
    const read = readEvtxChunk(await readRange(path, pos.position, CHUNK_SIZE), pos.position);
    if (read === null) return true; // the chunk is still being written
    for (const d of read.damaged)
      logger.warn({ path, position: d.position, reason: d.reason }, 'damaged .evtx chunk part skipped');
    if (read.records > 0) {
      try {
        await publisher.publish(Buffer.from(read.xml), `file:${path}`);
      } catch (error) {
        if (error instanceof BatchRefused) return false;
        throw error;
      }
    }
    state.set(path, { ...pos, position: read.next });
    await saveState(options.stateFile, state);
    return true;
  };

  const poll = async (): Promise<void> => {
    for (const root of options.paths) {
      for (const path of await filesOf(root)) {
        if (closed) return;
        // Kafka refused: stop this pass and retry the same bytes at the next one.
        if (!(await follow(path))) return;
      }
    }
  };

  const timer = setInterval(() => {
    if (busy !== null) return;
    busy = poll()
      .catch((error: unknown) => logger.error({ err: error }, 'file poll failed'))
      .finally(() => {
        busy = null;
      });
  }, options.pollIntervalMs);

  return {
    poll: async () => {
      while (busy !== null) await busy;
      await poll();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (busy !== null) await busy;
    },
  };
}
