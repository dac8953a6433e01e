import { ansi, i32, latin1, trimNuls, u16, u32, utf16, utf16TrimNuls } from '../bytes.js';
import { BinXmlError, type SubstitutionValue } from './nodes.js';
import * as T from './tokens.js';

// Renders substitution values as text the way Windows' own XML rendering (EvtRender / Event Viewer "XML View")
// writes them: decimal integers, `0x`-prefixed lower-case hex without padding for HexInt32/64 (e.g. the
// SubjectLogonId "0x3e7" and Keywords "0x80000000000000" of test/fixtures/windows-samples/other/security-4624-renderinginfo.xml
// and nps-4402-1.xml), lower-case GUIDs in braces, S-1-… SIDs, upper-case hex for binary, ISO-8601 UTC times.

/** The value as text; an array value gives one string per item. */
export function renderValue(bytes: Uint8Array, value: SubstitutionValue): string | string[] {
  const { type, at, size } = value;
  if (type & T.VALUE_ARRAY_FLAG) return renderArray(bytes, type & ~T.VALUE_ARRAY_FLAG, at, size);
  return renderScalar(bytes, type, at, size);
}

/** A value that is not an array, as text (`type` is its BinXML value type). Throws BinXmlError on an unknown type. */
export function renderScalar(b: Uint8Array, type: number, at: number, size: number): string {
  switch (type) {
    case T.VALUE_NULL:
      return '';
    case T.VALUE_STRING:
    case T.VALUE_EVT_XML:
      return utf16TrimNuls(b, at, size >>> 1);
    case T.VALUE_ANSI_STRING:
      return trimNuls(ansi(b, at, size));
    case T.VALUE_INT8:
      return String(((b[at] as number) << 24) >> 24);
    case T.VALUE_UINT8:
      return String(b[at] as number);
    case T.VALUE_INT16:
      return String((u16(b, at) << 16) >> 16);
    case T.VALUE_UINT16:
      return String(u16(b, at));
    case T.VALUE_INT32:
      return String(i32(b, at));
    case T.VALUE_UINT32:
      return String(u32(b, at));
    case T.VALUE_INT64:
      return BigInt.asIntN(64, uint64(b, at)).toString();
    case T.VALUE_UINT64:
      return uint64(b, at).toString();
    case T.VALUE_REAL32:
      return String(view(b).getFloat32(at, true));
    case T.VALUE_REAL64:
      return String(view(b).getFloat64(at, true));
    case T.VALUE_BOOL:
      return isNonZero(b, at, size) ? 'true' : 'false';
    case T.VALUE_BINARY:
      return hexBytes(b, at, size);
    case T.VALUE_GUID:
      return renderGuid(b, at);
    case T.VALUE_SIZE_T:
    case T.VALUE_HEX_INT32:
    case T.VALUE_HEX_INT64:
      return hexInteger(b, at, size === 4 ? 4 : 8);
    case T.VALUE_FILETIME:
      return renderFiletime(u32(b, at), u32(b, at + 4));
    case T.VALUE_SYSTEMTIME:
      return renderSystemtime(b, at);
    case T.VALUE_SID:
      return renderSid(b, at, size);
    default:
      throw new BinXmlError(`unsupported value type 0x${type.toString(16)}`, at);
  }
}

/** Fixed item sizes of the array types; strings are NUL-separated instead. */
const ITEM_SIZE: Readonly<Record<number, number>> = {
  [T.VALUE_INT8]: 1,
  [T.VALUE_UINT8]: 1,
  [T.VALUE_INT16]: 2,
  [T.VALUE_UINT16]: 2,
  [T.VALUE_INT32]: 4,
  [T.VALUE_UINT32]: 4,
  [T.VALUE_INT64]: 8,
  [T.VALUE_UINT64]: 8,
  [T.VALUE_REAL32]: 4,
  [T.VALUE_REAL64]: 8,
  [T.VALUE_BOOL]: 4,
  [T.VALUE_GUID]: 16,
  [T.VALUE_FILETIME]: 8,
  [T.VALUE_SYSTEMTIME]: 16,
  [T.VALUE_HEX_INT32]: 4,
  [T.VALUE_HEX_INT64]: 8,
};

function renderArray(b: Uint8Array, type: number, at: number, size: number): string[] {
  if (type === T.VALUE_STRING) {
    const text = utf16(b, at, size >>> 1);
    const items = text.split('\u0000');
    if (items.length > 0 && items[items.length - 1] === '') items.pop(); // the last item's terminator
    return items;
  }
  if (type === T.VALUE_ANSI_STRING)
    return ansi(b, at, size)
      .split('\u0000')
      .filter((s, i, all) => i < all.length - 1 || s !== '');
  if (type === T.VALUE_SID) return splitSids(b, at, size);
  const itemSize = ITEM_SIZE[type];
  if (itemSize === undefined) throw new BinXmlError(`unsupported array type 0x${type.toString(16)}`, at);
  const items: string[] = [];
  for (let p = at; p + itemSize <= at + size; p += itemSize) items.push(renderScalar(b, type, p, itemSize));
  return items;
}

