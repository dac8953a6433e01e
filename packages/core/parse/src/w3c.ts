import type { DropReason } from '@otptrace/model';

// IIS W3C extended log files (u_exYYMMDD.log): "W3C Extended Log File Format (IIS 6.0)" on TechNet and the IIS
// logging reference on learn.microsoft.com; docs/windows-events.md §9. Directive lines start with `#` (#Software,
// #Version, #Date, #Fields); `#Fields:` names the values of the data lines that follow and may appear again
// mid-file (after a restart or a change of the logged fields). Values are separated by single spaces, `-` is an
// empty value, and `+` stands for a space inside a value (IIS replaces spaces, e.g. in cs(User-Agent)).

/** The field list of a `#Fields:` directive. */
export interface W3cHeader {
  readonly names: readonly string[];
  /** Lower-case field name → position. */
  readonly index: ReadonlyMap<string, number>;
}

/** What one line of a W3C log is. */
export type W3cLine =
  | { readonly kind: 'directive' }
  | { readonly kind: 'record'; readonly header: W3cHeader; readonly values: readonly string[] }
  | { readonly kind: 'invalid'; readonly code: DropReason; readonly reason: string };

/** Reads the lines of one W3C log in order, keeping the current `#Fields:` header. */
export class W3cReader {
  /** `header`: the #Fields in force where reading starts (a followed file read in batches). */
  constructor(public header: W3cHeader | null = null) {}

  read(line: string): W3cLine {
    if (line.startsWith('#')) {
      if (line.startsWith('#Fields:')) this.header = headerOf(line.slice(8));
      return { kind: 'directive' };
    }
    if (this.header === null && HTTPERR_DOCUMENTED_LINE.test(line)) this.header = HTTPERR_DOCUMENTED_HEADER;
    if (this.header === null)
      return { kind: 'invalid', code: 'missing_field', reason: 'W3C data line before any #Fields: directive' };
    const values = line.split(' ');
    if (values.length !== this.header.names.length)
      return {
        kind: 'invalid',
        code: 'invalid_field',
        reason: `W3C line has ${values.length} values for ${this.header.names.length} #Fields`,
      };
    return { kind: 'record', header: this.header, values };
  }
}

/**
 * HTTP.sys' error log as Microsoft Learn documents it ("Format of the HTTP Server API Error Logs"): no `#Fields`
 * line, these twelve fields in this order (current Windows writes a `#Fields` line, with s-queuename and streamid).
 */
export const HTTPERR_DOCUMENTED_FIELDS = [
  'date',
  'time',
  'c-ip',
  'c-port',
  's-ip',
  's-port',
  'cs-version',
  'cs-method',
  'cs-uri',
  'sc-status',
  's-siteid',
  's-reason',
] as const;
const HTTPERR_DOCUMENTED_HEADER = w3cHeader(HTTPERR_DOCUMENTED_FIELDS);
/**
 * A line of that shape: date and time, addresses and ports, the protocol version (`HTTP/1.1`, `-`), the status
 * (three digits, `-`), the site ID and the reason phrase (`AppOffline`, `Timer_ConnectionIdle`, `Version_N/S`).
 */
export const HTTPERR_DOCUMENTED_LINE =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ (?:\d+|-) \S+ (?:\d+|-) (?:HTTP\/\S+|-) \S+ \S+ (?:\d{3}|-) (?:\d+|-) [A-Za-z][\w/.-]*\r?$/;

function headerOf(text: string): W3cHeader {
  return w3cHeader(text.trim().split(/\s+/));
}

/** The header of a `#Fields:` directive naming these fields, in order. */
export function w3cHeader(names: readonly string[]): W3cHeader {
  return { names, index: new Map(names.map((n, i) => [n.toLowerCase(), i])) };
}

/** One value of a record by field name (case-insensitive): `-` and absent are null, `+` a space. */
export function w3cField(record: { header: W3cHeader; values: readonly string[] }, name: string): string | null {
  const i = record.header.index.get(name);
  if (i === undefined) return null;
  const raw = record.values[i]!;
  if (raw === '-' || raw === '') return null;
  return raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
}

/**
 * The DA server a W3C file belongs to, from its path, when the site does not log s-computername: the folder named
 * after the host that holds `W3SVC<n>` (`…/da01/W3SVC2/u_ex261102.log`) or `HTTPERR`. IIS's own parents of W3SVC<n> (LogFiles,
 * logs, inetpub) are not host names. Null when the path does not say.
 */
export function w3cServerFromPath(path: string): string | null {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '');
  for (let i = parts.length - 2; i > 0; i--) {
    // HTTP.sys' error logs lie in `HTTPERR` beside (`…/da01/HTTPERR/httperr1.log`).
    if (!/^(W3SVC\d+|HTTPERR)$/i.test(parts[i]!)) continue;
    const host = parts[i - 1]!;
    return NOT_HOSTS.has(host.toLowerCase()) || host.includes(':') ? null : host;
  }
  return null;
}

const NOT_HOSTS = new Set(['logfiles', 'logs', 'inetpub', 'w3c', 'iis']);
