// Which reader a file or stream needs, decided from its first bytes (never from its name): binary .evtx, Windows
// Event XML, IIS W3C text log, an NPS log file in the database-compatible (ODBC), DTS-compliant or IAS format, or
// Winlogbeat's JSON documents (one per line, as exported from Elasticsearch).

import { IAS_START, ODBC_START } from './nps-log.js';
import { HTTPERR_DOCUMENTED_LINE } from './w3c.js';

/** Formats otptrace reads. */
export type InputFormat = 'evtx' | 'event-xml' | 'iis-w3c' | 'nps-odbc' | 'nps-dts' | 'nps-ias' | 'winlogbeat-ndjson';

const EVTX_MAGIC = 'ElfFile\0';
const W3C_DIRECTIVE = /^#(Software|Version|Date|Fields|Remark):/;

/**
 * The input format from the first bytes of a file or stream (a few hundred bytes are enough). Anything that is not
 * recognised as one of the text logs is read as Windows Event XML, whose reader rejects what is not an event.
 */
export function detectFormat(head: Uint8Array): InputFormat {
  const start = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (start.subarray(0, 8).toString('latin1') === EVTX_MAGIC) return 'evtx';
  // UTF-16 is only written by Windows tools exporting event XML.
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[1] === 0 && start[0] !== 0)) return 'event-xml';
  const text = start
    .toString('latin1')
    .replace(/^\u00ef\u00bb\u00bf/, '')
    .trimStart();
  if (W3C_DIRECTIVE.test(text)) return 'iis-w3c';
  // HTTP.sys' error log in its documented form, without directives: read by the W3C reader with its fixed fields.
  if (HTTPERR_DOCUMENTED_LINE.test(text.split('\n', 1)[0]!)) return 'iis-w3c';
  // TechNet cc771748's example: "CLIENTCOMP","IAS",03/07/2008,13:04:33,1,...; dd197432's (IAS format):
  // 10.10.10.10,client,06/04/1999,14:42:19,NPS,CLIENTCOMP,6,2,...
  if (ODBC_START.test(text)) return 'nps-odbc';
  if (IAS_START.test(text)) return 'nps-ias';
  // A DTS record is an <Event> with no namespace whose first child is an NPS attribute with a data_type.
  if (/^<Event>\s*<[A-Za-z][\w-]*\s+data_type=/.test(text)) return 'nps-dts';
  // JSON: no Windows log starts so. A document's "winlog" object may come after a long message, past the first
  // bytes; the reader rejects what is not a Windows event, each line with its reason.
  if (text.startsWith('{') || text.startsWith('[')) return 'winlogbeat-ndjson';
  return 'event-xml';
}

/** How much of a file `isRecognisedLog` reads. */
export const RECOGNISE_HEAD_BYTES = 4096;

/**
 * Whether the first bytes (up to `RECOGNISE_HEAD_BYTES`) are positively one of the logs otptrace reads, for a file a
 * folder holds under a name no log is exported with (`Security-da01`, `nps.log.old`): binary .evtx; XML with an
 * <Event> in its first bytes (Event XML, an NPS DTS log) in UTF-8 or UTF-16LE; an IIS W3C or HTTP.sys error log; an
 * NPS log file in the database-compatible or IAS format; or JSON naming a `winlog` object (Winlogbeat). Unlike
 * `detectFormat`, nothing is assumed: what is not recognised here is not read.
 */
export function isRecognisedLog(head: Uint8Array): boolean {
  const start = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, RECOGNISE_HEAD_BYTES));
  if (start.subarray(0, 8).toString('latin1') === EVTX_MAGIC) return true;
  const utf16 = (start[0] === 0xff && start[1] === 0xfe) || (start[1] === 0 && start[0] !== 0);
  const text = start
    .toString(utf16 ? 'utf16le' : 'latin1')
    .replace(/^(\ufeff|\u00ef\u00bb\u00bf)/, '')
    .trimStart();
  // XML only when an <Event> (or <Events>) opens in the first bytes: a folder's other XML (web.config, a report) is
  // not read as events to be rejected one element at a time.
  if (text.startsWith('<')) return /<Events?[\s>]/.test(text);
  if (W3C_DIRECTIVE.test(text) || HTTPERR_DOCUMENTED_LINE.test(text.split('\n', 1)[0]!)) return true;
  if (ODBC_START.test(text) || IAS_START.test(text)) return true;
  return (text.startsWith('{') || text.startsWith('[')) && text.includes('"winlog"');
}
