import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE } from '@otptrace/evtx/layout';
import { detectEncoding, detectFormat } from '@otptrace/parse';
import { DETECT_BYTES } from '@otptrace/pipeline/readers';
import { type FileInput, STDIN } from './inputs.js';
import type { ZipSource } from './zip-archive.js';

/** A piece of work for one thread: a file, or a byte range of a big one. */
export interface FilePart {
  readonly path: string;
  readonly start: number;
  /** Exclusive; for a whole file, anything at or past its size. */
  readonly end: number;
  /** `detect`: a whole file, format read from its first bytes; else the format of the file the range belongs to. */
  readonly format: 'detect' | 'evtx' | 'xml';
  /** A log inside a zip archive (always read whole); `path` names it for messages. */
  readonly zip?: ZipSource;
  /** Where the bytes are when not at `path` (a log extracted from a tar archive to a temporary file). */
  readonly readFrom?: string;
  /** The name the log is read under when not `path` (the path it had in its archive, as if extracted there). */
  readonly label?: string;
  /** Not read: why (an archive that could not be listed or extracted); one rejection. */
  readonly refused?: string;
  /**
   * A whole file's size when it was listed: a file that still fits in a first read of one byte more is read without
   * asking its size again (one system call fewer for each of a fleet's thousands of client logs).
   */
  readonly listedSize?: number;
}

/** A file's parts, in file order; the results of its parts, concatenated in this order, are those of the file. */
export interface PlannedFile {
  readonly input: FileInput;
  readonly parts: readonly FilePart[];
}

/**
 * How many bytes of a big file one part covers. Big enough that a part's set-up (open, boundary search, one
 * message each way) is noise, small enough that two threads finish a 1 GB folder of four files at about the same
 * time.
 */
export const PART_BYTES = 16 << 20;

/**
 * Parts of each input for `threads` threads: a file of more than two PART_BYTES in UTF-8 XML or .evtx is cut into
 * ranges; others (and every file when there is one thread) are read whole. UTF-16 files and logs inside zip archives
 * (whose bytes are found by decompressing from the start) are never cut.
 */
export function planParts(inputs: readonly FileInput[], threads: number): PlannedFile[] {
  return inputs.map((input) => {
    const { path, zip, readFrom, refused } = input;
    const whole = wholeFile(input);
    const unreadable = zip !== undefined || refused !== undefined;
    if (threads <= 1 || input.size <= 2 * PART_BYTES || unreadable) return { input, parts: [whole] };
    const format = cuttableFormat(readFrom ?? path);
    if (format === null) return { input, parts: [whole] };
    // A range is read from its own start and end (a big file is rare: spreads cost nothing here).
    const { listedSize: _, ...where } = whole;
    const parts: FilePart[] = [];
    // .evtx ranges start on chunk boundaries (after the 4 KiB file header); XML ranges are moved to event boundaries
    // by the reader.
    const align = (at: number): number =>
      format === 'evtx'
        ? FILE_HEADER_BLOCK_SIZE + Math.ceil((at - FILE_HEADER_BLOCK_SIZE) / CHUNK_SIZE) * CHUNK_SIZE
        : at;
    for (let start = 0; start < input.size; ) {
      const end = start + PART_BYTES >= input.size ? input.size : align(start + PART_BYTES);
      parts.push({ ...where, start, end: end >= input.size ? Number.POSITIVE_INFINITY : end, format });
      start = end;
    }
    return { input, parts };
  });
}

/**
 * The part that reads `input` whole. Its optional fields are set one by one: built with conditional spreads, the
 * parts of a fleet's 13,605 client logs cost 68 ms to plan (bench/files.mjs, session 30).
 */
function wholeFile(input: FileInput): FilePart {
  const part: { -readonly [K in keyof FilePart]: FilePart[K] } = {
    path: input.path,
    start: 0,
    end: Number.POSITIVE_INFINITY,
    format: 'detect',
  };
  if (input.zip !== undefined) part.zip = input.zip;
  if (input.readFrom !== undefined) part.readFrom = input.readFrom;
  if (input.label !== undefined) part.label = input.label;
  if (input.refused !== undefined) part.refused = input.refused;
  if (input.path !== STDIN) part.listedSize = input.size;
  return part;
}

/** The format of a file that can be cut into ranges, from its first bytes: .evtx, UTF-8 Event XML; else null. */
function cuttableFormat(path: string): 'evtx' | 'xml' | null {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(DETECT_BYTES);
    const read = readSync(fd, head, 0, head.length, 0);
    const format = detectFormat(head.subarray(0, read));
    if (format === 'evtx') return 'evtx';
    // Text logs (IIS W3C, NPS) and UTF-16 XML are read whole.
    return format === 'event-xml' && detectEncoding(head.subarray(0, read)).encoding === 'utf8' ? 'xml' : null;
  } finally {
    closeSync(fd);
  }
}

const CLOSE = Buffer.from('</Event>');
/**
 * Bytes read at a time while looking for a boundary: an event is a few KiB, so the first window nearly always holds
 * one (else the search slides on). Each part looks twice (its start and its end), so a 1 MiB window read some 2 MiB
 * per 16 MiB part for a few KiB used.
 */
const WINDOW = 64 << 10;

/**
 * The event boundary at or after byte `at` of a UTF-8 XML file: the end of the first `</Event>` there that white
 * space and then another `<Event` (followed by white space, `>` or `/`) follow; the file's size when none does.
 * There the splitter is between two events whatever came before (inside an event, that `</Event>` closes it; past an
 * oversized one, the skip ends there; after stray text, that text is reported before the next event either way), so
 * a reading that starts or stops there gives the items a whole reading gives.
 */
export function xmlBoundary(fd: number, at: number, size: number): number {
  let window = Buffer.allocUnsafe(Math.max(64, Math.min(WINDOW, size - at)));
  for (let from = at; from < size; ) {
    const read = readSync(fd, window, 0, Math.min(window.length, size - from), from);
    if (read === 0) break;
    const bytes = window.subarray(0, read);
    const last = from + read >= size;
    let undecided = -1;
    for (let c = bytes.indexOf(CLOSE); c >= 0; c = bytes.indexOf(CLOSE, c + 1)) {
      let next = c + CLOSE.length;
      while (next < read && isBlank(bytes[next] as number)) next++;
      if (next + 7 > read) {
        if (last) return size; // the file ends without another event
        undecided = c; // the white space runs past the window: decide with more bytes
        break;
      }
      if (bytes.toString('latin1', next, next + 6) === '<Event' && isOpenEnd(bytes[next + 6] as number))
        return from + c + CLOSE.length;
    }
    if (last) break;
    if (undecided >= 0) {
      // Read again from that </Event> with a window twice as large, so the first boundary is never skipped.
      if (undecided === 0) window = Buffer.allocUnsafe(window.length * 2);
      from += undecided;
    } else {
      // Keep the last bytes, which may hold the start of a </Event> cut by the window's end.
      from += read - CLOSE.length;
    }
  }
  return size;
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function isOpenEnd(b: number): boolean {
  return isBlank(b) || b === 0x3e || b === 0x2f;
}
