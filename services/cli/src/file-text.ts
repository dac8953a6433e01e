import { type FileHandle, open } from 'node:fs/promises';

/** Bytes gathered before a write to the file. */
const CHUNK_BYTES = 1 << 20;

/**
 * Text written to a file (created or truncated) as UTF-8, its pieces copied into one reused byte buffer that is written
 * out when full: no joined string per write. A fleet's report is tens of MB of text; pieces joined into strings of a
 * MB went to V8's large-object space, which only a full garbage collection frees, and grew the heap by about the size of
 * the report (issue 16 item 6).
 */
export class FileTextWriter {
  private readonly buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private pos = 0;

  private constructor(private readonly handle: FileHandle) {}

  /** Opens (creates or truncates) the file; rejects when it cannot be opened. */
  static async open(path: string): Promise<FileTextWriter> {
    return new FileTextWriter(await open(path, 'w'));
  }

  /** Appends the text; resolves once it is in the buffer or written. */
  async write(text: string): Promise<void> {
    // A UTF-8 character takes at most 3 bytes per UTF-16 code unit: text that surely fits is copied without measuring.
    if (this.pos + text.length * 3 > CHUNK_BYTES) {
      await this.flush();
      if (text.length * 3 > CHUNK_BYTES) {
        await this.writeAll(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Writes out what is buffered. */
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    this.pos = 0;
    await this.writeAll(bytes);
  }

  /** Writes out what is buffered and closes the file (closed even when the last write fails). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, at, bytes.length - at);
      at += bytesWritten;
    }
  }
}
