// Pretty-printed JSON: the documents of a JSON file written over many lines, as `jq .`, Elasticsearch's `?pretty`,
// Kibana's Dev Tools, PowerShell's ConvertTo-Json or Python's json.dump(indent=…) write them. Such a file holds one
// document, a stream of documents (`jq .` of NDJSON), an array of documents, or a search response whose documents are
// `hits.hits`. The documents are cut out one by one as their lines come, so that an export of millions of documents
// never needs more memory than one of them.

import type { DropReason } from '@otptrace/model';

/** A document's text cut out of the input, or a part of the input that is not one. */
export type JsonPiece =
  | {
      readonly kind: 'document';
      readonly text: string;
      /** Byte offset of the line the document starts on, and its number (1-based). */
      readonly position: number;
      readonly lineNumber: number;
    }
  | {
      readonly kind: 'reject';
      readonly code: DropReason;
      readonly reason: string;
      readonly position: number;
      readonly lineNumber: number;
    };

/** Whether the first line of a JSON input says its documents are pretty-printed: a lone `{` or `[`. */
export function opensPrettyJson(firstLine: string): boolean {
  const text = firstLine.trim();
  return text === '{' || text === '[';
}

/** An array or object the reader is inside. */
interface Frame {
  readonly array: boolean;
  /** Its elements are documents: the top-level array, or a search response's `hits.hits`. */
  readonly documents: boolean;
  /** On the way to a search response's hits: 0 the top-level object, 1 its `hits` object; -1 elsewhere. */
  readonly hitsLevel: number;
  /** An object's last key (read only on the way to the hits). */
  key: string | null;
  /** An object waits for a key (after `{` or `,`). */
  expectKey: boolean;
  /** A documents array's current element is not an object (rejected once, then skipped). */
  refused: boolean;
}

interface Capture {
  /** The document's lines so far, the first from where it opens. */
  readonly lines: string[];
  /** Column of the first line where it opens. */
  readonly column: number;
  readonly position: number;
  readonly lineNumber: number;
  /** Depth of the stack outside the document (its own frame is the next one). */
  readonly depth: number;
  chars: number;
}

/**
 * Cuts pretty-printed JSON, pushed one line at a time, into documents: each value at the top, each element of a
 * top-level array, and each hit of a search response (`{"hits": {"hits": [...]}}`). The structure is followed
 * character by character (strings and their escapes included) and a document's lines are kept until it closes; its
 * text then goes to `JSON.parse` as it is. A document longer than `maxDocumentChars` is rejected and skipped.
 */
export class PrettyJsonDocuments {
  private readonly stack: Frame[] = [];
  private inString = false;
  private escaped = false;
  /** Characters of the key being read (null: the string is not a key, or its key is not needed). */
  private key: string[] | null = null;
  private capture: Capture | null = null;
  /** The depth a document too long is skipped to (-1: none is). */
  private skipDepth = -1;
  /** The line pushed last: where the input ended, for a document cut short. */
  private lastPosition = 0;
  private lastLineNumber = 0;

  constructor(private readonly maxDocumentChars: number) {}

