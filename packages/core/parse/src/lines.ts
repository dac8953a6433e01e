import { isUtf8 } from 'node:buffer';
import type { DropReason } from '@otptrace/model';

/** One line of a text log, decoded, with where it starts in the input. */
export interface TextLine {
  readonly kind: 'line';
  readonly text: string;
  /** Byte offset of the line's first byte in the input (0-based). */
  readonly position: number;
  /** Line number in the input (1-based). */
  readonly lineNumber: number;
}

/** A line that could not be taken (too long). */
export interface LineRejection {
  readonly kind: 'reject';
  readonly code: DropReason;
  readonly reason: string;
  readonly position: number;
}

// IIS W3C and NPS log files are written in UTF-8 or in the system's ANSI code page (docs/windows-events.md §9): a line
// that is not valid UTF-8 is read as Windows-1252, the ANSI page of western Windows installations.
const ANSI = (() => {
  try {
    return new TextDecoder('windows-1252');
  } catch {
    return new TextDecoder('latin1');
  }
})();

/** Decode one line's bytes: UTF-8 when valid, else ANSI (Windows-1252). */
export function decodeLine(bytes: Uint8Array): string {
  return isUtf8(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    : ANSI.decode(bytes);
}

/**
 * Cuts a byte stream into lines (LF or CRLF), across chunk boundaries, keeping each line's byte position. A UTF-8 BOM
 * at the start is skipped. A line longer than `maxLineBytes` is rejected without being buffered whole.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private offset = 0;
  private lineStart = 0;
  private lineNumber = 0;
  private tooLong = false;
  private started = false;

  /** `firstLine`: lines already read of the same input (a followed file read in batches keeps its numbering). */
  constructor(
    private readonly maxLineBytes: number,
    firstLine = 0,
  ) {
    this.lineNumber = firstLine;
    // A batch that starts mid-file starts after a line end: no BOM to look for.
    this.started = firstLine > 0;
  }

  /** Lines read so far (including those of earlier batches). */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Uint8Array): (TextLine | LineRejection)[] {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.started && buf.length > 0) {
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3);
        this.offset = 3;
        this.lineStart = 3;
      }
    }
    const out: (TextLine | LineRejection)[] = [];
    let from = 0;
    for (let nl = buf.indexOf(0x0a, from); nl >= 0; nl = buf.indexOf(0x0a, from)) {
      this.append(buf.subarray(from, nl));
      this.finishLine(out);
      from = nl + 1;
      this.lineStart = this.offset + from;
    }
    this.append(buf.subarray(from));
    this.offset += buf.length;
    return out;
  }

  end(): (TextLine | LineRejection)[] {
    const out: (TextLine | LineRejection)[] = [];
    if (this.carryBytes > 0 || this.tooLong) this.finishLine(out);
    return out;
  }

  private append(part: Buffer): void {
    if (this.tooLong || part.length === 0) return;
    if (this.carryBytes + part.length > this.maxLineBytes) {
      this.tooLong = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    this.carry.push(Buffer.from(part));
    this.carryBytes += part.length;
  }

  private finishLine(out: (TextLine | LineRejection)[]): void {
    this.lineNumber++;
    if (this.tooLong) {
      out.push({
        kind: 'reject',
        code: 'event_too_large',
        reason: `line ${this.lineNumber} longer than ${this.maxLineBytes} bytes`,
        position: this.lineStart,
      });
    } else {
      let bytes = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry);
      if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
      if (bytes.length > 0)
        out.push({ kind: 'line', text: decodeLine(bytes), position: this.lineStart, lineNumber: this.lineNumber });
    }
    this.carry = [];
    this.carryBytes = 0;
    this.tooLong = false;
  }
}
