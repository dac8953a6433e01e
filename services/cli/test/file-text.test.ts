import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { TextWriter } from '../src/file-text.js';

const dir = mkdtempSync(join(tmpdir(), 'otptrace-file-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TextWriter', () => {
  it('writes the pieces as UTF-8, in order, across buffer refills and pieces larger than the buffer', async () => {
    const path = join(dir, 'out.txt');
    const pieces = ['{', 'é€😀\u{1F600}', 'x'.repeat(300_000), 'ünï', 'y'.repeat(2_000_000), '}', '\n'];
    for (let i = 0; i < 2000; i++) pieces.push(`line ${i} ${'z'.repeat(i % 700)} ✓\n`);
    const writer = await TextWriter.toFile(path);
    for (const piece of pieces) await writer.write(piece);
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
  });

  it('truncates an existing file, and an empty run leaves an empty file', async () => {
    const path = join(dir, 'again.txt');
    const first = await TextWriter.toFile(path);
    await first.write('something long enough to notice');
    await first.close();
    const second = await TextWriter.toFile(path);
    await second.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('rejects a file that cannot be opened', async () => {
    await expect(TextWriter.toFile(join(dir, 'no-such-folder', 'out.txt'))).rejects.toThrow(/ENOENT/);
  });
});

describe('TextWriter.toStream', () => {
  it('hands the pieces to a stream as UTF-8 bytes, in order, none overwritten while the stream still holds it', async () => {
    // A PassThrough calls back once a chunk is in its buffer, before its reader has taken it (read here a turn later).
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) =>
      setImmediate(() => chunks.push(Buffer.from(chunk.toString('latin1'), 'latin1'))),
    );
    const pieces = ['[', 'é€😀', 'x'.repeat(400_000), 'y'.repeat(1_500_000), ']'];
    for (let i = 0; i < 3000; i++) pieces.push(`${i} ${'w'.repeat(i % 900)} ✓\n`);
    const writer = TextWriter.toStream(stream);
    for (const piece of pieces) await writer.write(piece);
    await writer.close();
    await new Promise((resolve) => stream.end(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks.length).toBeGreaterThan(2);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(pieces.join(''));
  });

  it('rejects when the stream fails the write', async () => {
    const stream = new Writable({ write: (_chunk, _encoding, done) => done(new Error('EPIPE: reader gone')) });
    stream.on('error', () => {});
    const writer = TextWriter.toStream(stream);
    await writer.write('x'.repeat(100));
    await expect(writer.close()).rejects.toThrow(/reader gone/);
  });
});