  /** The next line (without its line break); returns the documents it completed and what it could not read. */
  push(line: string, position: number, lineNumber: number): JsonPiece[] {
    const out: JsonPiece[] = [];
    this.lastPosition = position;
    this.lastLineNumber = lineNumber;
    if (this.capture !== null) {
      this.capture.lines.push(line);
      this.capture.chars += line.length + 1;
    }
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.endString();
        else if (this.key !== null) this.key.push(line[i]!);
        continue;
      }
      if (c === SPACE || c === TAB || c === CR) continue;
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        if (c === OPEN_ARRAY) this.stack.push(frame(true, true, -1));
        else if (c === OPEN_OBJECT) {
          this.open(line, i, position, lineNumber);
          this.stack.push(frame(false, false, 0));
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) return this.unopened(out, line[i]!, position, lineNumber);
        else return this.reject(out, 'text outside any JSON document', position, lineNumber);
        continue;
      }
      const element = top.documents && this.capture === null && this.skipDepth < 0;
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (top.array !== (c === CLOSE_ARRAY)) return this.unopened(out, line[i]!, position, lineNumber);
        this.stack.pop();
        if (this.skipDepth === this.stack.length) this.skipDepth = -1;
        else if (this.capture !== null && this.capture.depth === this.stack.length) this.close(out, i);
        continue;
      }
      if (c === COMMA) {
        if (top.array) top.refused = false;
        else top.expectKey = true;
        continue;
      }
      if (element && c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
        // A string, number, true, false or null where a document should be: refused once, then read past.
        if (!top.refused) {
          top.refused = true;
          out.push(
            rejection('not_an_event', `line ${lineNumber}: a JSON value that is not an object`, position, lineNumber),
          );
        }
        if (c === QUOTE) this.startString(null);
        continue;
      }
      if (c === QUOTE) {
        this.startString(!top.array && top.expectKey && top.hitsLevel >= 0 ? [] : null);
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (element) this.open(line, i, position, lineNumber);
        const array = c === OPEN_ARRAY;
        const hitsLevel = !array && top.hitsLevel === 0 && top.key === 'hits' ? 1 : -1;
        const documents = array && top.hitsLevel === 1 && top.key === 'hits';
        // A search response: its hits are the documents, not the response itself.
        if (documents) this.capture = null;
        this.stack.push(frame(array, documents, hitsLevel));
      }
    }
    if (this.capture !== null && this.capture.chars > this.maxDocumentChars) {
      const { position: at, lineNumber: n, depth } = this.capture;
      this.capture = null;
      this.skipDepth = depth;
      const reason = `line ${n}: a JSON document longer than ${this.maxDocumentChars} characters`;
      out.push(rejection('event_too_large', reason, at, n));
    }
    return out;
  }

  /** The input has ended: a document (or the array or response around the documents) still open was cut short. */
  end(): JsonPiece[] {
    const open = this.stack.length > 0;
    const where = this.capture ?? { position: this.lastPosition, lineNumber: this.lastLineNumber };
    this.reset();
    if (!open) return [];
    const reason = `line ${where.lineNumber}: the input ends inside a JSON document`;
    return [rejection('truncated_event', reason, where.position, where.lineNumber)];
  }

  private startString(key: string[] | null): void {
    this.inString = true;
    this.key = key;
  }

  private endString(): void {
    this.inString = false;
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && !top.array && top.expectKey) {
      top.key = this.key === null ? null : this.key.join('');
      top.expectKey = false;
    }
    this.key = null;
  }

  /** A document opens at `line[column]`. */
  private open(line: string, column: number, position: number, lineNumber: number): void {
    const lines = [line];
    this.capture = { lines, column, position, lineNumber, depth: this.stack.length, chars: line.length - column };
  }

  /** The document open closes at column `end` of the last line pushed. */
  private close(out: JsonPiece[], end: number): void {
    const { lines, column, position, lineNumber } = this.capture!;
    this.capture = null;
    const last = lines.length - 1;
    lines[last] = lines[last]!.slice(0, end + 1);
    lines[0] = lines[0]!.slice(column);
    out.push({ kind: 'document', text: lines.join('\n'), position, lineNumber });
  }

  /** Structure that cannot be followed: one rejection for the line, and reading starts again at the top. */
  private reject(out: JsonPiece[], what: string, position: number, lineNumber: number): JsonPiece[] {
    out.push(rejection('malformed_json', `line ${lineNumber}: ${what}`, position, lineNumber));
    this.reset();
    return out;
  }

  private unopened(out: JsonPiece[], bracket: string, position: number, lineNumber: number): JsonPiece[] {
    return this.reject(out, `a "${bracket}" that closes nothing open`, position, lineNumber);
  }

  private reset(): void {
    this.stack.length = 0;
    this.inString = false;
    this.escaped = false;
    this.key = null;
    this.capture = null;
    this.skipDepth = -1;
  }
}

function frame(array: boolean, documents: boolean, hitsLevel: number): Frame {
  return { array, documents, hitsLevel, key: null, expectKey: !array, refused: false };
}

function rejection(code: DropReason, reason: string, position: number, lineNumber: number): JsonPiece {
  return { kind: 'reject', code, reason, position, lineNumber };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