function splitSids(b: Uint8Array, at: number, size: number): string[] {
  const items: string[] = [];
  for (let p = at; p + 8 <= at + size; ) {
    const length = 8 + 4 * (b[p + 1] as number);
    items.push(renderSid(b, p, length));
    p += length;
  }
  return items;
}

/** 1 for the scalar types whose rendering cannot fail, whatever their bytes (`renderable` is true for them). */
export const ALWAYS_RENDERABLE = new Uint8Array(256);
for (const type of [
  T.VALUE_NULL,
  T.VALUE_STRING,
  T.VALUE_EVT_XML,
  T.VALUE_ANSI_STRING,
  T.VALUE_INT8,
  T.VALUE_UINT8,
  T.VALUE_INT16,
  T.VALUE_UINT16,
  T.VALUE_INT32,
  T.VALUE_UINT32,
  T.VALUE_BOOL,
  T.VALUE_BINARY,
  T.VALUE_SYSTEMTIME,
])
  ALWAYS_RENDERABLE[type] = 1;

/**
 * Whether rendering a scalar value can fail: an unknown type, a SID shorter than it says, or a fixed-size value reaching
 * past the chunk's bytes. Values the direct reader does not need are checked with this instead of being rendered.
 */
export function renderable(b: Uint8Array, type: number, at: number, size: number): boolean {
  switch (type) {
    case T.VALUE_NULL:
    case T.VALUE_STRING:
    case T.VALUE_EVT_XML:
    case T.VALUE_ANSI_STRING:
    case T.VALUE_INT8:
    case T.VALUE_UINT8:
    case T.VALUE_INT16:
    case T.VALUE_UINT16:
    case T.VALUE_INT32:
    case T.VALUE_UINT32:
    case T.VALUE_BOOL:
    case T.VALUE_BINARY:
    case T.VALUE_SYSTEMTIME:
      return true;
    case T.VALUE_REAL32:
      return at + 4 <= b.length;
    case T.VALUE_INT64:
    case T.VALUE_UINT64:
    case T.VALUE_REAL64:
    case T.VALUE_FILETIME:
      return at + 8 <= b.length;
    case T.VALUE_GUID:
      return at + 16 <= b.length;
    case T.VALUE_SIZE_T:
    case T.VALUE_HEX_INT32:
    case T.VALUE_HEX_INT64:
      return at + (size === 4 ? 4 : 8) <= b.length;
    case T.VALUE_SID:
      return size >= 8 && 8 + 4 * (b[at + 1] as number) <= size;
    default:
      return false;
  }
}

/**
 * A 32- or 64-bit value as `0x` and lower-case hex without padding; numbers, not BigInt, unless a half lies past the
 * chunk's end (BigInt then raises the RangeError the reader reports as damage).
 */
function hexInteger(b: Uint8Array, at: number, width: 4 | 8): string {
  const low = u32(b, at);
  const high = width === 4 ? 0 : u32(b, at + 4);
  if (Number.isNaN(low + high)) return `0x${(width === 4 ? BigInt(low) : uint64(b, at)).toString(16)}`;
  return high === 0 ? `0x${low.toString(16)}` : `0x${high.toString(16)}${low.toString(16).padStart(8, '0')}`;
}

function uint64(b: Uint8Array, at: number): bigint {
  return BigInt(u32(b, at)) | (BigInt(u32(b, at + 4)) << 32n);
}

