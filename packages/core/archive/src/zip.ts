// The directory of a zip archive, read from its bytes (PKWARE's APPNOTE.TXT, 6.3.10: section 4.3 for the layout, 4.4
// for the fields, 4.5.3 for ZIP64). Reading goes from the end: the end of central directory record says where the
// central directory is, and the directory names every entry with its sizes and where its local header is. Pure: the
// caller reads the bytes asked for (the file's tail, the directory, a local header) and passes them in.

/** An entry of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  /** The path inside the archive, with `/` between folders (backslashes, which some Windows tools write, read as `/`). */
  readonly name: string;
  /** A folder, not a file. */
  readonly directory: boolean;
  /** APPNOTE 4.4.5: 0 stored, 8 deflated, 9 Deflate64, ... (`compressionMethodName`). */
  readonly method: number;
  /** Encrypted (general purpose flag bit 0, or WinZip AES as method 99): not readable without the password. */
  readonly encrypted: boolean;
  /** CRC-32 of the uncompressed data. */
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Where the entry's local header starts in the file (any bytes before the archive, as in a self-extractor, added). */
  readonly localHeaderOffset: number;
}

/** Where the central directory is, and how many entries it holds. */
export interface ZipDirectory {
  readonly offset: number;
  readonly size: number;
  readonly entries: number;
  /** Bytes before the archive proper (a self-extracting stub): added to every offset the archive states. */
  readonly prefix: number;
}

/** What the end of the file says: the directory, or (ZIP64) where the record that says it is. */
export type ZipEnd =
  | { readonly kind: 'directory'; readonly directory: ZipDirectory }
  | {
      readonly kind: 'zip64';
      /** Where the locator says the ZIP64 end record is (not counting any bytes before the archive). */
      readonly recordOffset: number;
      /** Where the locator is: the record normally ends there (where to look when bytes precede the archive). */
      readonly locatorOffset: number;
    };

/** The input is not a zip archive, or one this reader cannot read (split over several disks, cut short). */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

/** Bytes of a file's end that hold the end record wherever it is: the record (22), its comment (up to 65,535), and the ZIP64 locator before it (20). */
export const CENTRAL_DIRECTORY_TAIL_BYTES = 22 + 0xffff + 20;
/** The fixed part of a local file header (APPNOTE 4.3.7). */
export const LOCAL_HEADER_BYTES = 30;
/** The fixed part of the ZIP64 end of central directory record (APPNOTE 4.3.14). */
export const ZIP64_END_RECORD_BYTES = 56;

const END_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_BYTES = 22;
const LOCATOR_BYTES = 20;
const CENTRAL_BYTES = 46;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;

/**
 * The end of central directory record in `tail`, the last bytes of a file of `fileSize` bytes (at least
 * CENTRAL_DIRECTORY_TAIL_BYTES of them, or the whole file). The record is searched from the end, as the archive may
 * end with a comment; the one whose comment reaches exactly the end of the file is preferred.
 */
export function readEndOfCentralDirectory(tail: Uint8Array, fileSize: number): ZipEnd {
  const tailStart = fileSize - tail.length;
  const at = findEndRecord(tail);
  if (at < 0)
    throw new ZipFormatError(
      'no end of central directory record (a zip lists its files at its end): not a zip, or one cut short',
    );
  const endOffset = tailStart + at;
  const disk = u16(tail, at + 4);
  const directoryDisk = u16(tail, at + 6);
  const locatorAt = at - LOCATOR_BYTES;
  if (locatorAt >= 0 && u32(tail, locatorAt) === ZIP64_LOCATOR_SIGNATURE) {
    if (u32(tail, locatorAt + 16) > 1) throw new ZipFormatError('the archive is split over several files (disks)');
    return { kind: 'zip64', recordOffset: u64(tail, locatorAt + 8), locatorOffset: tailStart + locatorAt };
  }
  if (disk !== 0 || directoryDisk !== 0) throw new ZipFormatError('the archive is split over several files (disks)');
  const entries = u16(tail, at + 10);
  const size = u32(tail, at + 12);
  const offset = u32(tail, at + 16);
  if (entries === MAX_16 || size === MAX_32 || offset === MAX_32) {
    // ZIP64 values marked, but no locator: only a damaged archive looks like this.
    throw new ZipFormatError('the end record defers to a ZIP64 record that is not there');
  }
  return { kind: 'directory', directory: placeDirectory(offset, size, entries, endOffset) };
}

