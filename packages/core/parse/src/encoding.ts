import { isUtf8 } from 'node:buffer';

/** Text encodings Windows writes event XML in: UTF-8 (with or without BOM) and UTF-16LE (wevtutil redirected). */
export type TextEncoding = 'utf8' | 'utf16le';

/** What the first bytes of a file say about its encoding, and how many BOM bytes to skip. */
export interface EncodingGuess {
  readonly encoding: TextEncoding;
  readonly bomLength: number;
}

/**
 * Guess the encoding from the first bytes: a BOM decides; without one, `<` followed by NUL (or a NUL-interleaved
 * ASCII start) means UTF-16LE, as Windows tools write it.
 */
export function detectEncoding(head: Uint8Array): EncodingGuess {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  const probe = Math.min(head.length, 64);
  let oddNuls = 0;
  let pairs = 0;
  for (let i = 1; i < probe; i += 2) {
    pairs++;
    if (head[i] === 0 && head[i - 1] !== 0) oddNuls++;
  }
  return pairs > 0 && oddNuls / pairs > 0.6
    ? { encoding: 'utf16le', bomLength: 0 }
    : { encoding: 'utf8', bomLength: 0 };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Decode one event's bytes; null when they are not valid text in that encoding. */
export function decodeEventBytes(bytes: Buffer, encoding: TextEncoding): string | null {
  if (encoding === 'utf8') {
    // isUtf8 is a native check, far cheaper than a fatal TextDecoder per event.
    return isUtf8(bytes) ? bytes.toString('utf8') : null;
  }
  if (bytes.length % 2 !== 0) return null;
  const text = bytes.toString('utf16le');
  return LONE_SURROGATE.test(text) ? null : text;
}
