import { matchesAscii, u16, u32, u64n } from './bytes.js';
import { crc32 } from './crc32.js';

// Layout of the 4096-byte file header block (of which 128 bytes are used), as documented by libevtx's
// "Windows XML Event Log (EVTX) format" (section "File header") and the Rust evtx crate's `evtx_file_header.rs`.
export const FILE_HEADER_BLOCK_SIZE = 4096;
export const FILE_SIGNATURE = 'ElfFile\u0000';
const FLAG_DIRTY = 0x1;
const FLAG_FULL = 0x2;

/** What the file header says about the log, and whether it can be trusted. */
export interface EvtxFileHeader {
  /** False when the first 8 bytes are not `ElfFile\0` (the rest of the header is then meaningless). */
  readonly signatureOk: boolean;
  readonly firstChunkNumber: number;
  readonly lastChunkNumber: number;
  readonly nextRecordId: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** Chunk count in the header; a dirty file may hold more chunks than this, so the reader scans the whole file. */
  readonly chunkCount: number;
  /** The log was not closed cleanly (the header may lag behind the chunks). */
  readonly dirty: boolean;
  /** The log had reached its maximum size. */
  readonly full: boolean;
  /** CRC-32 of the first 120 bytes matches the stored checksum. */
  readonly checksumOk: boolean;
}

/** Reads the file header; never throws (a short or foreign file gives `signatureOk: false`). */
export function readFileHeader(bytes: Uint8Array): EvtxFileHeader {
  if (bytes.length < 128 || !matchesAscii(bytes, 0, FILE_SIGNATURE)) {
    return {
      signatureOk: false,
      firstChunkNumber: 0,
      lastChunkNumber: 0,
      nextRecordId: 0,
      majorVersion: 0,
      minorVersion: 0,
      chunkCount: 0,
      dirty: false,
      full: false,
      checksumOk: false,
    };
  }
  const flags = u32(bytes, 120);
  return {
    signatureOk: true,
    firstChunkNumber: u64n(bytes, 8),
    lastChunkNumber: u64n(bytes, 16),
    nextRecordId: u64n(bytes, 24),
    minorVersion: u16(bytes, 36),
    majorVersion: u16(bytes, 38),
    chunkCount: u16(bytes, 42),
    dirty: (flags & FLAG_DIRTY) !== 0,
    full: (flags & FLAG_FULL) !== 0,
    checksumOk: crc32(bytes, 0, 120) === u32(bytes, 124),
  };
}
