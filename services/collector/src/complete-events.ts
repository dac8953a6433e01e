const END_UTF8 = Buffer.from('</Event>', 'utf8');
const END_UTF16 = Buffer.from('</Event>', 'utf16le');
const EVENT_START = Buffer.from('<Event', 'utf8');

/** Text encoding of a followed file or stream, from its first bytes (wevtutil and PowerShell may write UTF-16LE). */
export function encodingOf(head: Uint8Array): 'utf8' | 'utf16le' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  // "<" followed by a zero byte: UTF-16LE without a byte-order mark.
  if (head[0] === 0x3c && head[1] === 0x00) return 'utf16le';
  return 'utf8';
}

/** Length of the prefix of `bytes` that ends with a complete `</Event>`, or 0 when none has ended yet. */
export function completeLength(bytes: Buffer, encoding: 'utf8' | 'utf16le'): number {
  const end = encoding === 'utf8' ? END_UTF8 : END_UTF16;
  const at = bytes.lastIndexOf(end);
  if (at >= 0) return at + end.length;
  // IIS W3C and NPS database-format logs have no </Event>: a batch of them ends with a complete line.
  return encoding === 'utf8' && !bytes.includes(EVENT_START) ? bytes.lastIndexOf(0x0a) + 1 : 0;
}

/** The bytes as UTF-8 for the ingestor (UTF-16LE is decoded; a byte-order mark is dropped). */
export function asUtf8(bytes: Buffer, encoding: 'utf8' | 'utf16le'): Buffer {
  return encoding === 'utf8' ? bytes : Buffer.from(new TextDecoder('utf-16le').decode(bytes), 'utf8');
}
