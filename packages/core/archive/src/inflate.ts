// Inflate (RFC 1951) with Deflate64's three changes, for the zip entries zlib cannot read: Windows Explorer writes
// archives over 2 GB with Deflate64 (zip method 9). Deflate64 is PKWARE's; its differences from Deflate are those
// zlib's contrib/infback9 and 7-Zip implement: a 64 KiB window, length code 285 as a base of 3 with 16 extra bits
// (instead of the fixed length 258), and distance codes 30 and 31 (bases 32,769 and 49,153, 14 extra bits).
// Plain Deflate is decoded too (`deflate64: false`), which lets the tests hold this decoder to zlib's output.

/** The compressed data is damaged or cut short. */
export class CompressedDataError extends Error {
  override readonly name = 'CompressedDataError';
}

/** More compressed bytes, in order; null at the end of the input. */
export type ReadMore = () => Uint8Array | null;

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577, 32769, 49153,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14,
];
/** The order the code length code lengths come in (RFC 1951, 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Bytes handed on at a time (and the most held beyond the window). */
const OUTPUT_BYTES = 1 << 20;
/** Deflate64's window; a Deflate stream only reaches back 32 KiB of it. */
const WINDOW = 1 << 16;
/** The longest match (Deflate64: 3 + 65,535). */
const LONGEST_MATCH = 65538;

/** A Huffman code as a lookup table: indexed by the next `bits` input bits, each entry `symbol << 4 | length`. */
interface Code {
  readonly table: Int32Array;
  readonly bits: number;
}

/**
 * The decompressed bytes of a raw Deflate64 (or Deflate) stream, a piece at a time, as `readMore` gives compressed
 * bytes. Memory stays bounded (the window and one piece) whatever the size; throws CompressedDataError where the data
 * is damaged, having handed on everything decoded before it.
 */
export function* inflate(readMore: ReadMore, options: { deflate64: boolean }): Generator<Uint8Array> {
  const deflate64 = options.deflate64;
  let input: Uint8Array = new Uint8Array(0);
  let at = 0;
  let bits = 0; // held input bits, low bits first
  let held = 0; // how many
  let ended = false;
  const out = new Uint8Array(WINDOW + OUTPUT_BYTES + LONGEST_MATCH);
  let op = 0; // next output position
  let handed = 0; // output before this has been handed on

  /** At least `n` (≤ 25) bits held, unless the input ends. */
  const need = (n: number): void => {
    while (held < n) {
      if (at >= input.length) {
        if (ended) return;
        const more = readMore();
        if (more === null) {
          ended = true;
          return;
        }
        input = more;
        at = 0;
        continue;
      }
      bits |= (input[at++] as number) << held;
      held += 8;
    }
  };
  const take = (n: number): number => {
    need(n);
    if (held < n) throw new CompressedDataError('the data ends early');
    const value = bits & ((1 << n) - 1);
    bits >>>= n;
    held -= n;
    return value;
  };
  const decode = (code: Code): number => {
    need(code.bits);
    const entry = code.table[bits & ((1 << code.bits) - 1)] as number;
    const length = entry & 15;
    if (entry < 0 || length > held)
      throw new CompressedDataError(entry < 0 ? 'an invalid Huffman code' : 'the data ends early');
    bits >>>= length;
    held -= length;
    return entry >> 4;
  };

  let last = false;
  while (!last) {
    last = take(1) === 1;
    const type = take(2);
    if (type === 0) {
      // Stored: the rest of this byte is skipped; LEN and its complement, then LEN bytes as they are.
      take(held & 7);
      const length = take(16);
      if ((length ^ 0xffff) !== take(16)) throw new CompressedDataError('a stored block whose length check fails');
      for (let n = 0; n < length; n++) out[op++] = take(8);
    } else if (type === 1 || type === 2) {
      const [literals, distances] = type === 1 ? fixedCodes() : readDynamicCodes(take, decode);
      for (;;) {
        if (op >= WINDOW + OUTPUT_BYTES) {
          // Hand on a piece; keep the window for the matches that follow.
          yield out.slice(handed, op);
          out.copyWithin(0, op - WINDOW, op);
          op = WINDOW;
          handed = WINDOW;
        }
        const symbol = decode(literals);
        if (symbol < 256) {
          out[op++] = symbol;
          continue;
        }
        if (symbol === 256) break;
        const index = symbol - 257;
        let length: number;
        if (index < 28) length = (LENGTH_BASE[index] as number) + take(LENGTH_EXTRA[index] as number);
        else if (index === 28) length = deflate64 ? 3 + take(16) : 258;
        else throw new CompressedDataError(`an invalid length code (${symbol})`);
        const code = decode(distances);
        if (code >= (deflate64 ? 32 : 30)) throw new CompressedDataError(`an invalid distance code (${code})`);
        const distance = (DISTANCE_BASE[code] as number) + take(DISTANCE_EXTRA[code] as number);
        if (distance > op) throw new CompressedDataError('a distance that reaches before the start of the data');
        let from = op - distance;
        if (distance >= length) {
          out.copyWithin(op, from, from + length);
          op += length;
        } else {
          // Overlapping: the match repeats the bytes it is writing.
          for (const end = op + length; op < end; ) out[op++] = out[from++] as number;
        }
      }
    } else {
      throw new CompressedDataError('a block of the reserved type 3');
    }
    if (op >= WINDOW + OUTPUT_BYTES - LONGEST_MATCH || (last && op > handed)) {
      yield out.slice(handed, op);
      const keep = Math.min(op, WINDOW);
      out.copyWithin(0, op - keep, op);
      op = keep;
      handed = keep;
    }
  }
}

