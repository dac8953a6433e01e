/** Little-endian reads over one byte array; every .evtx integer is little-endian. */
import { Buffer } from 'node:buffer';

/** Unsigned 16-bit integer at `at`. */
export function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

/** Unsigned 32-bit integer at `at`. */
export function u32(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) +
    (b[at + 3] as number) * 0x1000000
  );
}

/** Signed 32-bit integer at `at`. */
export function i32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)
  );
}

/** Unsigned 64-bit integer at `at`, exact as a bigint. */
export function u64(b: Uint8Array, at: number): bigint {
  return BigInt(u32(b, at)) | (BigInt(u32(b, at + 4)) << 32n);
}

/**
 * Unsigned 64-bit integer at `at` as a number; exact below 2^53, which holds for every record id and offset a real
 * log can reach (a record id of 2^53 would need millions of years of events).
 */
export function u64n(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

const utf16Decoder = new TextDecoder('utf-16le');
const ansiDecoder = new TextDecoder('windows-1252');

/**
 * Node's native UTF-16LE slice of any byte array (`Buffer.prototype.ucs2Slice`, what `buffer.toString('utf16le')`
 * calls without its argument checks): code units are copied as they are (a lone surrogate stays), and a string of
 * code units below 256 is stored one byte per character. Absent outside Node: strings are then built in JavaScript.
 */
type Ucs2Slice = (this: Uint8Array, start: number, end: number) => string;
const ucs2Slice = (Buffer.prototype as unknown as { ucs2Slice?: Ucs2Slice }).ucs2Slice;

/**
 * `count` UTF-16LE code units from `at`. Strings of up to 64 code units (most names and values) keep every code unit
 * as it is, natively where possible (one call, no string built character by character); longer ones read as
 * TextDecoder reads them, which replaces a lone surrogate with U+FFFD and drops a leading byte order mark: natively
 * too when they hold neither (nearly always).
 */
export function utf16(b: Uint8Array, at: number, count: number): string {
  const end = at + count * 2;
  const native = ucs2Slice !== undefined && at >= 0 && end <= b.length;
  if (count > 64) {
    if (native && !surrogateOrBom(b, at, end)) return (ucs2Slice as Ucs2Slice).call(b, at, end);
    return utf16Decoder.decode(b.subarray(at, end));
  }
  if (native) return (ucs2Slice as Ucs2Slice).call(b, at, end);
  let s = '';
  for (let i = 0; i < count; i++)
    s += String.fromCharCode((b[at + 2 * i] as number) | ((b[at + 2 * i + 1] as number) << 8));
  return s;
}

/** Whether UTF-16LE code units `[at, end)` start with a byte order mark or hold a surrogate (D800-DFFF). */
function surrogateOrBom(b: Uint8Array, at: number, end: number): boolean {
  if (b[at] === 0xff && b[at + 1] === 0xfe) return true;
  for (let i = at + 1; i < end; i += 2) if (((b[i] as number) & 0xf8) === 0xd8) return true;
  return false;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/**
 * Bytes `[0, length)` of `b` as one character each (Latin-1), in one native call where possible: for text written
 * into a scratch array (hex digits, GUIDs), which is then one flat string instead of a chain of concatenations.
 */
export function latin1(b: Uint8Array, length: number): string {
  if (latin1Slice !== undefined) return latin1Slice.call(b, 0, length);
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** `count` UTF-16LE code units from `at` without the trailing NULs (the terminator most strings in values carry). */
export function utf16TrimNuls(b: Uint8Array, at: number, count: number): string {
  let n = count;
  while (n > 0 && b[at + 2 * n - 2] === 0 && b[at + 2 * n - 1] === 0) n--;
  return utf16(b, at, n);
}

/** Bytes `[at, at + length)` as Windows-1252 (the code page libevtx and Windows' ANSI APIs use by default). */
export function ansi(b: Uint8Array, at: number, length: number): string {
  return ansiDecoder.decode(b.subarray(at, at + length));
}

/** `s` without trailing NUL characters (strings in substitutions usually carry their terminator). */
export function trimNuls(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `text` (ASCII) as bytes, to compare with signatures. */
export function matchesAscii(b: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}
