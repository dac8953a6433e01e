import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTextWriter } from '../src/file-text.js';

const dir = mkdtempSync(join(tmpdir(), 'otptrace-file-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileTextWriter', () => {
  it('writes the pieces as UTF-8, in order, across buffer refills and pieces larger than the buffer', async () => {
    const path = join(dir, 'out.txt');
    const pieces = ['{', 'é€😀\u{1F600}', 'x'.repeat(300_000), 'ünï', 'y'.repeat(2_000_000), '}', '\n'];
    for (let i = 0; i < 2000; i++) pieces.push(`line ${i} ${'z'.repeat(i % 700)} ✓\n`);
    const writer = await FileTextWriter.open(path);
    for (const piece of pieces) await writer.write(piece);
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
  });

  it('truncates an existing file, and an empty run leaves an empty file', async () => {
    const path = join(dir, 'again.txt');
    const first = await FileTextWriter.open(path);
    await first.write('something long enough to notice');
    await first.close();
    const second = await FileTextWriter.open(path);
    await second.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('rejects a file that cannot be opened', async () => {
    await expect(FileTextWriter.open(join(dir, 'no-such-folder', 'out.txt'))).rejects.toThrow(/ENOENT/);
  });
});