let fixed: [Code, Code] | null = null;

/** The fixed codes of block type 1 (RFC 1951, 3.2.6). */
function fixedCodes(): [Code, Code] {
  if (fixed === null) {
    const literals = new Uint8Array(288);
    literals.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixed = [buildCode(literals), buildCode(new Uint8Array(32).fill(5))];
  }
  return fixed;
}

/** A dynamic block's codes (RFC 1951, 3.2.7): code length codes, then the literal/length and distance code lengths. */
function readDynamicCodes(take: (n: number) => number, decode: (code: Code) => number): [Code, Code] {
  const literalCount = take(5) + 257;
  const distanceCount = take(5) + 1;
  const lengthCount = take(4) + 4;
  const codeLengths = new Uint8Array(19);
  for (let i = 0; i < lengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i] as number] = take(3);
  const lengthCode = buildCode(codeLengths);
  const lengths = new Uint8Array(literalCount + distanceCount);
  for (let i = 0; i < lengths.length; ) {
    const symbol = decode(lengthCode);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (symbol === 16) {
      if (i === 0) throw new CompressedDataError('a repeated code length with nothing before it');
      value = lengths[i - 1] as number;
      repeat = 3 + take(2);
    } else repeat = symbol === 17 ? 3 + take(3) : 11 + take(7);
    if (i + repeat > lengths.length) throw new CompressedDataError('code lengths that run past their count');
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new CompressedDataError('a block without an end-of-block code');
  return [buildCode(lengths.subarray(0, literalCount)), buildCode(lengths.subarray(literalCount))];
}

/** The lookup table of the canonical Huffman code with these code lengths (RFC 1951, 3.2.2). */
function buildCode(lengths: Uint8Array): Code {
  const count = new Uint16Array(16);
  let longest = 0;
  for (const length of lengths) {
    count[length] = (count[length] as number) + 1;
    if (length > longest) longest = length;
  }
  count[0] = 0;
  let left = 1;
  const next = new Uint16Array(16);
  for (let length = 1, code = 0; length <= 15; length++) {
    left = (left << 1) - (count[length] as number);
    if (left < 0) throw new CompressedDataError('an over-subscribed Huffman code');
    code = (code + (count[length - 1] as number)) << 1;
    next[length] = code;
  }
  // An incomplete code is allowed (a single distance code, or none when a block has only literals); its missing
  // entries stay -1 and are refused if the data uses them.
  const bits = Math.max(longest, 1);
  const table = new Int32Array(1 << bits).fill(-1);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol] as number;
    if (length === 0) continue;
    const code = next[length] as number;
    next[length] = code + 1;
    let reversed = 0;
    for (let k = 0; k < length; k++) reversed |= ((code >> k) & 1) << (length - 1 - k);
    for (let i = reversed; i < table.length; i += 1 << length) table[i] = (symbol << 4) | length;
  }
  return { table, bits };
}