function isNonZero(b: Uint8Array, at: number, size: number): boolean {
  for (let i = 0; i < size; i++) if (b[at + i] !== 0) return true;
  return false;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Character codes of the hex digits, upper and lower case. */
const HEX_UPPER = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const HEX_LOWER = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Where hex text is written before it becomes one string (a value is at most 64 KiB: 128 Ki digits). */
let scratch = new Uint8Array(256);

function hexBytes(b: Uint8Array, at: number, size: number): string {
  if (scratch.length < 2 * size) scratch = new Uint8Array(2 * size);
  const out = scratch;
  for (let i = 0; i < size; i++) {
    const x = b[at + i] as number;
    out[2 * i] = HEX_UPPER[x >> 4] as number;
    out[2 * i + 1] = HEX_UPPER[x & 15] as number;
  }
  return latin1(out, 2 * size);
}

/** Byte order of a GUID's text: the first three fields little-endian; each -1 is a dash. */
const GUID_BYTES = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

/** `{data1-data2-data3-data4}` with the first three fields little-endian, as Windows writes GUIDs. */
export function renderGuid(b: Uint8Array, at: number): string {
  if (at + 16 > b.length) throw new BinXmlError('GUID runs past the end of the chunk', at);
  const out = scratch;
  out[0] = 0x7b; // {
  let o = 1;
  for (const i of GUID_BYTES) {
    if (i < 0)
      out[o++] = 0x2d; // -
    else {
      const x = b[at + i] as number;
      out[o++] = HEX_LOWER[x >> 4] as number;
      out[o++] = HEX_LOWER[x & 15] as number;
    }
  }
  out[o++] = 0x7d; // }
  return latin1(out, o);
}

/** `S-revision-authority-sub…`: the authority is 48-bit big-endian, the sub-authorities 32-bit little-endian. */
function renderSid(b: Uint8Array, at: number, size: number): string {
  if (size < 8) throw new BinXmlError('SID shorter than its header', at);
  const count = b[at + 1] as number;
  if (8 + count * 4 > size) throw new BinXmlError('SID shorter than its sub-authority count', at);
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + (b[at + i] as number);
  let s = `S-${b[at] as number}-${authority}`;
  for (let i = 0; i < count; i++) s += `-${u32(b, at + 8 + i * 4)}`;
  return s;
}

// FILETIME counts 100 ns ticks since 1601-01-01. Split arithmetic keeps it exact without BigInt:
// 2^32 = 429 * 10^7 + 4967296, and every intermediate stays below 2^53 while `high` is below EXACT_HIGH.
const EXACT_HIGH = 0x6b000000;
const SECONDS_1601_TO_1970 = 11644473600;

/** A FILETIME (two 32-bit halves) as `YYYY-MM-DDTHH:MM:SS.fffffffZ`, the 7-digit form of current Windows. */
export function renderFiletime(low: number, high: number): string {
  let seconds: number;
  let ticks: number;
  if (high < EXACT_HIGH) {
    const spill = high * 4967296 + low;
    seconds = high * 429 + Math.floor(spill / 1e7);
    ticks = spill % 1e7;
  } else {
    // Past year ~25000 (damaged values) the split above would round: BigInt keeps it exact.
    const all = (BigInt(high) << 32n) | BigInt(low);
    seconds = Number(all / 10_000_000n);
    ticks = Number(all % 10_000_000n);
  }
  // Records of a chunk are written within the same seconds and days, and each record's header repeats its
  // TimeCreated: the text of the last second, and of the last day, is kept to skip most Date work.
  if (seconds !== lastSeconds) {
    const unix = seconds - SECONDS_1601_TO_1970;
    const day = Math.floor(unix / 86400);
    if (day !== lastDay || unix >= YEAR_10000) {
      const date = new Date(day * 86400000);
      if (Number.isNaN(date.getTime())) throw new BinXmlError('FILETIME out of range', 0);
      lastDayText = date.toISOString().slice(0, 11);
      lastDay = day;
    }
    // Beyond year 9999 toISOString writes a six-digit signed year, cut at the same 19 characters as before.
    lastSecondsText =
      unix >= YEAR_10000
        ? new Date(unix * 1000).toISOString().slice(0, 19)
        : lastDayText + timeOfDay(unix - day * 86400);
    lastSeconds = seconds;
    for (let i = 0; i < 19; i++) TIME_TEXT[i] = lastSecondsText.charCodeAt(i);
  }
  // The ticks, seven digits with leading zeros, after the seconds' 19 characters and the point: one flat string.
  let rest = ticks;
  for (let i = 26; i > 19; i--) {
    const tenth = Math.floor(rest / 10);
    TIME_TEXT[i] = 0x30 + rest - tenth * 10;
    rest = tenth;
  }
  return latin1(TIME_TEXT, 28);
}

/** 10000-01-01T00:00:00Z in seconds since 1970. */
const YEAR_10000 = 253402300800;
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

function timeOfDay(s: number): string {
  const minutes = Math.floor(s / 60);
  return `${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[s % 60]}`;
}

let lastSeconds = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS.fffffffZ` as character codes: the seconds' text is always 19 characters. */
const TIME_TEXT = Uint8Array.from('0000-00-00T00:00:00.0000000Z', (c) => c.charCodeAt(0));
let lastSecondsText = '';
let lastDay = Number.NaN;
let lastDayText = '';

/** A SYSTEMTIME (year, month, weekday, day, hour, minute, second, milliseconds) in the same form as FILETIME. */
function renderSystemtime(b: Uint8Array, at: number): string {
  const [year, month, , day, hour, minute, second, ms] = [0, 2, 4, 6, 8, 10, 12, 14].map((o) => u16(b, at + o)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${String(ms).padStart(3, '0')}0000Z`;
}
