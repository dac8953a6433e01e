import { open } from 'node:fs/promises';

/** Bytes gathered before they are handed on. */
const CHUNK_BYTES = 1 << 20;

/** Where the bytes go: resolves once they are written, after which the buffer they lie in is reused. */
export type ByteSink = (bytes: Uint8Array) => Promise<void>;

/**
 * Text written out as UTF-8, its pieces copied into one reused byte buffer that is handed on when full: no joined
 * string per write, and no new buffer per piece. A fleet's report is tens of MB of text; pieces joined into strings of
 * a MB went to V8's large-object space, which only a full garbage collection frees, and grew the heap by about the size
 * of the report (issue 16 item 6); joining them and encoding the joined text again for standard output cost 0.35–0.55
 * s of a 3 s analysis with an 80 MB report. A piece is never split across two hand-overs, so each holds whole
 * characters.
 */
export class TextWriter {
  private buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private pos = 0;

  /**
   * `keepsBytes`: the sink may still hold the bytes after it resolved (a stream's callback can come while they wait in
   * its buffer, as a PassThrough's does), so each hand-over gets a buffer of its own.
   */
  constructor(
    private readonly sink: ByteSink,
    private readonly end: () => Promise<void> = async () => {},
    private readonly keepsBytes = false,
  ) {}

  /** A file, created or truncated; rejects when it cannot be opened. Closing the writer closes it. */
  static async toFile(path: string): Promise<TextWriter> {
    const handle = await open(path, 'w');
    const writeAll = async (bytes: Uint8Array): Promise<void> => {
      for (let at = 0; at < bytes.length; ) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    };
    return new TextWriter(writeAll, () => handle.close());
  }

  /** A stream (standard output): each hand-over waits for the stream's callback, so a slow reader slows the writer. */
  static toStream(stream: NodeJS.WritableStream): TextWriter {
    const sink = (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        stream.write(bytes, (error) => (error ? reject(error) : resolve()));
      });
    return new TextWriter(sink, async () => {}, true);
  }

  /** Appends the text; resolves once it is in the buffer or written. */
  async write(text: string): Promise<void> {
    // A UTF-8 character takes at most 3 bytes per UTF-16 code unit: text that surely fits is copied without measuring.
    if (this.pos + text.length * 3 > CHUNK_BYTES) {
      await this.flush();
      if (text.length * 3 > CHUNK_BYTES) {
        await this.sink(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Hands on what is buffered. */
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    this.pos = 0;
    if (this.keepsBytes) this.buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    await this.sink(bytes);
  }

  /** Hands on what is buffered and ends the destination (a file is closed even when the last write fails). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.end();
    }
  }
}
