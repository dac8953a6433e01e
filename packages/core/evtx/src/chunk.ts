import { Buffer } from 'node:buffer';
import { matchesAscii, u32, u64n } from './bytes.js';
import { crc32 } from './crc32.js';

// Chunk layout (libevtx format documentation, "Chunk header"; Rust evtx `evtx_chunk.rs`): 64 KiB each, a 512-byte
// header (128 bytes of fields, then the 64 common-string and 32 template offsets), then event records.
export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
export const CHUNK_SIGNATURE = 'ElfChnk\u0000';
export const RECORD_SIGNATURE = 0x00002a2a;
/** Smallest well-formed record: 24-byte header, a 4-byte fragment header, EOF, and the 4-byte size copy. */
export const MIN_RECORD_SIZE = 28;

/** One chunk's header fields and checksum verdicts. */
export interface ChunkHeader {
  /** Byte offset of the chunk in the file. */
  readonly position: number;
  readonly firstRecordNumber: number;
  readonly lastRecordNumber: number;
  readonly firstRecordId: number;
  readonly lastRecordId: number;
  /** Chunk-relative offset of the last record. */
  readonly lastRecordOffset: number;
  /** Chunk-relative offset where the records end. */
  readonly freeSpaceOffset: number;
  /** The file ends inside this chunk. */
  readonly truncated: boolean;
  /** CRC-32 over header bytes 0–120 and 128–512 matches. */
  readonly headerChecksumOk: boolean;
  /** CRC-32 over the record area (512 up to the free space offset) matches. */
  readonly dataChecksumOk: boolean;
}

/** How a 64 KiB slot of the file looks before its records are read. */
export type ChunkSlot =
  | { readonly kind: 'chunk'; readonly header: ChunkHeader }
  | { readonly kind: 'empty' }
  | { readonly kind: 'bad_magic' }
  | { readonly kind: 'truncated'; readonly length: number };

/**
 * Classifies one chunk's bytes (`chunk[0]` is the chunk's first byte; `position` is where it lies in the file) and,
 * when it is a chunk, reads its header. A chunk cut short by the end of the file still gives its header.
 */
export function readChunkSlot(chunk: Uint8Array, position: number): ChunkSlot {
  if (!matchesAscii(chunk, 0, CHUNK_SIGNATURE)) {
    // Windows pre-allocates the file: a slot of zeros is space no chunk has used yet, not damage.
    // A blank header over non-zero data is a chunk whose header was lost: damage, reported as a bad signature.
    return isZero(chunk, 0, chunk.length) ? { kind: 'empty' } : { kind: 'bad_magic' };
  }
  if (chunk.length < CHUNK_HEADER_SIZE) return { kind: 'truncated', length: chunk.length };
  const freeSpaceOffset = u32(chunk, 48);
  const dataEnd = Math.min(Math.max(freeSpaceOffset, CHUNK_HEADER_SIZE), chunk.length);
  const headerCrc = crc32(chunk, 128, CHUNK_HEADER_SIZE, crc32(chunk, 0, 120));
  return {
    kind: 'chunk',
    header: {
      position,
      firstRecordNumber: u64n(chunk, 8),
      lastRecordNumber: u64n(chunk, 16),
      firstRecordId: u64n(chunk, 24),
      lastRecordId: u64n(chunk, 32),
      lastRecordOffset: u32(chunk, 44),
      freeSpaceOffset,
      truncated: chunk.length < CHUNK_SIZE,
      headerChecksumOk: headerCrc === u32(chunk, 124),
      dataChecksumOk: crc32(chunk, CHUNK_HEADER_SIZE, dataEnd) === u32(chunk, 52),
    },
  };
}

/** A 64 KiB run of zeros to compare a slot against with native memcmp (most of a pre-allocated file is zeros). */
const ZEROS = new Uint8Array(CHUNK_SIZE);

function isZero(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at, end = at + length; i < end; i += CHUNK_SIZE) {
    const n = Math.min(CHUNK_SIZE, end - i);
    if (Buffer.compare(bytes.subarray(i, i + n), ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}
