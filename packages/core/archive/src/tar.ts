// The headers of a tar archive (POSIX.1-2001 "ustar" and pax, and GNU tar's long names), read from its 512-byte
// blocks. Pure: the caller hands in each header block and the data blocks that follow it.

/** Tar's unit: every header and every entry's data (padded) take whole blocks. */
export const TAR_BLOCK = 512;

/** What one header block says. `longName` and `pax` headers describe the entry that follows them. */
export interface TarHeader {
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'directory' | 'longName' | 'pax' | 'other';
}

/** The bytes are not a tar archive, or a damaged one. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

/** Whether a block is a tar header: the ustar magic (POSIX or GNU) and a checksum that adds up. */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < TAR_BLOCK) return false;
  const magic = ascii(block, 257, 5);
  return magic === 'ustar' && checksumOk(block);
}

/**
 * The header in `block`, or null for a block of zeros (the archive's end). Throws TarFormatError when the block is not
 * a header (its checksum does not add up).
 */
export function readTarHeader(block: Uint8Array): TarHeader | null {
  if (block.every((b) => b === 0)) return null;
  if (!checksumOk(block)) throw new TarFormatError('a tar header whose checksum does not add up: not tar, or damaged');
  const name = field(block, 0, 100);
  const prefix = ascii(block, 257, 5) === 'ustar' ? field(block, 345, 155) : '';
  const flag = String.fromCharCode(block[156] as number);
  const type =
    flag === '0' || flag === '\0' || flag === '7'
      ? 'file'
      : flag === '5'
        ? 'directory'
        : flag === 'L'
          ? 'longName'
          : flag === 'x'
            ? 'pax'
            : 'other';
  return { name: prefix === '' ? name : `${prefix}/${name}`, size: sizeOf(block), type };
}

/** The padded length of `size` bytes of entry data. */
export function tarPadded(size: number): number {
  return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** The `path` a pax extended header gives the next entry, if any (records `<length> <key>=<value>\n`). */
export function paxPath(data: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(data);
  let path: string | undefined;
  for (let at = 0; at < text.length; ) {
    const space = text.indexOf(' ', at);
    const length = Number(text.slice(at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) break;
    const record = text.slice(space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (record.slice(0, equals) === 'path') path = record.slice(equals + 1);
    at += length;
  }
  return path;
}

/** A GNU long name's data: the name, NUL-terminated. */
export function longName(data: Uint8Array): string {
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  const stated = Number.parseInt(field(block, 148, 8).trim() || 'x', 8);
  return stated === sum;
}

/** Octal digits, or (GNU) a big-endian binary number when the first byte's high bit is set. */
function sizeOf(block: Uint8Array): number {
  if (((block[124] as number) & 0x80) !== 0) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + (block[i] as number);
    return n;
  }
  const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
  if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('a tar header with an unreadable size');
  return size;
}

function field(block: Uint8Array, at: number, length: number): string {
  const bytes = block.subarray(at, at + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function ascii(block: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...block.subarray(at, at + length));
}
