import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FilePart, takeTasks, tasksOf, xmlBoundary } from '../src/index.js';

const whole = (path: string): FilePart => ({ path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' });
const range = (path: string, start: number, end: number): FilePart => ({ path, start, end, format: 'xml' });

describe('tasksOf', () => {
  it('gives every part exactly once, with its index, largest tasks first', () => {
    const parts = [
      range('big.xml', 0, 100),
      range('big.xml', 100, 200),
      range('big.xml', 200, Number.POSITIVE_INFINITY),
      whole('dense.xml'),
      whole('a.log'),
      whole('b.log'),
    ];
    const sizes = [230, 230, 230, 40, 5, 7];
    const tasks = tasksOf(parts, sizes);
    // The three whole files (52 bytes in all, counted twice) go first, the big file's last part (30 bytes) last.
    expect(tasks.map((t) => t.first)).toEqual([3, 0, 1, 2]);
    expect(tasks[0]?.parts).toEqual([parts[3], parts[4], parts[5]]);
    const seen = tasks.flatMap((t) => t.parts.map((p, k) => [t.first + k, p] as const));
    expect(new Map(seen)).toEqual(new Map(parts.map((p, i) => [i, p])));
  });

  it('batches consecutive whole files, at most 200 a task, and keeps file order among equal sizes', () => {
    const parts = Array.from({ length: 450 }, (_, i) => whole(`f${i}.log`));
    const tasks = tasksOf(
      parts,
      parts.map(() => 1),
    );
    expect(tasks.map((t) => [t.first, t.parts.length])).toEqual([
      [0, 200],
      [200, 200],
      [400, 50],
    ]);
  });

  it('hands each task to one taker of a shared counter', () => {
    const tasks = tasksOf([whole('a'), whole('b')], [1, 1]);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    expect([...takeTasks(tasks, counter)].map((t) => t.index)).toEqual([0]);
    expect([...takeTasks(tasks, counter)]).toEqual([]);
  });
});

describe('xmlBoundary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-boundary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the boundary after an event larger than its search window', () => {
    const big = `<Event><Data>${'x'.repeat(300_000)}</Data></Event>`;
    const text = `<Event><Data>a</Data></Event>\n${big}\n<Event><Data>b</Data></Event>\n`;
    const path = join(dir, 'big.xml');
    writeFileSync(path, text);
    const fd = openSync(path, 'r');
    try {
      const size = Buffer.byteLength(text);
      const afterBig = text.indexOf('</Event>', text.indexOf('xxx')) + '</Event>'.length;
      expect(xmlBoundary(fd, 40, size)).toBe(afterBig);
      expect(xmlBoundary(fd, 0, size)).toBe(text.indexOf('</Event>') + '</Event>'.length);
      expect(xmlBoundary(fd, afterBig, size)).toBe(size);
    } finally {
      closeSync(fd);
    }
  });
});
