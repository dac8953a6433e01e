import { detectEncoding, detectFormat, type InputFormat } from '@otptrace/parse';
import { DETECT_BYTES } from '@otptrace/pipeline';

const END_UTF8 = Buffer.from('</Event>', 'utf8');
const END_UTF16 = Buffer.from('</Event>', 'utf16le');
const EVENT_START = Buffer.from('<Event', 'utf8');

/**
 * Text encoding of a followed file or stream, from its first bytes: wevtutil and Windows PowerShell 5 (`>`,
 * Out-File) may write UTF-16LE, with or without a byte-order mark, Event XML and text logs alike.
 */
export function encodingOf(head: Uint8Array): 'utf8' | 'utf16le' {
  return detectEncoding(head).encoding;
}

/**
 * Length of the prefix of `bytes` that ends with a complete event, or 0 when none has ended yet: a complete
 * `</Event>` for Event XML; a complete line for the line formats (IIS W3C, NPS database and IAS formats, Winlogbeat
 * NDJSON, whose documents may hold a record's XML, `</Event>` and all, in `event.original`). `format`: the input's
 * format when known (detected from its first bytes).
 */
export function completeLength(bytes: Buffer, encoding: 'utf8' | 'utf16le', format?: InputFormat): number {
  if (format !== undefined && LINE_FORMATS.has(format))
    return encoding === 'utf8' ? bytes.lastIndexOf(0x0a) + 1 : lastUtf16LineEnd(bytes);
  const end = encoding === 'utf8' ? END_UTF8 : END_UTF16;
  const at = bytes.lastIndexOf(end);
  if (at >= 0) return at + end.length;
  // IIS W3C and NPS database-format logs have no </Event>: a batch of them ends with a complete line.
  return encoding === 'utf8' && !bytes.includes(EVENT_START) ? bytes.lastIndexOf(0x0a) + 1 : 0;
}

const LINE_FORMATS: ReadonlySet<InputFormat> = new Set(['iis-w3c', 'nps-odbc', 'nps-ias', 'winlogbeat-ndjson']);

/** The end of the last complete UTF-16LE line (after its LF code unit), or 0. */
function lastUtf16LineEnd(bytes: Buffer): number {
  for (let at = bytes.lastIndexOf(0x0a); at >= 0; at = at === 0 ? -1 : bytes.lastIndexOf(0x0a, at - 1))
    if (at % 2 === 0 && bytes[at + 1] === 0) return at + 2;
  return 0;
}

/**
 * The format of a followed input: as its carry remembers it, else from its first bytes (at its start; UTF-16LE
 * read as its text), else unknown.
 */
export function formatOf(
  carry: { format?: InputFormat } | undefined,
  bytes: Buffer,
  atStart: boolean,
  encoding: 'utf8' | 'utf16le' = 'utf8',
): InputFormat | undefined {
  if (carry?.format !== undefined || !atStart) return carry?.format;
  const head =
    encoding === 'utf8' ? bytes.subarray(0, DETECT_BYTES) : asUtf8(bytes.subarray(0, 2 * DETECT_BYTES), encoding);
  return detectFormat(head);
}

/** The bytes as UTF-8 for the ingestor (UTF-16LE is decoded; a byte-order mark is dropped). */
export function asUtf8(bytes: Buffer, encoding: 'utf8' | 'utf16le'): Buffer {
  return encoding === 'utf8' ? bytes : Buffer.from(new TextDecoder('utf-16le').decode(bytes), 'utf8');
}
