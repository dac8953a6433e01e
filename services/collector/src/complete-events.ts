import { detectFormat, type InputFormat } from '@otptrace/parse';
import { DETECT_BYTES } from '@otptrace/pipeline';

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

/**
 * Length of the prefix of `bytes` that ends with a complete event, or 0 when none has ended yet: a complete
 * `</Event>` for Event XML; a complete line for the line formats (IIS W3C, NPS database and IAS formats, Winlogbeat
 * NDJSON, whose documents may hold a record's XML, `</Event>` and all, in `event.original`). `format`: the input's
 * format when known (detected from its first bytes).
 */
export function completeLength(bytes: Buffer, encoding: 'utf8' | 'utf16le', format?: InputFormat): number {
  if (encoding === 'utf8' && format !== undefined && LINE_FORMATS.has(format)) return bytes.lastIndexOf(0x0a) + 1;
  const end = encoding === 'utf8' ? END_UTF8 : END_UTF16;
  const at = bytes.lastIndexOf(end);
  if (at >= 0) return at + end.length;
  // IIS W3C and NPS database-format logs have no </Event>: a batch of them ends with a complete line.
  return encoding === 'utf8' && !bytes.includes(EVENT_START) ? bytes.lastIndexOf(0x0a) + 1 : 0;
}

const LINE_FORMATS: ReadonlySet<InputFormat> = new Set(['iis-w3c', 'nps-odbc', 'nps-ias', 'winlogbeat-ndjson']);

/** The format of a followed input: as its carry remembers it, else from its first bytes (at its start), else unknown. */
export function formatOf(
  carry: { format?: InputFormat } | undefined,
  bytes: Buffer,
  atStart: boolean,
): InputFormat | undefined {
  return carry?.format ?? (atStart ? detectFormat(bytes.subarray(0, DETECT_BYTES)) : undefined);
}

/** The bytes as UTF-8 for the ingestor (UTF-16LE is decoded; a byte-order mark is dropped). */
export function asUtf8(bytes: Buffer, encoding: 'utf8' | 'utf16le'): Buffer {
  return encoding === 'utf8' ? bytes : Buffer.from(new TextDecoder('utf-16le').decode(bytes), 'utf8');
}