/** Whether `bytes` start with a ZIP64 end of central directory record. */
export function isZip64EndRecord(bytes: Uint8Array): boolean {
  return bytes.length >= ZIP64_END_RECORD_BYTES && u32(bytes, 0) === ZIP64_END_SIGNATURE;
}

/**
 * The directory a ZIP64 end record states (`bytes`: at least ZIP64_END_RECORD_BYTES read at `recordAt`, where the
 * record is in the file). The directory ends where the record starts, which tells any bytes before the archive.
 */
export function readZip64EndRecord(bytes: Uint8Array, recordAt: number): ZipDirectory {
  if (!isZip64EndRecord(bytes))
    throw new ZipFormatError(`no ZIP64 end of central directory record at byte ${recordAt}`);
  if (u32(bytes, 16) !== 0 || u32(bytes, 20) !== 0)
    throw new ZipFormatError('the archive is split over several files (disks)');
  return placeDirectory(u64(bytes, 48), u64(bytes, 40), u64(bytes, 32), recordAt);
}

/** The directory as stated, moved by the bytes found before the archive (its end is where the end record starts). */
function placeDirectory(offset: number, size: number, entries: number, directoryEnd: number): ZipDirectory {
  const prefix = directoryEnd - (offset + size);
  if (prefix < 0) throw new ZipFormatError('the central directory runs past the end record: the archive is cut short');
  return { offset: offset + prefix, size, entries, prefix };
}

function findEndRecord(tail: Uint8Array): number {
  let fallback = -1;
  for (let at = tail.length - END_BYTES; at >= 0 && at >= tail.length - END_BYTES - MAX_16; at--) {
    if (tail[at] !== 0x50 || u32(tail, at) !== END_SIGNATURE) continue;
    if (at + END_BYTES + u16(tail, at + 20) === tail.length) return at;
    if (fallback < 0) fallback = at;
  }
  return fallback;
}

/** The entries of a central directory (`bytes`: the `directory.size` bytes at `directory.offset`). */
export function readCentralDirectory(bytes: Uint8Array, directory: ZipDirectory): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < directory.entries; n++) {
    if (at + CENTRAL_BYTES > bytes.length || u32(bytes, at) !== CENTRAL_SIGNATURE)
      throw new ZipFormatError(
        `the central directory is damaged: entry ${n + 1} of ${directory.entries} is not where it should be`,
      );
    const host = bytes[at + 5] as number;
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    const externalAttributes = u32(bytes, at + 38);
    const nameStart = at + CENTRAL_BYTES;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > bytes.length) throw new ZipFormatError(`the central directory is cut short in entry ${n + 1}`);
    const rawName = bytes.subarray(nameStart, extraStart);
    const extra = readExtraFields(bytes.subarray(extraStart, extraStart + extraLength));
    let size = u32(bytes, at + 24);
    let compressedSize = u32(bytes, at + 20);
    let localHeaderOffset = u32(bytes, at + 42);
    const zip64 = extra.get(0x0001);
    if (zip64 !== undefined) {
      // APPNOTE 4.5.3: only the fields whose 32-bit value is all ones are there, in this order.
      let field = 0;
      const take = (): number => {
        if (field + 8 > zip64.length) throw new ZipFormatError(`entry ${n + 1}'s ZIP64 extra field is too short`);
        const value = u64(zip64, field);
        field += 8;
        return value;
      };
      if (size === MAX_32) size = take();
      if (compressedSize === MAX_32) compressedSize = take();
      if (localHeaderOffset === MAX_32) localHeaderOffset = take();
    }
    const name = normaliseName(entryName(rawName, flags, extra.get(0x7075)));
    entries.push({
      name,
      // A folder ends with a slash; MS-DOS and NTFS hosts also set the directory attribute (0x10).
      directory:
        name.endsWith('/') || ((host === 0 || host === 10 || host === 11) && (externalAttributes & 0x10) !== 0),
      method,
      encrypted: (flags & 1) !== 0 || method === 99,
      crc32: u32(bytes, at + 16),
      compressedSize,
      size,
      localHeaderOffset: localHeaderOffset + directory.prefix,
    });
    at = next;
  }
  return entries;
}

