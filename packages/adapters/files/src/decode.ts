import { CompressedDataError } from '@otptrace/archive';
import { crc32 } from '@otptrace/evtx/layout';
import type { NormalizeContext } from '@otptrace/normalize';
import { detectFormat } from '@otptrace/parse';
import {
  DetectingIngestor,
  emptyIngested,
  type IngestedFile,
  type IngestItem,
  tallyItems,
} from '@otptrace/pipeline/readers';

// Bytes that arrive in order, decompressed from a gzip file or a zip archive's entry, read as the file they hold: by
// their first bytes an .evtx (chunk by chunk) or a text input (Event XML, W3C, NPS log, NDJSON).

/** Bytes read at a time from a big file (and handed on by a decompressor); a small file is read whole. */
export const READ_SIZE = 1 << 20;

/**
 * Reports progress: bytes read and items taken in since the last call, and the result being filled (`into`), whose
 * kept events the caller may take out as they come: a worker thread posts them on at once, so that they die young in
 * its heap instead of being promoted and held until the whole part is read.
 */
export type OnRead = (bytes: number, events: number, into?: IngestedFile) => void;

/** Bytes that tell a file's kind: the .evtx signature (`ElfFile\0`) is 8, gzip's magic 2. */
export const HEAD_BYTES = 8;

/** The first two bytes of a gzip stream (RFC 1952, section 2.3.1). */
export function isGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Where decompressed bytes go: a text ingestor or an .evtx chunk reader, chosen by the first bytes. */
export interface ByteSink {
  push(bytes: Buffer): void;
  end(): void;
}

/** Decompressed bytes to read as a file's: where they come from, and how to name them. */
export interface DecodedInput {
  readonly chunks: AsyncIterable<Buffer> | Iterable<Buffer>;
  /** The name of the log inside, which text logs take their channel (and W3C logs their server) from. */
  readonly label: string;
  /** The input's name in messages. */
  readonly name: string;
  /** What is decoded, in messages (`gzip data`). */
  readonly what: string;
  /** The input's own (compressed) bytes read so far: progress counts them, as the plan's total does. */
  readonly bytesRead: () => number;
  /** Checks the whole output once it is decoded (a zip entry's size and CRC-32); a message when it fails. */
  readonly verify?: (decoded: number, crc: number) => string | null;
  /** The most bytes the output may have (a zip entry's stated size); decoding stops past it. */
  readonly maxBytes?: number;
}

/**
 * Reads decoded bytes as the file they hold. Damaged compressed data (cut short, corrupt, longer than stated, or
 * failing `verify`) loses only what follows the damage: the events before it are kept and one
 * `compressed_data_error` rejection says where decoding stopped.
 */
export async function ingestDecoded(
  input: DecodedInput,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  const out = emptyIngested();
  let reported = 0;
  const progress = (events: number) => {
    const read = input.bytesRead();
    onRead(read - reported, events, out);
    out.bytes += read - reported;
    reported = read;
  };
  const text = (): ByteSink => {
    const ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: input.label });
    const take = (items: IngestItem[]) => {
      tallyItems(out, items);
      progress(items.length);
    };
    return { push: (bytes) => take(ingestor.push(bytes)), end: () => take(ingestor.end()) };
  };
  let sink: ByteSink | null = null;
  let head: Buffer[] = [];
  let headBytes = 0;
  let decoded = 0;
  let crc = 0;
  let damage: string | null = null;
  try {
    for await (const whole of input.chunks) {
      let chunk = whole;
      if (input.maxBytes !== undefined && decoded + chunk.length > input.maxBytes) {
        // Longer than stated: what fits is read, the rest not decoded (a bomb stops here too).
        chunk = chunk.subarray(0, input.maxBytes - decoded);
        damage = `is longer than the ${input.maxBytes} bytes the archive states`;
      }
      decoded += chunk.length;
      if (input.verify !== undefined) crc = crc32(chunk, 0, chunk.length, crc);
      if (sink !== null) {
        sink.push(chunk);
        if (damage !== null) break;
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < HEAD_BYTES && damage === null) continue;
      const bytes = Buffer.concat(head);
      head = [];
      sink =
        detectFormat(bytes.subarray(0, HEAD_BYTES)) === 'evtx'
          ? new (await loadEvtxReader()).EvtxSequence(ctx, out, progress)
          : text();
      sink.push(bytes);
      if (damage !== null) break;
    }
  } catch (error) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR: data corrupt or cut short) and the Deflate64 decoder's are the
    // input's; others (I/O) fail the read.
    const zlib = String((error as NodeJS.ErrnoException).code ?? '').startsWith('Z_');
    if (!zlib && !(error instanceof CompressedDataError)) throw error;
    damage = (error as Error).message.replace(/^unexpected end of file$/, 'ends early');
  }
  sink ??= text();
  if (head.length > 0) sink.push(Buffer.concat(head));
  sink.end();
  if (damage === null && input.verify !== undefined) damage = input.verify(decoded, crc);
  if (damage !== null) {
    const reason = `${input.what} ${damage} after ${decoded} bytes: the rest of ${input.name} is not read`;
    tallyItems(out, [{ type: 'rejected', code: 'compressed_data_error', reason, position: decoded, raw: null }]);
    progress(1);
  }
  return out;
}

type EvtxReader = typeof import('./read-evtx.js');
let evtxReader: EvtxReader | null = null;

/**
 * The .evtx record reader, loaded when the first .evtx input is met: most runs read Event XML or text logs only, and
 * the binary decoder's modules are about a tenth of what analyze would load at start.
 */
export async function loadEvtxReader(): Promise<EvtxReader> {
  evtxReader ??= await import('./read-evtx.js');
  return evtxReader;
}

/** The .evtx record reader if it is loaded (`loadEvtxReader`), else null. */
export function loadedEvtxReader(): EvtxReader | null {
  return evtxReader;
}

/** An input that cannot be read at all (an encrypted entry, an archive that cannot be listed), as one rejection. */
export function refusedInput(reason: string, onRead: OnRead): IngestedFile {
  const out = emptyIngested();
  tallyItems(out, [{ type: 'rejected', code: 'unreadable_archive_entry', reason, position: 0, raw: null }]);
  onRead(0, 1);
  return out;
}