/**
 * Where an entry's data starts, from its local header (`header`: at least LOCAL_HEADER_BYTES from the entry's
 * localHeaderOffset). The local header repeats the name and has its own extra field, which may differ in length from
 * the central directory's, so only it tells.
 */
export function localDataOffset(header: Uint8Array, entry: ZipEntry): number {
  if (header.length < LOCAL_HEADER_BYTES || u32(header, 0) !== LOCAL_SIGNATURE)
    throw new ZipFormatError(`${entry.name}: no local file header at byte ${entry.localHeaderOffset}`);
  return entry.localHeaderOffset + LOCAL_HEADER_BYTES + u16(header, 26) + u16(header, 28);
}

/** The common name of a compression method (APPNOTE 4.4.5), for messages. */
export function compressionMethodName(method: number): string {
  return METHOD_NAMES[method] ?? `method ${method}`;
}

const METHOD_NAMES: Record<number, string> = {
  0: 'stored',
  8: 'Deflate',
  9: 'Deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'Zstandard',
  95: 'xz',
  98: 'PPMd',
  99: 'WinZip AES encryption',
};

/**
 * Orders entries as a folder walk orders the extracted files: folder by folder, names compared within each (so
 * `da01/W3SVC1/u_ex.log` and `da01/u_ex.log` sort as `da01/W3SVC1` and `da01/u_ex.log` would in the folder `da01`).
 */
export function zipEntryOrder(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

function readExtraFields(bytes: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  for (let at = 0; at + 4 <= bytes.length; ) {
    const id = u16(bytes, at);
    const length = u16(bytes, at + 2);
    if (at + 4 + length > bytes.length) break; // a damaged extra field: what was read stands
    if (!fields.has(id)) fields.set(id, bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8');

/**
 * The entry's name: UTF-8 when flag bit 11 says so (APPNOTE appendix D); else Info-ZIP's Unicode Path field (0x7075)
 * when present (a UTF-8 copy next to a name in the OEM code page); else IBM code page 437, the format's default.
 */
function entryName(raw: Uint8Array, flags: number, unicodePath: Uint8Array | undefined): string {
  if ((flags & 0x800) !== 0) return utf8.decode(raw);
  if (unicodePath !== undefined && unicodePath.length > 5 && unicodePath[0] === 1)
    return utf8.decode(unicodePath.subarray(5));
  let name = '';
  for (const byte of raw) name += byte < 0x80 ? String.fromCharCode(byte) : (CP437_HIGH[byte - 0x80] as string);
  return name;
}

/** `/` between folders, no leading `/` or `./`: PowerShell 5's Compress-Archive writes `da01\u_ex261102.log`. */
function normaliseName(name: string): string {
  return name.replaceAll('\\', '/').replace(/^(?:\.?\/)+/, '');
}

/** Code page 437, bytes 0x80–0xFF. */
const CP437_HIGH = [
  ...'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
];

function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) +
    (b[at + 3] as number) * 0x1000000
  );
}

/** A 64-bit field as a number: exact below 2^53 bytes, which any file is. */
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}
